//! The authorization matrix: every write endpoint of the API, called as nobody, as
//! a comment's author, another reader, a moderator and an admin, each with a bearer
//! token, with a browser session and its CSRF token, and with a session but no
//! token; plus the HTML forms without their CSRF token. Each call gets the status
//! its role deserves, on both backends.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use paperboy_core::{ArxivId, Email, Role, Username};
use paperboy_store::secret::{hash_secret, new_secret};
use paperboy_testkit::{Browser, on_both_backends};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{TestApp, TestDb, seeded};

on_both_backends!(
    every_write_answers_each_role_as_it_should,
    forms_without_their_csrf_token_are_refused
);

/// The paper everything happens on (on the newest recorded list).
const PAPER: &str = "2608.19880";

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Author,
    OtherReader,
    Moderator,
    Admin,
}

/// How they prove it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    Bearer,
    SessionWithCsrf,
    SessionWithoutCsrf,
}

/// An account's credentials: `Bearer TOKEN`, the session cookie, its CSRF token.
struct Identity {
    user_id: String,
    bearer: String,
    cookie: String,
    csrf: String,
}

async fn identity(app: &TestApp, name: &str, role: Role) -> Identity {
    let email = Email::parse(&format!("{name}@example.org")).unwrap();
    let user = app
        .store
        .create_user(&email, Some(&Username::parse(name).unwrap()), role)
        .await
        .unwrap();
    let token = new_secret("pb_").unwrap();
    app.store
        .create_api_token(&user.id, "t", &hash_secret(&token))
        .await
        .unwrap();
    let cookie = new_secret("").unwrap();
    app.store
        .create_session(
            &user.id,
            &hash_secret(&cookie),
            std::time::Duration::from_secs(3600),
            None,
        )
        .await
        .unwrap();
    let browser = Browser::new(&app.base);
    browser.set_cookie("paperboy_session", &cookie);
    let csrf = browser.get("/settings").await.csrf();
    Identity {
        user_id: user.id,
        bearer: format!("Bearer {token}"),
        cookie,
        csrf,
    }
}

/// What may call an endpoint.
#[derive(Debug, Clone, Copy)]
enum Allowed {
    /// Any signed-in account.
    SignedIn,
    /// The comment's author.
    Author,
    /// Moderators and admins.
    Moderators,
    /// The author, moderators and admins.
    AuthorOrModerators,
    /// Admins.
    Admins,
}

impl Allowed {
    fn admits(self, who: Who) -> bool {
        match self {
            Self::SignedIn => who != Who::Anonymous,
            Self::Author => who == Who::Author,
            Self::Moderators => matches!(who, Who::Moderator | Who::Admin),
            Self::AuthorOrModerators => matches!(who, Who::Author | Who::Moderator | Who::Admin),
            Self::Admins => who == Who::Admin,
        }
    }
}

/// One write endpoint: method, path (`{c}` is a fresh comment of the author), body,
/// who may call it, and the status an admitted call gets.
struct Endpoint {
    method: Method,
    path: &'static str,
    body: Option<Value>,
    allowed: Allowed,
    ok: u16,
}

fn endpoints() -> Vec<Endpoint> {
    let e = |method: Method, path, body, allowed, ok| Endpoint {
        method,
        path,
        body,
        allowed,
        ok,
    };
    vec![
        e(
            Method::POST,
            "/api/papers/{p}/upvote",
            None,
            Allowed::SignedIn,
            200,
        ),
        e(
            Method::DELETE,
            "/api/papers/{p}/upvote",
            None,
            Allowed::SignedIn,
            200,
        ),
        e(
            Method::POST,
            "/api/papers/{p}/comment",
            Some(json!({"comment": "hi"})),
            Allowed::SignedIn,
            200,
        ),
        e(
            Method::POST,
            "/api/papers/{p}/comment/{c}/reply",
            Some(json!({"comment": "re"})),
            Allowed::SignedIn,
            200,
        ),
        e(
            Method::PATCH,
            "/api/papers/{p}/comments/{c}",
            Some(json!({"comment": "edited"})),
            Allowed::Author,
            200,
        ),
        e(
            Method::PATCH,
            "/api/papers/{p}/comments/{c}",
            Some(json!({"hidden": true, "reason": "spam"})),
            Allowed::Moderators,
            200,
        ),
        e(
            Method::DELETE,
            "/api/papers/{p}/comments/{c}",
            None,
            Allowed::AuthorOrModerators,
            200,
        ),
        // Submitting a paper already listed: allowed callers reach the rule (409).
        e(
            Method::POST,
            "/api/papers/submit",
            Some(json!({"arxivId": PAPER})),
            Allowed::SignedIn,
            409,
        ),
        e(
            Method::POST,
            "/api/papers/index",
            Some(json!({"arxivId": PAPER})),
            Allowed::SignedIn,
            200,
        ),
        e(
            Method::POST,
            "/api/admin/daily",
            Some(json!({"arxivId": PAPER, "date": "2026-08-02"})),
            Allowed::Admins,
            200,
        ),
        e(
            Method::DELETE,
            "/api/admin/daily/2026-08-02/{p}",
            None,
            Allowed::Admins,
            200,
        ),
        // Links: verified authors of the paper (none here) and admins.
        e(
            Method::POST,
            "/api/papers/{p}/links",
            Some(json!({"projectPage": "https://example.org"})),
            Allowed::Admins,
            200,
        ),
    ]
}

