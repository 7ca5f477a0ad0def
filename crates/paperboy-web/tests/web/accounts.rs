//! Accounts through the web, on both backends: signing in with an emailed link (the
//! real file transport writes the mail), usernames, sessions, API tokens, upvotes,
//! CSRF and rate limits.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use paperboy_core::{ArxivId, Email, Role, Username};
use paperboy_store::secret::hash_secret;
use paperboy_testkit::browser::link_in;
use paperboy_testkit::{Browser, Mailbox, on_both_backends};
use reqwest::Method;
use serde_json::json;

use crate::common::{HF_DAY, TestApp, TestDb, bearer, seeded, signed_in};

on_both_backends!(
    an_emailed_link_signs_in_once_and_asks_for_a_username,
    sign_in_answers_the_same_for_known_and_unknown_addresses,
    forms_without_the_csrf_token_or_from_other_sites_are_refused,
    the_eleventh_sign_in_request_in_a_minute_is_refused,
    upvotes_count_once_per_reader_and_show_everywhere,
    api_tokens_are_created_shown_once_and_revoked,
    a_reader_takes_their_data_and_deletes_their_account,
);

/// The data directory of `app` (where its mail goes).
fn mailbox(app: &TestApp) -> Mailbox {
    Mailbox::of(app.db().dir.path().join("data"))
}

/// Signs `email` in through the pages and the emailed link; returns the browser
/// (with its session cookie) and the page the link led to.
async fn sign_in(app: &TestApp, email: &str) -> (Browser, paperboy_testkit::Page) {
    let browser = Browser::new(&app.base);
    let form = browser.get("/login?next=/papers").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let sent = browser
        .post(
            "/login",
            &[
                ("email", email),
                ("csrf", &form.csrf()),
                ("next", "/papers"),
            ],
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains("Check your inbox"));
    let mail = mailbox(app).wait_for(email, "/login/").await;
    assert!(mail.contains("Subject: Sign in to paperboy"), "{mail}");
    let link = link_in(&mail, "/login/").expect("a sign-in link");
    let path = link.trim_start_matches(&app.base).to_owned();
    let confirm = browser.get(&path).await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert!(
        browser.cookie("paperboy_session").is_none(),
        "opening the link alone signs nobody in"
    );
    let form_path = path.split('?').next().unwrap_or_default().to_owned();
    let next = confirm.field("next").unwrap_or_default();
    let landed = browser.post(&form_path, &[("next", &next)]).await;
    assert_eq!(landed.status, 303, "{}", landed.body);
    assert!(browser.cookie("paperboy_session").is_some());
    // The same link again: used up.
    let again = Browser::new(&app.base)
        .post(&form_path, &[("next", "/papers")])
        .await;
    assert_eq!(again.status, 400, "{}", again.body);
    assert!(again.body.contains("expired or was used already"));
    (browser, landed)
}

