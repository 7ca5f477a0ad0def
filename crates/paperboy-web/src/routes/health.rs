//! `GET /healthz` for load balancers and supervisors.

use axum::extract::State;
use axum::http::StatusCode;

use crate::state::AppState;

/// 200 `ok` when the database answers, 503 otherwise.
pub(super) async fn healthz(State(app): State<AppState>) -> (StatusCode, &'static str) {
    if app.store.ping().await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}
