//! HTML pages: the daily lists, the "new" firehose, paper pages and search.

use std::collections::HashSet;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{ACCEPT, CONTENT_TYPE, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::civil::Date;
use paperboy_core::text::first_sentence;
use paperboy_core::trending::trending_since;
use paperboy_core::{ArxivId, Period, VersionedId, cite, math, parse_day, thumbnail};
use paperboy_store::{DailyQuery, DayList, FirehoseQuery};

use super::base_url::BaseUrl;
use crate::WebError;
use crate::auth::Viewer;
use crate::input::{ListParams, PageNumber, SearchPageParams};
use crate::state::AppState;
use crate::views::list::TLDR_CHARS;
use crate::views::{
    DailyView, FirehoseView, Layout, MissingPaperView, Nav, PaperView, SearchView, SemanticStatus,
    ShareCard, TrendingView, render,
};

/// Entries per page of a daily list.
const DAILY_PAGE_SIZE: u32 = 50;
/// Papers per page of the firehose.
const FIREHOSE_PAGE_SIZE: u32 = 50;
/// Hits per page of search results.
const SEARCH_PAGE_SIZE: u32 = 20;
/// Similar papers on a paper page.
const SIMILAR_ON_PAGE: usize = 8;
/// Upvoters named on a paper page.
const UPVOTERS_ON_PAGE: u32 = 50;

type PageResult = Result<Html<String>, WebError>;
type Params = Result<Query<ListParams>, QueryRejection>;
type Segment = Result<Path<String>, PathRejection>;

/// `/`: the daily papers are the front page.
pub(super) async fn home() -> Redirect {
    Redirect::temporary("/papers")
}

/// `/papers`: the latest day that has a daily list. `/papers?date=YYYY-MM-DD` (HF's
/// older form, and what the date picker sends) redirects to that day's page.
pub(super) async fn latest_daily(
    State(app): State<AppState>,
    viewer: Viewer,
    params: Params,
) -> Result<Response, WebError> {
    let params = params?.0;
    if let Some(date) = params.date.as_deref().filter(|d| !d.trim().is_empty()) {
        let day = parse_day(date.trim())?;
        return Ok(Redirect::permanent(&Period::Day(day).path()).into_response());
    }
    let page = params.page()?;
    Ok(match app.store.latest_day(DayList::Daily).await? {
        Some(day) => daily(&app, &viewer, Period::Day(day), page).await?,
        None => empty_daily(&app, &viewer)?,
    }
    .into_response())
}

/// The daily page of an instance without any daily list: how to get papers in.
fn empty_daily(app: &AppState, viewer: &Viewer) -> PageResult {
    render(&DailyView::empty_store(
        Layout::new(&app.site, Nav::Daily).for_viewer(viewer),
    ))
}

/// `/papers/date/YYYY-MM-DD`.
pub(super) async fn day(
    State(app): State<AppState>,
    viewer: Viewer,
    day: Segment,
    params: Params,
) -> PageResult {
    let day = parse_day(&day?.0)?;
    daily(&app, &viewer, Period::Day(day), params?.page()?).await
}

/// `/papers/week/YYYY-Www`.
pub(super) async fn week(
    State(app): State<AppState>,
    viewer: Viewer,
    week: Segment,
    params: Params,
) -> PageResult {
    let week = Period::parse_week(&week?.0)?;
    daily(&app, &viewer, week, params?.page()?).await
}

/// `/papers/month/YYYY-MM`.
pub(super) async fn month(
    State(app): State<AppState>,
    viewer: Viewer,
    month: Segment,
    params: Params,
) -> PageResult {
    let month = Period::parse_month(&month?.0)?;
    daily(&app, &viewer, month, params?.page()?).await
}

/// A page of the daily list of `period`, most upvoted first, linking the nearest days,
/// weeks or months before and after it that have lists.
async fn daily(app: &AppState, viewer: &Viewer, period: Period, page: PageNumber) -> PageResult {
    let mut query = DailyQuery::period(period, DAILY_PAGE_SIZE);
    query.offset = page.offset(DAILY_PAGE_SIZE);
    let list = app.store.daily_page(&query).await?;
    page.check_exists(list.total, DAILY_PAGE_SIZE)?;
    if list.total == 0 && app.store.latest_day(DayList::Daily).await?.is_none() {
        return empty_daily(app, viewer);
    }
    let neighbours = nearest_periods(app, period).await?;
    let layout = Layout::new(&app.site, Nav::Daily)
        .for_viewer(viewer)
        .with_feed(
            format!("{}: daily papers", app.site.name),
            "/feeds/daily",
            "",
        );
    let view = DailyView::new(layout, period, page, DAILY_PAGE_SIZE, &list, neighbours);
    let voted = votes_of(app, viewer, view.paper_ids()).await?;
    render(&view.with_votes(&voted))
}

/// The nearest periods of `period`'s kind before and after it that have daily lists.
async fn nearest_periods(
    app: &AppState,
    period: Period,
) -> Result<(Option<Period>, Option<Period>), WebError> {
    let (first, last) = period.bounds();
    let (before, after) = if first == last {
        app.store.neighbour_days(DayList::Daily, first).await?
    } else {
        (
            app.store.neighbour_days(DayList::Daily, first).await?.0,
            app.store.neighbour_days(DayList::Daily, last).await?.1,
        )
    };
    Ok((
        before.map(|day| period.same_kind(day)),
        after.map(|day| period.same_kind(day)),
    ))
}

/// Which of the papers `ids` the viewer upvoted; none for anonymous readers.
pub(super) async fn votes_of<'i>(
    app: &AppState,
    viewer: &Viewer,
    ids: impl Iterator<Item = &'i str>,
) -> Result<HashSet<ArxivId>, WebError> {
    let Some(signed_in) = &viewer.0 else {
        return Ok(HashSet::new());
    };
    let ids: Vec<ArxivId> = ids.filter_map(|id| ArxivId::parse(id).ok()).collect();
    Ok(app.store.voted(&signed_in.user.id, &ids).await?)
}

