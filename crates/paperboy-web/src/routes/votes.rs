//! Writes about a paper: upvotes (the form on lists and paper pages, `POST
//! /papers/{id}/upvote`; the API, `POST` / `DELETE /api/papers/{id}/upvote`), and the
//! dispatch of the comment forms and API to `comments`.

use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use paperboy_core::{ArxivId, parse_day};
use paperboy_store::{StoreError, VoteOutcome};

use super::comments::{self, PaperBody, PaperForm, PaperWrite};
use super::submit::api_writer;
use super::{claims, curate, submit};
use crate::WebError;
use crate::auth::{SignedIn, Viewer, check_origin};
use crate::limits::Limit;
use crate::state::AppState;

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

/// `POST /papers/{id}/…`: the forms of a paper page. `upvote` adds or removes the
/// reader's vote and goes back to the page the form was on; the comment forms go
/// to `comments`.
pub(super) async fn page_post(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    form: Result<Form<PaperForm>, FormRejection>,
) -> Result<Response, WebError> {
    let target = PaperWrite::parse(&path?.0)?;
    check_origin(&headers, app.site.public_base.as_deref())?;
    let signed_in = viewer.require()?;
    let form = form.map_err(|e| WebError::BadRequest(e.body_text()))?.0;
    signed_in.check_csrf(Some(&form.csrf))?;
    match target {
        PaperWrite::Upvote(paper) => {
            vote(&app, &signed_in, &paper, form.vote != "remove").await?;
            Ok(Redirect::to(&back_to(&headers, &paper)).into_response())
        }
        PaperWrite::Curate(paper) => {
            let day = Some(form.date.trim())
                .filter(|d| !d.is_empty())
                .map(parse_day)
                .transpose()?;
            match (form.action.as_str(), day) {
                ("remove", Some(day)) => {
                    curate::take_off_list(&app, &signed_in, &paper, day).await?
                }
                ("remove", None) => {
                    return Err(WebError::BadRequest(
                        "say which day's list to take it off".into(),
                    ));
                }
                _ => {
                    curate::put_on_list(&app, &signed_in, &paper, day).await?;
                }
            }
            Ok(Redirect::to(&format!("/papers/{paper}")).into_response())
        }
        PaperWrite::Hide(paper) => claims::hide_paper(&app, &signed_in, &paper, &form.reason).await,
        PaperWrite::Fetch(paper) => {
            app.limits
                .check(Limit::SubmitPerAccount, &signed_in.user.id)?;
            submit::stored_paper(&app, &paper).await?;
            Ok(Redirect::to(&format!("/papers/{paper}")).into_response())
        }
        PaperWrite::Claim(paper) => {
            claims::claim(&app, &signed_in, &paper, &form.author_index).await
        }
        PaperWrite::Decide(paper, index, verify) => {
            claims::decide(&app, &signed_in, &paper, index, verify).await
        }
        other => comments::form_write(&app, &signed_in, other, &form).await,
    }
}

/// The page a form was sent from, else the paper's page.
fn back_to(headers: &HeaderMap, paper: &ArxivId) -> String {
    super::referer_path(headers).unwrap_or_else(|| format!("/papers/{paper}"))
}

/// What the vote API answers.
#[derive(Debug, serde::Serialize)]
struct VoteJson {
    /// The caller's vote is on the paper.
    upvoted: bool,
    /// The paper's shown count: imported plus local votes.
    upvotes: u32,
}

/// `POST`, `PATCH` and `DELETE` under `/api/papers/{id}/`: `upvote` (POST adds the
/// caller's vote, repeating it changes nothing and answers 200 too; DELETE removes
/// it) and the comment API.
pub(super) async fn api_write(
    State(app): State<AppState>,
    viewer: Viewer,
    method: Method,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<PaperBody>, JsonRejection>,
) -> Result<Response, WebError> {
    match PaperWrite::parse(&path?.0)? {
        PaperWrite::Upvote(paper) if method != Method::PATCH => {
            let signed_in = api_writer(&app, viewer, &headers)?;
            let up = method == Method::POST;
            let outcome = vote(&app, &signed_in, &paper, up).await?;
            Ok(Json(VoteJson {
                upvoted: up,
                upvotes: outcome.upvotes,
            })
            .into_response())
        }
        PaperWrite::Links(paper) if method == Method::POST => {
            let body = body
                .map(|b| b.0)
                .map_err(|e| WebError::BadRequest(e.body_text()))?;
            claims::api_links(&app, viewer, &headers, &paper, &body).await
        }
        target => comments::api_write(&app, viewer, &headers, &method, target, body).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vote_goes_back_to_the_page_it_came_from_on_this_site_only() {
        let paper = ArxivId::parse("2501.00001").unwrap_or_else(|_| unreachable!());
        let mut headers = HeaderMap::new();
        assert_eq!(back_to(&headers, &paper), "/papers/2501.00001");
        headers.insert(
            axum::http::header::REFERER,
            "http://papers.lab/papers/date/2025-01-03?page=2"
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(back_to(&headers, &paper), "/papers/date/2025-01-03?page=2");
    }
}
