//! The crate's one error type and how it becomes a response.
//!
//! A handler returns `Err(WebError)`; [`WebError::into_response`] sets the status and
//! attaches the message. The `render_errors` middleware then writes the body the
//! client expects: `{"error": "..."}` under `/api`, an HTML page elsewhere.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use paperboy_core::{ArxivId, ArxivIdError, PeriodError};
use paperboy_search::SearchError;
use paperboy_store::StoreError;

/// Everything that can go wrong while answering a request or building the server.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The request is malformed: a bad id, date, page number or parameter.
    #[error("{0}")]
    BadRequest(String),
    /// Nothing here by that name.
    #[error("{0}")]
    NotFound(String),
    /// The request needs an account: sign in, or send a valid API token.
    #[error("{0}")]
    Unauthorized(String),
    /// The account may not do this (or a form's CSRF token is missing or wrong).
    #[error("{0}")]
    Forbidden(String),
    /// The request collides with what is stored (a username taken).
    #[error("{0}")]
    Conflict(String),
    /// The request is well-formed but breaks a rule (a paper too old to submit).
    #[error("{0}")]
    Unprocessable(String),
    /// Something this request needs is away for now (arXiv); worth retrying.
    #[error("{0}")]
    Unavailable(String),
    /// Too many requests of this kind from this client or account.
    #[error("too many requests; try again in {retry_after} seconds")]
    TooManyRequests {
        /// Seconds until one more is allowed.
        retry_after: u64,
    },
    /// The store failed (or, for an unknown pagination cursor, the client erred).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The search engine failed (its index, or the embedder of a semantic query).
    #[error(transparent)]
    Search(#[from] SearchError),
    /// A template failed to render.
    #[error("cannot render page: {0}")]
    Render(#[from] askama::Error),
    /// A handler panicked; the panic was caught.
    #[error("the request handler failed unexpectedly")]
    Panic,
    /// [`crate::WebConfig::public_url`] is not usable.
    #[error("invalid public_url `{url}`: {reason}")]
    PublicUrl {
        /// The configured value.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// The message of an error response, for `render_errors` to put in the body.
#[derive(Debug, Clone)]
pub(crate) struct ErrorMessage(pub String);

impl WebError {
    /// The paper `id` is not in the database.
    pub(crate) fn paper_not_found(id: &ArxivId) -> Self {
        Self::NotFound(format!(
            "Paper {id} is not in this database. It may be on arXiv: {}",
            id.abs_url()
        ))
    }

    /// A write without this browser's CSRF token, or sent from another site.
    pub(crate) fn csrf() -> Self {
        Self::Forbidden(
            "this form has expired or came from another site; reload the page and try again".into(),
        )
    }

    /// Anonymous request to something that needs an account.
    pub(crate) fn sign_in_required() -> Self {
        Self::Unauthorized(
            "sign in first (/login), or send a personal API token as `Authorization: Bearer TOKEN`"
                .into(),
        )
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) | Self::Store(StoreError::InvalidCursor(_)) => {
                StatusCode::BAD_REQUEST
            }
            Self::NotFound(_)
            | Self::Store(StoreError::UnknownPapers(_) | StoreError::NotFound(_)) => {
                StatusCode::NOT_FOUND
            }
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Conflict(_) | Self::Store(StoreError::Conflict(_)) => StatusCode::CONFLICT,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ if self.retry_after().is_some() => StatusCode::SERVICE_UNAVAILABLE,
            Self::Store(_)
            | Self::Search(_)
            | Self::Render(_)
            | Self::Panic
            | Self::PublicUrl { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl WebError {
    /// Seconds after which a retry may succeed, for errors that pass by themselves:
    /// the database restarting or unreachable, search saturated.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            Self::Store(e) if e.is_unavailable() => Some(5),
            Self::Search(SearchError::Store(e)) if e.is_unavailable() => Some(5),
            Self::Search(SearchError::Busy) => Some(2),
            Self::Unavailable(_) => Some(30),
            Self::TooManyRequests { retry_after } => {
                Some(u32::try_from(*retry_after).unwrap_or(u32::MAX))
            }
            _ => None,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = self.retry_after();
        let message = match retry_after {
            Some(_) if matches!(self, Self::TooManyRequests { .. } | Self::Unavailable(_)) => {
                self.to_string()
            }
            Some(seconds) => {
                tracing::warn!(error = %self, "request refused for now");
                format!(
                    "paperboy is briefly unavailable ({}); try again in {seconds} seconds.",
                    match self {
                        Self::Search(SearchError::Busy) => "too many searches at once",
                        _ => "the database does not answer",
                    }
                )
            }
            None if status.is_server_error() => {
                tracing::error!(error = %self, "request failed");
                "Something went wrong on our side; the server log has the details.".to_owned()
            }
            None => self.to_string(),
        };
        let mut response = status.into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(ErrorMessage(message));
        response
    }
}

impl From<ArxivIdError> for WebError {
    fn from(err: ArxivIdError) -> Self {
        Self::BadRequest(err.to_string())
    }
}

impl From<PeriodError> for WebError {
    fn from(err: PeriodError) -> Self {
        Self::BadRequest(err.to_string())
    }
}

impl From<QueryRejection> for WebError {
    fn from(rejection: QueryRejection) -> Self {
        Self::BadRequest(rejection.body_text())
    }
}

impl From<PathRejection> for WebError {
    fn from(rejection: PathRejection) -> Self {
        Self::BadRequest(rejection.body_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_errors_keep_their_message_and_server_errors_hide_theirs() {
        let response = WebError::BadRequest("`p` must be a number".into()).into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let message = response
            .extensions()
            .get::<ErrorMessage>()
            .map(|m| m.0.clone());
        assert_eq!(message.as_deref(), Some("`p` must be a number"));

        let damaged = StoreError::Corrupt {
            what: "authors of 2401.12345".into(),
            detail: "expected a list".into(),
        };
        let response = WebError::Store(damaged).into_response();

        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let message = response
            .extensions()
            .get::<ErrorMessage>()
            .map(|m| m.0.clone());
        assert!(message.is_some_and(|m| !m.contains("damaged")));
    }

    #[test]
    fn a_busy_search_is_503_with_retry_after() {
        let response = WebError::Search(SearchError::Busy).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[RETRY_AFTER], "2");
    }

    #[test]
    fn an_unknown_cursor_is_the_client_s_fault() {
        let err = WebError::Store(StoreError::InvalidCursor("x".into()));
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
    }
}
