//! Submitting papers: the form at `/papers/submit`, `POST /api/papers/submit` (onto
//! the current daily list) and `POST /api/papers/index` (into the database only).
//! A paper the database lacks is fetched from arXiv first.

use axum::extract::State;
use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use paperboy_core::{ArxivId, SubmitRefusal, Submitter, VersionedId};
use paperboy_store::{DailyItem, PaperRecord};
use serde::Deserialize;

use crate::WebError;
use crate::auth::{CSRF_HEADER, Credential, SignedIn, Viewer, check_origin};
use crate::hf::{DailyItemJson, PaperJson};
use crate::limits::Limit;
use crate::state::AppState;
use crate::views::{Layout, Nav, SubmitView, render};

/// The paper `id`, fetched from arXiv when the database lacks it.
pub(super) async fn stored_paper(app: &AppState, id: &ArxivId) -> Result<PaperRecord, WebError> {
    if let Some(record) = app
        .store
        .records_by_ids(std::slice::from_ref(id))
        .await?
        .pop()
    {
        return Ok(record);
    }
    let fetcher = app.fetcher.as_ref().ok_or_else(|| {
        WebError::NotFound(format!(
            "Paper {id} is not in this database, and this server does not fetch papers from arXiv."
        ))
    })?;
    let found = fetcher.fetch(id).await.map_err(|reason| {
        WebError::Unavailable(format!(
            "arXiv could not be asked for {id} ({reason}); try again later"
        ))
    })?;
    if !found {
        return Err(WebError::NotFound(format!("arXiv has no paper {id}.")));
    }
    app.store
        .records_by_ids(std::slice::from_ref(id))
        .await?
        .pop()
        .ok_or_else(|| WebError::paper_not_found(id))
}

/// Puts paper `id` on the current daily list for `signed_in`, after the rules.
async fn submit(app: &AppState, signed_in: &SignedIn, id: &ArxivId) -> Result<DailyItem, WebError> {
    let username = signed_in.user.username.clone().ok_or_else(|| {
        WebError::Forbidden("choose a username first (/welcome): submissions carry it".into())
    })?;
    app.limits
        .check(Limit::SubmitPerAccount, &signed_in.user.id)?;
    let record = stored_paper(app, id).await?;
    let rules = &app.site.submit;
    let now = app.store.clock().now();
    rules.check_age(&record.paper, now).map_err(refused)?;
    let submitter = Submitter {
        fullname: Some(username.clone()),
        name: username,
        avatar_url: None,
    };
    let day = rules.boundary.day_of(now);
    let entry = match app
        .store
        .submit_to_daily(id, day, &submitter, rules.daily_cap)
        .await?
    {
        Ok(entry) => entry,
        Err(refusal @ SubmitRefusal::DailyCap(_)) => {
            let wait = rules.boundary.next_day_starts(now).duration_since(now);
            tracing::info!(user = %signed_in.user.id, "{refusal}");
            return Err(WebError::TooManyRequests {
                retry_after: u64::try_from(wait.as_secs()).unwrap_or(1).max(1),
            });
        }
        Err(refusal) => return Err(refused(refusal)),
    };
    app.cache.changed();
    tracing::info!(paper = %id, %day, user = %signed_in.user.id, "submitted to the daily list");
    Ok(DailyItem {
        entry,
        record,
        trend: None,
    })
}

/// A refusal the reader can act on.
fn refused(refusal: SubmitRefusal) -> WebError {
    match refusal {
        SubmitRefusal::AlreadyListed(_) => WebError::Conflict(refusal.to_string()),
        _ => WebError::Unprocessable(refusal.to_string()),
    }
}

/// The body of `POST /api/papers/submit` and `/index`: HF's `paper_id` or `arxivId`.
#[derive(Debug, Deserialize)]
pub(super) struct SubmitJson {
    #[serde(rename = "arxivId")]
    arxiv_id: Option<String>,
    paper_id: Option<String>,
}

