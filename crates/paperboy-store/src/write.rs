//! The write path: merge incoming records with stored ones, write what changed.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::codec::{ENTRY_COLUMNS, EntryRow, PAPER_COLUMNS, PaperRow, ms, to_json};
use crate::db::{Backend, Scalar, Sql, Tx, Value};
use crate::papers::BUMP_LIST_SEQ;
use crate::{Result, Store, StoreError};
use jiff::civil::Date;
use paperboy_core::{ArxivId, DailyEntry, Paper, Source};

/// Rows per multi-row statement: well under SQLite's 32,766 bound parameters (and
/// PostgreSQL's 65,535).
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
    pub(crate) tx: Tx,
    change_seq: Option<i64>,
    pub(crate) now_ms: i64,
    summary: WriteSummary,
}

impl Store {
    /// Starts a write transaction. Write transactions run one at a time: SQLite's
    /// takes the database write lock at once (`BEGIN IMMEDIATE`), PostgreSQL's locks
    /// the change-sequence counter row (`FOR UPDATE`) before it reads anything, each
    /// waiting for the writer before it. So the stored papers a transaction merges
    /// into are current, and change sequence numbers are handed out in commit order:
    /// a follower that has seen sequence N has seen every write numbered below N.
    pub async fn begin_write(&self) -> Result<WriteTx> {
        let mut tx = self.db.begin(true).await?;
        if tx.backend() == Backend::Postgres {
            tx.execute(Sql::new(
                "SELECT value FROM counters WHERE name = 'change_seq' FOR UPDATE",
            ))
            .await?;
        }
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
    /// The open transaction, for checks that must see what this write will change.
    pub(crate) fn tx(&mut self) -> &mut Tx {
        &mut self.tx
    }

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
    pub(crate) async fn change_seq(&mut self) -> Result<i64> {
        if let Some(seq) = self.change_seq {
            return Ok(seq);
        }
        let seq = self
            .tx
            .fetch_one::<Scalar<i64>>(Sql::new(
                "UPDATE counters SET value = value + 1 WHERE name = 'change_seq' RETURNING value AS v",
            ))
            .await?
            .v;
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
                    let old_day = existing.firehose_day();
                    if existing.merge(paper) {
                        self.summary.papers_updated += 1;
                        writes.push(PaperWrite {
                            categories_changed: existing.categories != old_categories,
                            days_changed: existing.firehose_day() != old_day,
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
            let categories = chunk.iter().filter(|w| w.categories_changed);
            self.replace_derived("paper_categories", "category", categories, |p| {
                p.categories.iter().cloned().collect()
            })
            .await?;
            let days = chunk.iter().filter(|w| w.days_changed);
            self.replace_derived("firehose", "day", days, |p| {
                p.firehose_day().iter().map(Date::to_string).collect()
            })
            .await?;
        }
        Ok(())
    }

    async fn load_papers(&mut self, ids: &[&str]) -> Result<HashMap<ArxivId, (Paper, i64)>> {
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(ROWS_PER_STATEMENT * 4) {
            let mut sql = Sql::new(format!(
                "SELECT {PAPER_COLUMNS} FROM papers p WHERE p.id IN "
            ));
            sql.bind_list(chunk.iter().copied());
            for row in self.tx.fetch_all::<PaperRow>(sql).await? {
                let (paper, first_seen) = row.into_paper()?;
                found.insert(paper.id.clone(), (paper, ms(first_seen)));
            }
        }
        Ok(found)
    }

    async fn upsert_paper_rows(&mut self, writes: &[PaperWrite], seq: i64) -> Result<()> {
        let mut sql = Sql::new(
            "INSERT INTO papers (id, version, bib_source, title, summary, authors, categories, primary_category, \
             comments, journal_ref, doi, license, published_ms, updated_ms, announced, github_repo, \
             project_page, links, github_stars, thumbnail_url, ai_summary, ai_keywords, sort_ms, first_seen_ms, \
             change_seq)",
        );
        sql.bind_rows(writes.iter().map(|w| {
            let p = &w.paper;
            let sort_ms = p.published_or_announced().map_or(w.first_seen_ms, ms);
            vec![
                Value::from(p.id.to_string()),
                Value::from(i64::from(p.version.unwrap_or(0))),
                Value::from(p.bib_source.map(Source::as_str)),
                Value::from(&p.title),
                Value::from(&p.summary),
                Value::from(to_json(&p.authors)),
                Value::from(to_json(&p.categories)),
                Value::from(p.primary_category().map(str::to_owned)),
                Value::from(p.comments.clone()),
                Value::from(p.journal_ref.clone()),
                Value::from(p.doi.clone()),
                Value::from(p.license.clone()),
                Value::from(p.published.map(ms)),
                Value::from(p.updated.map(ms)),
                Value::from(to_json(&p.announced)),
                Value::from(p.github_repo.clone()),
                Value::from(p.project_page.clone()),
                Value::from(to_json(&p.links)),
                Value::from(p.github_stars.and_then(|s| i64::try_from(s).ok())),
                Value::from(p.thumbnail.clone()),
                Value::from(p.ai_summary.clone()),
                Value::from(to_json(&p.ai_keywords)),
                Value::from(sort_ms),
                Value::from(w.first_seen_ms),
                Value::from(seq),
            ]
        }));
        sql.push(
            " ON CONFLICT (id) DO UPDATE SET version = excluded.version, \
             bib_source = excluded.bib_source, title = excluded.title, \
             summary = excluded.summary, authors = excluded.authors, categories = excluded.categories, \
             primary_category = excluded.primary_category, comments = excluded.comments, \
             journal_ref = excluded.journal_ref, doi = excluded.doi, license = excluded.license, \
             published_ms = excluded.published_ms, updated_ms = excluded.updated_ms, \
             announced = excluded.announced, github_repo = excluded.github_repo, \
             project_page = excluded.project_page, links = excluded.links, \
             github_stars = excluded.github_stars, thumbnail_url = excluded.thumbnail_url, \
             ai_summary = excluded.ai_summary, \
             ai_keywords = excluded.ai_keywords, sort_ms = excluded.sort_ms, \
             change_seq = excluded.change_seq",
        );
        self.tx.execute(sql).await?;
        Ok(())
    }

    async fn delete_derived(&mut self, table: &str, ids: &[&str]) -> Result<()> {
        let mut sql = Sql::new(format!("DELETE FROM {table} WHERE paper_id IN "));
        sql.bind_list(ids.iter().copied());
        self.tx.execute(sql).await?;
        Ok(())
    }

    async fn insert_derived(
        &mut self,
        table: &str,
        column: &str,
        rows: &[(String, &str)],
    ) -> Result<()> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT * 4) {
            let mut sql = Sql::new(format!("INSERT INTO {table} ({column}, paper_id)"));
            sql.bind_rows(
                chunk
                    .iter()
                    .map(|(value, id)| vec![Value::from(value), Value::from(*id)]),
            );
            self.tx.execute(sql).await?;
        }
        Ok(())
    }

    /// Replaces the rows of `table` (`column`, paper_id) of the papers of `writes`
    /// with the `values` each paper has now.
    async fn replace_derived<'w>(
        &mut self,
        table: &str,
        column: &str,
        writes: impl Iterator<Item = &'w PaperWrite>,
        values: impl Fn(&Paper) -> BTreeSet<String>,
    ) -> Result<()> {
        let mut ids = Vec::new();
        let mut rows = Vec::new();
        for w in writes {
            let id = w.paper.id.as_str();
            ids.push(id);
            rows.extend(values(&w.paper).into_iter().map(|value| (value, id)));
        }
        if ids.is_empty() {
            return Ok(());
        }
        self.delete_derived(table, &ids).await?;
        self.insert_derived(table, column, &rows).await
    }

