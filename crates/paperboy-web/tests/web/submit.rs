//! Submitting papers and the trending list, on both backends. Papers the database
//! lacks come from a fake arXiv API serving recorded responses.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use paperboy_core::{ArxivId, Role};
use paperboy_testkit::upstream::{Reply, TestServer};
use paperboy_testkit::{Browser, fixture_path, on_both_backends};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{HF_DAY, TestApp, TestDb, bearer, seed_batch, signed_in};

on_both_backends!(
    a_recent_paper_joins_today_s_list_once,
    old_unknown_and_malformed_submissions_are_refused_with_a_reason,
    the_submission_form_works_without_script,
    trending_ranks_fresh_activity_and_says_why,
    admins_put_any_paper_on_any_day_and_take_it_off,
    a_missing_paper_links_to_arxiv_and_a_reader_fetches_it,
);

/// A fake arXiv API: the recorded answer for 1707.08567, an empty feed otherwise.
fn fake_arxiv() -> TestServer {
    let recorded = std::fs::read_to_string(fixture_path(
        "arxiv_api/recorded_2026/id_1707.08567_s0_m100_6a1afebfc6a3.xml",
    ))
    .unwrap();
    let empty = std::fs::read_to_string(fixture_path(
        "arxiv_api/recorded_2026/id_0000.0000_s0_m100_8b51d9633a68.xml",
    ))
    .unwrap();
    TestServer::start(move |request| {
        if request
            .param("id_list")
            .is_some_and(|ids| ids.contains("1707.08567"))
        {
            Reply::new(200, recorded.clone())
        } else {
            Reply::new(200, empty.clone())
        }
    })
}

/// The app with the seed data and the fake arXiv.
async fn app_with_arxiv(db: TestDb, arxiv: &TestServer) -> TestApp {
    let url = arxiv.url("/api/query");
    let app = TestApp::with_settings(db, |s| {
        s.arxiv_api_url = url;
        s.arxiv_request_interval_secs = 0.0;
    })
    .await;
    app.seed(seed_batch()).await;
    app
}

/// A paper of the newest recorded HF list, taken off that list (as an admin would),
/// so it is recent and on no list.
async fn unlisted_recent_paper(app: &TestApp, index: usize) -> String {
    let list = app
        .json(&format!("/api/daily_papers?date={HF_DAY}"), 200)
        .await;
    let id = list[index]["paper"]["id"].as_str().unwrap().to_owned();
    assert!(
        app.store
            .remove_from_daily(&ArxivId::parse(&id).unwrap(), HF_DAY)
            .await
            .unwrap()
    );
    id
}

async fn post_json(browser: &Browser, path: &str, auth: &str, body: Value) -> (u16, Value) {
    let page = browser
        .send(Method::POST, path, &[("authorization", auth)], Some(&body))
        .await;
    let json = serde_json::from_str(&page.body).unwrap_or(Value::Null);
    (page.status, json)
}

async fn a_recent_paper_joins_today_s_list_once(db: TestDb) {
    let arxiv = fake_arxiv();
    let app = app_with_arxiv(db, &arxiv).await;
    let auth = bearer(&app, "ada", Role::Reader).await;
    let api = Browser::new(&app.base);
    let first = unlisted_recent_paper(&app, 0).await;
    let (status, item) =
        post_json(&api, "/api/papers/submit", &auth, json!({"arxivId": first})).await;
    assert_eq!(status, 200, "{item}");
    assert_eq!(item["paper"]["id"], first.as_str());
    assert_eq!(item["submittedBy"]["name"], "ada", "{item}");

    // The test clock says 2026-08-22 (UTC): today's list has it, with its submitter.
    let today = app.json("/api/daily_papers?date=2026-08-22", 200).await;
    let ids: Vec<&str> = today
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["paper"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [first.as_str()]);
    let page = app.text("/papers/date/2026-08-22", 200).await;
    assert!(
        page.contains("submitted by ada"),
        "the cached list went stale"
    );
    let mine = app.json("/api/daily_papers?submitter=ada", 200).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);

    let (status, error) =
        post_json(&api, "/api/papers/submit", &auth, json!({"arxivId": first})).await;
    assert_eq!(status, 409, "{error}");
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("daily list of 2026-08-22 already")
    );
    // HF's field name works too.
    let second = unlisted_recent_paper(&app, 1).await;
    let (status, _) = post_json(
        &api,
        "/api/papers/submit",
        &auth,
        json!({"paper_id": second}),
    )
    .await;
    assert_eq!(status, 200);
}

