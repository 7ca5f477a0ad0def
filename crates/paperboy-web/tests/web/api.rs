//! The HF-compatible JSON API, through the real router over HTTP.

use jiff::civil::date;
use serde_json::Value;

use crate::common::{TestApp, TestDb, body_json, content_type, hostile, ids, many_on_day, seeded};

paperboy_testkit::on_both_backends!(
    daily_papers_defaults_to_the_latest_day_most_upvoted_first,
    daily_papers_by_date_week_and_month,
    daily_papers_filters_by_submitter_across_days_and_sorts,
    daily_papers_pages_with_a_link_header_that_keeps_the_day,
    link_headers_use_public_url_behind_a_proxy,
    bad_parameters_are_400_json_with_the_reason,
    a_paper_is_the_flat_hf_object,
    papers_are_listed_newest_first_with_a_cursor,
    the_api_answers_json_even_when_nothing_matches,
);

fn is_hf_timestamp(value: &Value) -> bool {
    let Some(s) = value.as_str() else {
        return false;
    };
    let bytes = s.as_bytes();
    s.len() == 24
        && s.ends_with('Z')
        && bytes[10] == b'T'
        && bytes[19] == b'.'
        && s[..4].bytes().all(|b| b.is_ascii_digit())
        && s[20..23].bytes().all(|b| b.is_ascii_digit())
}

fn next_link(response: &reqwest::Response) -> Option<String> {
    let link = response.headers().get("link")?.to_str().ok()?;
    let url = link.strip_prefix('<')?.split_once(">; rel=\"next\"")?.0;
    Some(url.to_owned())
}

