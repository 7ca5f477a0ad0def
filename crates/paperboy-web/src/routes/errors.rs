//! Error bodies: JSON under `/api`, an HTML page elsewhere; and the fallbacks.

use std::any::Any;

use axum::Json;
use axum::extract::{OriginalUri, Request, State};
use axum::http::header::{ALLOW, CONTENT_TYPE, RETRY_AFTER};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::WebError;
use crate::error::ErrorMessage;
use crate::state::AppState;
use crate::views::{ErrorView, Layout, Nav, render};

/// True for paths of the JSON API.
fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Writes the body of every error response that has none yet: the [`WebError`]'s
/// message, or else the status's reason (405, 503 from the timeout). Responses that
/// already carry a body pass unchanged.
pub(super) async fn render_errors(
    State(app): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let api = is_api(request.uri().path());
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let message = match response.extensions().get::<ErrorMessage>() {
        Some(ErrorMessage(message)) => message.clone(),
        None if response.headers().contains_key(CONTENT_TYPE) => return response,
        None => status.canonical_reason().unwrap_or("Error").to_owned(),
    };
    let mut rendered = if api {
        (status, Json(serde_json::json!({ "error": message }))).into_response()
    } else {
        let layout = Layout::new(&app.site, Nav::Other);
        match render(&ErrorView::new(layout, status, &message)) {
            Ok(page) => (status, page).into_response(),
            Err(err) => {
                tracing::error!(%err, "cannot render the error page");
                (status, message).into_response()
            }
        }
    };
    for header in [ALLOW, RETRY_AFTER] {
        if let Some(value) = response.headers().get(&header) {
            rendered.headers_mut().insert(header, value.clone());
        }
    }
    rendered
}

/// A path nobody routed: a page, or an API endpoint under `/api`.
/// `/papers/date/` (and `week/`, `month/`) without one: 404 saying what is missing.
pub(super) async fn missing_date(OriginalUri(uri): OriginalUri) -> WebError {
    let example = match uri.path() {
        p if p.contains("/week/") => "/papers/week/2026-W26",
        p if p.contains("/month/") => "/papers/month/2026-06",
        _ => "/papers/date/2026-06-30",
    };
    WebError::NotFound(format!(
        "A date is missing from this address: add one, as in {example}."
    ))
}

pub(super) async fn not_found(OriginalUri(uri): OriginalUri) -> WebError {
    let path: String = uri.path().chars().take(100).collect();
    if is_api(&path) {
        WebError::NotFound(format!(
            "no API endpoint at {path}; there are /api/daily_papers, /api/papers, \
             /api/papers/search, /api/papers/{{id}} and /api/papers/{{id}}/similar"
        ))
    } else {
        WebError::NotFound("There is no page at this address.".into())
    }
}

/// The response to a handler that panicked (the panic is logged by the panic hook).
pub(super) fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response {
    WebError::Panic.into_response()
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::*;

    #[test]
    fn only_api_paths_are_api() {
        assert!(is_api("/api"));
        assert!(is_api("/api/daily_papers"));
        assert!(!is_api("/apiary"));
        assert!(!is_api("/papers/api"));
    }

    #[test]
    fn status_code_reasons_exist_for_bare_errors() {
        assert_eq!(
            StatusCode::METHOD_NOT_ALLOWED.canonical_reason(),
            Some("Method Not Allowed")
        );
    }
}
