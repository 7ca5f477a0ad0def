//! `GET /healthz` for load balancers and supervisors.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::RETRY_AFTER;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// 200 `ok` when the database answers, else 503 with `Retry-After`.
pub(super) async fn healthz(State(app): State<AppState>) -> Response {
    if app.store.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(RETRY_AFTER, "5")],
            "database unavailable",
        )
            .into_response()
    }
}