/// `/papers/trending`: the past week's daily lists, most trending first.
pub(super) async fn trending(
    State(app): State<AppState>,
    viewer: Viewer,
    params: Params,
) -> PageResult {
    let page = params?.page()?;
    let layout = Layout::new(&app.site, Nav::Trending)
        .for_viewer(&viewer)
        .with_feed(
            format!("{}: trending papers", app.site.name),
            "/feeds/trending",
            "",
        );
    let Some(until) = app.store.latest_day(DayList::Daily).await? else {
        return render(&DailyView::empty_store(layout));
    };
    let from = trending_since(until);
    let query = DailyQuery::trending(from, until, page.offset(DAILY_PAGE_SIZE), DAILY_PAGE_SIZE);
    let list = app.store.daily_page(&query).await?;
    page.check_exists(list.total, DAILY_PAGE_SIZE)?;
    let view = TrendingView::new(layout, (from, until), page, DAILY_PAGE_SIZE, &list);
    let voted = votes_of(&app, &viewer, view.paper_ids()).await?;
    render(&view.with_votes(&voted))
}

/// `/papers/new`: the latest announcement day.
pub(super) async fn latest_new(
    State(app): State<AppState>,
    viewer: Viewer,
    params: Params,
) -> PageResult {
    let params = params?.0;
    match app.store.latest_day(DayList::Firehose).await? {
        Some(day) => firehose(&app, &viewer, day, &params).await,
        None => render(&FirehoseView::empty_store(
            Layout::new(&app.site, Nav::New).for_viewer(&viewer),
        )),
    }
}

/// `/papers/new/YYYY-MM-DD`.
pub(super) async fn new_on_day(
    State(app): State<AppState>,
    viewer: Viewer,
    day: Segment,
    params: Params,
) -> PageResult {
    let day = parse_day(&day?.0)?;
    firehose(&app, &viewer, day, &params?.0).await
}