async fn daily_papers_defaults_to_the_latest_day_most_upvoted_first(db: TestDb) {
    let app = seeded(db).await;
    let items = app.json("/api/daily_papers", 200).await;
    let items = items.as_array().expect("array");
    assert_eq!(items.len(), 17);
    let upvotes: Vec<u64> = items
        .iter()
        .map(|i| i["paper"]["upvotes"].as_u64().expect("upvotes"))
        .collect();
    assert!(upvotes.windows(2).all(|w| w[0] >= w[1]), "{upvotes:?}");

    let first = &items[0];
    assert_eq!(first["paper"]["id"], "2608.19880");
    assert_eq!(
        first["title"],
        "EnvHarness: Awakening Static Worlds for Agent Learning"
    );
    assert_eq!(first["paper"]["title"], first["title"]);
    assert_eq!(first["paper"]["upvotes"], 163);
    assert_eq!(first["numComments"], 1);
    assert_eq!(first["isAuthorParticipating"], false);
    assert_eq!(
        first["paper"]["authors"][0],
        serde_json::json!({"name": "Chengsong Huang", "hidden": false})
    );
    assert_eq!(
        first["paper"]["githubRepo"],
        "https://github.com/google-research/envharness"
    );
    assert_eq!(first["paper"]["projectPage"], "https://envharness.com/");
    assert_eq!(first["paper"]["githubStars"], 8);
    assert!(first["paper"]["ai_summary"].as_str().is_some());
    assert!(
        first["paper"]["ai_keywords"]
            .as_array()
            .is_some_and(|k| !k.is_empty())
    );
    assert_eq!(first["paper"]["publishedAt"], "2026-08-20T00:00:00.000Z");
    assert_eq!(
        first["paper"]["submittedOnDailyAt"],
        "2026-08-21T00:00:00.000Z"
    );
    assert!(is_hf_timestamp(&first["publishedAt"]));
    let by = &first["submittedBy"];
    assert_eq!(by["name"], "taesiri");
    assert_eq!(by["fullname"], "taesiri");
    assert_eq!(by["type"], "user");
    assert!(
        by["avatarUrl"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://"))
    );
    assert_eq!(first["paper"]["submittedOnDailyBy"]["user"], "taesiri");
    // Nothing invented: no HF object ids, discussions or thumbnails.
    for absent in ["thumbnail", "organization"] {
        assert!(first.get(absent).is_none(), "{absent}");
    }
    assert!(first["paper"].get("discussionId").is_none());
    assert!(by.get("_id").is_none());
}

async fn daily_papers_by_date_week_and_month(db: TestDb) {
    let app = seeded(db).await;
    let old = app.json("/api/daily_papers?date=2024-05-27", 200).await;
    assert_eq!(old.as_array().map(Vec::len), Some(13));
    assert!(ids(&old).contains(&"2405.15738".to_owned()));
    // The oldest schema has no submitter and no submittedOnDailyAt: both left out.
    let first = &old[0];
    assert!(first.get("submittedBy").is_none());
    assert!(first["paper"].get("submittedOnDailyAt").is_none());
    assert!(is_hf_timestamp(&first["paper"]["publishedAt"]));

    let week = app.json("/api/daily_papers?week=2024-W22", 200).await;
    assert_eq!(ids(&week), ids(&old));
    let month = app.json("/api/daily_papers?month=2026-08", 200).await;
    assert_eq!(month.as_array().map(Vec::len), Some(17));
    let nothing = app.json("/api/daily_papers?date=2025-01-01", 200).await;
    assert_eq!(nothing, serde_json::json!([]));
}

async fn daily_papers_filters_by_submitter_across_days_and_sorts(db: TestDb) {
    let app = seeded(db).await;
    let mine = app.json("/api/daily_papers?submitter=taesiri", 200).await;
    assert_eq!(ids(&mine), ["2608.19880", "2608.19891"]);

    let by_date = app
        .json("/api/daily_papers?month=2026-08&sort=publishedAt", 200)
        .await;
    let published: Vec<&str> = by_date
        .as_array()
        .expect("array")
        .iter()
        .map(|i| i["paper"]["publishedAt"].as_str().expect("publishedAt"))
        .collect();
    assert!(published.windows(2).all(|w| w[0] >= w[1]), "{published:?}");
    let trending = app.json("/api/daily_papers?sort=trending", 200).await;
    assert_eq!(trending.as_array().map(Vec::len), Some(17));
}

async fn daily_papers_pages_with_a_link_header_that_keeps_the_day(db: TestDb) {
    let app = seeded(db).await;
    let response = app.get("/api/daily_papers?limit=5").await;
    let next = next_link(&response).expect("Link: rel=next");
    assert_eq!(
        next,
        format!("{}/api/daily_papers?date=2026-08-21&p=1&limit=5", app.base)
    );
    let first: Value = body_json(response).await;
    assert_eq!(first.as_array().map(Vec::len), Some(5));

    let mut seen = ids(&first);
    let mut url = Some(next);
    while let Some(next) = url {
        let response = app.client().get(&next).send().await.expect("next page");
        url = next_link(&response);
        let page: Value = body_json(response).await;
        seen.extend(ids(&page));
    }
    let all = app.json("/api/daily_papers?limit=100", 200).await;
    assert_eq!(seen, ids(&all), "pages join up to the whole list");

    let last = app.get("/api/daily_papers?limit=5&p=3").await;
    assert!(last.headers().get("link").is_none());
    let past_end = app.json("/api/daily_papers?limit=5&p=9", 200).await;
    assert_eq!(past_end, serde_json::json!([]));
}

async fn link_headers_use_public_url_behind_a_proxy(db: TestDb) {
    let app = TestApp::with_settings(db, |s| {
        s.public_url = "https://papers.example.org/".into();
    })
    .await;
    app.seed(many_on_day(date(2025, 1, 6), 3)).await;
    let response = app.get("/api/daily_papers?limit=2&submitter=nobody").await;
    assert!(next_link(&response).is_none());
    let response = app.get("/api/daily_papers?limit=2").await;
    assert_eq!(
        next_link(&response).as_deref(),
        Some("https://papers.example.org/api/daily_papers?date=2025-01-06&p=1&limit=2")
    );
    let response = app.get("/api/papers?limit=2").await;
    let next = next_link(&response).expect("next");
    assert!(
        next.starts_with("https://papers.example.org/api/papers?cursor="),
        "{next}"
    );
}

async fn bad_parameters_are_400_json_with_the_reason(db: TestDb) {
    let app = seeded(db).await;
    for (query, reason) in [
        ("date=2024-02-30", "is not a date (YYYY-MM-DD)"),
        ("week=2024-22", "is not a week"),
        ("month=May", "is not a month"),
        (
            "date=2024-05-27&week=2024-W22",
            "at most one of `date`, `week` and `month`",
        ),
        ("limit=0", "`limit` must be a number from 1 to 100"),
        ("limit=1000", "`limit` must be a number from 1 to 100"),
        ("p=-1", "`p` must be a page number"),
        ("sort=best", "`sort` must be `publishedAt` or `trending`"),
        ("submitter=", "`submitter` must be"),
        // A repeated parameter takes its first value.
        ("date=a&date=b", "`a` is not a date"),
    ] {
        let body = app.json(&format!("/api/daily_papers?{query}"), 400).await;
        let error = body["error"].as_str().unwrap_or_default();
        assert!(error.contains(reason), "{query}: {body}");
        assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{query}");
    }
    let body = app.json("/api/papers?limit=x", 400).await;
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("`limit`"))
    );
    let body = app.json("/api/papers?cursor=garbage", 400).await;
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("invalid cursor"))
    );
}

