//! Digest subscriptions on the web: the subscribe form and API (double opt-in: the
//! answer is the same whatever the address, and only a confirmation email is sent),
//! the confirmation link, the preferences page behind a signed link, and RFC 8058
//! one-click unsubscribe.

use std::time::Duration;

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use paperboy_core::digest::{LINK_KEY, LinkPurpose, split_list};
use paperboy_core::{DigestPrefs, Email, Frequency, Mail};
use paperboy_store::secret::{hash_secret, new_secret, signed_link, verify};
use paperboy_store::{Subscription, SubscriptionStatus};
use serde::Deserialize;

use super::base_url::BaseUrl;
use crate::WebError;
use crate::auth::{FormCsrf, Viewer, check_form_csrf, check_origin};
use crate::limits::{ClientAddr, Limit, client_ip};
use crate::state::AppState;
use crate::views::{
    ConfirmView, Layout, Nav, NoticeView, SubscribeView, SubscriptionView, TextLink, render,
};

/// How long a confirmation link works.
const CONFIRM_TTL: Duration = Duration::from_secs(48 * 3600);

/// `?email=`: the address the subscribe box carried.
#[derive(Debug, Default, Deserialize)]
pub(super) struct EmailParam {
    #[serde(default)]
    email: String,
}

/// `GET /subscribe?email=`: the form (the box under every page sends its address
/// here, so that cached pages carry no CSRF token).
pub(super) async fn form(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    params: Result<Query<EmailParam>, QueryRejection>,
) -> Result<Response, WebError> {
    let mut email = params.map(|q| q.0.email).unwrap_or_default();
    if email.is_empty() {
        email = viewer
            .0
            .as_ref()
            .map(|v| v.user.email.clone())
            .unwrap_or_default();
    }
    subscribe_page(&app, &viewer, &headers, email, None, StatusCode::OK)
}

fn subscribe_page(
    app: &AppState,
    viewer: &Viewer,
    headers: &HeaderMap,
    email: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let csrf = FormCsrf::for_browser(headers, app.site.secure_cookies)?;
    let view = SubscribeView {
        layout: Layout::new(&app.site, Nav::Other).for_viewer(viewer),
        csrf: csrf.token.clone(),
        email: email.chars().take(254).collect(),
        error,
    };
    Ok(csrf.attach((status, render(&view)?).into_response()))
}

/// The subscribe form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct SubscribeForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf: String,
}

/// `POST /subscribe`: asks for a subscription; the answer never says whether the
/// address was known.
pub(super) async fn subscribe(
    State(app): State<AppState>,
    viewer: Viewer,
    base: BaseUrl,
    client: Option<axum::Extension<ClientAddr>>,
    headers: HeaderMap,
    form: Result<Form<SubscribeForm>, FormRejection>,
) -> Result<Response, WebError> {
    check_origin(&headers, app.site.public_base.as_deref())?;
    let form = form.map_err(|e| WebError::BadRequest(e.body_text()))?.0;
    check_form_csrf(&headers, &form.csrf)?;
    let peer = client.map(|c| c.0.0);
    app.limits
        .check(Limit::SubscribePerClient, &client_ip(peer, &headers))?;
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(e) => {
            return subscribe_page(
                &app,
                &viewer,
                &headers,
                form.email,
                Some(e.to_string()),
                StatusCode::BAD_REQUEST,
            );
        }
    };
    request(&app, &base, &email).await?;
    let view = NoticeView {
        layout: Layout::new(&app.site, Nav::Other).for_viewer(&viewer),
        heading: "Check your inbox".into(),
        paragraphs: vec![
            format!("If {email} can receive mail, a confirmation link is on its way to it."),
            "Open it within 48 hours to start your digest; until then nothing else is sent.".into(),
        ],
        link: Some(TextLink {
            href: "/papers".into(),
            label: "Back to the daily papers".into(),
        }),
    };
    Ok(render(&view)?.into_response())
}

