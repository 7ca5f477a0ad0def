//! RSS and Atom feeds, read by the real `feedparser` package as feed readers do: no
//! bozo flag, the list's order, hostile titles inert.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use paperboy_core::{Email, Role, Username};
use paperboy_store::Batch;
use paperboy_testkit::on_both_backends;
use serde_json::Value;

use crate::common::{HF_DAY, TestApp, TestDb, seed_batch, seeded};

on_both_backends!(
    every_feed_parses_cleanly_in_the_list_s_order,
    hostile_titles_stay_text_in_feeds,
);

/// What `feedparser` makes of the feed at `path` (asserting it parsed cleanly).
pub(crate) async fn parse(app: &TestApp, path: &str) -> Value {
    let script = paperboy_testkit::workspace_root().join("crates/paperboy-web/tests/feeds.py");
    let output =
        tokio::process::Command::from(paperboy_testkit::python_with("feedparser", "feedparser"))
            .arg(&script)
            .arg(format!("{}{path}", app.base))
            .env("NO_PROXY", "127.0.0.1,localhost")
            .output()
            .await
            .unwrap();
    assert!(
        output.status.success(),
        "{path}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        parsed["bozo"], false,
        "{path}: {}",
        parsed["bozo_exception"]
    );
    parsed
}

fn titles(parsed: &Value) -> Vec<String> {
    parsed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn every_feed_parses_cleanly_in_the_list_s_order(db: TestDb) {
    let app = seeded(db).await;
    let list = app
        .json(&format!("/api/daily_papers?date={HF_DAY}"), 200)
        .await;
    let expected: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            i["title"]
                .as_str()
                .unwrap()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    for format in ["rss", "atom"] {
        let daily = parse(&app, &format!("/feeds/daily.{format}")).await;
        assert_eq!(
            daily["version"],
            if format == "rss" { "rss20" } else { "atom10" }
        );
        let got: Vec<String> = titles(&daily)
            .iter()
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        assert_eq!(got, expected, "the day's papers, in the list's order");
        let first_link = daily["entries"][0]["link"].as_str().unwrap();
        assert_eq!(
            first_link,
            format!(
                "{}/papers/{}",
                app.base,
                list[0]["paper"]["id"].as_str().unwrap()
            ),
            "absolute links"
        );
        let trending = parse(&app, &format!("/feeds/trending.{format}")).await;
        assert!(!titles(&trending).is_empty());
        assert!(
            trending["entries"][0]["summary"]
                .as_str()
                .unwrap()
                .starts_with("Trending: ")
        );
        let new = parse(&app, &format!("/feeds/new.{format}?category=cs.CL")).await;
        assert!(new["title"].as_str().unwrap().contains("cs.CL"));
        let search = parse(&app, &format!("/feeds/search.{format}?q=agents")).await;
        assert!(!titles(&search).is_empty());
    }
    let user = app
        .store
        .create_user(
            &Email::parse("ada@example.org").unwrap(),
            Some(&Username::parse("ada").unwrap()),
            Role::Reader,
        )
        .await
        .unwrap();
    assert!(!user.id.is_empty());
    let mine = parse(&app, "/feeds/u/ada.atom").await;
    assert!(titles(&mine).is_empty(), "nothing submitted yet");

    // Pages announce their feeds.
    let page = app.text("/papers", 200).await;
    assert!(page.contains("<link rel=\"alternate\" type=\"application/rss+xml\""));
    assert!(page.contains("href=\"/feeds/daily.atom\""));
    let search = app.text("/search?q=agents", 200).await;
    assert!(search.contains("href=\"/feeds/search.rss?q=agents\""));
    // Unknown feeds and formats are 404s that say what exists.
    assert!(app.text("/feeds/daily.xml", 404).await.contains(".rss"));
    assert!(
        app.text("/feeds/nope.rss", 404)
            .await
            .contains("daily, trending")
    );
    assert_eq!(app.get("/feeds/u/nobody.rss").await.status(), 404);
    assert_eq!(app.get("/feeds/search.rss").await.status(), 400);
}

async fn hostile_titles_stay_text_in_feeds(db: TestDb) {
    let app = TestApp::start(db).await;
    let mut batch = seed_batch();
    let hostile = "<script>alert(1)</script> & <img src=x onerror=alert(1)> ]]> \u{1}";
    for entry in &batch.entries {
        if entry.date == HF_DAY {
            let id = entry.paper_id.clone();
            let paper = batch.papers.iter_mut().find(|p| p.id == id).unwrap();
            paper.title = format!("{hostile} {}", paper.title);
            paper.summary = format!("{hostile} {}", paper.summary);
            break;
        }
    }
    app.seed(Batch {
        papers: batch.papers,
        entries: batch.entries,
    })
    .await;
    for format in ["rss", "atom"] {
        let raw = app.text(&format!("/feeds/daily.{format}"), 200).await;
        assert!(!raw.contains("<script>") && !raw.contains("<img"), "{raw}");
        let parsed = parse(&app, &format!("/feeds/daily.{format}")).await;
        let found = titles(&parsed)
            .into_iter()
            .any(|t| t.contains("<script>alert(1)</script> &"));
        assert!(found, "the title arrives as text: {:?}", titles(&parsed));
    }
}
