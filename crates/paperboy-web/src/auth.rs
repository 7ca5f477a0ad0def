//! Who is asking: a session cookie, a personal API token (`Authorization: Bearer`),
//! or nobody; and the CSRF check every cookie-authenticated write passes.
//!
//! CSRF tokens are derived from the secret the browser holds in an HttpOnly cookie
//! (the session cookie, or before sign-in a random `paperboy_csrf` cookie): a page
//! of another site can neither read the cookie nor compute the token. A write with
//! a bearer token needs no CSRF token (browsers never send one by themselves).

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE, HOST, ORIGIN};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use paperboy_store::User;
use paperboy_store::secret::hash_secret;
use sha2::{Digest, Sha256};

use crate::WebError;
use crate::state::AppState;

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "paperboy_session";
/// The cookie that carries the CSRF secret before sign-in.
pub(crate) const CSRF_COOKIE: &str = "paperboy_csrf";
/// The header a script sends the CSRF token in (forms send the field `csrf`).
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

/// The value of cookie `name` in `headers`.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// The CSRF token belonging to the browser secret `secret`.
pub(crate) fn csrf_token(secret: &str) -> String {
    Sha256::digest(format!("paperboy csrf\0{secret}").as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

/// How a signed-in request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Credential {
    /// A browser session; writes need the CSRF token.
    Session {
        /// The session's id.
        id: String,
        /// The CSRF token its forms carry.
        csrf: String,
    },
    /// A personal API token.
    Token,
}

/// A signed-in account and how it proved it.
#[derive(Debug, Clone)]
pub(crate) struct SignedIn {
    /// The account.
    pub user: User,
    /// The cookie or token.
    pub credential: Credential,
}

impl SignedIn {
    /// The CSRF token of a session (empty for token requests, whose pages have no
    /// forms).
    pub(crate) fn csrf(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf, .. } => csrf,
            Credential::Token => "",
        }
    }

    /// Checks that a write carries this session's CSRF token (`submitted`, from the
    /// form field or the `X-CSRF-Token` header); token requests pass.
    pub(crate) fn check_csrf(&self, submitted: Option<&str>) -> Result<(), WebError> {
        match &self.credential {
            Credential::Token => Ok(()),
            Credential::Session { csrf, .. } if submitted.is_some_and(|s| same(s, csrf)) => Ok(()),
            Credential::Session { .. } => Err(WebError::csrf()),
        }
    }

    /// The account's username, or its id before it has one.
    pub(crate) fn name(&self) -> &str {
        self.user.username.as_deref().unwrap_or(&self.user.id)
    }
}

/// The request's account, if any. A bearer token that is not valid is an error
/// (401), not an anonymous request; an unknown or expired cookie is anonymous.
#[derive(Debug, Clone)]
pub(crate) struct Viewer(pub Option<SignedIn>);

impl Viewer {
    /// The account, or 401 saying how to sign in.
    pub(crate) fn require(self) -> Result<SignedIn, WebError> {
        self.0.ok_or_else(WebError::sign_in_required)
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, WebError> {
        if let Some(known) = parts.extensions.get::<Viewer>() {
            return Ok(known.clone());
        }
        let viewer = identify(&parts.headers, app).await?;
        parts.extensions.insert(viewer.clone());
        Ok(viewer)
    }
}

async fn identify(headers: &HeaderMap, app: &AppState) -> Result<Viewer, WebError> {
    if let Some(value) = headers.get(AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(|| {
                WebError::Unauthorized("the Authorization header must be `Bearer TOKEN`".into())
            })?;
        let user = app
            .store
            .api_token_user(&hash_secret(token))
            .await?
            .ok_or_else(|| {
                WebError::Unauthorized(
                    "this API token is not valid (revoked, or mistyped); create one on your settings page".into(),
                )
            })?;
        return Ok(Viewer(Some(SignedIn {
            user,
            credential: Credential::Token,
        })));
    }
    let Some(secret) = cookie(headers, SESSION_COOKIE) else {
        return Ok(Viewer(None));
    };
    Ok(Viewer(
        app.store
            .session_user(&hash_secret(secret))
            .await?
            .map(|found| SignedIn {
                user: found.user,
                credential: Credential::Session {
                    id: found.session_id,
                    csrf: csrf_token(secret),
                },
            }),
    ))
}

/// Refuses a cookie-authenticated write sent by a page of another site: when the
/// browser says where the request comes from (`Origin`), it must be this site.
pub(crate) fn check_origin(headers: &HeaderMap, public_base: Option<&str>) -> Result<(), WebError> {
    let Some(origin) = headers.get(ORIGIN).and_then(|o| o.to_str().ok()) else {
        return Ok(());
    };
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let own = public_base.is_some_and(|base| {
        base.starts_with(origin) && base[origin.len()..].chars().next().is_none_or(|c| c == '/')
    }) || origin
        .split_once("://")
        .is_some_and(|(_, authority)| !host.is_empty() && authority == host);
    if own { Ok(()) } else { Err(WebError::csrf()) }
}

/// The anonymous CSRF secret of this browser (`paperboy_csrf`), and the
/// `Set-Cookie` value that gives it one when it has none yet.
pub(crate) fn anonymous_csrf_secret(
    headers: &HeaderMap,
    secure: bool,
) -> Result<(String, Option<HeaderValue>), WebError> {
    if let Some(secret) = cookie(headers, CSRF_COOKIE).filter(|s| s.len() >= 32) {
        return Ok((secret.to_owned(), None));
    }
    let secret = paperboy_store::secret::new_secret("")?;
    let cookie = set_cookie(CSRF_COOKIE, &secret, None, secure);
    Ok((secret, Some(cookie)))
}

/// The CSRF token of a form anyone may submit (sign-in, subscribe, preferences), and
/// the anonymous cookie behind it when the browser has none yet.
pub(crate) struct FormCsrf {
    /// The token the form carries.
    pub token: String,
    cookie: Option<HeaderValue>,
}

impl FormCsrf {
    /// The token for this browser (`headers`); `secure` cookies behind https.
    pub(crate) fn for_browser(headers: &HeaderMap, secure: bool) -> Result<Self, WebError> {
        let (secret, cookie) = anonymous_csrf_secret(headers, secure)?;
        Ok(Self {
            token: csrf_token(&secret),
            cookie,
        })
    }

