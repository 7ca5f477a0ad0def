//! The "for you" page: the new papers closest to what the reader liked, each with
//! its reason and buttons to say more or less of it.

use askama::Template;

use super::Layout;
use super::list::ListItem;

/// `foryou.html`.
#[derive(Template)]
#[template(path = "foryou.html")]
pub(crate) struct ForYouView<'a> {
    pub layout: Layout<'a>,
    /// What the ranking rests on.
    pub summary: String,
    /// The papers, best first.
    pub items: Vec<ListItem<'a>>,
    /// What an empty list means and how to fill it.
    pub empty: String,
    /// The CSRF token of the import form.
    pub csrf: String,
    /// The private feed's path.
    pub feed: String,
    /// What the last action did.
    pub notice: Option<String>,
    /// Why the last action failed.
    pub error: Option<String>,
}
