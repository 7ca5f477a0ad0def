//! The embedding backlog job: embed every paper that has no up-to-date vector for the
//! configured model, newest papers first, and load stored vectors at start.
//!
//! Resumable by construction: the backlog is a query (papers without a current
//! vector), each batch's vectors are stored in one transaction, and a paper whose
//! text did not change since it was embedded is only marked current.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use paperboy_core::ArxivId;
use paperboy_store::{Backlog, BacklogPosition, BacklogTask, EmbeddingRow, Store};

use crate::Result;
use crate::engine::Semantic;
use crate::vector::VectorIndex;

/// Papers embedded per batch (the local model sorts a batch by length).
pub const BATCH: u32 = 64;
/// Rows read per query while loading stored vectors.
const LOAD_CHUNK: u32 = 5_000;

/// The text a paper is embedded from.
pub fn paper_text(title: &str, summary: &str) -> String {
    format!("{title}. {summary}")
}

/// A stable 64-bit hash (FNV-1a) of the embedded text, stored to detect changes.
pub fn text_hash(text: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// Reads every stored vector of `model` into an index of dimension `dim`.
pub async fn load_vectors(store: &Store, model: &str, dim: usize) -> Result<VectorIndex> {
    let mut index = VectorIndex::new(dim);
    let mut after = String::new();
    loop {
        let page = store
            .embeddings_page(model, dim, &after, LOAD_CHUNK)
            .await?;
        let Some((last, _)) = page.last() else { break };
        after = last.to_string();
        for (id, vector) in page {
            index.upsert(id, &vector);
        }
    }
    Ok(index)
}

/// Progress of a backlog run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BacklogProgress {
    /// Papers embedded.
    pub embedded: u64,
    /// Papers found unchanged and only marked current.
    pub unchanged: u64,
    /// Seconds spent.
    pub seconds: f64,
}

impl BacklogProgress {
    /// Papers embedded per second.
    pub fn rate(&self) -> f64 {
        per_second(self.embedded, self.seconds)
    }
}

/// `count` over `seconds`, 0 before any time has passed: the rate a background job
/// reports.
pub fn per_second(count: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
    }
}

/// Embeds the backlog until it is empty or `stop` is set, storing vectors and adding
/// them to `semantic`'s index. `progress` is called after every batch.
pub async fn run_backlog(
    store: &Store,
    semantic: &Semantic,
    stop: &AtomicBool,
    progress: &(dyn Fn(&BacklogProgress) + Sync),
) -> Result<BacklogProgress> {
    let Some(model) = semantic.embedder().model_name().map(str::to_owned) else {
        return Ok(BacklogProgress::default());
    };
    let started = Instant::now();
    let mut done = BacklogProgress::default();
    let mut position = BacklogPosition::start();
    while !stop.load(Ordering::Relaxed) {
        let tasks = store
            .backlog(&Backlog::Embeddings { model: &model }, &position, BATCH)
            .await?;
        let Some(last) = tasks.last() else { break };
        position = last.position.clone();
        let (fresh, unchanged) = split_unchanged(tasks);
        if !unchanged.is_empty() {
            let marks: Vec<(&ArxivId, i64)> =
                unchanged.iter().map(|t| (&t.id, t.change_seq)).collect();
            store.mark_embeddings_current(&model, &marks).await?;
            done.unchanged += unchanged.len() as u64;
        }
        if !fresh.is_empty() {
            let texts: Vec<String> = fresh
                .iter()
                .map(|t| paper_text(&t.title, &t.summary))
                .collect();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let vectors = semantic.embedder().embed(&refs).await?;
            let rows: Vec<EmbeddingRow> = fresh
                .iter()
                .zip(&texts)
                .zip(&vectors)
                .map(|((task, text), vector)| EmbeddingRow {
                    id: &task.id,
                    vector,
                    text_hash: text_hash(text),
                    source_seq: task.change_seq,
                })
                .collect();
            store.save_embeddings(&model, &rows).await?;
            semantic.insert(fresh.iter().map(|t| t.id.clone()).zip(vectors));
            done.embedded += fresh.len() as u64;
        }
        done.seconds = started.elapsed().as_secs_f64();
        progress(&done);
    }
    done.seconds = started.elapsed().as_secs_f64();
    Ok(done)
}

/// Splits tasks into those whose text changed (or was never processed) and those
/// whose stored data (a vector, key phrases) is still right.
pub fn split_unchanged(tasks: Vec<BacklogTask>) -> (Vec<BacklogTask>, Vec<BacklogTask>) {
    tasks
        .into_iter()
        .partition(|t| t.stored_hash != Some(text_hash(&paper_text(&t.title, &t.summary))))
}

/// Runs the backlog now and then forever (for `serve`): every `interval` it looks
/// again, until `stop` is set. Papers only join the backlog when they change, so a
/// look that finds the database's change counter where the last complete run left
/// it costs one read (finding the backlog empty means reading every paper). Vectors
/// another process stored (`paperboy embed` while the server runs) are loaded when
/// the stored count no longer matches the index.
pub async fn follow_backlog(
    store: Store,
    semantic: Arc<Semantic>,
    interval: Duration,
    stop: Arc<AtomicBool>,
) {
    let mut done_up_to = None;
    while !stop.load(Ordering::Relaxed) {
        match store.current_change_seq().await {
            Ok(seq) if done_up_to == Some(seq) => {}
            Ok(seq) => match run_backlog(&store, &semantic, &stop, &|_| {}).await {
                Ok(p) => {
                    if p.embedded > 0 {
                        tracing::info!(
                            papers = p.embedded,
                            per_second = format!("{:.1}", p.rate()),
                            "embedded papers"
                        )
                    }
                    if !stop.load(Ordering::Relaxed) {
                        done_up_to = Some(seq);
                    }
                }
                Err(e) => tracing::warn!("embedding backlog failed, retrying later: {e}"),
            },
            Err(e) => tracing::warn!("reading the change counter failed: {e}"),
        }
        if let Err(e) = reload_if_stale(&store, &semantic).await {
            tracing::warn!("reloading stored vectors failed: {e}");
        }
        let deadline = tokio::time::Instant::now() + interval;
        while !stop.load(Ordering::Relaxed) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

async fn reload_if_stale(store: &Store, semantic: &Semantic) -> Result<()> {
    let (Some(model), Some(dim)) = (
        semantic.embedder().model_name(),
        semantic.embedder().dimension(),
    ) else {
        return Ok(());
    };
    if store.embedding_count(model).await? != semantic.len() as u64 {
        let vectors = load_vectors(store, model, dim).await?;
        tracing::info!(
            papers = vectors.len(),
            "loaded vectors stored by another process"
        );
        semantic.replace(vectors);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_zero_before_time_passes() {
        assert_eq!(per_second(10, 0.0), 0.0);
        assert_eq!(per_second(10, 4.0), 2.5);
    }

    #[test]
    fn text_hash_is_stable_and_sensitive() {
        assert_eq!(text_hash("abc"), text_hash("abc"));
        assert_ne!(text_hash("abc"), text_hash("abd"));
        // FNV-1a of "a" is a known constant.
        assert_eq!(text_hash("a") as u64, 0xaf63_dc4c_8601_ec8c);
    }
}
