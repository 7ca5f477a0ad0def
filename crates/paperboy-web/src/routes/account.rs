//! Signing in with an emailed link, choosing a username, settings (sessions, API
//! tokens), signing out, and profiles.

use std::time::Duration;

use axum::Form;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{SET_COOKIE, USER_AGENT};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use paperboy_core::{ArxivId, Email, Mail, Username};
use paperboy_store::DailyQuery;
use paperboy_store::secret::{hash_secret, new_secret};
use serde::Deserialize;

use super::base_url::BaseUrl;
use super::pages::votes_of;
use crate::WebError;
use crate::auth::{
    CSRF_COOKIE, Credential, FormCsrf, SESSION_COOKIE, SignedIn, Viewer, check_form_csrf,
    check_origin, set_cookie,
};
use crate::limits::{ClientAddr, Limit, client_ip};
use crate::state::AppState;
use crate::views::list::{ListItem, mark_voted};
use crate::views::{
    Layout, LoginConfirmView, LoginView, Nav, NoticeView, ProfileView, SettingsView, TextLink,
    WelcomeView, render,
};

/// How long a sign-in link works.
const LOGIN_TTL: Duration = Duration::from_secs(15 * 60);
/// How long a session lasts.
const SESSION_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// Papers listed per section of a profile.
const PROFILE_LIST: u32 = 50;

/// `next`: where to go after a form, only ever a path on this site.
#[derive(Debug, Default, Deserialize)]
pub(super) struct NextParam {
    next: Option<String>,
}

/// `next` when it is a local path (`/…`, not `//…`), else the daily list.
fn local_path(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains(['\\', '\r', '\n']) =>
        {
            path.chars().take(500).collect()
        }
        _ => "/papers".to_owned(),
    }
}