async fn an_emailed_link_signs_in_once_and_asks_for_a_username(db: TestDb) {
    let app = seeded(db).await;
    let (browser, landed) = sign_in(&app, "ada.lovelace@example.org").await;
    assert_eq!(landed.location.as_deref(), Some("/welcome?next=%2Fpapers"));

    let welcome = browser.get("/welcome?next=%2Fpapers").await;
    assert!(
        welcome.body.contains("value=\"ada-lovelace\""),
        "suggested from the address"
    );
    let csrf = welcome.csrf();
    let bad = browser
        .post(
            "/welcome",
            &[
                ("username", "<script>"),
                ("csrf", &csrf),
                ("next", "/papers"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(!bad.body.contains("<script>"), "typed input is escaped");
    app.store
        .create_user(
            &Email::parse("bob@example.org").unwrap(),
            Some(&Username::parse("bob").unwrap()),
            Role::Reader,
        )
        .await
        .unwrap();
    let taken = browser
        .post(
            "/welcome",
            &[("username", "Bob"), ("csrf", &csrf), ("next", "/papers")],
        )
        .await;
    assert_eq!(taken.status, 409, "{}", taken.body);
    let saved = browser
        .post(
            "/welcome",
            &[("username", "ada"), ("csrf", &csrf), ("next", "/papers")],
        )
        .await;
    assert_eq!(
        (saved.status, saved.location.as_deref()),
        (303, Some("/papers"))
    );

    let daily = browser.get("/papers").await;
    assert!(
        daily.body.contains("href=\"/u/ada\""),
        "the header names the reader"
    );
    let profile = browser.get("/u/ada").await;
    assert_eq!(profile.status, 200);
    let settings = browser.get("/settings").await;
    assert!(settings.body.contains("ada.lovelace@example.org"));
    assert!(settings.body.contains("(this browser)"));

    // Signing out ends the session: the cookie no longer signs anyone in.
    let cookie = browser.cookie("paperboy_session").unwrap();
    let out = browser.post("/logout", &[("csrf", &settings.csrf())]).await;
    assert_eq!(out.status, 303);
    assert!(
        app.store
            .session_user(&hash_secret(&cookie))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(browser.get("/settings").await.status, 401);
}

async fn sign_in_answers_the_same_for_known_and_unknown_addresses(db: TestDb) {
    let app = TestApp::start(db).await;
    app.store
        .create_user(
            &Email::parse("known@example.org").unwrap(),
            Some(&Username::parse("known").unwrap()),
            Role::Reader,
        )
        .await
        .unwrap();
    let mut answers = Vec::new();
    for email in ["known@example.org", "unknown@example.org"] {
        let browser = Browser::new(&app.base);
        let form = browser.get("/login").await;
        let page = browser
            .post("/login", &[("email", email), ("csrf", &form.csrf())])
            .await;
        answers.push((page.status, page.body.replace(email, "ADDRESS")));
    }
    assert_eq!(answers[0], answers[1]);
    // Both get a link: the first sign-in of an unknown address creates its account.
    mailbox(&app)
        .wait_for("unknown@example.org", "/login/")
        .await;
    mailbox(&app).wait_for("known@example.org", "/login/").await;
}

async fn forms_without_the_csrf_token_or_from_other_sites_are_refused(db: TestDb) {
    let app = TestApp::start(db).await;
    let browser = Browser::new(&app.base);
    let form = browser.get("/login").await;
    let missing = browser.post("/login", &[("email", "a@example.org")]).await;
    assert_eq!(missing.status, 403, "{}", missing.body);
    let stranger = Browser::new(&app.base);
    let stolen = stranger
        .post(
            "/login",
            &[("email", "a@example.org"), ("csrf", &form.csrf())],
        )
        .await;
    assert_eq!(
        stolen.status, 403,
        "a token belongs to its browser's cookie"
    );
    let cross_site = browser
        .send(
            Method::POST,
            "/login",
            &[
                ("origin", "https://evil.example"),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            None,
        )
        .await;
    assert_eq!(cross_site.status, 403);
    assert!(
        mailbox(&app).messages().is_empty(),
        "no mail for refused requests"
    );
}

async fn the_eleventh_sign_in_request_in_a_minute_is_refused(db: TestDb) {
    let app = TestApp::start(db).await;
    let browser = Browser::new(&app.base);
    let csrf = browser.get("/login").await.csrf();
    for i in 0..10 {
        let email = format!("reader{i}@example.org");
        let page = browser
            .post("/login", &[("email", &email), ("csrf", &csrf)])
            .await;
        assert_eq!(page.status, 200, "request {i}: {}", page.body);
    }
    let refused = browser
        .post(
            "/login",
            &[("email", "reader10@example.org"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    let wait: u64 = refused
        .retry_after
        .as_deref()
        .unwrap_or("0")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
}

async fn upvotes_count_once_per_reader_and_show_everywhere(db: TestDb) {
    let app = seeded(db).await;
    let day_path = format!("/api/daily_papers?date={HF_DAY}");
    let before = app.json(&day_path, 200).await;
    let paper = before[0]["paper"]["id"].as_str().unwrap().to_owned();
    let count = |list: &serde_json::Value| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|item| item["paper"]["id"] == paper.as_str())
            .map(|item| item["paper"]["upvotes"].as_u64().unwrap())
            .unwrap()
    };
    let start = count(&before);
    let daily_page = format!("/papers/date/{HF_DAY}");
    let _ = app.text(&daily_page, 200).await; // cached from here on

    let bearer = bearer(&app, "ada", Role::Reader).await;
    let api = Browser::new(&app.base);
    let path = format!("/api/papers/{paper}/upvote");
    let voted = api
        .send(Method::POST, &path, &[("authorization", &bearer)], None)
        .await;
    assert_eq!(voted.status, 200, "{}", voted.body);
    let answer: serde_json::Value = serde_json::from_str(&voted.body).unwrap();
    assert_eq!(answer, json!({"upvoted": true, "upvotes": start + 1}));
    let again = api
        .send(Method::POST, &path, &[("authorization", &bearer)], None)
        .await;
    assert_eq!(
        (again.status, again.body.as_str()),
        (200, voted.body.as_str()),
        "repeating changes nothing"
    );
    assert_eq!(
        count(&app.json(&day_path, 200).await),
        start + 1,
        "the API list counts it"
    );
    let page = app.text(&daily_page, 200).await;
    assert!(
        page.contains(&format!("▲</span> {}", start + 1)),
        "the cached page went stale"
    );
    let paper_page = app.text(&format!("/papers/{paper}"), 200).await;
    assert!(
        paper_page.contains("href=\"/u/ada\""),
        "upvoters are listed"
    );

    // Anonymous, a bad token, a session without its CSRF header, an unknown paper.
    let anonymous = Browser::new(&app.base)
        .send(Method::POST, &path, &[], None)
        .await;
    assert_eq!(anonymous.status, 401);
    assert!(anonymous.body.contains("\"error\""), "{}", anonymous.body);
    let forged = api
        .send(
            Method::POST,
            &path,
            &[("authorization", "Bearer pb_nope")],
            None,
        )
        .await;
    assert_eq!(forged.status, 401);
    let unknown = api
        .send(
            Method::POST,
            "/api/papers/2501.99999/upvote",
            &[("authorization", &bearer)],
            None,
        )
        .await;
    assert_eq!(unknown.status, 404);

    let (browser, _) = sign_in(&app, "bee@example.org").await;
    let no_header = browser.send(Method::POST, &path, &[], None).await;
    assert_eq!(
        no_header.status, 403,
        "cookie-authenticated API writes need X-CSRF-Token"
    );
    // The form on the paper page: toggles the reader's vote and goes back.
    let welcome = browser.get("/welcome").await;
    browser
        .post(
            "/welcome",
            &[
                ("username", "bee"),
                ("csrf", &welcome.csrf()),
                ("next", "/papers"),
            ],
        )
        .await;
    let page = browser.get(&format!("/papers/{paper}")).await;
    let csrf = page.csrf();
    let form_path = format!("/papers/{paper}/upvote");
    let added = browser
        .post(&form_path, &[("csrf", &csrf), ("vote", "add")])
        .await;
    assert_eq!(
        (added.status, added.location.as_deref()),
        (303, Some(format!("/papers/{paper}").as_str()))
    );
    let page = browser.get(&format!("/papers/{paper}")).await;
    assert!(
        page.body.contains("aria-pressed=\"true\""),
        "the reader sees their vote"
    );
    assert_eq!(count(&app.json(&day_path, 200).await), start + 2);
    let removed = browser
        .post(&form_path, &[("csrf", &csrf), ("vote", "remove")])
        .await;
    assert_eq!(removed.status, 303);
    let deleted = api
        .send(Method::DELETE, &path, &[("authorization", &bearer)], None)
        .await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&deleted.body).unwrap()["upvotes"],
        start
    );
    let id = ArxivId::parse(&paper).unwrap();
    assert!(app.store.upvoters(&id, 10).await.unwrap().is_empty());
}

async fn api_tokens_are_created_shown_once_and_revoked(db: TestDb) {
    let app = TestApp::start(db).await;
    let (browser, _) = sign_in(&app, "cy@example.org").await;
    let settings = browser.get("/settings").await;
    let created = browser
        .post(
            "/settings/tokens",
            &[("csrf", &settings.csrf()), ("name", "laptop")],
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let token = created
        .body
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .find(|word| word.starts_with("pb_"))
        .expect("the new token is shown")
        .to_owned();
    let api = Browser::new(&app.base);
    let me = api
        .send(
            Method::GET,
            "/settings",
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await;
    assert_eq!(me.status, 200, "the token acts as its owner");
    assert!(
        !browser.get("/settings").await.body.contains(&token),
        "shown only once"
    );

    let tokens = app
        .store
        .api_tokens_of(
            &app.store
                .user_by_email(&Email::parse("cy@example.org").unwrap())
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap();
    let revoke = format!("/settings/tokens/{}/revoke", tokens[0].id);
    let csrf = browser.get("/settings").await.csrf();
    assert_eq!(
        browser.post(&revoke, &[("csrf", "wrong")]).await.status,
        403
    );
    assert_eq!(browser.post(&revoke, &[("csrf", &csrf)]).await.status, 303);
    let after = api
        .send(
            Method::GET,
            "/settings",
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await;
    assert_eq!(after.status, 401);
}

async fn a_reader_takes_their_data_and_deletes_their_account(db: TestDb) {
    let app = seeded(db).await;
    let list = app
        .json(&format!("/api/daily_papers?date={HF_DAY}"), 200)
        .await;
    let paper = list[0]["paper"]["id"].as_str().unwrap().to_owned();
    let before = list[0]["paper"]["upvotes"].as_u64().unwrap();
    let browser = signed_in(&app, "zed").await;
    let csrf = browser.get(&format!("/papers/{paper}")).await.csrf();
    browser
        .post(
            &format!("/papers/{paper}/upvote"),
            &[("csrf", &csrf), ("vote", "add")],
        )
        .await;
    let posted = browser
        .post(
            &format!("/papers/{paper}/comments"),
            &[("csrf", &csrf), ("body", "My two cents.")],
        )
        .await;
    assert_eq!(posted.status, 303);

    let export = browser.get("/settings/export").await;
    assert_eq!(export.status, 200);
    let data: serde_json::Value = serde_json::from_str(&export.body).unwrap();
    assert_eq!(data["account"]["email"], "zed@example.org");
    assert_eq!(data["upvoted"], json!([paper]));
    assert_eq!(data["comments"][0]["markdown"], "My two cents.");
    assert_eq!(data["sessions"].as_array().unwrap().len(), 1);
    assert!(
        Browser::new(&app.base).get("/settings/export").await.status == 401,
        "only the reader's own"
    );

    let settings = browser.get("/settings").await;
    let wrong = browser
        .post(
            "/settings/delete",
            &[("csrf", &settings.csrf()), ("confirm", "someone")],
        )
        .await;
    assert_eq!(wrong.status, 400);
    let gone = browser
        .post(
            "/settings/delete",
            &[("csrf", &settings.csrf()), ("confirm", "zed")],
        )
        .await;
    assert_eq!(gone.status, 303, "{}", gone.body);
    assert!(app.store.user_by_username("zed").await.unwrap().is_none());
    assert_eq!(browser.get("/settings").await.status, 401, "signed out");
    let page = app.text(&format!("/papers/{paper}"), 200).await;
    assert!(
        page.contains("deleted user") && page.contains("My two cents."),
        "comments stay"
    );
    let list = app
        .json(&format!("/api/daily_papers?date={HF_DAY}"), 200)
        .await;
    assert_eq!(
        list[0]["paper"]["upvotes"].as_u64(),
        Some(before),
        "the vote is gone"
    );
}
