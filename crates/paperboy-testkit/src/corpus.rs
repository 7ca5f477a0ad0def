//! A store filled with the committed real recordings and a keyword index that
//! follows it: what search, enrichment and web tests start from.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use paperboy_ingest::{ImportOptions, import_file};
use paperboy_search::follow::IndexFollower;
use paperboy_search::keyword::KeywordIndex;
use paperboy_store::Store;

use crate::fixture_path;

/// The committed recordings [`indexed_corpus`] imports: 166 papers of one arXiv
/// listing day, 200 of the Kaggle snapshot, and one HF daily list (17 papers).
pub const CORPUS_FILES: [&str; 3] = [
    "arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl",
    "kaggle_snapshot/arxiv-metadata-oai-snapshot.sample-200.jsonl",
    "hf_api/daily_papers_date_2026-08-21.json",
];

/// Papers in the corpus.
pub const CORPUS_PAPERS: u64 = 166 + 200 + 17;

/// Imports [`CORPUS_FILES`] into `store` and indexes them in a keyword index in
/// `index_dir`; returns the follower that holds the index writer.
pub async fn indexed_corpus(store: &Store, index_dir: &Path) -> IndexFollower {
    let files: Vec<PathBuf> = CORPUS_FILES.iter().map(|f| fixture_path(f)).collect();
    let (follower, indexed) = indexed_import(store, &files, index_dir).await;
    assert_eq!(indexed, CORPUS_PAPERS);
    follower
}

/// Imports `files` into `store` (each must import cleanly) and indexes them in a
/// keyword index in `index_dir`; returns the follower that holds the index writer
/// and how many papers it indexed.
pub async fn indexed_import(
    store: &Store,
    files: &[PathBuf],
    index_dir: &Path,
) -> (IndexFollower, u64) {
    for file in files {
        let report = import_file(store, file, &ImportOptions::default()).await;
        assert!(report.is_clean(), "{}: {report:?}", file.display());
    }
    let index = Arc::new(KeywordIndex::open(index_dir).expect("index opens"));
    let follower = IndexFollower::new(index).expect("index writer");
    let indexed = follower
        .catch_up(store, &|_| {})
        .await
        .expect("papers indexed");
    (follower, indexed)
}