async fn old_unknown_and_malformed_submissions_are_refused_with_a_reason(db: TestDb) {
    let arxiv = fake_arxiv();
    let app = app_with_arxiv(db, &arxiv).await;
    let auth = bearer(&app, "bob", Role::Reader).await;
    let api = Browser::new(&app.base);

    // Fetched from arXiv (recorded 2017 paper), stored, and refused as too old.
    let (status, error) = post_json(
        &api,
        "/api/papers/submit",
        &auth,
        json!({"arxivId": "1707.08567"}),
    )
    .await;
    assert_eq!(status, 422, "{error}");
    assert!(
        error["error"].as_str().unwrap().contains("within 14 days"),
        "{error}"
    );
    assert_eq!(
        app.json("/api/papers/1707.08567", 200).await["id"],
        "1707.08567"
    );
    let (status, paper) = post_json(
        &api,
        "/api/papers/index",
        &auth,
        json!({"arxivId": "arXiv:1707.08567v1"}),
    )
    .await;
    assert_eq!((status, paper["id"].as_str()), (200, Some("1707.08567")));

    let (status, error) = post_json(
        &api,
        "/api/papers/submit",
        &auth,
        json!({"arxivId": "2608.99999"}),
    )
    .await;
    assert_eq!(status, 404, "{error}");
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("arXiv has no paper")
    );
    let (status, _) = post_json(
        &api,
        "/api/papers/submit",
        &auth,
        json!({"arxivId": "not an id"}),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = post_json(&api, "/api/papers/submit", &auth, json!({"title": "x"})).await;
    assert_eq!(status, 400);
    let broken = api
        .send(
            Method::POST,
            "/api/papers/submit",
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            None,
        )
        .await;
    assert_eq!(broken.status, 400, "{}", broken.body);
    let (status, _) = post_json(
        &Browser::new(&app.base),
        "/api/papers/submit",
        "",
        json!({"arxivId": "1707.08567"}),
    )
    .await;
    assert_eq!(status, 401, "anonymous");

    // The per-day cap (5 by default): the sixth is refused until tomorrow.
    for i in 0..5 {
        let id = unlisted_recent_paper(&app, 0).await;
        let (status, item) =
            post_json(&api, "/api/papers/submit", &auth, json!({"arxivId": id})).await;
        assert_eq!(status, 200, "submission {i}: {item}");
    }
    let sixth = unlisted_recent_paper(&app, 0).await;
    let refused = api
        .send(
            Method::POST,
            "/api/papers/submit",
            &[("authorization", &auth)],
            Some(&json!({"arxivId": sixth})),
        )
        .await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    let wait: u64 = refused.retry_after.unwrap().parse().unwrap();
    assert_eq!(wait, 12 * 3600, "until midnight UTC after 12:00");
}

async fn the_submission_form_works_without_script(db: TestDb) {
    let arxiv = fake_arxiv();
    let app = app_with_arxiv(db, &arxiv).await;
    let anonymous = Browser::new(&app.base).get("/papers/submit").await;
    assert_eq!(
        anonymous.location.as_deref(),
        Some("/login?next=%2Fpapers%2Fsubmit")
    );

    let browser = signed_in(&app, "cy").await;
    let form = browser.get("/papers/submit").await;
    assert_eq!(form.status, 200);
    let csrf = form.csrf();
    let id = unlisted_recent_paper(&app, 0).await;
    let link = format!("https://arxiv.org/abs/{id}");
    let done = browser
        .post("/papers/submit", &[("csrf", &csrf), ("arxiv_id", &link)])
        .await;
    assert_eq!(
        (done.status, done.location),
        (303, Some(format!("/papers/{id}")))
    );
    let again = browser
        .post("/papers/submit", &[("csrf", &csrf), ("arxiv_id", &id)])
        .await;
    assert_eq!(again.status, 409);
    assert!(
        again.body.contains("already") && again.body.contains(&id),
        "the form says why"
    );
    let forged = browser
        .post("/papers/submit", &[("csrf", "forged"), ("arxiv_id", &id)])
        .await;
    assert_eq!(forged.status, 403);
}

