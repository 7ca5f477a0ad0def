//! The key-phrase job: extract key phrases for every paper that has no `ai_keywords`
//! from a source and none (or stale ones) from this extractor, newest papers first.
//!
//! Resumable by construction, like the embedding backlog: the backlog is a query,
//! each batch is stored in one transaction, and a paper whose text did not change
//! since its phrases were extracted is only marked current. Only papers the keyword
//! index already holds are taken, so each is scored against a corpus that has it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use paperboy_jobs::{BoxFuture, Job, JobContext, JobError, JobSpec, Outcome, Progress, Scope};
use paperboy_search::backlog::{BacklogWork, paper_text, text_hash, walk_backlog};
use paperboy_search::keyword::{IndexStats, KeywordIndex};
use paperboy_store::{Backlog, BacklogTask, KeyphraseRow, Store};

use super::Extractor;
use crate::{EnrichError, Result};

/// The extractor's name and version, stored with its phrases: changing the
/// extraction changes this, and every paper is done again.
pub const METHOD: &str = "corpus-tfidf-2";
/// Papers read from the backlog and stored at a time.
const BATCH: u32 = 200;
/// How often the job looks for papers the index has taken in since the last round.
const INTERVAL: Duration = Duration::from_secs(10);

/// Papers waiting for key phrases that the index holds.
pub async fn backlog_len(store: &Store, index: &KeywordIndex) -> Result<u64> {
    Ok(store
        .backlog_len(&Backlog::Keyphrases {
            method: METHOD,
            up_to_seq: index.cursor()?.seq,
        })
        .await?)
}

/// Extracts the phrases of a batch of papers and stores them.
struct ExtractBatch<'a> {
    store: &'a Store,
    stats: Arc<IndexStats>,
}

impl BacklogWork for ExtractBatch<'_> {
    type Error = EnrichError;

    async fn process(&self, fresh: Vec<BacklogTask>) -> Result<()> {
        let (fresh, phrases) = extract_all(fresh, self.stats.clone()).await?;
        let rows: Vec<KeyphraseRow> = fresh
            .iter()
            .zip(&phrases)
            .map(|(task, phrases)| KeyphraseRow {
                id: &task.id,
                phrases,
                text_hash: text_hash(&paper_text(&task.title, &task.summary)),
                source_seq: task.change_seq,
            })
            .collect();
        self.store.save_keyphrases(METHOD, &rows).await?;
        Ok(())
    }
}

/// Extracts key phrases for the backlog until it is empty or `ctx` is cancelled,
/// against the statistics of `index` as it was committed at the start.
pub async fn run_keyphrases(
    store: &Store,
    index: &KeywordIndex,
    ctx: &JobContext,
) -> Result<Progress> {
    index.reload()?;
    let backlog = Backlog::Keyphrases {
        method: METHOD,
        up_to_seq: index.cursor()?.seq,
    };
    let work = ExtractBatch {
        store,
        stats: Arc::new(index.stats()),
    };
    walk_backlog(store, &backlog, BATCH, ctx, &work).await
}

/// Extracts the phrases of `tasks` on a blocking thread (index lookups are
/// synchronous and take milliseconds per paper).
async fn extract_all(
    tasks: Vec<BacklogTask>,
    stats: Arc<IndexStats>,
) -> Result<(Vec<BacklogTask>, Vec<Vec<String>>)> {
    tokio::task::spawn_blocking(move || {
        let mut extractor = Extractor::default();
        let phrases = tasks
            .iter()
            .map(|t| {
                let found = extractor.extract(&t.title, &t.summary, stats.as_ref())?;
                Ok(found.into_iter().map(|p| p.text).collect())
            })
            .collect::<Result<Vec<Vec<String>>>>()?;
        Ok((tasks, phrases))
    })
    .await
    .map_err(|e| EnrichError::Worker(e.to_string()))?
}

/// The key-phrase job: one instance of the cluster extracts, after its keyword
/// index has taken in new papers.
pub struct KeyphraseJob {
    store: Store,
    index: Arc<KeywordIndex>,
    /// The index cursor of the last complete round.
    done_up_to: Mutex<Option<i64>>,
}

impl KeyphraseJob {
    /// The job scoring against `index`.
    pub fn new(store: Store, index: Arc<KeywordIndex>) -> Self {
        Self {
            store,
            index,
            done_up_to: Mutex::new(None),
        }
    }
}

impl Job for KeyphraseJob {
    fn spec(&self) -> JobSpec {
        JobSpec::new("keyphrases", Scope::Cluster, INTERVAL)
    }

    fn run<'a>(&'a self, ctx: &'a JobContext) -> BoxFuture<'a, Result<Outcome, JobError>> {
        Box::pin(async move {
            let seq = self.index.cursor()?.seq;
            if *self.done_up_to.lock().unwrap_or_else(|e| e.into_inner()) == Some(seq) {
                return Ok(Outcome::Idle);
            }
            run_keyphrases(&self.store, &self.index, ctx).await?;
            if !ctx.is_cancelled() {
                *self.done_up_to.lock().unwrap_or_else(|e| e.into_inner()) = Some(seq);
            }
            Ok(Outcome::Idle)
        })
    }
}
