//! The page of a failed request.

use askama::Template;
use axum::http::StatusCode;

use super::Layout;

/// `error.html`.
#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorView<'a> {
    layout: Layout<'a>,
    /// `404`.
    code: u16,
    /// `Not Found`.
    reason: &'static str,
    /// What went wrong, for people.
    message: &'a str,
}

impl<'a> ErrorView<'a> {
    /// The page for `status` saying `message`.
    pub(crate) fn new(layout: Layout<'a>, status: StatusCode, message: &'a str) -> Self {
        Self {
            layout,
            code: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("Error"),
            message,
        }
    }
}

/// `missing_paper.html`: a paper this database lacks, with its arXiv link and (when
/// this server fetches from arXiv) a button to fetch it.
#[derive(Template)]
#[template(path = "missing_paper.html")]
pub(crate) struct MissingPaperView<'a> {
    pub layout: Layout<'a>,
    /// The id asked for.
    pub id: String,
    /// Its arXiv abstract page.
    pub abs_url: String,
    /// Whether this server can fetch papers from arXiv.
    pub can_fetch: bool,
}