/// A page of the papers announced on `day`, filtered by `?category=`.
async fn firehose(app: &AppState, viewer: &Viewer, day: Date, params: &ListParams) -> PageResult {
    let page = params.page()?;
    let category = params.category()?;
    let query = FirehoseQuery {
        day,
        category: category.clone(),
        offset: page.offset(FIREHOSE_PAGE_SIZE),
        limit: FIREHOSE_PAGE_SIZE,
    };
    let list = app.store.firehose_page(&query).await?;
    page.check_exists(list.total, FIREHOSE_PAGE_SIZE)?;
    let neighbours = app.store.neighbour_days(DayList::Firehose, day).await?;
    let filter = category
        .as_deref()
        .map(|c| serde_urlencoded::to_string([("category", c)]).unwrap_or_default())
        .unwrap_or_default();
    let title = match &category {
        Some(c) => format!("{}: new in {c}", app.site.name),
        None => format!("{}: new papers", app.site.name),
    };
    let view = FirehoseView::new(
        Layout::new(&app.site, Nav::New)
            .for_viewer(viewer)
            .with_feed(title, "/feeds/new", &filter),
        day,
        category.as_deref(),
        page,
        FIREHOSE_PAGE_SIZE,
        &list,
        neighbours,
    );
    let voted = votes_of(app, viewer, view.paper_ids()).await?;
    render(&view.with_votes(&voted))
}

