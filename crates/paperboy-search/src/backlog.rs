//! The work of keeping vectors current: the walk over a backlog that the embedding
//! and key-phrase jobs share, the embedding job, and the job that loads vectors other
//! processes stored.
//!
//! Resumable by construction: a backlog is a query (papers without current data),
//! each batch is stored in one transaction, and a paper whose text did not change
//! since its data was made is only marked current.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use paperboy_core::ArxivId;
use paperboy_jobs::{
    BoxFuture, Job, JobContext, JobError, JobSpec, Outcome, Progress, ProgressLog, Scope,
};
use paperboy_store::{
    Backlog, BacklogPosition, BacklogTask, ChangeCursor, EmbeddingRow, Store, StoreError,
};

use crate::Result;
use crate::engine::Semantic;
use crate::vector::VectorIndex;

/// Papers embedded per batch (the local model sorts a batch by length).
pub const BATCH: u32 = 64;
/// Rows read per query while loading stored vectors.
const LOAD_CHUNK: u32 = 5_000;
/// How often the embedding job looks for new papers once the backlog is empty.
const EMBED_INTERVAL: Duration = Duration::from_secs(10);
/// How often an instance looks for vectors stored by others.
const VECTOR_FOLLOW_INTERVAL: Duration = Duration::from_secs(2);

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

/// What a backlog job does with papers whose data is missing or stale.
pub trait BacklogWork: Sync {
    /// Its error.
    type Error: From<StoreError> + Send;
    /// Makes and stores the data of `fresh` (one transaction per batch).
    fn process(
        &self,
        fresh: Vec<BacklogTask>,
    ) -> impl std::future::Future<Output = Result<(), Self::Error>> + Send;
}

/// Walks `backlog` newest first, `batch` papers at a time, until it is empty or `ctx`
/// is cancelled: papers whose text is unchanged since their data was made are marked
/// current, the others go to `work`, which makes and stores their data.
/// Reports progress after every batch and returns the total.
pub async fn walk_backlog<W: BacklogWork>(
    store: &Store,
    backlog: &Backlog<'_>,
    batch: u32,
    ctx: &JobContext,
    work: &W,
) -> Result<Progress, W::Error> {
    let mut done = Progress::default();
    let mut position = BacklogPosition::start();
    while !ctx.is_cancelled() {
        let tasks = store.backlog(backlog, &position, batch).await?;
        let Some(last) = tasks.last() else { break };
        position = last.position.clone();
        let (fresh, unchanged): (Vec<_>, Vec<_>) = tasks
            .into_iter()
            .partition(|t| t.stored_hash != Some(text_hash(&paper_text(&t.title, &t.summary))));
        if !unchanged.is_empty() {
            let marks: Vec<(&ArxivId, i64)> =
                unchanged.iter().map(|t| (&t.id, t.change_seq)).collect();
            store.mark_backlog_current(backlog, &marks).await?;
            done.unchanged += unchanged.len() as u64;
        }
        if !fresh.is_empty() {
            done.done += fresh.len() as u64;
            work.process(fresh).await?;
        }
        ctx.report(done);
    }
    Ok(done)
}

/// Reads every stored vector of `model` into an index of dimension `dim`; returns it
/// with the cursor of the embeddings feed to follow from (taken before reading, so
/// nothing stored meanwhile is missed).
pub async fn load_vectors(
    store: &Store,
    model: &str,
    dim: usize,
) -> Result<(VectorIndex, ChangeCursor)> {
    let cursor = ChangeCursor {
        seq: store.counters().await?.embedding_seq,
        id: String::new(),
    };
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
    Ok((index, cursor))
}

/// Embeds a batch of papers, stores the vectors and adds them to the index.
struct EmbedBatch<'a> {
    store: &'a Store,
    semantic: &'a Semantic,
    model: &'a str,
}

impl BacklogWork for EmbedBatch<'_> {
    type Error = crate::SearchError;

    async fn process(&self, fresh: Vec<BacklogTask>) -> Result<()> {
        let texts: Vec<String> = fresh
            .iter()
            .map(|t| paper_text(&t.title, &t.summary))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let vectors = self.semantic.embedder().embed(&refs).await?;
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
        self.store.save_embeddings(self.model, &rows).await?;
        self.semantic
            .insert(fresh.iter().map(|t| t.id.clone()).zip(vectors));
        Ok(())
    }
}

/// Embeds the backlog of `semantic`'s model until it is empty or `ctx` is
/// cancelled, storing vectors and adding them to `semantic`'s index.
pub async fn run_backlog(store: &Store, semantic: &Semantic, ctx: &JobContext) -> Result<Progress> {
    let Some(model) = semantic.embedder().model_name() else {
        return Ok(Progress::default());
    };
    let work = EmbedBatch {
        store,
        semantic,
        model,
    };
    walk_backlog(store, &Backlog::Embeddings { model }, BATCH, ctx, &work).await
}

