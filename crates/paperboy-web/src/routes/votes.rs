//! Upvotes: the form on lists and paper pages (`POST /papers/{id}/upvote`), and the
//! API (`POST` / `DELETE /api/papers/{id}/upvote`).

use axum::Form;
use axum::Json;
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::header::REFERER;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use paperboy_core::{ArxivId, VersionedId};
use paperboy_store::{StoreError, VoteOutcome};
use serde::Deserialize;

use crate::WebError;
use crate::auth::{CSRF_HEADER, SignedIn, Viewer, check_origin};
use crate::limits::Limit;
use crate::state::AppState;

/// The paper of a path `{id}/upvote` (after `/papers/` or `/api/papers/`).
fn upvote_target(path: &str) -> Result<ArxivId, WebError> {
    let id = path
        .strip_suffix("/upvote")
        .ok_or_else(|| WebError::NotFound(format!("Nothing to post to at /papers/{path}.")))?;
    Ok(VersionedId::parse(id)?.id)
}

/// Records the vote of `signed_in` on `paper` after the rate limit.
async fn vote(
    app: &AppState,
    signed_in: &SignedIn,
    paper: &ArxivId,
    up: bool,
) -> Result<VoteOutcome, WebError> {
    app.limits
        .check(Limit::VotePerAccount, &signed_in.user.id)?;
    let outcome = match app.store.set_vote(&signed_in.user.id, paper, up).await {
        Err(StoreError::UnknownPapers(_)) => return Err(WebError::paper_not_found(paper)),
        other => other?,
    };
    if outcome.changed {
        app.cache.changed();
    }
    Ok(outcome)
}

/// The vote form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct VoteForm {
    #[serde(default)]
    csrf: String,
    /// `add` (the default) or `remove`.
    #[serde(default)]
    vote: String,
}

/// `POST /papers/{id}/upvote`: adds or removes the reader's vote, then goes back to
/// the page the form was on.
pub(super) async fn page_vote(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    form: Result<Form<VoteForm>, FormRejection>,
) -> Result<Response, WebError> {
    let paper = upvote_target(&path?.0)?;
    check_origin(&headers, app.site.public_base.as_deref())?;
    let signed_in = viewer.require()?;
    let form = form.map_err(|e| WebError::BadRequest(e.body_text()))?.0;
    signed_in.check_csrf(Some(&form.csrf))?;
    vote(&app, &signed_in, &paper, form.vote != "remove").await?;
    Ok(Redirect::to(&back_to(&headers, &paper)).into_response())
}

/// The page a form was sent from (its path on this site), else the paper's page.
fn back_to(headers: &HeaderMap, paper: &ArxivId) -> String {
    headers
        .get(REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.parse::<Uri>().ok())
        .and_then(|uri| uri.path_and_query().map(|pq| pq.as_str().to_owned()))
        .filter(|path| path.starts_with('/') && !path.starts_with("//"))
        .unwrap_or_else(|| format!("/papers/{paper}"))
}

/// What the vote API answers.
#[derive(Debug, serde::Serialize)]
struct VoteJson {
    /// The caller's vote is on the paper.
    upvoted: bool,
    /// The paper's shown count: imported plus local votes.
    upvotes: u32,
}

async fn api_vote(
    app: AppState,
    viewer: Viewer,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    up: bool,
) -> Result<Response, WebError> {
    let paper = upvote_target(&path?.0)?;
    let signed_in = viewer.require()?;
    if !matches!(signed_in.credential, crate::auth::Credential::Token) {
        check_origin(&headers, app.site.public_base.as_deref())?;
    }
    let header_token = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    signed_in.check_csrf(header_token)?;
    let outcome = vote(&app, &signed_in, &paper, up).await?;
    Ok(Json(VoteJson {
        upvoted: up,
        upvotes: outcome.upvotes,
    })
    .into_response())
}

/// `POST /api/papers/{id}/upvote`: adds the caller's vote; repeating it changes
/// nothing and answers 200 too.
pub(super) async fn api_upvote(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, WebError> {
    api_vote(app, viewer, headers, path, true).await
}

/// `DELETE /api/papers/{id}/upvote`: removes the caller's vote.
pub(super) async fn api_unvote(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, WebError> {
    api_vote(app, viewer, headers, path, false).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_upvote_paths_take_votes() {
        assert_eq!(
            upvote_target("2501.00001v2/upvote")
                .map(|id| id.to_string())
                .ok()
                .as_deref(),
            Some("2501.00001")
        );
        assert!(upvote_target("2501.00001").is_err());
        assert!(upvote_target("nonsense/upvote").is_err());
    }

    #[test]
    fn a_vote_goes_back_to_the_page_it_came_from_on_this_site_only() {
        let paper = ArxivId::parse("2501.00001").unwrap_or_else(|_| unreachable!());
        let mut headers = HeaderMap::new();
        assert_eq!(back_to(&headers, &paper), "/papers/2501.00001");
        headers.insert(
            REFERER,
            "http://papers.lab/papers/date/2025-01-03?page=2"
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(back_to(&headers, &paper), "/papers/date/2025-01-03?page=2");
    }
}