impl SubmitJson {
    fn id(&self) -> Result<ArxivId, WebError> {
        let raw = self
            .arxiv_id
            .as_deref()
            .or(self.paper_id.as_deref())
            .ok_or_else(|| {
                WebError::BadRequest("give the paper as {\"arxivId\": \"2501.12345\"}".into())
            })?;
        Ok(VersionedId::parse(raw)?.id)
    }
}

/// The account of an API write: a bearer token, or a browser session with its CSRF
/// token in `X-CSRF-Token` and this site as its origin.
pub(super) fn api_writer(
    app: &AppState,
    viewer: Viewer,
    headers: &HeaderMap,
) -> Result<SignedIn, WebError> {
    let signed_in = viewer.require()?;
    if !matches!(signed_in.credential, Credential::Token) {
        check_origin(headers, app.site.public_base.as_deref())?;
    }
    signed_in.check_csrf(headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()))?;
    Ok(signed_in)
}

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, WebError> {
    body.map(|b| b.0)
        .map_err(|e| WebError::BadRequest(e.body_text()))
}

/// `POST /api/papers/submit`: puts the paper on today's daily list; answers the new
/// daily item.
pub(super) async fn api_submit(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    body: Result<Json<SubmitJson>, JsonRejection>,
) -> Result<Response, WebError> {
    let signed_in = api_writer(&app, viewer, &headers)?;
    let id = json_body(body)?.id()?;
    let item = submit(&app, &signed_in, &id).await?;
    Ok(Json(DailyItemJson::from(&item)).into_response())
}

/// `POST /api/papers/index`: adds the paper to the database (fetching it from arXiv)
/// without putting it on a list; answers the paper.
pub(super) async fn api_index(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    body: Result<Json<SubmitJson>, JsonRejection>,
) -> Result<Response, WebError> {
    let signed_in = api_writer(&app, viewer, &headers)?;
    let id = json_body(body)?.id()?;
    app.limits
        .check(Limit::SubmitPerAccount, &signed_in.user.id)?;
    let record = stored_paper(&app, &id).await?;
    Ok(Json(PaperJson::detail(&record, None)).into_response())
}

/// `GET /papers/submit`: the form (signing in first).
pub(super) async fn form(
    State(app): State<AppState>,
    viewer: Viewer,
) -> Result<Response, WebError> {
    if viewer.0.is_none() {
        return Ok(Redirect::to("/login?next=%2Fpapers%2Fsubmit").into_response());
    }
    page(&app, &viewer, String::new(), None, StatusCode::OK)
}

fn page(
    app: &AppState,
    viewer: &Viewer,
    typed: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let rules = &app.site.submit;
    let view = SubmitView {
        layout: Layout::new(&app.site, Nav::Daily).for_viewer(viewer),
        typed,
        error,
        max_age_days: rules.max_age_days,
        daily_cap: rules.daily_cap,
    };
    Ok((status, render(&view)?).into_response())
}

/// The form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct SubmitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    arxiv_id: String,
}

/// `POST /papers/submit`: submits, then shows the paper; a refusal shows the form
/// again with the reason.
pub(super) async fn form_submit(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    form: Result<Form<SubmitForm>, FormRejection>,
) -> Result<Response, WebError> {
    check_origin(&headers, app.site.public_base.as_deref())?;
    let signed_in = viewer.clone().require()?;
    let form = form.map_err(|e| WebError::BadRequest(e.body_text()))?.0;
    signed_in.check_csrf(Some(&form.csrf))?;
    let typed: String = form.arxiv_id.chars().take(100).collect();
    let outcome = match VersionedId::parse(&form.arxiv_id) {
        Ok(id) => submit(&app, &signed_in, &id.id)
            .await
            .map(|item| item.entry.paper_id),
        Err(e) => Err(e.into()),
    };
    match outcome {
        Ok(id) => Ok(Redirect::to(&format!("/papers/{id}")).into_response()),
        Err(e @ (WebError::Store(_) | WebError::Render(_) | WebError::Panic)) => Err(e),
        Err(e) => {
            let status = e.status();
            page(&app, &viewer, typed, Some(e.to_string()), status)
        }
    }
}
