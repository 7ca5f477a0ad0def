//! `/feeds/{daily,trending,new,search}.{rss,atom}` and `/feeds/u/{name}.{rss,atom}`:
//! the lists as feeds, in the lists' order.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use paperboy_core::Period;
use paperboy_core::trending::trending_since;
use paperboy_store::{DailyPage, DailyQuery, DayList, FirehoseQuery};

use super::base_url::BaseUrl;
use crate::WebError;
use crate::feeds::{Feed, FeedFormat, FeedItem};
use crate::input::{ListParams, SearchPageParams};
use crate::state::AppState;
use crate::views::format::long_day;

/// Entries per feed.
const FEED_SIZE: u32 = 50;

/// `feed` as `format`, with its content type.
pub(super) fn respond(feed: &Feed<'_>, format: FeedFormat) -> Response {
    let mut response = feed.render(format).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    response
}

/// The feed `file` names, or 404.
fn format_of(file: &str) -> Result<(&str, FeedFormat), WebError> {
    FeedFormat::of(file).ok_or_else(|| {
        WebError::NotFound(format!(
            "No feed {file}: feeds end in .rss (RSS 2.0) or .atom (Atom)."
        ))
    })
}

/// Items of a daily list, each with its votes and submitter.
fn daily_items(list: &DailyPage) -> Vec<FeedItem<'_>> {
    list.items
        .iter()
        .map(|item| FeedItem {
            record: &item.record,
            at: item.entry.submitted_at,
            note: Some(match &item.entry.submitted_by {
                Some(by) => format!("{} upvotes · submitted by {}", item.entry.upvotes, by.name),
                None => format!("{} upvotes", item.entry.upvotes),
            }),
        })
        .collect()
}

/// `GET /feeds/{file}`.
pub(super) async fn feed(
    State(app): State<AppState>,
    base: BaseUrl,
    file: Result<Path<String>, PathRejection>,
    list: Result<Query<ListParams>, QueryRejection>,
    search: Result<Query<SearchPageParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let file = file?.0;
    let (name, format) = format_of(&file)?;
    let site = &app.site.name;
    let self_url = |query: &str| base.url(&format!("/feeds/{file}"), query);
    match name {
        "daily" => {
            let Some(day) = app.store.latest_day(DayList::Daily).await? else {
                return Err(WebError::NotFound("There are no daily lists yet.".into()));
            };
            let list = app
                .store
                .daily_page(&DailyQuery::period(Period::Day(day), FEED_SIZE))
                .await?;
            let feed = Feed {
                title: format!("{site}: daily papers"),
                description: format!("The daily papers of {}, most upvoted first", long_day(day)),
                page_url: base.url(&Period::Day(day).path(), ""),
                self_url: self_url(""),
                base: base.root().to_owned(),
                items: daily_items(&list),
            };
            Ok(respond(&feed, format))
        }
        "trending" => {
            let Some(until) = app.store.latest_day(DayList::Daily).await? else {
                return Err(WebError::NotFound("There are no daily lists yet.".into()));
            };
            let query = DailyQuery::trending(trending_since(until), until, 0, FEED_SIZE);
            let list = app.store.daily_page(&query).await?;
            let mut items = daily_items(&list);
            for (item, entry) in items.iter_mut().zip(&list.items) {
                item.note = entry
                    .trend
                    .map(|trend| format!("Trending: {}", trend.explain()));
            }
            let feed = Feed {
                title: format!("{site}: trending papers"),
                description: "The past week's daily papers by upvotes and comments fading with age"
                    .into(),
                page_url: base.url("/papers/trending", ""),
                self_url: self_url(""),
                base: base.root().to_owned(),
                items,
            };
            Ok(respond(&feed, format))
        }
        "new" => {
            let Some(day) = app.store.latest_day(DayList::Firehose).await? else {
                return Err(WebError::NotFound("No papers were announced yet.".into()));
            };
            let category = list?.0.category()?;
            let query = FirehoseQuery {
                day,
                category: category.clone(),
                offset: 0,
                limit: FEED_SIZE,
            };
            let list = app.store.firehose_page(&query).await?;
            let filter = category
                .as_deref()
                .map(|c| serde_urlencoded::to_string([("category", c)]).unwrap_or_default())
                .unwrap_or_default();
            let feed = Feed {
                title: match &category {
                    Some(c) => format!("{site}: new in {c}"),
                    None => format!("{site}: new papers"),
                },
                description: format!("Papers announced on {}", long_day(day)),
                page_url: base.url(&format!("/papers/new/{day}"), &filter),
                self_url: self_url(&filter),
                base: base.root().to_owned(),
                items: list
                    .papers
                    .iter()
                    .map(|record| FeedItem {
                        record,
                        at: None,
                        note: None,
                    })
                    .collect(),
            };
            Ok(respond(&feed, format))
        }
        "search" => {
            let input = search?.0.input()?;
            if input.query.is_empty() {
                return Err(WebError::BadRequest(
                    "a search feed needs a query: /feeds/search.rss?q=...".into(),
                ));
            }
            let results = app
                .search
                .search(&input.request(0, FEED_SIZE, false))
                .await?;
            let query =
                serde_urlencoded::to_string([("q", input.text.as_str())]).unwrap_or_default();
            let feed = Feed {
                title: format!("{site}: search for {}", input.text),
                description: format!("Papers matching {}", input.text),
                page_url: base.url("/search", &query),
                self_url: self_url(&query),
                base: base.root().to_owned(),
                items: results
                    .hits
                    .iter()
                    .map(|hit| FeedItem {
                        record: &hit.record,
                        at: None,
                        note: None,
                    })
                    .collect(),
            };
            Ok(respond(&feed, format))
        }
        _ => Err(WebError::NotFound(format!(
            "No feed {file}: there are daily, trending, new (?category=) and search (?q=) feeds, and /feeds/u/NAME for a reader's submissions."
        ))),
    }
}

/// `GET /feeds/u/{file}`: a reader's submissions, newest first.
pub(super) async fn user_feed(
    State(app): State<AppState>,
    base: BaseUrl,
    file: Result<Path<String>, PathRejection>,
) -> Result<Response, WebError> {
    let file = file?.0;
    let (name, format) = format_of(&file)?;
    let user = app
        .store
        .user_by_username(name)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("There is no reader called {name} here.")))?;
    let username = user.username.unwrap_or_default();
    let list = app
        .store
        .daily_page(&DailyQuery::submitted_by(&username, FEED_SIZE))
        .await?;
    let feed = Feed {
        title: format!("{}: papers submitted by {username}", app.site.name),
        description: format!("The papers {username} put on the daily lists"),
        page_url: base.url(&format!("/u/{username}"), ""),
        self_url: base.url(&format!("/feeds/u/{file}"), ""),
        base: base.root().to_owned(),
        items: daily_items(&list),
    };
    Ok(respond(&feed, format))
}