/// `POST /api/subscriptions` `{"email"}`: 202 whatever the address.
pub(super) async fn api_subscribe(
    State(app): State<AppState>,
    base: BaseUrl,
    client: Option<axum::Extension<ClientAddr>>,
    headers: HeaderMap,
    body: Result<Json<EmailParam>, JsonRejection>,
) -> Result<Response, WebError> {
    check_origin(&headers, app.site.public_base.as_deref())?;
    let body = body.map_err(|e| WebError::BadRequest(e.body_text()))?.0;
    let peer = client.map(|c| c.0.0);
    app.limits
        .check(Limit::SubscribePerClient, &client_ip(peer, &headers))?;
    let email = Email::parse(&body.email).map_err(|e| WebError::BadRequest(e.to_string()))?;
    request(&app, &base, &email).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({
            "status": "accepted",
            "message": "If the address can receive mail, a confirmation link is on its way.",
        })),
    )
        .into_response())
}

/// Queues the confirmation email for `email` (rate-limited per address).
async fn request(app: &AppState, base: &BaseUrl, email: &Email) -> Result<(), WebError> {
    app.limits.check(Limit::SubscribePerAddress, &email.key())?;
    let token = new_secret("")?;
    let link = base.url(&format!("/subscriptions/confirm/{token}"), "");
    let site = &app.site.name;
    let mail = Mail::text(
        email.as_str(),
        format!("Confirm your {site} digest"),
        format!(
            "Hello,\n\nsomeone (we hope you) asked for {site}'s digest of trending papers \
             at this address. Open this link to start it:\n\n{link}\n\nIt works within 48 hours. \
             If you did not ask, ignore this email: nothing is sent without the link.\n"
        ),
    );
    let queued = app
        .store
        .request_subscription(email, &hash_secret(&token), CONFIRM_TTL, &mail)
        .await?;
    if queued && app.site.log_sign_in_links {
        tracing::info!(%email, %link, "digest confirmation link (mail stays on this machine)");
    }
    Ok(())
}

/// `GET /subscriptions/confirm/{token}`: confirms, sends nothing.
pub(super) async fn confirm(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let valid = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
    let confirmed = if valid {
        app.store.confirm_subscription(&hash_secret(&token)).await?
    } else {
        None
    };
    let layout = Layout::new(&app.site, Nav::Other).for_viewer(&viewer);
    let Some(subscription) = confirmed else {
        let view = NoticeView {
            layout,
            heading: "This link does not work (any more)".into(),
            paragraphs: vec![
                "Confirmation links work once, within 48 hours. If your digest is not running yet, ask for a new link.".into(),
            ],
            link: Some(TextLink {
                href: "/subscribe".into(),
                label: "Subscribe".into(),
            }),
        };
        return Ok((StatusCode::NOT_FOUND, render(&view)?).into_response());
    };
    let manage = signed_path(&app, LinkPurpose::Manage, &subscription.id).await?;
    let view = NoticeView {
        layout,
        heading: "You are subscribed".into(),
        paragraphs: vec![format!(
            "{} will get {}. Every email carries a link to change this or to leave.",
            subscription.email,
            schedule(&subscription.prefs)
        )],
        link: Some(TextLink {
            href: manage,
            label: "Choose topics, time and frequency".into(),
        }),
    };
    Ok(render(&view)?.into_response())
}

/// The site path of `purpose`'s signed link for subscription `id`.
pub(crate) async fn signed_path(
    app: &AppState,
    purpose: LinkPurpose,
    id: &str,
) -> Result<String, WebError> {
    Ok(signed_link(link_key(app).await?, purpose, id))
}

/// The key that signs subscription links, read from the database once.
pub(crate) async fn link_key(app: &AppState) -> Result<&str, WebError> {
    let key = app
        .link_key
        .get_or_try_init(|| app.store.site_key(LINK_KEY))
        .await?;
    Ok(key)
}

/// `?sig=`: a signed link's signature.
#[derive(Debug, Default, Deserialize)]
pub(super) struct SigParam {
    #[serde(default)]
    pub(super) sig: String,
}

/// The subscription `id` when `sig` signs `purpose` for it; else 404 (a wrong
/// signature and an unknown id look the same).
pub(crate) async fn signed_subscription(
    app: &AppState,
    purpose: LinkPurpose,
    id: &str,
    sig: &str,
) -> Result<Subscription, WebError> {
    let missing = || WebError::NotFound("This link does not name a subscription.".into());
    if !verify(link_key(app).await?, &purpose.message(id), sig) {
        return Err(missing());
    }
    app.store.subscription(id).await?.ok_or_else(missing)
}