async fn trending_ranks_fresh_activity_and_says_why(db: TestDb) {
    let arxiv = fake_arxiv();
    let app = app_with_arxiv(db, &arxiv).await;
    let page = app.text("/papers/trending", 200).await;
    assert!(page.contains("Trending this week"));
    assert!(page.contains(" upvotes in "), "each entry says why: {page}");
    // A fresh submission with votes outranks the recorded week's older entries.
    let auth = bearer(&app, "dee", Role::Reader).await;
    let api = Browser::new(&app.base);
    let id = unlisted_recent_paper(&app, 3).await;
    let (status, _) = post_json(&api, "/api/papers/submit", &auth, json!({"arxivId": id})).await;
    assert_eq!(status, 200);
    for name in ["v1", "v2", "v3", "v4", "v5", "v6"] {
        let voter = bearer(&app, name, Role::Reader).await;
        let (status, _) =
            post_json(&api, &format!("/api/papers/{id}/upvote"), &voter, json!({})).await;
        assert_eq!(status, 200);
    }
    let api_trending = app
        .json("/api/daily_papers?sort=trending&date=2026-08-22", 200)
        .await;
    assert_eq!(api_trending[0]["paper"]["id"], id.as_str());
    let page = app.text("/papers/trending", 200).await;
    let first = page.find("<li class=\"paper\">").unwrap();
    assert!(
        page[first..].split("</li>").next().unwrap().contains(&id),
        "the fresh paper leads"
    );
    assert!(page.contains("6 upvotes in 0 hours"), "{page}");
}

async fn admins_put_any_paper_on_any_day_and_take_it_off(db: TestDb) {
    let arxiv = fake_arxiv();
    let app = app_with_arxiv(db, &arxiv).await;
    let admin = bearer(&app, "root", Role::Admin).await;
    let reader = bearer(&app, "ann", Role::Reader).await;
    let api = Browser::new(&app.base);
    let body = json!({"arxivId": "2608.19880", "date": "2026-08-01"});
    let (status, _) = post_json(&api, "/api/admin/daily", &reader, body.clone()).await;
    assert_eq!(status, 403, "readers do not curate");
    let (status, _) = post_json(&api, "/api/admin/daily", "", body.clone()).await;
    assert_eq!(status, 401);
    let (status, answer) = post_json(&api, "/api/admin/daily", &admin, body).await;
    assert_eq!(
        (status, answer["date"].as_str()),
        (200, Some("2026-08-01")),
        "{answer}"
    );
    let list = app.json("/api/daily_papers?date=2026-08-01", 200).await;
    assert_eq!(list[0]["paper"]["id"], "2608.19880");
    assert_eq!(list[0]["submittedBy"]["name"], "root");
    let (status, _) = post_json(
        &api,
        "/api/admin/daily",
        &admin,
        json!({"arxivId": "2608.99999"}),
    )
    .await;
    assert_eq!(status, 404);

    let path = "/api/admin/daily/2026-08-01/2608.19880";
    let refused = api
        .send(Method::DELETE, path, &[("authorization", &reader)], None)
        .await;
    assert_eq!(refused.status, 403);
    let removed = api
        .send(Method::DELETE, path, &[("authorization", &admin)], None)
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_eq!(
        app.json("/api/daily_papers?date=2026-08-01", 200).await,
        json!([])
    );
    let again = api
        .send(Method::DELETE, path, &[("authorization", &admin)], None)
        .await;
    assert_eq!(again.status, 404);
}

async fn a_missing_paper_links_to_arxiv_and_a_reader_fetches_it(db: TestDb) {
    let arxiv = fake_arxiv();
    let app = app_with_arxiv(db, &arxiv).await;
    // Signed out: the arXiv link and a way to sign in.
    let response = app.get("/papers/1707.08567").await;
    assert_eq!(response.status(), 404);
    let body = response.text().await.unwrap();
    assert!(
        body.contains("Paper 1707.08567 is not in this database"),
        "{body}"
    );
    assert!(
        body.contains(r#"href="https://arxiv.org/abs/1707.08567""#),
        "{body}"
    );
    assert!(body.contains("/login?next=/papers/1707.08567"), "{body}");
    // Signed in: a button that fetches it, then its page.
    let reader = signed_in(&app, "fetcher").await;
    let page = reader.get("/papers/1707.08567").await;
    assert_eq!(page.status, 404);
    let csrf = page.csrf();
    let fetched = reader
        .post("/papers/1707.08567/fetch", &[("csrf", &csrf)])
        .await;
    assert_eq!(fetched.status, 303, "{}", fetched.body);
    assert_eq!(fetched.location.as_deref(), Some("/papers/1707.08567"));
    let paper = app.text("/papers/1707.08567", 200).await;
    assert!(paper.contains("<h1>"), "{paper}");
    // A paper arXiv does not have: a 404 saying so; no token, no fetch.
    let none = reader
        .post("/papers/2401.00001/fetch", &[("csrf", &csrf)])
        .await;
    assert_eq!(none.status, 404);
    assert!(
        none.body.contains("arXiv has no paper 2401.00001"),
        "{}",
        none.body
    );
    let forged = reader.post("/papers/2401.00002/fetch", &[]).await;
    assert_eq!(forged.status, 403);
}