async fn a_paper_is_the_flat_hf_object(db: TestDb) {
    let app = seeded(db).await;
    let paper = app.json("/api/papers/2608.19880", 200).await;
    assert_eq!(paper["id"], "2608.19880");
    assert_eq!(
        paper["title"],
        "EnvHarness: Awakening Static Worlds for Agent Learning"
    );
    assert_eq!(paper["upvotes"], 163);
    assert_eq!(paper["authors"][1]["name"], "Zifeng Wang");
    assert_eq!(
        paper["githubRepo"],
        "https://github.com/google-research/envharness"
    );
    assert_eq!(paper["submittedOnDailyAt"], "2026-08-21T00:00:00.000Z");
    assert_eq!(paper["submittedOnDailyBy"]["name"], "taesiri");
    assert!(paper.get("paper").is_none(), "flat, not wrapped");

    let old = app.json("/api/papers/hep-th/9901001", 200).await;
    assert_eq!(old["id"], "hep-th/9901001");
    assert_eq!(old["upvotes"], 0);
    assert_eq!(old["publishedAt"], "1999-01-04T12:00:00.000Z");
    let versioned = app.json("/api/papers/2608.19880v3", 200).await;
    assert_eq!(versioned["id"], "2608.19880");

    let missing = app.json("/api/papers/2401.99999", 404).await;
    assert!(
        missing["error"]
            .as_str()
            .is_some_and(|e| e.contains("2401.99999 is not in this database"))
    );
    let malformed = app.json("/api/papers/abc", 400).await;
    assert!(
        malformed["error"]
            .as_str()
            .is_some_and(|e| e.contains("`abc` is not an arXiv id"))
    );
}

async fn papers_are_listed_newest_first_with_a_cursor(db: TestDb) {
    let app = TestApp::start(db).await;
    app.seed(many_on_day(date(2025, 1, 6), 3)).await;
    app.seed(hostile(date(2025, 2, 3))).await;
    let response = app.get("/api/papers?limit=3").await;
    assert_eq!(content_type(&response), "application/json");
    let next = next_link(&response).expect("next page");
    let first: Value = body_json(response).await;
    assert_eq!(ids(&first)[0], "2502.00666", "newest first");
    let response = app.client().get(&next).send().await.expect("next");
    assert!(next_link(&response).is_none(), "last page");
    let rest: Value = body_json(response).await;
    assert_eq!(rest.as_array().map(Vec::len), Some(1));
    // JSON escapes by being JSON: the hostile title round-trips unchanged.
    assert_eq!(
        first[0]["title"],
        "<script>alert(1)</script> \"quoted\" & 'single'"
    );
}

async fn the_api_answers_json_even_when_nothing_matches(db: TestDb) {
    let app = TestApp::start(db).await;
    assert_eq!(
        app.json("/api/daily_papers", 200).await,
        serde_json::json!([])
    );
    assert_eq!(app.json("/api/papers", 200).await, serde_json::json!([]));
    for path in ["/api", "/api/", "/api/models", "/api/daily_papers/extra"] {
        let body = app.json(path, 404).await;
        assert!(
            body["error"]
                .as_str()
                .is_some_and(|e| e.contains("no API endpoint")),
            "{path}: {body}"
        );
    }
    let response = app
        .client()
        .post(format!("{}/api/daily_papers", app.base))
        .send()
        .await
        .expect("response");
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET,HEAD");
    assert_eq!(content_type(&response), "application/json");
    let body: Value = body_json(response).await;
    assert_eq!(body["error"], "Method Not Allowed");
}
