//! Moderation of papers: "this is me" on an author of a paper page, moderators
//! verifying or rejecting claims and hiding papers, and `POST /api/papers/{id}/links`
//! by a verified author.

use axum::Json;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use paperboy_core::{ArxivId, Role};
use paperboy_store::{ClaimStatus, StoreError};

use super::comments::PaperBody;
use super::submit::api_writer;
use crate::WebError;
use crate::auth::{SignedIn, Viewer};
use crate::hf::PaperJson;
use crate::state::AppState;
use crate::views::format::external_href;

/// `POST /papers/{id}/claim` (`author_index`): `signed_in` claims that author entry.
pub(super) async fn claim(
    app: &AppState,
    signed_in: &SignedIn,
    paper: &ArxivId,
    author_index: &str,
) -> Result<Response, WebError> {
    if signed_in.user.username.is_none() {
        return Err(WebError::Forbidden(
            "choose a username first (/welcome)".into(),
        ));
    }
    let record = app
        .store
        .records_by_ids(std::slice::from_ref(paper))
        .await?
        .pop()
        .ok_or_else(|| WebError::paper_not_found(paper))?;
    let index: usize = author_index
        .trim()
        .parse()
        .ok()
        .filter(|i| *i < record.paper.authors.len())
        .ok_or_else(|| WebError::BadRequest("that is not one of the paper's authors".into()))?;
    app.store
        .claim_author(paper, index, &signed_in.user.id)
        .await?;
    tracing::info!(%paper, index, user = %signed_in.user.id, "author claim");
    Ok(Redirect::to(&format!("/papers/{paper}")).into_response())
}

/// `POST /papers/{id}/claims/{index}/verify|reject`: a moderator's decision.
pub(super) async fn decide(
    app: &AppState,
    signed_in: &SignedIn,
    paper: &ArxivId,
    index: usize,
    verify: bool,
) -> Result<Response, WebError> {
    if !signed_in.user.role.moderates() {
        return Err(WebError::Forbidden(
            "only moderators verify authorship".into(),
        ));
    }
    if !app
        .store
        .decide_claim(paper, index, &signed_in.user.id, verify)
        .await?
    {
        return Err(WebError::NotFound("There is no such claim.".into()));
    }
    app.cache.changed();
    Ok(Redirect::to(&format!("/papers/{paper}")).into_response())
}

/// `POST /papers/{id}/hide` (`reason`; empty shows the paper again): a moderator
/// takes a paper off the daily lists.
pub(super) async fn hide_paper(
    app: &AppState,
    signed_in: &SignedIn,
    paper: &ArxivId,
    reason: &str,
) -> Result<Response, WebError> {
    if !signed_in.user.role.moderates() {
        return Err(WebError::Forbidden("only moderators hide papers".into()));
    }
    if app
        .store
        .records_by_ids(std::slice::from_ref(paper))
        .await?
        .is_empty()
    {
        return Err(WebError::paper_not_found(paper));
    }
    let reason: String = reason.trim().chars().take(200).collect();
    let reason = Some(reason.as_str()).filter(|r| !r.is_empty());
    app.store
        .hide_paper(paper, &signed_in.user.id, reason)
        .await?;
    app.cache.changed();
    tracing::info!(%paper, moderator = %signed_in.user.id, ?reason, "paper moderation");
    Ok(Redirect::to(&format!("/papers/{paper}")).into_response())
}

/// A link a verified author gives: absent (left as is), or an http(s) URL.
fn checked_link<'a>(value: Option<&'a str>, what: &str) -> Result<Option<&'a str>, WebError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(url) if url.len() <= 500 && external_href(url).is_some() => Ok(Some(url)),
        Some(_) => Err(WebError::BadRequest(format!(
            "{what} must be an http(s) URL"
        ))),
    }
}

/// `POST /api/papers/{id}/links` `{"githubRepo", "projectPage"}`: a verified author
/// of the paper (or an admin) sets its links; answers the paper.
pub(super) async fn api_links(
    app: &AppState,
    viewer: Viewer,
    headers: &HeaderMap,
    paper: &ArxivId,
    body: &PaperBody,
) -> Result<Response, WebError> {
    let signed_in = api_writer(app, viewer, headers)?;
    let claims = app.store.claims_of_paper(paper).await?;
    let author = claims
        .iter()
        .any(|c| c.user_id == signed_in.user.id && c.status == ClaimStatus::Verified);
    if !author && signed_in.user.role != Role::Admin {
        return Err(WebError::Forbidden(
            "only a verified author of this paper (or an admin) sets its links".into(),
        ));
    }
    let github = checked_link(body.github_repo.as_deref(), "githubRepo")?;
    let project = checked_link(body.project_page.as_deref(), "projectPage")?;
    match app.store.set_paper_links(paper, github, project).await {
        Err(StoreError::UnknownPapers(_)) => return Err(WebError::paper_not_found(paper)),
        other => other?,
    }
    app.cache.changed();
    let record = app
        .store
        .records_by_ids(std::slice::from_ref(paper))
        .await?
        .pop()
        .ok_or_else(|| WebError::paper_not_found(paper))?;
    Ok(Json(PaperJson::detail(&record, None)).into_response())
}