    async fn write_entries(&mut self, incoming: Vec<DailyEntry>) -> Result<()> {
        if incoming.is_empty() {
            return Ok(());
        }
        let incoming = dedupe_entries(incoming);
        let ids: HashSet<&str> = incoming.iter().map(|e| e.paper_id.as_str()).collect();
        let ids: Vec<&str> = ids.into_iter().collect();
        self.check_papers_exist(&ids).await?;
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
        if writes.is_empty() {
            return Ok(());
        }
        for chunk in writes.chunks(ROWS_PER_STATEMENT) {
            self.upsert_entry_rows(chunk).await?;
        }
        self.tx.execute(Sql::new(BUMP_LIST_SEQ)).await?;
        Ok(())
    }

    /// Fails with [`StoreError::UnknownPapers`] unless every paper of `ids` is stored.
    async fn check_papers_exist(&mut self, ids: &[&str]) -> Result<()> {
        let mut missing: HashSet<&str> = ids.iter().copied().collect();
        for chunk in ids.chunks(ROWS_PER_STATEMENT * 4) {
            let mut sql = Sql::new("SELECT id AS v FROM papers WHERE id IN ");
            sql.bind_list(chunk.iter().copied());
            for row in self.tx.fetch_all::<Scalar<String>>(sql).await? {
                missing.remove(row.v.as_str());
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        let mut missing: Vec<String> = missing.into_iter().map(str::to_owned).collect();
        missing.sort();
        Err(StoreError::UnknownPapers(missing))
    }

    async fn load_entries(&mut self, ids: &[&str]) -> Result<HashMap<(Date, ArxivId), DailyEntry>> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(ROWS_PER_STATEMENT * 4) {
            let mut sql = Sql::new(format!(
                "SELECT {ENTRY_COLUMNS} FROM daily_entries d WHERE d.paper_id IN "
            ));
            sql.bind_list(chunk.iter().copied());
            for row in self.tx.fetch_all::<EntryRow>(sql).await? {
                let entry = row.into_entry()?;
                found.insert((entry.date, entry.paper_id.clone()), entry);
            }
        }
        Ok(found)
    }

    async fn upsert_entry_rows(&mut self, entries: &[DailyEntry]) -> Result<()> {
        let mut sql = Sql::new(
            "INSERT INTO daily_entries (day, paper_id, submitter_name, submitter_fullname, \
             submitter_avatar, submitted_ms, upvotes, num_comments)",
        );
        sql.bind_rows(entries.iter().map(|e| {
            let submitter = e.submitted_by.as_ref();
            vec![
                Value::from(e.date.to_string()),
                Value::from(e.paper_id.to_string()),
                Value::from(submitter.map(|s| s.name.clone())),
                Value::from(submitter.and_then(|s| s.fullname.clone())),
                Value::from(submitter.and_then(|s| s.avatar_url.clone())),
                Value::from(e.submitted_at.map(ms)),
                Value::from(i64::from(e.upvotes)),
                Value::from(i64::from(e.num_comments)),
            ]
        }));
        sql.push(
            " ON CONFLICT (day, paper_id) DO UPDATE SET submitter_name = excluded.submitter_name, \
             submitter_fullname = excluded.submitter_fullname, submitter_avatar = excluded.submitter_avatar, \
             submitted_ms = excluded.submitted_ms, upvotes = excluded.upvotes, num_comments = excluded.num_comments",
        );
        self.tx.execute(sql).await?;
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
