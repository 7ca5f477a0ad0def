//! Curation by admins: any paper onto any day's daily list, or off it, without the
//! submission rules. `POST /api/admin/daily` `{"arxivId", "date"}`, `DELETE
//! /api/admin/daily/{date}/{id}`, and the admin form on paper pages.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use paperboy_core::{ArxivId, DailyEntry, Role, Submitter, VersionedId, parse_day};
use paperboy_store::{Batch, StoreError};
use serde::Deserialize;

use super::submit::api_writer;
use crate::WebError;
use crate::auth::{SignedIn, Viewer};
use crate::state::AppState;

/// Refuses anyone but admins.
pub(super) fn require_admin(signed_in: &SignedIn) -> Result<(), WebError> {
    if signed_in.user.role == Role::Admin {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "only admins curate the daily lists".into(),
        ))
    }
}

/// Puts `paper` on the list of `day` (today's when `None`) as `admin`'s pick.
pub(super) async fn put_on_list(
    app: &AppState,
    admin: &SignedIn,
    paper: &ArxivId,
    day: Option<Date>,
) -> Result<Date, WebError> {
    require_admin(admin)?;
    let now = app.store.clock().now();
    let day = day.unwrap_or_else(|| app.site.submit.boundary.day_of(now));
    let name = admin.name().to_owned();
    let entry = DailyEntry {
        submitted_by: Some(Submitter {
            fullname: Some(name.clone()),
            name,
            avatar_url: None,
        }),
        submitted_at: Some(now),
        ..DailyEntry::new(day, paper.clone())
    };
    let written = app.store.write(Batch {
        papers: Vec::new(),
        entries: vec![entry],
    });
    match written.await {
        Err(StoreError::UnknownPapers(_)) => return Err(WebError::paper_not_found(paper)),
        other => other?,
    };
    app.cache.changed();
    tracing::info!(%paper, %day, admin = %admin.user.id, "put on the daily list");
    Ok(day)
}

/// Takes `paper` off the list of `day`.
pub(super) async fn take_off_list(
    app: &AppState,
    admin: &SignedIn,
    paper: &ArxivId,
    day: Date,
) -> Result<(), WebError> {
    require_admin(admin)?;
    if !app.store.remove_from_daily(paper, day).await? {
        return Err(WebError::NotFound(format!(
            "Paper {paper} is not on the list of {day}."
        )));
    }
    app.cache.changed();
    tracing::info!(%paper, %day, admin = %admin.user.id, "taken off the daily list");
    Ok(())
}

/// The body of `POST /api/admin/daily`.
#[derive(Debug, Deserialize)]
pub(super) struct CurateJson {
    #[serde(rename = "arxivId")]
    arxiv_id: String,
    date: Option<String>,
}

/// `POST /api/admin/daily`.
pub(super) async fn api_put(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    body: Result<Json<CurateJson>, JsonRejection>,
) -> Result<Response, WebError> {
    let admin = api_writer(&app, viewer, &headers)?;
    let body = body.map_err(|e| WebError::BadRequest(e.body_text()))?.0;
    let paper = VersionedId::parse(&body.arxiv_id)?.id;
    let day = body.date.as_deref().map(parse_day).transpose()?;
    let day = put_on_list(&app, &admin, &paper, day).await?;
    Ok(
        Json(serde_json::json!({"arxivId": paper.to_string(), "date": day.to_string()}))
            .into_response(),
    )
}

/// `DELETE /api/admin/daily/{date}/{id}`.
pub(super) async fn api_take_off(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, WebError> {
    let admin = api_writer(&app, viewer, &headers)?;
    let (day, id) = path?.0;
    let paper = VersionedId::parse(&id)?.id;
    take_off_list(&app, &admin, &paper, parse_day(&day)?).await?;
    Ok(Json(serde_json::json!({"arxivId": paper.to_string(), "date": day})).into_response())
}
