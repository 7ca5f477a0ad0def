//! The write path: merge incoming records with stored ones, write what changed.

use std::collections::{BTreeSet, HashMap, HashSet};

use jiff::civil::Date;
use paperboy_core::{ArxivId, DailyEntry, Paper};
use sqlx::{QueryBuilder, Sqlite, Transaction};

use crate::codec::{ENTRY_COLUMNS, PAPER_COLUMNS, entry_from_row, ms, paper_from_row, to_json};
use crate::{Result, Store};

/// Rows per multi-row statement: well under SQLite's 32,766 bound parameters.
const ROWS_PER_STATEMENT: usize = 250;

/// Records to write together.
#[derive(Debug, Default, Clone)]
pub struct Batch {
    /// Papers, merged into what is stored.
    pub papers: Vec<Paper>,
    /// Daily entries; their papers must be in this batch or already stored.
    pub entries: Vec<DailyEntry>,
}

impl Batch {
    /// True when there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.papers.is_empty() && self.entries.is_empty()
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.papers.len() + self.entries.len()
    }
}

/// What a write did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct WriteSummary {
    /// Papers new to the database.
    pub papers_inserted: u64,
    /// Stored papers that changed.
    pub papers_updated: u64,
    /// Papers that were stored already, unchanged.
    pub papers_unchanged: u64,
    /// Daily entries new to the database.
    pub entries_inserted: u64,
    /// Stored daily entries that changed.
    pub entries_updated: u64,
    /// Daily entries stored already, unchanged.
    pub entries_unchanged: u64,
}

impl std::ops::AddAssign for WriteSummary {
    fn add_assign(&mut self, o: Self) {
        self.papers_inserted += o.papers_inserted;
        self.papers_updated += o.papers_updated;
        self.papers_unchanged += o.papers_unchanged;
        self.entries_inserted += o.entries_inserted;
        self.entries_updated += o.entries_updated;
        self.entries_unchanged += o.entries_unchanged;
    }
}

/// An open write transaction. Nothing is visible to others until [`WriteTx::commit`];
/// dropping it rolls back.
pub struct WriteTx {
    pub(crate) tx: Transaction<'static, Sqlite>,
    change_seq: Option<i64>,
    pub(crate) now_ms: i64,
    summary: WriteSummary,
}

impl Store {
    /// Starts a write transaction. It takes the write lock at once (SQLite
    /// `BEGIN IMMEDIATE`), waiting up to the busy timeout for another writer.
    pub async fn begin_write(&self) -> Result<WriteTx> {
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx {
            tx,
            change_seq: None,
            now_ms: ms(self.clock.now()),
            summary: WriteSummary::default(),
        })
    }

    /// Writes one batch in its own transaction.
    pub async fn write(&self, batch: Batch) -> Result<WriteSummary> {
        let mut tx = self.begin_write().await?;
        tx.write(batch).await?;
        tx.commit().await
    }
}

/// A paper to write and which of its derived rows need rewriting.
struct PaperWrite {
    paper: Paper,
    first_seen_ms: i64,
    categories_changed: bool,
    days_changed: bool,
}

impl WriteTx {
    /// Merges and writes a batch: papers first, then daily entries.
    pub async fn write(&mut self, batch: Batch) -> Result<()> {
        self.write_papers(batch.papers).await?;
        self.write_entries(batch.entries).await
    }

    /// Commits and returns what this transaction did.
    pub async fn commit(self) -> Result<WriteSummary> {
        self.tx.commit().await?;
        Ok(self.summary)
    }

    /// The change sequence number of this transaction, taken on first use.
    async fn change_seq(&mut self) -> Result<i64> {
        if let Some(seq) = self.change_seq {
            return Ok(seq);
        }
        let seq: i64 = sqlx::query_scalar(
            "UPDATE counters SET value = value + 1 WHERE name = 'change_seq' RETURNING value",
        )
        .fetch_one(&mut *self.tx)
        .await?;
        self.change_seq = Some(seq);
        Ok(seq)
    }

    async fn write_papers(&mut self, incoming: Vec<Paper>) -> Result<()> {
        if incoming.is_empty() {
            return Ok(());
        }
        let incoming = dedupe_papers(incoming);
        let ids: Vec<&str> = incoming.iter().map(|p| p.id.as_str()).collect();
        let mut stored = self.load_papers(&ids).await?;
        let mut writes = Vec::new();
        for paper in incoming {
            match stored.remove(&paper.id) {
                Some((mut existing, first_seen_ms)) => {
                    let old_categories = existing.categories.clone();
                    let old_days = existing.firehose_days();
                    if existing.merge(paper) {
                        self.summary.papers_updated += 1;
                        writes.push(PaperWrite {
                            categories_changed: existing.categories != old_categories,
                            days_changed: existing.firehose_days() != old_days,
                            paper: existing,
                            first_seen_ms,
                        });
                    } else {
                        self.summary.papers_unchanged += 1;
                    }
                }
                None => {
                    self.summary.papers_inserted += 1;
                    writes.push(PaperWrite {
                        paper,
                        first_seen_ms: self.now_ms,
                        categories_changed: true,
                        days_changed: true,
                    });
                }
            }
        }
        if writes.is_empty() {
            return Ok(());
        }
        let seq = self.change_seq().await?;
        for chunk in writes.chunks(ROWS_PER_STATEMENT) {
            self.upsert_paper_rows(chunk, seq).await?;
            self.replace_categories(chunk.iter().filter(|w| w.categories_changed))
                .await?;
            self.replace_firehose_days(chunk.iter().filter(|w| w.days_changed))
                .await?;
        }
        Ok(())
    }