/// `daily at 08:00 UTC`, `weekly (Mondays) at 07:00 Europe/Paris`.
fn schedule(prefs: &DigestPrefs) -> String {
    let when = match (prefs.frequency, prefs.weekdays_only) {
        (Frequency::Daily, false) => "a daily digest",
        (Frequency::Daily, true) => "a digest every weekday",
        (Frequency::Weekly, _) => "a weekly digest on Mondays",
    };
    format!("{when} at {:02}:00 {}", prefs.hour, prefs.timezone)
}

/// `GET /subscriptions/{id}?sig=`: the preferences page.
pub(super) async fn manage_page(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    params: Result<Query<SigParam>, QueryRejection>,
) -> Result<Response, WebError> {
    let sig = params.map(|q| q.0.sig).unwrap_or_default();
    let subscription = signed_subscription(&app, LinkPurpose::Manage, &id, &sig).await?;
    manage_view(&app, &viewer, &headers, &subscription, None, None).await
}

pub(super) async fn manage_view(
    app: &AppState,
    viewer: &Viewer,
    headers: &HeaderMap,
    subscription: &Subscription,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let csrf = FormCsrf::for_browser(headers, app.site.secure_cookies)?;
    let prefs = subscription.prefs.clone();
    let status = subscription.status;
    let status_line = match status {
        SubscriptionStatus::Pending => "waiting for the confirmation link to be opened.".into(),
        SubscriptionStatus::Active => format!("{}.", schedule(&prefs)),
        SubscriptionStatus::Paused => format!(
            "paused{}.",
            subscription
                .paused_reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ),
        SubscriptionStatus::Unsubscribed => "unsubscribed: nothing is sent.".into(),
    };
    let view = SubscriptionView {
        layout: Layout::new(&app.site, Nav::Other).for_viewer(viewer),
        csrf: csrf.token.clone(),
        email: subscription.email.to_string(),
        status_line,
        categories: prefs.categories.join(", "),
        keywords: prefs.keywords.join(", "),
        authors: prefs.authors.join(", "),
        prefs,
        action: signed_path(app, LinkPurpose::Manage, &subscription.id).await?,
        seeds_action: signed_path(app, LinkPurpose::Manage, &subscription.id)
            .await?
            .replacen('?', "/seeds?", 1),
        unsubscribe: signed_path(app, LinkPurpose::Unsubscribe, &subscription.id).await?,
        can_edit: matches!(
            status,
            SubscriptionStatus::Active | SubscriptionStatus::Paused
        ),
        paused: status == SubscriptionStatus::Paused,
        unsubscribed: status == SubscriptionStatus::Unsubscribed,
        notice,
        error,
    };
    Ok(csrf.attach(render(&view)?.into_response()))
}

/// The preferences form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct PrefsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    frequency: String,
    weekdays_only: Option<String>,
    #[serde(default)]
    hour: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    categories: String,
    #[serde(default)]
    keywords: String,
    #[serde(default)]
    authors: String,
    for_you: Option<String>,
}

impl PrefsForm {
    fn prefs(&self) -> Result<DigestPrefs, String> {
        let hour: u8 = self
            .hour
            .trim()
            .parse()
            .map_err(|_| format!("{:?} is not an hour: choose 0 to 23", self.hour))?;
        DigestPrefs {
            frequency: Frequency::parse(&self.frequency).map_err(|e| e.to_string())?,
            weekdays_only: self.weekdays_only.is_some(),
            hour,
            timezone: self.timezone.clone(),
            categories: split_list(&self.categories),
            keywords: split_list(&self.keywords),
            authors: split_list(&self.authors),
            for_you: self.for_you.is_some(),
        }
        .checked()
        .map_err(|e| e.to_string())
    }
}

