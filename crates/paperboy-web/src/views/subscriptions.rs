//! The subscribe form and the page where a subscriber changes their digest.

use askama::Template;
use paperboy_core::DigestPrefs;

use super::Layout;

/// `subscribe.html`: the address form, with the anonymous CSRF token.
#[derive(Template)]
#[template(path = "subscribe.html")]
pub(crate) struct SubscribeView<'a> {
    pub layout: Layout<'a>,
    pub csrf: String,
    pub email: String,
    pub error: Option<String>,
}

/// `subscription.html`: a subscription's state and preferences, reached through a
/// signed link.
#[derive(Template)]
#[template(path = "subscription.html")]
pub(crate) struct SubscriptionView<'a> {
    pub layout: Layout<'a>,
    pub csrf: String,
    pub email: String,
    /// `active: daily at 08:00 UTC` and the like.
    pub status_line: String,
    pub prefs: DigestPrefs,
    /// The lists as the form shows them, comma-separated.
    pub categories: String,
    pub keywords: String,
    pub authors: String,
    /// Where the form posts (the signed manage link).
    pub action: String,
    /// Where the library import posts (signed like the manage link).
    pub seeds_action: String,
    /// Where the unsubscribe button posts (the signed one-click link).
    pub unsubscribe: String,
    pub can_edit: bool,
    pub paused: bool,
    pub unsubscribed: bool,
    pub notice: Option<String>,
    pub error: Option<String>,
}
