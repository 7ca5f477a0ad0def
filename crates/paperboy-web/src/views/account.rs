//! Account pages: sign-in, the welcome form, settings, profiles, and plain notices.

use askama::Template;
use paperboy_store::{ApiTokenInfo, Collection, SessionInfo, User};

use super::list::ListItem;
use super::{Layout, TextLink};

/// `login.html`: the email form.
#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginView<'a> {
    pub layout: Layout<'a>,
    /// The form's CSRF token (tied to the browser's anonymous cookie).
    pub csrf: String,
    /// Where to go after signing in.
    pub next: String,
    /// The address typed, shown again after an error.
    pub email: String,
    /// What was wrong with the last attempt.
    pub error: Option<String>,
}

/// `login_confirm.html`: the button that uses a sign-in link (a link scanner that
/// opens the link does not use it up).
#[derive(Template)]
#[template(path = "login_confirm.html")]
pub(crate) struct LoginConfirmView<'a> {
    pub layout: Layout<'a>,
    /// The link's secret.
    pub token: String,
    /// Where to go after signing in.
    pub next: String,
}

/// `welcome.html`: choosing a username.
#[derive(Template)]
#[template(path = "welcome.html")]
pub(crate) struct WelcomeView<'a> {
    pub layout: Layout<'a>,
    /// The name suggested or typed.
    pub username: String,
    /// Where to go afterwards.
    pub next: String,
    /// What was wrong with the last attempt.
    pub error: Option<String>,
}

/// `confirm.html`: a question and the button that does it (a `POST`, so that link
/// checkers opening an emailed link change nothing).
#[derive(Template)]
#[template(path = "confirm.html")]
pub(crate) struct ConfirmView<'a> {
    pub layout: Layout<'a>,
    pub heading: String,
    pub question: String,
    /// Where the button posts.
    pub action: String,
    pub button: String,
}

/// `notice.html`: a heading, a few sentences, maybe a link.
#[derive(Template)]
#[template(path = "notice.html")]
pub(crate) struct NoticeView<'a> {
    pub layout: Layout<'a>,
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub link: Option<TextLink>,
}

/// A signed-in browser in the settings list.
#[derive(Debug)]
pub(crate) struct SessionLine {
    pub id: String,
    pub agent: String,
    pub created: String,
    pub last_seen: String,
    /// The browser looking at the page.
    pub current: bool,
}

/// An API token in the settings list.
#[derive(Debug)]
pub(crate) struct TokenLine {
    pub id: String,
    pub name: String,
    pub created: String,
    pub last_used: String,
}

/// `settings.html`.
#[derive(Template)]
#[template(path = "settings.html")]
pub(crate) struct SettingsView<'a> {
    pub layout: Layout<'a>,
    name: String,
    email: String,
    role: &'static str,
    sessions: Vec<SessionLine>,
    tokens: Vec<TokenLine>,
    /// A token just created, shown this once.
    new_token: Option<String>,
}

/// `YYYY-MM-DD HH:MM UTC` of milliseconds since the epoch.
fn when(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

impl<'a> SettingsView<'a> {
    /// The settings of `user`, viewed from session `current_session`.
    pub(crate) fn new(
        layout: Layout<'a>,
        user: &User,
        current_session: Option<&str>,
        sessions: Vec<SessionInfo>,
        tokens: Vec<ApiTokenInfo>,
        new_token: Option<String>,
    ) -> Self {
        Self {
            layout,
            name: user.username.clone().unwrap_or_else(|| user.email.clone()),
            email: user.email.clone(),
            role: user.role.as_str(),
            sessions: sessions
                .into_iter()
                .map(|s| SessionLine {
                    current: current_session == Some(s.id.as_str()),
                    agent: s.user_agent.unwrap_or_else(|| "unknown browser".into()),
                    created: when(s.created_ms),
                    last_seen: when(s.last_seen_ms),
                    id: s.id,
                })
                .collect(),
            tokens: tokens
                .into_iter()
                .map(|t| TokenLine {
                    name: t.name,
                    created: when(t.created_ms),
                    last_used: t.last_used_ms.map_or_else(|| "never".into(), when),
                    id: t.id,
                })
                .collect(),
            new_token,
        }
    }
}

/// `profile.html`: `/u/{name}`.
#[derive(Template)]
#[template(path = "profile.html")]
pub(crate) struct ProfileView<'a> {
    pub layout: Layout<'a>,
    pub name: String,
    pub role: &'static str,
    pub summary: String,
    pub submitted: Vec<ListItem<'a>>,
    pub upvoted: Vec<ListItem<'a>>,
    /// Papers they are a verified author of.
    pub authored: Vec<ListItem<'a>>,
    /// Collections shown: the public ones, and the private ones to their owner.
    pub collections: Vec<Collection>,
}

/// `collection.html`: `/collections/{id}`.
#[derive(Template)]
#[template(path = "collection.html")]
pub(crate) struct CollectionView<'a> {
    pub layout: Layout<'a>,
    pub collection: &'a Collection,
    pub items: Vec<ListItem<'a>>,
    /// The reader owns it: the remove and delete forms show.
    pub owner: bool,
}

/// `submit.html`: the submission form.
#[derive(Template)]
#[template(path = "submit.html")]
pub(crate) struct SubmitView<'a> {
    pub layout: Layout<'a>,
    /// What was typed, shown again after a refusal.
    pub typed: String,
    /// Why the last submission was refused.
    pub error: Option<String>,
    /// The rules, stated on the form.
    pub max_age_days: u32,
    pub daily_cap: u32,
}