/// `POST /subscriptions/{id}?sig=`: saves, pauses or resumes.
pub(super) async fn manage(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    params: Result<Query<SigParam>, QueryRejection>,
    form: Result<Form<PrefsForm>, FormRejection>,
) -> Result<Response, WebError> {
    check_origin(&headers, app.site.public_base.as_deref())?;
    let sig = params.map(|q| q.0.sig).unwrap_or_default();
    let subscription = signed_subscription(&app, LinkPurpose::Manage, &id, &sig).await?;
    let form = form.map_err(|e| WebError::BadRequest(e.body_text()))?.0;
    check_form_csrf(&headers, &form.csrf)?;
    let (notice, error) = match form.action.as_str() {
        "pause" => {
            app.store
                .set_subscription_status(&id, SubscriptionStatus::Paused, Some("paused by you"))
                .await?;
            (
                Some("Paused: nothing is sent until you resume.".to_owned()),
                None,
            )
        }
        "resume" => {
            app.store
                .set_subscription_status(&id, SubscriptionStatus::Active, None)
                .await?;
            (Some("Resumed.".to_owned()), None)
        }
        _ => match form.prefs() {
            Ok(prefs) => {
                app.store.set_subscription_prefs(&id, &prefs).await?;
                (Some("Saved.".to_owned()), None)
            }
            Err(error) => (None, Some(error)),
        },
    };
    let current = app.store.subscription(&id).await?.unwrap_or(subscription);
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let response = manage_view(&app, &viewer, &headers, &current, notice, error).await?;
    Ok((status, response).into_response())
}

/// `GET /subscriptions/{id}/unsubscribe?sig=`: a button, so that link checkers
/// opening the link unsubscribe no one.
pub(super) async fn unsubscribe_page(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    params: Result<Query<SigParam>, QueryRejection>,
) -> Result<Response, WebError> {
    let sig = params.map(|q| q.0.sig).unwrap_or_default();
    let subscription = signed_subscription(&app, LinkPurpose::Unsubscribe, &id, &sig).await?;
    let action = signed_path(&app, LinkPurpose::Unsubscribe, &id).await?;
    let view = ConfirmView {
        layout: Layout::new(&app.site, Nav::Other).for_viewer(&viewer),
        heading: "Unsubscribe".into(),
        question: format!("Stop the digests to {}?", subscription.email),
        action,
        button: "Unsubscribe".into(),
    };
    Ok(render(&view)?.into_response())
}

/// `POST /subscriptions/{id}/unsubscribe?sig=`: RFC 8058 one-click unsubscribe
/// (mail clients post `List-Unsubscribe=One-Click` from outside the site, so the
/// signature is the only credential), and the button of the page above.
pub(super) async fn unsubscribe(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    params: Result<Query<SigParam>, QueryRejection>,
) -> Result<Response, WebError> {
    let sig = params.map(|q| q.0.sig).unwrap_or_default();
    let subscription = signed_subscription(&app, LinkPurpose::Unsubscribe, &id, &sig).await?;
    app.store
        .set_subscription_status(&id, SubscriptionStatus::Unsubscribed, None)
        .await?;
    tracing::info!(subscription = %id, "unsubscribed");
    let view = NoticeView {
        layout: Layout::new(&app.site, Nav::Other).for_viewer(&viewer),
        heading: "Unsubscribed".into(),
        paragraphs: vec![format!(
            "{} will get no more digests. Changed your mind? Subscribe again at any time.",
            subscription.email
        )],
        link: Some(TextLink {
            href: "/subscribe".into(),
            label: "Subscribe again".into(),
        }),
    };
    Ok(render(&view)?.into_response())
}

/// `POST /subscriptions/{id}/seeds?sig=` (the manage link's signature): papers from
/// the subscriber's library (BibTeX, CSL-JSON or arXiv ids, as a file or pasted)
/// become positives of their "for you" section, without an account.
pub(super) async fn import_seeds(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    params: Result<Query<SigParam>, QueryRejection>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    check_origin(&headers, app.site.public_base.as_deref())?;
    let sig = params.map(|q| q.0.sig).unwrap_or_default();
    let subscription = signed_subscription(&app, LinkPurpose::Manage, &id, &sig).await?;
    let upload =
        super::foryou::read_upload(multipart.map_err(|e| WebError::BadRequest(e.body_text()))?)
            .await?;
    check_form_csrf(&headers, &upload.csrf)?;
    let (notice, error) =
        super::foryou::import_library(&app, &subscription.email, &upload.text).await?;
    manage_view(&app, &viewer, &headers, &subscription, notice, error).await
}
