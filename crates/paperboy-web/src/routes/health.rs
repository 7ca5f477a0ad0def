//! `GET /healthz` for load balancers and supervisors, and `GET /readyz`: what is
//! ready (the database; semantic search and how much is embedded).

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::RETRY_AFTER;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;
use crate::views::SemanticStatus;

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

/// `GET /readyz`: 200 with what is ready when the database answers, else 503:
/// `{"database": "ok", "semantic": {"state": "embedding", "embedded": 1200,
/// "papers": 2000}}`. A client that needs semantic search waits for
/// `semantic.state` to be `ready` (or `embedding`, to search what is embedded).
pub(super) async fn readyz(State(app): State<AppState>) -> Response {
    let database = app.store.ping().await;
    let status = SemanticStatus::of(&app.search);
    let (embedded, papers) = match status {
        SemanticStatus::Embedding { embedded, total } => (embedded, total),
        SemanticStatus::Ready => {
            let papers = app.search.keyword().len();
            (papers, papers)
        }
        SemanticStatus::Off | SemanticStatus::Starting => (0, app.search.keyword().len()),
    };
    let body = serde_json::json!({
        "database": if database { "ok" } else { "unavailable" },
        "semantic": {"state": status.name(), "embedded": embedded, "papers": papers},
    });
    let code = if database {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, axum::Json(body)).into_response()
}