/// The embedding backlog as a cluster job: one instance embeds each paper.
pub struct EmbeddingJob {
    store: Store,
    semantic: Arc<Semantic>,
    /// The change sequence of the last complete round: papers only join the backlog
    /// when they change, so while the counter stays there a round costs one read
    /// (finding the backlog empty means reading every paper).
    done_up_to: Mutex<Option<i64>>,
    /// How often a round logs its progress, if it does.
    log_every: Option<Duration>,
}

impl EmbeddingJob {
    /// The job for `semantic`'s model.
    pub fn new(store: Store, semantic: Arc<Semantic>) -> Self {
        Self {
            store,
            semantic,
            done_up_to: Mutex::new(None),
            log_every: None,
        }
    }

    /// Logs a round's progress (papers done, rate, time left) once per `every` while
    /// it embeds, for a server's log; a command shows a progress bar instead.
    pub fn logging_progress(self, every: Duration) -> Self {
        Self {
            log_every: Some(every),
            ..self
        }
    }

    /// The progress log of a round, when this job logs progress.
    async fn progress_log(&self) -> Result<Option<Arc<ProgressLog>>> {
        let (Some(every), Some(model)) = (self.log_every, self.semantic.embedder().model_name())
        else {
            return Ok(None);
        };
        let waiting = self
            .store
            .backlog_len(&Backlog::Embeddings { model })
            .await?;
        Ok(Some(ProgressLog::new(
            "embedding",
            ("paper", "papers"),
            waiting,
            every,
        )))
    }
}

impl Job for EmbeddingJob {
    fn spec(&self) -> JobSpec {
        JobSpec::new(
            format!(
                "embed:{}",
                self.semantic.embedder().model_name().unwrap_or("none")
            ),
            Scope::Cluster,
            EMBED_INTERVAL,
        )
    }

    fn run<'a>(&'a self, ctx: &'a JobContext) -> BoxFuture<'a, Result<Outcome, JobError>> {
        Box::pin(async move {
            let seq = self.store.current_change_seq().await?;
            if *self.done_up_to.lock().unwrap_or_else(|e| e.into_inner()) == Some(seq) {
                return Ok(Outcome::Idle);
            }
            match self.progress_log().await? {
                Some(log) => {
                    log.finish(run_backlog(&self.store, &self.semantic, &log.context(ctx)).await?);
                }
                None => {
                    run_backlog(&self.store, &self.semantic, ctx).await?;
                }
            }
            if !ctx.is_cancelled() {
                *self.done_up_to.lock().unwrap_or_else(|e| e.into_inner()) = Some(seq);
            }
            Ok(Outcome::Idle)
        })
    }
}

/// Keeps an instance's vectors current with what any process stored (another
/// instance's embedding job, `paperboy embed`): follows the embeddings feed.
pub struct VectorFollower {
    store: Store,
    semantic: Arc<Semantic>,
    cursor: tokio::sync::Mutex<ChangeCursor>,
}

impl VectorFollower {
    /// Follows the feed of `semantic`'s model from `cursor` (as [`load_vectors`]
    /// returned it).
    pub fn new(store: Store, semantic: Arc<Semantic>, cursor: ChangeCursor) -> Self {
        Self {
            store,
            semantic,
            cursor: tokio::sync::Mutex::new(cursor),
        }
    }
}

impl Job for VectorFollower {
    fn spec(&self) -> JobSpec {
        JobSpec::new("vectors", Scope::Instance, VECTOR_FOLLOW_INTERVAL)
    }

    fn run<'a>(&'a self, ctx: &'a JobContext) -> BoxFuture<'a, Result<Outcome, JobError>> {
        Box::pin(async move {
            let embedder = self.semantic.embedder();
            let (Some(model), Some(dim)) = (embedder.model_name(), embedder.dimension()) else {
                return Ok(Outcome::Idle);
            };
            let mut cursor = self.cursor.lock().await;
            let mut loaded = 0u64;
            while !ctx.is_cancelled() {
                let page = self
                    .store
                    .embeddings_stored_since(model, dim, &cursor, LOAD_CHUNK)
                    .await?;
                let Some((_, _, last)) = page.last() else {
                    break;
                };
                *cursor = last.clone();
                loaded += page.len() as u64;
                self.semantic
                    .insert(page.into_iter().map(|(id, vector, _)| (id, vector)));
            }
            ctx.report(Progress {
                done: loaded,
                ..Progress::default()
            });
            Ok(Outcome::Idle)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_hash_is_stable_and_sensitive() {
        assert_eq!(text_hash("abc"), text_hash("abc"));
        assert_ne!(text_hash("abc"), text_hash("abd"));
        // FNV-1a of "a" is a known constant.
        assert_eq!(text_hash("a") as u64, 0xaf63_dc4c_8601_ec8c);
    }
}
