//! The stylesheet, the one small script and the icon, compiled into the binary and
//! served under URLs that carry a fingerprint of their content; and the papers'
//! thumbnails, from the data dir.

use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use paperboy_core::thumbnail::is_file_name;

use crate::WebError;
use crate::state::AppState;

/// A file served from `/static/`.
pub(crate) struct Asset {
    path: &'static str,
    body: &'static str,
    content_type: &'static str,
}

/// The stylesheet.
pub(crate) const STYLESHEET: Asset = Asset {
    path: "/static/style.css",
    body: include_str!("../assets/style.css"),
    content_type: "text/css; charset=utf-8",
};

/// The script that votes without a page load (the forms work without it).
pub(crate) const SCRIPT: Asset = Asset {
    path: "/static/app.js",
    body: include_str!("../assets/app.js"),
    content_type: "text/javascript; charset=utf-8",
};

/// The site's icon (a page on a blue square).
pub(crate) const FAVICON: Asset = Asset {
    path: "/favicon.svg",
    body: include_str!("../assets/favicon.svg"),
    content_type: "image/svg+xml",
};

impl Asset {
    /// A fingerprint of the content (64-bit FNV-1a), so that the URL changes
    /// whenever the content does.
    fn fingerprint(&self) -> String {
        let hash = self
            .body
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
                (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
            });
        format!("{hash:016x}")
    }

    /// The URL pages link it with.
    pub(crate) fn href(&self) -> String {
        format!("{}?v={}", self.path, self.fingerprint())
    }

    /// The file: cached for a year when asked for by its fingerprinted URL, for an
    /// hour otherwise.
    fn respond(&self, query: Option<String>) -> Response {
        let current = query.is_some_and(|q| q == format!("v={}", self.fingerprint()));
        let cache = if current {
            "public, max-age=31536000, immutable"
        } else {
            "public, max-age=3600"
        };
        (
            [(CONTENT_TYPE, self.content_type), (CACHE_CONTROL, cache)],
            self.body,
        )
            .into_response()
    }
}

/// `GET /static/style.css`.
pub(crate) async fn stylesheet(RawQuery(query): RawQuery) -> Response {
    STYLESHEET.respond(query)
}

/// `GET /favicon.svg`.
pub(crate) async fn favicon(RawQuery(query): RawQuery) -> Response {
    FAVICON.respond(query)
}

/// `GET /static/app.js`.
pub(crate) async fn script(RawQuery(query): RawQuery) -> Response {
    SCRIPT.respond(query)
}

/// `GET /thumbnails/{file}`: a paper's thumbnail from the data dir (made by the
/// thumbnails job), cached by browsers for a day.
pub(crate) async fn thumbnail(
    State(app): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let missing = || WebError::NotFound("There is no such thumbnail.".into());
    let dir = app.site.thumbnails_dir.as_ref().ok_or_else(missing)?;
    if !is_file_name(&file) {
        return Err(missing());
    }
    let body = tokio::fs::read(dir.join(&file))
        .await
        .map_err(|_| missing())?;
    Ok((
        [
            (CONTENT_TYPE, "image/jpeg"),
            (CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response())
}