    async fn load_papers(&mut self, ids: &[&str]) -> Result<HashMap<ArxivId, (Paper, i64)>> {
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(ROWS_PER_STATEMENT * 4) {
            let mut q = QueryBuilder::<Sqlite>::new(format!(
                "SELECT {PAPER_COLUMNS} FROM papers p WHERE p.id IN ("
            ));
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(id.to_string());
            }
            q.push(")");
            for row in q.build().fetch_all(&mut *self.tx).await? {
                let (paper, first_seen) = paper_from_row(&row)?;
                found.insert(paper.id.clone(), (paper, ms(first_seen)));
            }
        }
        Ok(found)
    }

    async fn upsert_paper_rows(&mut self, writes: &[PaperWrite], seq: i64) -> Result<()> {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO papers (id, version, title, summary, authors, categories, primary_category, \
             comments, journal_ref, doi, license, published_ms, updated_ms, announced, github_repo, \
             project_page, links, github_stars, ai_summary, ai_keywords, sort_ms, first_seen_ms, change_seq) ",
        );
        q.push_values(writes, |mut row, w| {
            let p = &w.paper;
            let sort_ms = p.published_or_announced().map_or(w.first_seen_ms, ms);
            row.push_bind(p.id.to_string())
                .push_bind(i64::from(p.version.unwrap_or(0)))
                .push_bind(p.title.clone())
                .push_bind(p.summary.clone())
                .push_bind(to_json(&p.authors))
                .push_bind(to_json(&p.categories))
                .push_bind(p.primary_category().map(str::to_owned))
                .push_bind(p.comments.clone())
                .push_bind(p.journal_ref.clone())
                .push_bind(p.doi.clone())
                .push_bind(p.license.clone())
                .push_bind(p.published.map(ms))
                .push_bind(p.updated.map(ms))
                .push_bind(to_json(&p.announced))
                .push_bind(p.github_repo.clone())
                .push_bind(p.project_page.clone())
                .push_bind(to_json(&p.links))
                .push_bind(p.github_stars.and_then(|s| i64::try_from(s).ok()))
                .push_bind(p.ai_summary.clone())
                .push_bind(to_json(&p.ai_keywords))
                .push_bind(sort_ms)
                .push_bind(w.first_seen_ms)
                .push_bind(seq);
        });
        q.push(
            " ON CONFLICT (id) DO UPDATE SET version = excluded.version, title = excluded.title, \
             summary = excluded.summary, authors = excluded.authors, categories = excluded.categories, \
             primary_category = excluded.primary_category, comments = excluded.comments, \
             journal_ref = excluded.journal_ref, doi = excluded.doi, license = excluded.license, \
             published_ms = excluded.published_ms, updated_ms = excluded.updated_ms, \
             announced = excluded.announced, github_repo = excluded.github_repo, \
             project_page = excluded.project_page, links = excluded.links, \
             github_stars = excluded.github_stars, ai_summary = excluded.ai_summary, \
             ai_keywords = excluded.ai_keywords, sort_ms = excluded.sort_ms, \
             change_seq = excluded.change_seq",
        );
        q.build().execute(&mut *self.tx).await?;
        Ok(())
    }

    async fn delete_derived(&mut self, table: &str, ids: &[&str]) -> Result<()> {
        let mut q = QueryBuilder::<Sqlite>::new(format!("DELETE FROM {table} WHERE paper_id IN ("));
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id.to_string());
        }
        q.push(")");
        q.build().execute(&mut *self.tx).await?;
        Ok(())
    }

    async fn insert_derived(
        &mut self,
        table: &str,
        column: &str,
        rows: &[(String, &str)],
    ) -> Result<()> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT * 4) {
            let mut q =
                QueryBuilder::<Sqlite>::new(format!("INSERT INTO {table} ({column}, paper_id) "));
            q.push_values(chunk, |mut row, (value, id)| {
                row.push_bind(value.clone()).push_bind(id.to_string());
            });
            q.build().execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    async fn replace_categories<'w>(
        &mut self,
        writes: impl Iterator<Item = &'w PaperWrite>,
    ) -> Result<()> {
        let mut ids = Vec::new();
        let mut rows = Vec::new();
        for w in writes {
            let id = w.paper.id.as_str();
            ids.push(id);
            let unique: BTreeSet<&String> = w.paper.categories.iter().collect();
            rows.extend(unique.into_iter().map(|c| (c.clone(), id)));
        }
        if ids.is_empty() {
            return Ok(());
        }
        self.delete_derived("paper_categories", &ids).await?;
        self.insert_derived("paper_categories", "category", &rows)
            .await
    }

    async fn replace_firehose_days<'w>(
        &mut self,
        writes: impl Iterator<Item = &'w PaperWrite>,
    ) -> Result<()> {
        let mut ids = Vec::new();
        let mut rows = Vec::new();
        for w in writes {
            let id = w.paper.id.as_str();
            ids.push(id);
            rows.extend(
                w.paper
                    .firehose_days()
                    .into_iter()
                    .map(|d: Date| (d.to_string(), id)),
            );
        }
        if ids.is_empty() {
            return Ok(());
        }
        self.delete_derived("firehose", &ids).await?;
        self.insert_derived("firehose", "day", &rows).await
    }

    async fn write_entries(&mut self, incoming: Vec<DailyEntry>) -> Result<()> {
        if incoming.is_empty() {
            return Ok(());
        }
        let incoming = dedupe_entries(incoming);
        let ids: HashSet<&str> = incoming.iter().map(|e| e.paper_id.as_str()).collect();
        let ids: Vec<&str> = ids.into_iter().collect();
        let mut stored = self.load_entries(&ids).await?;
        let mut writes = Vec::new();
        for entry in incoming {
            match stored.remove(&(entry.date, entry.paper_id.clone())) {
                Some(mut existing) => {
                    if existing.merge(entry) {
                        self.summary.entries_updated += 1;
                        writes.push(existing);
                    } else {
                        self.summary.entries_unchanged += 1;
                    }
                }
                None => {
                    self.summary.entries_inserted += 1;
                    writes.push(entry);
                }
            }
        }
        for chunk in writes.chunks(ROWS_PER_STATEMENT) {
            self.upsert_entry_rows(chunk).await?;
        }
        Ok(())
    }

    async fn load_entries(&mut self, ids: &[&str]) -> Result<HashMap<(Date, ArxivId), DailyEntry>> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(ROWS_PER_STATEMENT * 4) {
            let mut q = QueryBuilder::<Sqlite>::new(format!(
                "SELECT {ENTRY_COLUMNS} FROM daily_entries d WHERE d.paper_id IN ("
            ));
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(id.to_string());
            }
            q.push(")");
            for row in q.build().fetch_all(&mut *self.tx).await? {
                let entry = entry_from_row(&row, 0)?;
                found.insert((entry.date, entry.paper_id.clone()), entry);
            }
        }
        Ok(found)
    }

    async fn upsert_entry_rows(&mut self, entries: &[DailyEntry]) -> Result<()> {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO daily_entries (day, paper_id, submitter_name, submitter_fullname, \
             submitter_avatar, submitted_ms, upvotes, num_comments) ",
        );
        q.push_values(entries, |mut row, e| {
            let submitter = e.submitted_by.as_ref();
            row.push_bind(e.date.to_string())
                .push_bind(e.paper_id.to_string())
                .push_bind(submitter.map(|s| s.name.clone()))
                .push_bind(submitter.and_then(|s| s.fullname.clone()))
                .push_bind(submitter.and_then(|s| s.avatar_url.clone()))
                .push_bind(e.submitted_at.map(ms))
                .push_bind(i64::from(e.upvotes))
                .push_bind(i64::from(e.num_comments));
        });
        q.push(
            " ON CONFLICT (day, paper_id) DO UPDATE SET submitter_name = excluded.submitter_name, \
             submitter_fullname = excluded.submitter_fullname, submitter_avatar = excluded.submitter_avatar, \
             submitted_ms = excluded.submitted_ms, upvotes = excluded.upvotes, num_comments = excluded.num_comments",
        );
        q.build().execute(&mut *self.tx).await?;
        Ok(())
    }
}

/// Merges repeated ids within one batch, keeping first-appearance order.
fn dedupe_papers(papers: Vec<Paper>) -> Vec<Paper> {
    let mut index: HashMap<ArxivId, usize> = HashMap::with_capacity(papers.len());
    let mut out: Vec<Paper> = Vec::with_capacity(papers.len());
    for paper in papers {
        match index.get(&paper.id) {
            Some(&i) => {
                out[i].merge(paper);
            }
            None => {
                index.insert(paper.id.clone(), out.len());
                out.push(paper);
            }
        }
    }
    out
}

/// Merges repeated (day, paper) entries within one batch.
fn dedupe_entries(entries: Vec<DailyEntry>) -> Vec<DailyEntry> {
    let mut index: HashMap<(Date, ArxivId), usize> = HashMap::with_capacity(entries.len());
    let mut out: Vec<DailyEntry> = Vec::with_capacity(entries.len());
    for entry in entries {
        let key = (entry.date, entry.paper_id.clone());
        match index.get(&key) {
            Some(&i) => {
                out[i].merge(entry);
            }
            None => {
                index.insert(key, out.len());
                out.push(entry);
            }
        }
    }
    out
}
