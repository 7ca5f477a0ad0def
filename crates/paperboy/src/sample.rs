//! The bundled first-run sample: a few weeks of real daily lists with their papers,
//! loaded by `serve` into a store that holds no papers at all.

use paperboy_ingest::import::{FileReport, ImportOptions, import_input};
use paperboy_ingest::input;
use paperboy_store::Store;

/// Sample files, imported in this order (listing records first: they carry categories).
const FILES: [(&str, &[u8]); 2] = [
    (
        "sample/arxiv_listing.jsonl.gz",
        include_bytes!("../sample/arxiv_listing.jsonl.gz"),
    ),
    (
        "sample/hf_daily.jsonl.gz",
        include_bytes!("../sample/hf_daily.jsonl.gz"),
    ),
];

/// Loads the sample when the store holds no papers. Returns the import reports, or
/// `None` when the store already had papers.
pub async fn load_if_empty(store: &Store) -> anyhow::Result<Option<Vec<FileReport>>> {
    if store.stats().await?.papers > 0 {
        return Ok(None);
    }
    let mut reports = Vec::with_capacity(FILES.len());
    for (name, bytes) in FILES {
        let input = input::from_bytes(bytes)?;
        let report = import_input(store, name.to_owned(), input, &ImportOptions::default()).await;
        if let Some(error) = &report.error {
            anyhow::bail!("loading the bundled sample {name} failed: {error}");
        }
        reports.push(report);
    }
    Ok(Some(reports))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn loads_once_into_an_empty_store_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_dir(dir.path()).await.unwrap();
        let reports = load_if_empty(&store)
            .await
            .unwrap()
            .expect("empty store gets the sample");
        assert!(reports.iter().all(FileReport::is_clean), "{reports:?}");
        let stats = store.stats().await.unwrap();
        assert_eq!(stats.daily_entries, 467);
        assert!(stats.papers > 1_800, "{stats:?}");
        assert!(stats.categories > 10 && stats.daily_days >= 15, "{stats:?}");
        assert!(load_if_empty(&store).await.unwrap().is_none());
        assert_eq!(store.stats().await.unwrap(), stats);
    }
}