/// `/papers/{id}`, old-style ids (`hep-th/9901001`) included. Other spellings of an id
/// (`2401.12345v2`, `arXiv:2401.12345`, `math.GT/0309136`) redirect to the canonical
/// URL.
pub(super) async fn paper(
    State(app): State<AppState>,
    viewer: Viewer,
    base: BaseUrl,
    headers: HeaderMap,
    id: Segment,
) -> Result<Response, WebError> {
    let raw = id?.0;
    if let Some(stem) = raw.strip_suffix(".bib") {
        return export(&app, &base, stem, Export::Bibtex).await;
    }
    if let Some(stem) = raw.strip_suffix(".md") {
        return export(&app, &base, stem, Export::Markdown).await;
    }
    let wants_markdown = headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/markdown"));
    if wants_markdown {
        return export(&app, &base, &raw, Export::Markdown).await;
    }
    let id = VersionedId::parse(&raw)?;
    if id.version.is_some() || id.id.as_str() != raw {
        return Ok(Redirect::permanent(&format!("/papers/{}", id.id)).into_response());
    }
    let Some(detail) = app.store.paper(&id.id).await? else {
        let view = MissingPaperView {
            layout: Layout::new(&app.site, Nav::Other).for_viewer(&viewer),
            id: id.id.to_string(),
            abs_url: id.id.abs_url(),
            can_fetch: app.fetcher.is_some(),
        };
        return Ok((StatusCode::NOT_FOUND, render(&view)?).into_response());
    };
    let similar = app.search.similar(&id.id, SIMILAR_ON_PAGE).await?;
    let layout = Layout::new(&app.site, Nav::Other)
        .for_viewer(&viewer)
        .with_share(share_card(&app, &base, &detail.record.paper));
    let status = SemanticStatus::of(&app.search);
    let ids =
        std::iter::once(id.id.as_str()).chain(similar.iter().map(|(r, _)| r.paper.id.as_str()));
    let voted = votes_of(&app, &viewer, ids).await?;
    let upvoters = app.store.upvoters(&id.id, UPVOTERS_ON_PAGE).await?;
    let comments = app.store.comments_of(&id.id).await?;
    let collections = match &viewer.0 {
        Some(reader) => app.store.collections_of(&reader.user.id, true).await?,
        None => Vec::new(),
    };
    let view = PaperView::new(layout, &detail, &similar, status)
        .with_votes(&voted, upvoters)
        .with_comments(&comments)
        .with_collections(collections)
        .with_claims(&app.store.claims_of_paper(&id.id).await?)
        .with_moderation(app.store.paper_hidden(&id.id).await?);
    let mut response = render(&view)?.into_response();
    // The same URL answers Markdown to clients that ask for it.
    response
        .headers_mut()
        .insert(VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}

/// How a link to `paper`'s page previews: its title, TL;DR (the `ai_summary`, else
/// the abstract's first sentence) and thumbnail, LaTeX as Unicode.
fn share_card(app: &AppState, base: &BaseUrl, paper: &paperboy_core::Paper) -> ShareCard {
    let tldr = paper
        .ai_summary
        .clone()
        .unwrap_or_else(|| first_sentence(&paper.summary, TLDR_CHARS));
    let image = app
        .site
        .thumbnails_dir
        .as_deref()
        .and_then(|dir| thumbnail::existing(dir, &paper.id))
        .map(|_| {
            base.url(
                &format!("/thumbnails/{}", thumbnail::file_name(&paper.id)),
                "",
            )
        });
    ShareCard {
        title: math::to_unicode(&paper.title),
        description: math::to_unicode(&tldr),
        url: base.url(&format!("/papers/{}", paper.id), ""),
        image,
    }
}

/// What a paper is exported as.
#[derive(Debug, Clone, Copy)]
enum Export {
    /// `/papers/{id}.bib`.
    Bibtex,
    /// `/papers/{id}.md`, or the page with `Accept: text/markdown`.
    Markdown,
}

/// The paper `raw` names as BibTeX or Markdown.
async fn export(
    app: &AppState,
    base: &BaseUrl,
    raw: &str,
    export: Export,
) -> Result<Response, WebError> {
    let id = VersionedId::parse(raw)?.id;
    let record = app
        .store
        .records_by_ids(std::slice::from_ref(&id))
        .await?
        .pop()
        .ok_or_else(|| WebError::paper_not_found(&id))?;
    let (body, content_type) = match export {
        Export::Bibtex => (
            cite::bibtex(&record.paper),
            "application/x-bibtex; charset=utf-8",
        ),
        Export::Markdown => (
            cite::markdown(&record.paper, &base.url(&format!("/papers/{id}"), "")),
            "text/markdown; charset=utf-8",
        ),
    };
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
        .headers_mut()
        .insert(VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}

/// `/search?q=&mode=&page=`: a page of results, or the help for an empty query. A
/// query that is an arXiv id in this database redirects to its paper page.
pub(super) async fn search(
    State(app): State<AppState>,
    viewer: Viewer,
    params: Result<Query<SearchPageParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let params = params?.0;
    let input = params.input()?;
    let page = params.page(SEARCH_PAGE_SIZE)?;
    let status = SemanticStatus::of(&app.search);
    let feed_query = serde_urlencoded::to_string([("q", input.text.as_str())]).unwrap_or_default();
    let mut layout = Layout::search(&app.site, &input).for_viewer(&viewer);
    if !input.query.is_empty() {
        let title = format!("{}: search for {}", app.site.name, input.text);
        layout = layout.with_feed(title, "/feeds/search", &feed_query);
    }
    if input.query.is_empty() {
        return Ok(render(&SearchView::help(layout, &input, status))?.into_response());
    }
    let request = input.request(page.offset(SEARCH_PAGE_SIZE), SEARCH_PAGE_SIZE, true);
    let results = app.search.search(&request).await?;
    if let Some(id) = &input.query.id
        && results.hits.iter().any(|hit| &hit.record.paper.id == id)
    {
        return Ok(Redirect::to(&format!("/papers/{id}")).into_response());
    }
    page.check_exists(results.total as u64, SEARCH_PAGE_SIZE)?;
    let view = SearchView::results(layout, &input, page, SEARCH_PAGE_SIZE, &results, status);
    Ok(super::with_server_timing(
        render(&view)?.into_response(),
        &results.timing,
    ))
}
