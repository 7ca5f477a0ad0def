//! Keeping the keyword index in step with the database.
//!
//! Every write that changes papers bumps the database's change sequence. The
//! [`IndexFollower`] reads papers changed after the index's cursor, indexes them and
//! commits the new cursor with them, so a crash never loses or repeats work. Every
//! server instance runs one as a job, which also picks up papers other processes (a
//! CLI import, another instance) wrote.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use paperboy_jobs::{BoxFuture, Job, JobContext, JobError, JobSpec, Outcome, Progress, Scope};
use paperboy_store::{ChangeCursor, Store};

use crate::Result;
use crate::keyword::{KeywordIndex, KeywordWriter};
use crate::pool::SearchPool;

/// Papers read from the database per query.
const PAGE: u32 = 2_000;
/// How often the index looks for changes.
const FOLLOW_INTERVAL: Duration = Duration::from_secs(2);
/// Papers indexed between commits during a long catch-up.
const COMMIT_EVERY: u64 = 50_000;

/// Holds the index writer and brings the index up to date; as a job, it follows
/// the database on every instance (each keeps its own index).
#[derive(Clone)]
pub struct IndexFollower {
    index: Arc<KeywordIndex>,
    writer: Arc<Mutex<KeywordWriter>>,
    store: Option<Store>,
    pool: SearchPool,
}

impl IndexFollower {
    /// Takes the index writer; fails with [`crate::SearchError::WriterBusy`] when another
    /// process holds it.
    pub fn new(index: Arc<KeywordIndex>) -> Result<Self> {
        let writer = index.writer()?;
        Ok(Self {
            index,
            writer: Arc::new(Mutex::new(writer)),
            store: None,
            pool: SearchPool::new(1, 2, Duration::from_secs(3600)),
        })
    }

    /// Indexes on `pool` (a server shares its search pool: indexing and searches
    /// together never take more than its threads).
    pub fn with_pool(mut self, pool: SearchPool) -> Self {
        self.pool = pool;
        self
    }

    /// The follower as a job that follows `store`.
    pub fn following(mut self, store: Store) -> Self {
        self.store = Some(store);
        self
    }

    /// The index this follower writes.
    pub fn index(&self) -> &Arc<KeywordIndex> {
        &self.index
    }

    fn lock(&self) -> MutexGuard<'_, KeywordWriter> {
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Indexes every paper changed since the index's cursor. `progress` is called with
    /// the running count. Returns how many papers were indexed.
    pub async fn catch_up(&self, store: &Store, progress: &(dyn Fn(u64) + Sync)) -> Result<u64> {
        let start = self.index.cursor()?;
        self.index_from(store, start, false, progress).await
    }

    /// Rebuilds the index from nothing.
    pub async fn rebuild(&self, store: &Store, progress: &(dyn Fn(u64) + Sync)) -> Result<u64> {
        self.lock().clear()?;
        self.index_from(store, ChangeCursor::default(), true, progress)
            .await
    }

    /// Indexes papers changed after `cursor`; commits when anything changed or when
    /// `force_commit` (a rebuild's clearing must be committed even if nothing follows).
    async fn index_from(
        &self,
        store: &Store,
        mut cursor: ChangeCursor,
        force_commit: bool,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<u64> {
        let mut indexed = 0u64;
        let mut uncommitted = 0u64;
        loop {
            let page = store.papers_changed_since(&cursor, PAGE).await?;
            let Some((_, last)) = page.last() else { break };
            let last = last.clone();
            let papers = page.len() as u64;
            let writer = self.writer.clone();
            self.pool
                .run(move || -> Result<()> {
                    let mut writer = writer.lock().unwrap_or_else(|e| e.into_inner());
                    for (paper, _) in &page {
                        writer.upsert(paper)?;
                    }
                    Ok(())
                })
                .await??;
            indexed += papers;
            uncommitted += papers;
            cursor = last;
            progress(indexed);
            if uncommitted >= COMMIT_EVERY {
                self.commit(&cursor).await?;
                uncommitted = 0;
            }
        }
        if uncommitted > 0 || force_commit {
            self.commit(&cursor).await?;
        }
        self.index.reload()?;
        Ok(indexed)
    }

    async fn commit(&self, cursor: &ChangeCursor) -> Result<()> {
        let writer = self.writer.clone();
        let cursor = cursor.clone();
        self.pool
            .run(move || {
                writer
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .commit(&cursor)
            })
            .await?
    }

    /// Catches up when the change sequence moved past the index.
    async fn poll_once(&self, store: &Store) -> Result<u64> {
        if store.current_change_seq().await? <= self.index.cursor()?.seq {
            return Ok(0);
        }
        self.catch_up(store, &|_| {}).await
    }
}

impl Job for IndexFollower {
    fn spec(&self) -> JobSpec {
        JobSpec::new("index", Scope::Instance, FOLLOW_INTERVAL)
    }

    fn run<'a>(&'a self, ctx: &'a JobContext) -> BoxFuture<'a, Result<Outcome, JobError>> {
        Box::pin(async move {
            if let Some(store) = &self.store {
                let indexed = self.poll_once(store).await?;
                ctx.report(Progress {
                    done: indexed,
                    ..Progress::default()
                });
            }
            Ok(Outcome::Idle)
        })
    }
}
