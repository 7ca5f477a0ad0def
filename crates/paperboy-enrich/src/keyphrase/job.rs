//! The key-phrase job: extract key phrases for every paper that has no `ai_keywords`
//! from a source and none (or stale ones) from this extractor, newest papers first.
//!
//! Resumable by construction, like the embedding backlog: the backlog is a query,
//! each batch is stored in one transaction, and a paper whose text did not change
//! since its phrases were extracted is only marked current. Only papers the keyword
//! index already holds are taken, so each is scored against a corpus that has it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use paperboy_core::ArxivId;
use paperboy_store::{Backlog, BacklogPosition, BacklogTask, KeyphraseRow, Store};
use tokio::sync::watch;

use super::Extractor;
use crate::{EnrichError, Result};
use paperboy_search::backlog::{paper_text, per_second, split_unchanged, text_hash};
use paperboy_search::keyword::{IndexStats, KeywordIndex};

/// The extractor's name and version, stored with its phrases: changing the
/// extraction changes this, and every paper is done again.
pub const METHOD: &str = "corpus-tfidf-1";
/// Papers read from the backlog and stored at a time.
const BATCH: u32 = 200;

/// Progress of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct KeyphraseProgress {
    /// Papers whose phrases were extracted.
    pub extracted: u64,
    /// Papers found unchanged and only marked current.
    pub unchanged: u64,
    /// Seconds spent.
    pub seconds: f64,
}

impl KeyphraseProgress {
    /// Papers extracted per second.
    pub fn rate(&self) -> f64 {
        per_second(self.extracted, self.seconds)
    }
}

/// Papers waiting for key phrases that the index holds.
pub async fn backlog_len(store: &Store, index: &KeywordIndex) -> Result<u64> {
    Ok(store
        .backlog_len(&Backlog::Keyphrases {
            method: METHOD,
            up_to_seq: index.cursor()?.seq,
        })
        .await?)
}

/// Extracts key phrases for the backlog until it is empty or `stop` turns true,
/// against the statistics of `index` as it was committed at the start. `progress`
/// is called after every batch.
pub async fn run_keyphrases(
    store: &Store,
    index: &KeywordIndex,
    stop: &watch::Receiver<bool>,
    progress: &(dyn Fn(&KeyphraseProgress) + Sync),
) -> Result<KeyphraseProgress> {
    let started = Instant::now();
    index.reload()?;
    let up_to = index.cursor()?.seq;
    let stats = Arc::new(index.stats());
    let mut done = KeyphraseProgress::default();
    let mut position = BacklogPosition::start();
    while !*stop.borrow() {
        let tasks = store
            .backlog(
                &Backlog::Keyphrases {
                    method: METHOD,
                    up_to_seq: up_to,
                },
                &position,
                BATCH,
            )
            .await?;
        let Some(last) = tasks.last() else { break };
        position = last.position.clone();
        let (fresh, unchanged) = split_unchanged(tasks);
        if !unchanged.is_empty() {
            let marks: Vec<(&ArxivId, i64)> =
                unchanged.iter().map(|t| (&t.id, t.change_seq)).collect();
            store.mark_keyphrases_current(METHOD, &marks).await?;
            done.unchanged += unchanged.len() as u64;
        }
        if !fresh.is_empty() {
            let (fresh, phrases) = extract_all(fresh, stats.clone()).await?;
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
            store.save_keyphrases(METHOD, &rows).await?;
            done.extracted += fresh.len() as u64;
        }
        done.seconds = started.elapsed().as_secs_f64();
        progress(&done);
    }
    done.seconds = started.elapsed().as_secs_f64();
    Ok(done)
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

/// Runs the job now and whenever the index has taken in new papers (for `serve`),
/// looking every `interval`, until `stop` turns true.
pub async fn follow_keyphrases(
    store: Store,
    index: Arc<KeywordIndex>,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut done_up_to = None;
    while !*stop.borrow() {
        match index.cursor() {
            Ok(cursor) if done_up_to == Some(cursor.seq) => {}
            Ok(cursor) => match run_keyphrases(&store, &index, &stop, &|_| {}).await {
                Ok(p) => {
                    if p.extracted > 0 {
                        tracing::info!(
                            papers = p.extracted,
                            per_second = format!("{:.0}", p.rate()),
                            "extracted key phrases"
                        );
                    }
                    done_up_to = Some(cursor.seq);
                }
                Err(e) => tracing::warn!("key-phrase extraction failed, retrying later: {e}"),
            },
            Err(e) => tracing::warn!("reading the search index failed: {e}"),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            changed = stop.changed() => if changed.is_err() { return },
        }
    }
}