async fn every_write_answers_each_role_as_it_should(db: TestDb) {
    let app = seeded(db).await;
    let paper = ArxivId::parse(PAPER).unwrap();
    let author = identity(&app, "author", Role::Reader).await;
    let others = [
        (
            Who::OtherReader,
            identity(&app, "other", Role::Reader).await,
        ),
        (Who::Moderator, identity(&app, "mod", Role::Moderator).await),
        (Who::Admin, identity(&app, "boss", Role::Admin).await),
    ];
    let mut callers: Vec<(Who, Option<&Identity>)> =
        vec![(Who::Anonymous, None), (Who::Author, Some(&author))];
    callers.extend(others.iter().map(|(who, id)| (*who, Some(id))));
    let mut checked = 0;
    for endpoint in endpoints() {
        for (who, identity) in &callers {
            for how in [How::Bearer, How::SessionWithCsrf, How::SessionWithoutCsrf] {
                if *who == Who::Anonymous && how != How::Bearer {
                    continue;
                }
                // Fresh state: a comment by the author, the paper on the admin's list.
                let comment = app
                    .store
                    .add_comment(&paper, &author.user_id, None, "original")
                    .await
                    .unwrap();
                app.store
                    .write(paperboy_store::Batch {
                        papers: vec![],
                        entries: vec![paperboy_core::DailyEntry::new(
                            jiff::civil::date(2026, 8, 2),
                            paper.clone(),
                        )],
                    })
                    .await
                    .unwrap();
                let path = endpoint
                    .path
                    .replace("{p}", PAPER)
                    .replace("{c}", &comment.id);
                let browser = Browser::new(&app.base);
                let mut headers: Vec<(&str, String)> = Vec::new();
                if let Some(identity) = identity {
                    match how {
                        How::Bearer => headers.push(("authorization", identity.bearer.clone())),
                        How::SessionWithCsrf => {
                            browser.set_cookie("paperboy_session", &identity.cookie);
                            headers.push(("x-csrf-token", identity.csrf.clone()));
                        }
                        How::SessionWithoutCsrf => {
                            browser.set_cookie("paperboy_session", &identity.cookie)
                        }
                    }
                }
                let headers: Vec<(&str, &str)> =
                    headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let page = browser
                    .send(
                        endpoint.method.clone(),
                        &path,
                        &headers,
                        endpoint.body.as_ref(),
                    )
                    .await;
                let expected = match (who, how) {
                    (Who::Anonymous, _) => 401,
                    (_, How::SessionWithoutCsrf) => 403,
                    _ if endpoint.allowed.admits(*who) => endpoint.ok,
                    _ => 403,
                };
                assert_eq!(
                    page.status, expected,
                    "{} {path} as {who:?} with {how:?}: {}",
                    endpoint.method, page.body
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 12 * (1 + 4 * 3));
}

async fn forms_without_their_csrf_token_are_refused(db: TestDb) {
    let app = seeded(db).await;
    let reader = identity(&app, "reader", Role::Admin).await;
    let comment = app
        .store
        .add_comment(
            &ArxivId::parse(PAPER).unwrap(),
            &reader.user_id,
            None,
            "mine",
        )
        .await
        .unwrap();
    let forms = [
        format!("/papers/{PAPER}/upvote"),
        format!("/papers/{PAPER}/comments"),
        format!("/papers/{PAPER}/comments/{}/reply", comment.id),
        format!("/papers/{PAPER}/comments/{}/edit", comment.id),
        format!("/papers/{PAPER}/comments/{}/hide", comment.id),
        format!("/papers/{PAPER}/comments/{}/delete", comment.id),
        format!("/papers/{PAPER}/curate"),
        format!("/papers/{PAPER}/claim"),
        format!("/papers/{PAPER}/claims/0/verify"),
        "/papers/submit".to_owned(),
        "/welcome".to_owned(),
        "/settings/tokens".to_owned(),
        "/settings/delete".to_owned(),
        "/logout".to_owned(),
        "/subscribe".to_owned(),
    ];
    let browser = Browser::new(&app.base);
    browser.set_cookie("paperboy_session", &reader.cookie);
    for form in &forms {
        let missing = browser
            .post(form, &[("body", "x"), ("confirm", "reader")])
            .await;
        assert_eq!(
            missing.status, 403,
            "{form} without a token: {}",
            missing.body
        );
        let wrong = browser
            .post(
                form,
                &[
                    ("csrf", "0123456789abcdef0123456789abcdef"),
                    ("confirm", "reader"),
                ],
            )
            .await;
        assert_eq!(wrong.status, 403, "{form} with another token");
    }
    let anonymous = Browser::new(&app.base);
    for form in &forms[..9] {
        assert_eq!(
            anonymous.post(form, &[("csrf", &reader.csrf)]).await.status,
            401,
            "{form} anonymously"
        );
    }
    assert!(
        app.store
            .user_by_username("reader")
            .await
            .unwrap()
            .is_some(),
        "nothing was deleted"
    );
}
