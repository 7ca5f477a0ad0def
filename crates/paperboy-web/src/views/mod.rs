//! Pages: askama templates (`templates/`) and the view models they render.
//!
//! Views receive store values and turn them into display text and links; templates
//! only place that text. askama escapes every value; the one value a template marks
//! `|safe` is a comment's HTML, which `markdown` has sanitised (an allow-list).

mod account;
pub(crate) mod comments;
mod daily;
mod error;
mod firehose;
pub(crate) mod format;
mod foryou;
mod highlight;
mod linkify;
pub(crate) mod list;
pub(crate) mod markdown;
mod paper;
mod search;
mod semantic;
mod subscriptions;
mod trending;

use askama::Template;
use axum::response::Html;

pub(crate) use account::{
    CollectionView, ConfirmView, LoginConfirmView, LoginView, NoticeView, ProfileView,
    SettingsView, SubmitView, WelcomeView,
};
pub(crate) use daily::DailyView;
pub(crate) use error::{ErrorView, MissingPaperView};
pub(crate) use firehose::FirehoseView;
pub(crate) use foryou::ForYouView;
pub(crate) use paper::PaperView;
pub(crate) use search::SearchView;
pub(crate) use semantic::SemanticStatus;
pub(crate) use subscriptions::{SubscribeView, SubscriptionView};
pub(crate) use trending::TrendingView;

use paperboy_search::engine::SearchMode;

use crate::WebError;
use crate::auth::{SignedIn, Viewer};
use crate::input::SearchInput;
use crate::state::Site;

/// Which header navigation item a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nav {
    /// The curated daily lists.
    Daily,
    /// The "new" firehose.
    New,
    /// The trending list.
    Trending,
    /// Neither (paper pages, errors).
    Other,
}

/// What a page says of itself unless it says more.
const DESCRIPTION: &str =
    "New arXiv papers every day, upvoted, discussed and searchable by meaning.";

/// What a link to a page shows when pasted into a chat or a post (OpenGraph and
/// Twitter card tags).
#[derive(Debug, Clone)]
pub(crate) struct ShareCard {
    /// The title, in plain text.
    pub title: String,
    /// One or two sentences, in plain text.
    pub description: String,
    /// The page's absolute URL.
    pub url: String,
    /// An absolute image URL, when there is one.
    pub image: Option<String>,
}

/// What the page frame (`base.html`) shows: the header, navigation and search box.
#[derive(Debug, Clone)]
pub(crate) struct Layout<'a> {
    /// The site's name.
    pub site_name: &'a str,
    /// The stylesheet's URL.
    pub css_href: &'a str,
    /// The script's URL.
    pub script_href: &'a str,
    /// The icon's URL.
    pub icon_href: &'a str,
    /// What search engines and link previews say of the page.
    pub description: String,
    /// The link-preview card of a page worth sharing (paper pages).
    pub share: Option<ShareCard>,
    /// The search box's text: the query of a search page, else empty.
    pub query: &'a str,
    /// The search mode a search page keeps when the box is submitted again; `None`
    /// for the default.
    pub mode: Option<&'static str>,
    /// The signed-in reader, when there is one.
    pub viewer: Option<&'a SignedIn>,
    /// The feed of this page, announced with `<link rel="alternate">`.
    pub feed: Option<FeedLink>,
    /// Where the thumbnails are, for the lists.
    pub thumbnails: Option<&'a std::path::Path>,
    nav: Nav,
}

impl<'a> Layout<'a> {
    /// The frame of a page in the `nav` section of `site`.
    pub(crate) fn new(site: &'a Site, nav: Nav) -> Self {
        Self {
            site_name: &site.name,
            css_href: &site.css_href,
            script_href: &site.script_href,
            icon_href: &site.icon_href,
            description: DESCRIPTION.to_owned(),
            share: None,
            query: "",
            mode: None,
            viewer: None,
            feed: None,
            thumbnails: site.thumbnails_dir.as_deref(),
            nav,
        }
    }

    /// The same frame, announcing the page's feed `title` at `path` (without the
    /// `.rss` / `.atom` extension) with `query` (may be empty).
    pub(crate) fn with_feed(self, title: String, path: &str, query: &str) -> Self {
        Self {
            feed: Some(FeedLink {
                title,
                path: path.to_owned(),
                query: query.to_owned(),
            }),
            ..self
        }
    }

    /// The same frame, previewed as `card` when shared (its description is the
    /// page's).
    pub(crate) fn with_share(self, card: ShareCard) -> Self {
        Self {
            description: card.description.clone(),
            share: Some(card),
            ..self
        }
    }

    /// The same frame, for `viewer` (the header shows who is signed in; forms carry
    /// their CSRF token).
    pub(crate) fn for_viewer(self, viewer: &'a Viewer) -> Self {
        Self {
            viewer: viewer.0.as_ref(),
            ..self
        }
    }

    /// The CSRF token forms on this page carry (empty when nobody is signed in).
    pub(crate) fn csrf(&self) -> &str {
        self.viewer.map_or("", SignedIn::csrf)
    }

    /// The frame of the results of `input`: its query in the search box.
    pub(crate) fn search(site: &'a Site, input: &'a SearchInput) -> Self {
        Self {
            query: &input.text,
            mode: (input.mode != SearchMode::Hybrid).then(|| input.mode.name()),
            ..Self::new(site, Nav::Other)
        }
    }

    /// The `aria-current` value of the navigation item `item` (`daily`, `trending` or
    /// `new`).
    pub(crate) fn current(&self, item: &str) -> &'static str {
        let current = match self.nav {
            Nav::Daily => "daily",
            Nav::New => "new",
            Nav::Trending => "trending",
            Nav::Other => "",
        };
        aria_current(current == item)
    }
}

/// A page's feed, in both formats.
#[derive(Debug, Clone)]
pub(crate) struct FeedLink {
    /// Its title.
    pub title: String,
    path: String,
    query: String,
}

impl FeedLink {
    /// Its URL in `format` (`rss` or `atom`).
    pub(crate) fn href(&self, format: &str) -> String {
        if self.query.is_empty() {
            format!("{}.{format}", self.path)
        } else {
            format!("{}.{format}?{}", self.path, self.query)
        }
    }
}

/// A link and its text, e.g. to a neighbouring day.
#[derive(Debug)]
pub(crate) struct TextLink {
    /// Where it goes.
    pub href: String,
    /// What it says.
    pub label: String,
}

/// One of a row of switches: day / week / month, or search modes.
#[derive(Debug)]
pub(crate) struct Tab {
    /// `Day`, `Keyword`, ...
    pub label: &'static str,
    /// The page it switches to.
    pub href: String,
    /// `page` for the one shown, `false` otherwise (`aria-current`).
    pub current: &'static str,
}

/// The `aria-current` value of a link: `page` when it is the page shown.
pub(crate) fn aria_current(shown: bool) -> &'static str {
    if shown { "page" } else { "false" }
}

/// Renders a template into an HTML response body.
pub(crate) fn render(template: &impl Template) -> Result<Html<String>, WebError> {
    Ok(Html(template.render()?))
}
