//! Compatibility with the real `huggingface_hub` client: `tests/hf_client.py` calls
//! `HfApi(endpoint=<this server>)` and prints what the client parsed.

use paperboy_core::Period;
use paperboy_store::DailyQuery;
use serde_json::Value;

use crate::common::{HF_DAY, OLD_HF_DAY, TestApp, TestDb, run_client, seeded};

paperboy_testkit::on_both_backends!(
    huggingface_hub_reads_daily_papers_and_paper_info,
    huggingface_hub_searches_papers,
    huggingface_hub_sees_local_upvotes_and_comments,
);

/// What the seeded store holds for `period`, in list order: (id, title, upvotes).
async fn expected(app: &TestApp, period: Period) -> Vec<(String, String, u64)> {
    let page = app
        .store
        .daily_page(&DailyQuery::period(period, 100))
        .await
        .expect("store reads");
    page.items
        .iter()
        .map(|item| {
            (
                item.record.paper.id.to_string(),
                item.record.paper.title.clone(),
                u64::from(item.entry.upvotes),
            )
        })
        .collect()
}

fn parsed(list: &Value) -> Vec<(String, String, u64)> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().expect("id").to_owned(),
                p["title"].as_str().expect("title").to_owned(),
                p["upvotes"].as_u64().expect("upvotes"),
            )
        })
        .collect()
}

async fn huggingface_hub_reads_daily_papers_and_paper_info(db: TestDb) {
    let app = seeded(db).await;
    let out = run_client(
        &app,
        &[
            "read",
            &HF_DAY.to_string(),
            "2024-W22",
            "2608.19880",
            "hep-th/9901001",
            "2401.99999",
        ],
    )
    .await;

    let day = expected(&app, Period::Day(HF_DAY)).await;
    assert_eq!(day.len(), 17);
    assert_eq!(parsed(&out["date"]), day);
    assert_eq!(parsed(&out["page_1_of_3"]), day[3..6]);
    let mut trending = parsed(&out["trending"]);
    let mut sorted_day = day.clone();
    trending.sort();
    sorted_day.sort();
    assert_eq!(trending, sorted_day, "trending lists the same day");

    let week = expected(&app, Period::parse_week("2024-W22").expect("week")).await;
    assert_eq!(week.len(), 13);
    assert_eq!(parsed(&out["week"]), week);
    assert!(week.iter().all(|(id, ..)| id.starts_with("2405.")));
    let first_old = &out["week"][0];
    assert!(
        first_old["published_at"]
            .as_str()
            .is_some_and(|t| t.starts_with("2024-05-"))
    );
    assert_eq!(expected(&app, Period::Day(OLD_HF_DAY)).await.len(), 13);

    let first = &out["date"][0];
    assert_eq!(first["id"], "2608.19880");
    assert_eq!(first["authors"][0], "Chengsong Huang");
    assert_eq!(first["published_at"], "2026-08-20T00:00:00+00:00");
    // The client reads a daily item's githubRepo from the item, where HF never puts it.
    assert_eq!(first["github_repo"], Value::Null);
    assert_eq!(first["comments"], 1);

    let paper = &out["paper"];
    assert_eq!(paper["id"], "2608.19880");
    assert_eq!(
        paper["title"],
        "EnvHarness: Awakening Static Worlds for Agent Learning"
    );
    assert_eq!(paper["upvotes"], 163);
    assert_eq!(paper["published_at"], "2026-08-20T00:00:00+00:00");
    assert_eq!(paper["submitted_at"], "2026-08-21T00:00:00+00:00");
    assert_eq!(
        paper["github_repo"],
        "https://github.com/google-research/envharness"
    );
    assert_eq!(
        paper["summary_start"],
        "LLM agents learn by interacting with env"
    );

    let old = &out["old_style"];
    assert_eq!(old["id"], "hep-th/9901001");
    assert_eq!(old["title"], "Old-style identifiers still work");
    assert_eq!(old["authors"][0], "Ada Lovelace");
    assert_eq!(out["missing_status"], 404);
}

async fn huggingface_hub_searches_papers(db: TestDb) {
    let app = seeded(db).await;
    let title_words = "EnvHarness static worlds";
    let author = r#"author:"Chengsong Huang""#;
    let nothing = "zyxwvutsrq";
    let out = run_client(&app, &["search", "3", title_words, author, nothing]).await;

    let found = out[title_words].as_array().expect("a list");
    assert!(!found.is_empty() && found.len() <= 3, "{found:?}");
    let first = &found[0];
    assert_eq!(first["id"], "2608.19880");
    assert_eq!(
        first["title"],
        "EnvHarness: Awakening Static Worlds for Agent Learning"
    );
    assert_eq!(first["authors"][0], "Chengsong Huang");
    assert_eq!(first["upvotes"], 163);
    assert_eq!(first["published_at"], "2026-08-20T00:00:00+00:00");
    assert_eq!(
        first["summary_start"],
        "LLM agents learn by interacting with env"
    );
    assert_eq!(
        first["comments"], 0,
        "the client's default: a hit is no daily entry"
    );

    let by_author: Vec<&str> = out[author]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(by_author, ["2608.19880"]);
    assert_eq!(out[nothing], serde_json::json!([]));
}

async fn huggingface_hub_sees_local_upvotes_and_comments(db: TestDb) {
    let app = seeded(db).await;
    let paper = paperboy_core::ArxivId::parse("2608.19880").expect("id");
    for name in ["ada", "bob"] {
        let email = paperboy_core::Email::parse(&format!("{name}@example.org")).expect("email");
        let user = app
            .store
            .find_or_create_user(&email)
            .await
            .expect("account");
        app.store
            .set_vote(&user.id, &paper, true)
            .await
            .expect("vote");
        app.store
            .add_comment(&paper, &user.id, None, "Worth reading.")
            .await
            .expect("comment");
    }
    let out = run_client(
        &app,
        &[
            "read",
            &HF_DAY.to_string(),
            "2024-W22",
            "2608.19880",
            "hep-th/9901001",
            "2401.99999",
        ],
    )
    .await;
    let first = &out["date"][0];
    assert_eq!(first["id"], "2608.19880");
    assert_eq!(first["upvotes"], 165, "163 imported + 2 local");
    assert_eq!(first["comments"], 3, "1 imported + 2 local");
    assert_eq!(out["paper"]["upvotes"], 165);
}
