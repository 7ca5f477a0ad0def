//! The site's absolute address, for links that must be absolute (`Link` headers).

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::header::HOST;
use axum::http::request::Parts;
use axum::http::uri::Authority;

use crate::state::AppState;

/// `public_url` when configured, else `http://` and the request's `Host`; empty (so
/// links stay site-relative) when the request names no valid host.
#[derive(Debug, Clone)]
pub(super) struct BaseUrl(String);

impl BaseUrl {
    /// The absolute URL of `path` with `query` (none when empty).
    pub(super) fn url(&self, path: &str, query: &str) -> String {
        if query.is_empty() {
            format!("{}{path}", self.0)
        } else {
            format!("{}{path}?{query}", self.0)
        }
    }

    /// The site's absolute base, without a trailing `/`.
    pub(super) fn root(&self) -> &str {
        &self.0
    }
}

impl FromRequestParts<AppState> for BaseUrl {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Infallible> {
        if let Some(base) = &app.site.public_base {
            return Ok(Self(base.clone()));
        }
        let host = parts
            .headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.parse::<Authority>().ok())
            .or_else(|| parts.uri.authority().cloned())
            .filter(|host| !host.as_str().contains('@'));
        Ok(Self(
            host.map(|host| format!("http://{host}"))
                .unwrap_or_default(),
        ))
    }
}
