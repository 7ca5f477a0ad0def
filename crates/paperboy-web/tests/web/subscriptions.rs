//! Digest subscriptions through the pages and the API, with the confirmation email
//! delivered over SMTP to a real server process (aiosmtpd): double opt-in, the same
//! answer for known and unknown addresses, the signed preferences page, RFC 8058
//! one-click unsubscribe, and the per-address rate limit.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use paperboy_store::SubscriptionStatus;
use paperboy_testkit::browser::{decode_quoted_printable, link_in};
use paperboy_testkit::{Browser, SmtpSink, on_both_backends};

use super::common::{TestApp, TestDb};

on_both_backends!(
    a_confirmed_subscription_is_managed_by_signed_links_and_left_with_one_click,
    the_api_answers_alike_for_every_address_and_limits_each_one,
);

/// The messages the sink received for `to`, decoded.
fn mail_to(sink: &SmtpSink, to: &str) -> Vec<String> {
    sink.messages()
        .into_iter()
        .filter(|m| m.contains(&format!("To: {to}")))
        .map(|m| decode_quoted_printable(&m))
        .collect()
}

async fn app_with_smtp(db: TestDb, sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    TestApp::with_settings(db, move |s| s.smtp_url = url).await
}

async fn a_confirmed_subscription_is_managed_by_signed_links_and_left_with_one_click(db: TestDb) {
    let sink = SmtpSink::start("");
    let app = app_with_smtp(db, &sink).await;
    let ada = "ada@example.org";

    // The box under every page leads to the form.
    let daily = Browser::new(&app.base).get("/papers").await;
    assert!(
        daily.body.contains("action=\"/subscribe\""),
        "{}",
        daily.body
    );
    let browser = Browser::new(&app.base);
    let form = browser.get(&format!("/subscribe?email={ada}")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains(&format!("value=\"{ada}\"")));
    let sent = browser
        .post("/subscribe", &[("email", ada), ("csrf", &form.csrf())])
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains("Check your inbox"));
    let forged = browser
        .post("/subscribe", &[("email", ada), ("csrf", "0000")])
        .await;
    assert_eq!(forged.status, 403, "CSRF is checked");

    sink.wait_for(1).await;
    let mail = mail_to(&sink, ada);
    assert_eq!(mail.len(), 1, "one confirmation, nothing else");
    assert!(
        mail[0].contains("Subject: Confirm your paperboy digest"),
        "{}",
        mail[0]
    );
    let link = link_in(&mail[0], "/subscriptions/confirm/").expect("a confirmation link");
    let path = link.trim_start_matches(&app.base).to_owned();
    let subscription = app
        .store
        .subscription_of(&paperboy_core::Email::parse(ada).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(subscription.status, SubscriptionStatus::Pending);

    let confirmed = Browser::new(&app.base).get(&path).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert!(confirmed.body.contains("You are subscribed"));
    assert!(confirmed.body.contains("a daily digest at 08:00 UTC"));
    let again = Browser::new(&app.base).get(&path).await;
    assert_eq!(again.status, 404, "the link works once");
    let id = subscription.id.clone();
    let status = app.store.subscription(&id).await.unwrap().unwrap().status;
    assert_eq!(status, SubscriptionStatus::Active);

    // Asking again while active sends nothing, and says the same.
    let form = browser.get("/subscribe").await;
    let same = browser
        .post("/subscribe", &[("email", ada), ("csrf", &form.csrf())])
        .await;
    assert_eq!((same.status, &same.body), (200, &sent.body));

    // The preferences page, through the signed link the confirmation page gives.
    let manage = confirmed
        .body
        .split("href=\"")
        .find_map(|s| s.strip_prefix(&format!("/subscriptions/{id}?sig=")))
        .and_then(|s| s.split('"').next())
        .map(|sig| format!("/subscriptions/{id}?sig={sig}"))
        .expect("a manage link");
    let page = browser.get(&manage).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let saved = browser
        .post(
            &manage,
            &[
                ("csrf", &page.csrf()),
                ("action", "save"),
                ("frequency", "weekly"),
                ("hour", "7"),
                ("timezone", "Europe/Paris"),
                ("keywords", "LoRA, diffusion"),
                ("categories", "cs.CL"),
                ("authors", ""),
                ("for_you", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(saved.body.contains("Saved."));
    let prefs = app.store.subscription(&id).await.unwrap().unwrap().prefs;
    assert_eq!(prefs.frequency.as_str(), "weekly");
    assert_eq!((prefs.hour, prefs.timezone.as_str()), (7, "Europe/Paris"));
    assert_eq!(prefs.keywords, ["LoRA", "diffusion"]);

    // A library import, without an account, behind the same signature.
    let seeds = manage.replacen('?', "/seeds?", 1);
    assert!(page.body.contains(&seeds.replace('&', "&amp;")) || page.body.contains(&seeds));
    let imported = browser
        .post_multipart(
            &seeds,
            &[("csrf", &page.csrf())],
            Some(("file", "ids.txt", "2608.19880\n2401.99999")),
        )
        .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert!(
        imported.body.contains("of the 2 papers you named here"),
        "{}",
        imported.body
    );
    let unreadable = browser
        .post_multipart(
            &seeds,
            &[("csrf", &page.csrf()), ("text", "no ids here")],
            None,
        )
        .await;
    assert!(
        unreadable.body.contains("no papers found"),
        "{}",
        unreadable.body
    );
    let forged = browser
        .post_multipart(
            &format!("/subscriptions/{id}/seeds?sig=00"),
            &[("csrf", &page.csrf())],
            None,
        )
        .await;
    assert_eq!(forged.status, 404);
    let no_token = browser
        .post_multipart(&seeds, &[("text", "2608.19880")], None)
        .await;
    assert_eq!(no_token.status, 403);
    let bad = browser
        .post(
            &manage,
            &[
                ("csrf", &page.csrf()),
                ("action", "save"),
                ("frequency", "daily"),
                ("hour", "7"),
                ("timezone", "Mars/Olympus"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("not a time zone"), "{}", bad.body);

    // Wrong or borrowed signatures name nothing.
    let sig = manage.split("sig=").nth(1).unwrap().to_owned();
    let first = if sig.starts_with('0') { "1" } else { "0" };
    for path in [
        format!("/subscriptions/{id}?sig={first}{}", &sig[1..]),
        format!("/subscriptions/{id}/unsubscribe?sig={sig}"),
        format!("/subscriptions/000000000000000000000000?sig={sig}"),
    ] {
        assert_eq!(
            Browser::new(&app.base).get(&path).await.status,
            404,
            "{path}"
        );
    }

    // RFC 8058: a mail client posts the one-click body, without cookies or origin.
    let unsubscribe = page
        .body
        .split("action=\"")
        .find(|s| s.starts_with(&format!("/subscriptions/{id}/unsubscribe?sig=")))
        .and_then(|s| s.split('"').next())
        .expect("an unsubscribe form")
        .replace("&amp;", "&");
    let response = reqwest::Client::new()
        .post(format!("{}{unsubscribe}", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let status = app.store.subscription(&id).await.unwrap().unwrap().status;
    assert_eq!(status, SubscriptionStatus::Unsubscribed);
    assert_eq!(
        mail_to(&sink, ada).len(),
        1,
        "confirming and leaving send nothing"
    );
    app.stop().await.unwrap();
}

async fn the_api_answers_alike_for_every_address_and_limits_each_one(db: TestDb) {
    let sink = SmtpSink::start("");
    let app = app_with_smtp(db, &sink).await;
    let client = Browser::new(&app.base);
    let ask = |email: &'static str| {
        let client = &client;
        async move {
            client
                .send(
                    reqwest::Method::POST,
                    "/api/subscriptions",
                    &[],
                    Some(&serde_json::json!({ "email": email })),
                )
                .await
        }
    };
    let first = ask("bob@example.org").await;
    assert_eq!(first.status, 202, "{}", first.body);
    let second = ask("bob@example.org").await;
    assert_eq!((second.status, &second.body), (202, &first.body));
    let third = ask("bob@example.org").await;
    assert_eq!(third.status, 202);
    let fourth = ask("bob@example.org").await;
    assert_eq!(
        fourth.status, 429,
        "three confirmations an hour per address"
    );
    assert!(fourth.retry_after.is_some());
    let other = ask("carol@example.org").await;
    assert_eq!((other.status, &other.body), (202, &first.body));
    let bad = ask("not an address").await;
    assert_eq!(bad.status, 400);

    sink.wait_for(4).await;
    assert_eq!(
        mail_to(&sink, "bob@example.org").len(),
        3,
        "pending: each ask resends"
    );
    assert_eq!(mail_to(&sink, "carol@example.org").len(), 1);
    app.stop().await.unwrap();
}