/// A `303 See Other` to `path` (after a form), with `cookies` set.
fn see_other(path: &str, cookies: impl IntoIterator<Item = axum::http::HeaderValue>) -> Response {
    let mut response = Redirect::to(path).into_response();
    for cookie in cookies {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

/// `GET /login?next=`: the email form.
pub(super) async fn login_form(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    params: Result<Query<NextParam>, QueryRejection>,
) -> Result<Response, WebError> {
    let next = local_path(params?.0.next.as_deref());
    if viewer.0.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    login_page(
        &app,
        &viewer,
        &headers,
        next,
        String::new(),
        None,
        StatusCode::OK,
    )
}

/// The email form, with the browser's anonymous CSRF cookie set when it has none.
fn login_page(
    app: &AppState,
    viewer: &Viewer,
    headers: &HeaderMap,
    next: String,
    email: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let csrf = FormCsrf::for_browser(headers, app.site.secure_cookies)?;
    let view = LoginView {
        layout: Layout::new(&app.site, Nav::Other).for_viewer(viewer),
        csrf: csrf.token.clone(),
        next,
        email,
        error,
    };
    Ok(csrf.attach((status, render(&view)?).into_response()))
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

/// `POST /login`: emails a sign-in link. The answer is the same whether or not the
/// address has an account.
pub(super) async fn login_request(
    State(app): State<AppState>,
    viewer: Viewer,
    base: BaseUrl,
    client: Option<axum::Extension<ClientAddr>>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, WebError> {
    check_origin(&headers, app.site.public_base.as_deref())?;
    let form = form.map_err(|e| WebError::BadRequest(e.body_text()))?.0;
    check_form_csrf(&headers, &form.csrf)?;
    let peer = client.map(|c| c.0.0);
    app.limits
        .check(Limit::SignInPerClient, &client_ip(peer, &headers))?;
    let next = local_path(form.next.as_deref());
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(e) => {
            return login_page(
                &app,
                &viewer,
                &headers,
                next,
                form.email.chars().take(254).collect(),
                Some(e.to_string()),
                StatusCode::BAD_REQUEST,
            );
        }
    };
    app.limits.check(Limit::SignInPerAddress, &email.key())?;
    let token = new_secret("")?;
    let query = serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default();
    let link = base.url(&format!("/login/{token}"), &query);
    let mail = sign_in_mail(&app.site.name, &email, &link);
    app.store
        .create_login_token(&email, &hash_secret(&token), LOGIN_TTL, &mail)
        .await?;
    if app.site.log_sign_in_links {
        tracing::info!(%email, %link, "sign-in link (mail stays on this machine; open the link to sign in)");
    }
    let view = NoticeView {
        layout: Layout::new(&app.site, Nav::Other).for_viewer(&viewer),
        heading: "Check your inbox".into(),
        paragraphs: vec![
            format!("If {email} can receive mail, a sign-in link is on its way to it."),
            "The link works once, within 15 minutes. Nothing there? Look in the spam folder, or ask for a new link.".into(),
        ],
        link: Some(TextLink {
            href: "/login".into(),
            label: "Ask for another link".into(),
        }),
    };
    Ok(render(&view)?.into_response())
}

/// The email that carries a sign-in link.
fn sign_in_mail(site: &str, email: &Email, link: &str) -> Mail {
    Mail::text(
        email.as_str(),
        format!("Sign in to {site}"),
        format!(
            "Hello,\n\nopen this link to sign in to {site}:\n\n{link}\n\n\
             It works once, within 15 minutes. If you did not ask to sign in, ignore this \
             email: nothing happens without the link.\n"
        ),
    )
}

/// A sign-in link's secret, as the path carries it: 64 hex characters.
fn link_token(raw: &str) -> Option<&str> {
    (raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit())).then_some(raw)
}

/// `GET /login/{token}`: a button that signs in, so that mail scanners that open
/// links do not use the link up.
pub(super) async fn login_link(
    State(app): State<AppState>,
    viewer: Viewer,
    token: Result<Path<String>, PathRejection>,
    params: Result<Query<NextParam>, QueryRejection>,
) -> Result<Response, WebError> {
    let token = token?.0;
    let token = link_token(&token).ok_or_else(invalid_link)?;
    let view = LoginConfirmView {
        layout: Layout::new(&app.site, Nav::Other).for_viewer(&viewer),
        token: token.to_owned(),
        next: local_path(params?.0.next.as_deref()),
    };
    Ok(render(&view)?.into_response())
}

fn invalid_link() -> WebError {
    WebError::BadRequest(
        "This sign-in link has expired or was used already. Ask for a new one at /login.".into(),
    )
}

/// `POST /login/{token}`: uses the link up, creates the account on first sign-in,
/// starts a session, and goes on to the username form or `next`.
pub(super) async fn login_confirm(
    State(app): State<AppState>,
    headers: HeaderMap,
    token: Result<Path<String>, PathRejection>,
    form: Result<Form<NextParam>, FormRejection>,
) -> Result<Response, WebError> {
    check_origin(&headers, app.site.public_base.as_deref())?;
    let token = token?.0;
    let token = link_token(&token).ok_or_else(invalid_link)?;
    let next = local_path(form.ok().and_then(|f| f.0.next).as_deref());
    let email = app
        .store
        .redeem_login_token(&hash_secret(token))
        .await?
        .ok_or_else(invalid_link)?;
    let user = app.store.find_or_create_user(&email).await?;
    let secret = new_secret("")?;
    let agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    app.store
        .create_session(&user.id, &hash_secret(&secret), SESSION_TTL, agent)
        .await?;
    tracing::info!(user = %user.id, "signed in");
    let cookie = set_cookie(
        SESSION_COOKIE,
        &secret,
        Some(SESSION_TTL.as_secs()),
        app.site.secure_cookies,
    );
    let target = if user.username.is_none() {
        let query = serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default();
        format!("/welcome?{query}")
    } else {
        next
    };
    Ok(see_other(&target, [cookie]))
}

/// `GET /welcome?next=`: choose a username (first sign-in).
pub(super) async fn welcome_form(
    State(app): State<AppState>,
    viewer: Viewer,
    params: Result<Query<NextParam>, QueryRejection>,
) -> Result<Response, WebError> {
    let next = local_path(params?.0.next.as_deref());
    let signed_in = viewer.clone().require()?;
    if signed_in.user.username.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let suggestion = Email::parse(&signed_in.user.email)
        .ok()
        .and_then(|email| Username::suggest(&email))
        .map(|name| name.to_string())
        .unwrap_or_default();
    welcome_page(&app, &viewer, suggestion, next, None, StatusCode::OK)
}

fn welcome_page(
    app: &AppState,
    viewer: &Viewer,
    username: String,
    next: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let view = WelcomeView {
        layout: Layout::new(&app.site, Nav::Other).for_viewer(viewer),
        username,
        next,
        error,
    };
    Ok((status, render(&view)?).into_response())
}

/// The username form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct WelcomeForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

/// `POST /welcome`: saves the username.
pub(super) async fn welcome_save(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    form: Result<Form<WelcomeForm>, FormRejection>,
) -> Result<Response, WebError> {
    let signed_in = checked_write(&app, &viewer, &headers)?;
    let form = form.map_err(|e| WebError::BadRequest(e.body_text()))?.0;
    signed_in.check_csrf(Some(&form.csrf))?;
    let next = local_path(form.next.as_deref());
    let typed: String = form.username.chars().take(40).collect();
    let name = match Username::parse(&form.username) {
        Ok(name) => name,
        Err(e) => {
            return welcome_page(
                &app,
                &viewer,
                typed,
                next,
                Some(e.to_string()),
                StatusCode::BAD_REQUEST,
            );
        }
    };
    match app.store.set_username(&signed_in.user.id, &name).await {
        Ok(()) => Ok(Redirect::to(&next).into_response()),
        Err(paperboy_store::StoreError::Conflict(message)) => welcome_page(
            &app,
            &viewer,
            typed,
            next,
            Some(message),
            StatusCode::CONFLICT,
        ),
        Err(e) => Err(e.into()),
    }
}

/// The signed-in account of a cookie-authenticated write from this site.
fn checked_write(
    app: &AppState,
    viewer: &Viewer,
    headers: &HeaderMap,
) -> Result<SignedIn, WebError> {
    check_origin(headers, app.site.public_base.as_deref())?;
    viewer.clone().require()
}

/// A form with nothing but its CSRF token.
#[derive(Debug, Deserialize)]
pub(super) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// A form with a name (a new API token's).
#[derive(Debug, Deserialize)]
pub(super) struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

fn csrf_of<T>(form: Result<Form<T>, FormRejection>) -> Result<T, WebError> {
    form.map(|f| f.0)
        .map_err(|e| WebError::BadRequest(e.body_text()))
}

/// `POST /logout`: ends this browser's session.
pub(super) async fn logout(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, WebError> {
    let signed_in = checked_write(&app, &viewer, &headers)?;
    signed_in.check_csrf(Some(&csrf_of(form)?.csrf))?;
    if let Credential::Session { id, .. } = &signed_in.credential {
        app.store.revoke_session(&signed_in.user.id, id).await?;
    }
    let secure = app.site.secure_cookies;
    Ok(see_other(
        "/papers",
        [
            set_cookie(SESSION_COOKIE, "", Some(0), secure),
            set_cookie(CSRF_COOKIE, "", Some(0), secure),
        ],
    ))
}

/// `GET /settings`: sessions and API tokens.
pub(super) async fn settings(
    State(app): State<AppState>,
    viewer: Viewer,
) -> Result<Response, WebError> {
    settings_page(&app, &viewer, None).await
}

async fn settings_page(
    app: &AppState,
    viewer: &Viewer,
    new_token: Option<String>,
) -> Result<Response, WebError> {
    let signed_in = viewer.clone().require()?;
    let user = &signed_in.user;
    let current = match &signed_in.credential {
        Credential::Session { id, .. } => Some(id.as_str()),
        Credential::Token => None,
    };
    let view = SettingsView::new(
        Layout::new(&app.site, Nav::Other).for_viewer(viewer),
        user,
        current,
        app.store.sessions_of(&user.id).await?,
        app.store.api_tokens_of(&user.id).await?,
        new_token,
    );
    Ok(render(&view)?.into_response())
}

/// `POST /settings/tokens`: creates an API token and shows it once.
pub(super) async fn create_token(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Result<Response, WebError> {
    let signed_in = checked_write(&app, &viewer, &headers)?;
    let form = csrf_of(form)?;
    signed_in.check_csrf(Some(&form.csrf))?;
    let token = new_secret("pb_")?;
    app.store
        .create_api_token(&signed_in.user.id, &form.name, &hash_secret(&token))
        .await?;
    settings_page(&app, &viewer, Some(token)).await
}

/// `POST /settings/tokens/{id}/revoke`.
pub(super) async fn revoke_token(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, WebError> {
    let signed_in = checked_write(&app, &viewer, &headers)?;
    signed_in.check_csrf(Some(&csrf_of(form)?.csrf))?;
    if !app
        .store
        .revoke_api_token(&signed_in.user.id, &id?.0)
        .await?
    {
        return Err(WebError::NotFound("You have no such API token.".into()));
    }
    Ok(see_other("/settings", []))
}

/// `POST /settings/sessions/{id}/revoke`: signs a browser out (this one too).
pub(super) async fn revoke_session(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, WebError> {
    let signed_in = checked_write(&app, &viewer, &headers)?;
    signed_in.check_csrf(Some(&csrf_of(form)?.csrf))?;
    let id = id?.0;
    if !app.store.revoke_session(&signed_in.user.id, &id).await? {
        return Err(WebError::NotFound("You have no such session.".into()));
    }
    let this_browser =
        matches!(&signed_in.credential, Credential::Session { id: current, .. } if *current == id);
    if this_browser {
        let cookie = set_cookie(SESSION_COOKIE, "", Some(0), app.site.secure_cookies);
        return Ok(see_other("/papers", [cookie]));
    }
    Ok(see_other("/settings", []))
}

/// `GET /u/{name}`: what a reader submitted and upvoted.
pub(super) async fn profile(
    State(app): State<AppState>,
    viewer: Viewer,
    name: Result<Path<String>, PathRejection>,
) -> Result<Response, WebError> {
    let name = name?.0;
    let user = app
        .store
        .user_by_username(&name)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("There is no reader called {name} here.")))?;
    let username = user.username.clone().unwrap_or_default();
    let own_profile = viewer.0.as_ref().is_some_and(|v| v.user.id == user.id);
    let submitted = app
        .store
        .daily_page(&DailyQuery::submitted_by(&username, PROFILE_LIST))
        .await?;
    let upvoted_ids: Vec<ArxivId> = app.store.upvoted_by(&user.id, PROFILE_LIST).await?;
    let upvoted = app.store.records_by_ids(&upvoted_ids).await?;
    let authored = app
        .store
        .records_by_ids(&app.store.authored_by(&user.id).await?)
        .await?;
    let feed_title = format!("{}: papers submitted by {username}", app.site.name);
    let feed_path = format!("/feeds/u/{username}");
    let mut view = ProfileView {
        layout: Layout::new(&app.site, Nav::Other)
            .for_viewer(&viewer)
            .with_feed(feed_title, &feed_path, ""),
        summary: format!(
            "{} submitted · {} upvoted",
            submitted.total,
            upvoted_ids.len()
        ),
        name: username,
        role: user.role.as_str(),
        submitted: submitted
            .items
            .iter()
            .map(|item| ListItem::daily(item, 0, true))
            .map(|item| ListItem { rank: None, ..item })
            .collect(),
        upvoted: upvoted.iter().map(ListItem::paper).collect(),
        authored: authored.iter().map(ListItem::paper).collect(),
        collections: app.store.collections_of(&user.id, own_profile).await?,
    };
    let ids = view
        .submitted
        .iter()
        .chain(&view.upvoted)
        .map(|item| item.id);
    let voted = votes_of(&app, &viewer, ids).await?;
    mark_voted(&mut view.submitted, &voted);
    mark_voted(&mut view.upvoted, &voted);
    Ok(render(&view)?.into_response())
}

/// `GET /settings/export`: everything paperboy holds about the reader, as JSON.
pub(super) async fn export_data(
    State(app): State<AppState>,
    viewer: Viewer,
) -> Result<Response, WebError> {
    let signed_in = viewer.require()?;
    let user = &signed_in.user;
    let submissions = match &user.username {
        Some(name) => {
            let list = app
                .store
                .daily_page(&DailyQuery::submitted_by(name, u32::MAX))
                .await?;
            list.items
                .iter()
                .map(|item| {
                    serde_json::json!({
                        "paper": item.entry.paper_id.to_string(),
                        "date": item.entry.date.to_string(),
                        "submittedAt": item.entry.submitted_at.map(|t| t.to_string()),
                    })
                })
                .collect()
        }
        None => Vec::new(),
    };
    let comments: Vec<serde_json::Value> = app
        .store
        .comments_by(&user.id)
        .await?
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id, "paper": c.paper_id.to_string(), "parentId": c.parent_id,
                "markdown": c.body, "createdMs": c.created_ms, "editedMs": c.edited_ms,
                "hiddenReason": c.hidden_reason, "deleted": c.deleted,
            })
        })
        .collect();
    let upvoted: Vec<String> = app
        .store
        .upvoted_by(&user.id, u32::MAX)
        .await?
        .iter()
        .map(ToString::to_string)
        .collect();
    let sessions = app.store.sessions_of(&user.id).await?;
    let tokens = app.store.api_tokens_of(&user.id).await?;
    let body = serde_json::json!({
        "account": {
            "id": user.id, "email": user.email, "username": user.username,
            "role": user.role.as_str(), "createdAt": user.created.to_string(),
        },
        "sessions": sessions.iter().map(|s| serde_json::json!({
            "id": s.id, "createdMs": s.created_ms, "lastSeenMs": s.last_seen_ms, "userAgent": s.user_agent,
        })).collect::<Vec<_>>(),
        "apiTokens": tokens.iter().map(|t| serde_json::json!({
            "id": t.id, "name": t.name, "createdMs": t.created_ms, "lastUsedMs": t.last_used_ms,
        })).collect::<Vec<_>>(),
        "upvoted": upvoted,
        "comments": comments,
        "submissions": submissions,
    });
    let mut response = axum::Json(body).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_DISPOSITION,
        axum::http::HeaderValue::from_static("attachment; filename=\"paperboy-account.json\""),
    );
    Ok(response)
}

/// The account deletion form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct DeleteForm {
    #[serde(default)]
    csrf: String,
    /// The account's username or address, typed to confirm.
    #[serde(default)]
    confirm: String,
}

/// `POST /settings/delete`: deletes the account (comments stay, as "deleted user").
pub(super) async fn delete_account(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    form: Result<Form<DeleteForm>, FormRejection>,
) -> Result<Response, WebError> {
    let signed_in = checked_write(&app, &viewer, &headers)?;
    let form = csrf_of(form)?;
    signed_in.check_csrf(Some(&form.csrf))?;
    let typed = form.confirm.trim();
    let user = &signed_in.user;
    let confirmed = !typed.is_empty()
        && (user
            .username
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(typed))
            || user.email.eq_ignore_ascii_case(typed));
    if !confirmed {
        return Err(WebError::BadRequest(
            "type your username or email address to confirm the deletion".into(),
        ));
    }
    app.store.delete_user(&user.id).await?;
    app.cache.changed();
    tracing::info!(user = %user.id, "account deleted");
    let secure = app.site.secure_cookies;
    Ok(see_other(
        "/papers",
        [set_cookie(SESSION_COOKIE, "", Some(0), secure)],
    ))
}
