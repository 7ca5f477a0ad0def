//! The JSON API, in Hugging Face's dialect (see `hf`).

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderValue;
use axum::http::header::LINK;
use axum::response::{IntoResponse, Response};
use paperboy_core::{ArxivId, Period};
use paperboy_search::engine::SearchMode;
use paperboy_store::DayList;

use super::base_url::BaseUrl;
use super::comments::CommentJson;
use crate::WebError;
use crate::hf::{DailyItemJson, PaperJson, SimilarJson};
use crate::input::{
    DEFAULT_LIMIT, DailyParams, PaperPath, PapersParams, SearchApiParams, SimilarParams,
    parse_limit,
};
use crate::state::AppState;
use crate::views::SemanticStatus;

/// `body` with a `Link: <next>; rel="next"` header when there is a next page.
fn with_next_link(body: impl IntoResponse, next: Option<String>) -> Response {
    let mut response = body.into_response();
    if let Some(next) = next {
        match HeaderValue::try_from(format!("<{next}>; rel=\"next\"")) {
            Ok(link) => {
                response.headers_mut().insert(LINK, link);
            }
            Err(err) => tracing::warn!(%err, "cannot put the next page's URL in a Link header"),
        }
    }
    response
}

/// `GET /api/daily_papers?date=|week=|month=&submitter=&sort=&p=&limit=`.
///
/// Without a period it lists the latest day that has a list, or with `submitter`
/// every day. The `Link` header's next page names the day it resolved, so paging
/// stays on that day when a newer list arrives.
pub(super) async fn daily_papers(
    State(app): State<AppState>,
    base: BaseUrl,
    params: Result<Query<DailyParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let mut request = params?.0.parse()?;
    if request.period.is_none() && request.submitter.is_none() {
        match app.store.latest_day(DayList::Daily).await? {
            Some(day) => request.period = Some(Period::Day(day)),
            None => return Ok(Json([(); 0]).into_response()),
        }
    }
    let query = request.query();
    let page = app.store.daily_page(&query).await?;
    let items: Vec<DailyItemJson> = page.items.iter().map(DailyItemJson::from).collect();
    let shown = query.offset.saturating_add(items.len() as u64);
    let next = (!items.is_empty() && shown < page.total).then(|| {
        base.url(
            "/api/daily_papers",
            &request.query_string(request.page.saturating_add(1)),
        )
    });
    Ok(with_next_link(Json(items), next))
}

/// `GET /api/papers/{id}` and `GET /api/papers/{id}/similar` (one route: old-style
/// ids contain a slash).
pub(super) async fn paper(
    State(app): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    params: Result<Query<SimilarParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let params = params?.0;
    match PaperPath::parse(&path?.0)? {
        PaperPath::Paper(id) if params.field.as_deref() == Some("comments") => {
            let detail = app
                .store
                .paper(&id)
                .await?
                .ok_or_else(|| WebError::paper_not_found(&id))?;
            let comments = app.store.comments_of(&id).await?;
            Ok(Json(PaperWithComments {
                paper: PaperJson::detail(&detail.record, detail.entries.first()),
                comments: CommentJson::threads(&comments),
            })
            .into_response())
        }
        PaperPath::Paper(id) => paper_detail(&app, &id).await,
        PaperPath::Similar(id) => similar(&app, &id, params.limit()?).await,
        PaperPath::Comments(id) => {
            if app
                .store
                .records_by_ids(std::slice::from_ref(&id))
                .await?
                .is_empty()
            {
                return Err(WebError::paper_not_found(&id));
            }
            let comments = app.store.comments_of(&id).await?;
            Ok(Json(CommentJson::threads(&comments)).into_response())
        }
    }
}

/// `GET /api/papers/{id}?field=comments`: the paper object with its comments.
#[derive(Debug, serde::Serialize)]
struct PaperWithComments<'a> {
    #[serde(flatten)]
    paper: PaperJson<'a>,
    comments: Vec<CommentJson>,
}

/// The paper object, flat, as HF returns it.
async fn paper_detail(app: &AppState, id: &ArxivId) -> Result<Response, WebError> {
    let detail = app
        .store
        .paper(id)
        .await?
        .ok_or_else(|| WebError::paper_not_found(id))?;
    Ok(Json(PaperJson::detail(&detail.record, detail.entries.first())).into_response())
}

/// Up to `limit` papers nearest to `id` by embedding, nearest first, each with its
/// `similarity`; empty when semantic search is off or has not embedded `id` yet.
async fn similar(app: &AppState, id: &ArxivId, limit: u32) -> Result<Response, WebError> {
    if app
        .store
        .records_by_ids(std::slice::from_ref(id))
        .await?
        .is_empty()
    {
        return Err(WebError::paper_not_found(id));
    }
    let similar = app.search.similar(id, limit as usize).await?;
    let papers: Vec<SimilarJson> = similar
        .iter()
        .map(|(record, similarity)| SimilarJson::new(record, *similarity))
        .collect();
    Ok(Json(papers).into_response())
}

/// `GET /api/papers/search?q=&limit=` (and the extensions `mode`, `p`, `offset`):
/// the best matches, in the shape of daily items, as HF answers it.
pub(super) async fn search(
    State(app): State<AppState>,
    base: BaseUrl,
    params: Result<Query<SearchApiParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let request = params?.0.parse()?;
    if request.input.mode == SearchMode::Semantic {
        // Asked for meaning explicitly: keyword results in its place would mislead.
        if let Some(why) = SemanticStatus::of(&app.search).unavailable() {
            return Err(WebError::Unavailable(why));
        }
    }
    let page = app
        .search
        .search(&request.input.request(request.offset, request.limit, false))
        .await?;
    let rankers = match page.mode {
        SearchMode::Keyword => "keyword",
        SearchMode::Semantic => "semantic",
        SearchMode::Hybrid => "keyword, semantic",
    };
    let items: Vec<DailyItemJson> = page
        .hits
        .iter()
        .map(|hit| DailyItemJson::search_hit(&hit.record))
        .collect();
    let next = request
        .next_query_string(page.total as u64)
        .map(|query| base.url("/api/papers/search", &query));
    let mut response = super::with_server_timing(with_next_link(Json(items), next), &page.timing);
    response
        .headers_mut()
        .insert(SEARCH_RANKERS, HeaderValue::from_static(rankers));
    Ok(response)
}

/// The response header that says which rankers answered a search.
const SEARCH_RANKERS: &str = "x-search-rankers";

/// `GET /api/papers?cursor=&limit=`: every paper, newest first, `limit` at a time.
pub(super) async fn papers(
    State(app): State<AppState>,
    base: BaseUrl,
    params: Result<Query<PapersParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let params = params?.0;
    let limit = parse_limit(params.limit.as_deref(), DEFAULT_LIMIT)?;
    let cursor = params.cursor.as_deref().filter(|c| !c.is_empty());
    let page = app.store.papers_page(cursor, limit).await?;
    let papers: Vec<PaperJson> = page
        .papers
        .iter()
        .map(|record| PaperJson::detail(record, None))
        .collect();
    let next = page.next_cursor.map(|cursor| {
        let query = serde_urlencoded::to_string([("cursor", cursor), ("limit", limit.to_string())]);
        base.url("/api/papers", &query.unwrap_or_default())
    });
    Ok(with_next_link(Json(papers), next))
}