    /// `response`, giving the browser its cookie when it needed one.
    pub(crate) fn attach(self, mut response: axum::response::Response) -> axum::response::Response {
        if let Some(cookie) = self.cookie {
            response
                .headers_mut()
                .append(axum::http::header::SET_COOKIE, cookie);
        }
        response
    }
}

/// The CSRF token of the browser secret a form was rendered for: the session's when
/// signed in, else the anonymous one. Checks `submitted` against it.
pub(crate) fn check_form_csrf(headers: &HeaderMap, submitted: &str) -> Result<(), WebError> {
    let secret = cookie(headers, SESSION_COOKIE)
        .into_iter()
        .chain(cookie(headers, CSRF_COOKIE))
        .find(|secret| same(&csrf_token(secret), submitted));
    secret.map(|_| ()).ok_or_else(WebError::csrf)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, `Secure` when the site is
/// served over https; `max_age` seconds (`Some(0)` deletes it), or for the session.
pub(crate) fn set_cookie(
    name: &str,
    value: &str,
    max_age: Option<u64>,
    secure: bool,
) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie)
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=1; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap_or(COOKIE),
                HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("")),
            );
        }
        map
    }

    #[test]
    fn cookies_are_found_among_others() {
        let h = headers(&[
            ("cookie", "a=1; paperboy_session=abc ; b=2"),
            ("cookie", "c=3"),
        ]);
        assert_eq!(cookie(&h, "paperboy_session"), Some("abc"));
        assert_eq!(cookie(&h, "c"), Some("3"));
        assert_eq!(cookie(&h, "paperboy"), None);
    }

    #[test]
    fn csrf_tokens_belong_to_one_secret() {
        let token = csrf_token("secret-one");
        assert_eq!(token.len(), 32);
        assert_ne!(token, csrf_token("secret-two"));
        let h = headers(&[("cookie", "paperboy_csrf=secret-one")]);
        assert!(check_form_csrf(&h, &token).is_ok());
        assert!(check_form_csrf(&h, &csrf_token("secret-two")).is_err());
        assert!(check_form_csrf(&headers(&[]), &token).is_err());
    }

    #[test]
    fn writes_from_other_origins_are_refused() {
        let own = headers(&[
            ("host", "papers.lab:8080"),
            ("origin", "http://papers.lab:8080"),
        ]);
        assert!(check_origin(&own, None).is_ok());
        let evil = headers(&[
            ("host", "papers.lab:8080"),
            ("origin", "https://evil.example"),
        ]);
        assert!(check_origin(&evil, None).is_err());
        let proxied = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://papers.example.org"),
        ]);
        assert!(check_origin(&proxied, Some("https://papers.example.org")).is_ok());
        assert!(check_origin(&proxied, Some("https://papers.example.org.evil")).is_err());
        assert!(
            check_origin(&headers(&[]), None).is_ok(),
            "no Origin: the CSRF token decides"
        );
    }

    #[test]
    fn cookies_are_http_only_and_lax() {
        let c = set_cookie(SESSION_COOKIE, "x", Some(60), true);
        assert_eq!(
            c,
            "paperboy_session=x; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
    }
}
