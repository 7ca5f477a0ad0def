//! The one stylesheet, compiled into the binary.

use axum::extract::RawQuery;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;

/// The stylesheet.
const STYLESHEET: &str = include_str!("../assets/style.css");

/// A fingerprint of the stylesheet's content (64-bit FNV-1a), so that its URL changes
/// whenever its content does.
fn fingerprint() -> String {
    let hash = STYLESHEET
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("{hash:016x}")
}

/// The URL pages link the stylesheet with.
pub(crate) fn stylesheet_href() -> String {
    format!("/static/style.css?v={}", fingerprint())
}

/// `GET /static/style.css`: cached for a year when asked for by its fingerprinted
/// URL, for an hour otherwise.
pub(crate) async fn stylesheet(RawQuery(query): RawQuery) -> impl IntoResponse {
    let current = query.is_some_and(|q| q == format!("v={}", fingerprint()));
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, cache),
        ],
        STYLESHEET,
    )
}
