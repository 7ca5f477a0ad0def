//! Copying a whole store into another one (SQLite to PostgreSQL, back, or SQLite to
//! SQLite): resumable after a kill, and verified.
//!
//! Every table (see [`copied_tables`]) is read in primary-key order, a chunk at a
//! time (keyset pagination on the key columns, which compare byte-wise on both
//! engines), and each chunk is written to the target in one transaction. So a copy
//! killed at any moment leaves the target holding a prefix of each table. The next
//! run first checks that the target's rows are exactly the source's up to the largest
//! key it holds, refusing a target that holds anything else
//! ([`StoreError::ForeignTarget`]), then continues after that key; inserts skip rows
//! already there (`ON CONFLICT DO NOTHING`) as a safety net. `counters`, which the
//! migrations seed, are overwritten instead, and job leases are cleared: their
//! holders are instances of the old database.
//!
//! [`verify_copy`] then reads both sides in key order and computes, per table, the
//! row count and a checksum over the values (as the store's one value type), with the
//! same code on both engines: equal checksums mean equal tables.

mod tables;

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::db::{ColumnType, Db, Scalar, Value, unsigned};
use crate::{Result, Store, StoreError};

use tables::Mode;
pub use tables::{CopiedTable, copied_tables};

/// Rows per transaction of a copy unless set otherwise.
pub const DEFAULT_CHUNK_ROWS: u32 = 2_000;

/// Rows read per query while checking and verifying.
const READ_CHUNK_ROWS: u32 = 2_000;

/// A copy of every table of one store into another, prepared: the target checked,
/// each table's resume point found. [`StoreCopy::run`] does it.
#[derive(Debug)]
pub struct StoreCopy<'a> {
    source: &'a Store,
    target: &'a Store,
    chunk_rows: u32,
    tables: Vec<TablePlan>,
}

/// Where one table stands.
#[derive(Debug)]
struct TablePlan {
    table: &'static CopiedTable,
    source_rows: u64,
    /// Rows of the source the target holds already (appended tables).
    target_rows: u64,
    /// The largest key the target holds: the copy continues after it.
    after: Option<Vec<Value>>,
}

/// How far a running copy is, after each chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyProgress {
    /// The table the chunk belonged to.
    pub table: &'static str,
    /// Rows the target holds of the source's [`StoreCopy::total_rows`], counting those
    /// an earlier run copied.
    pub rows_done: u64,
    /// Rows this run copied.
    pub rows_copied: u64,
}

/// What a copy did to one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableCopied {
    /// The table.
    pub table: &'static str,
    /// Rows the target held already (copied by an earlier, interrupted run).
    pub rows_before: u64,
    /// Rows this run copied.
    pub rows_copied: u64,
}

/// What a copy did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// Per table, in the order they were copied.
    pub tables: Vec<TableCopied>,
    /// Rows this run copied.
    pub rows_copied: u64,
    /// How long it took.
    pub elapsed: Duration,
    /// True when the progress callback stopped it before the end: running the copy
    /// again continues it.
    pub interrupted: bool,
}

impl CopyReport {
    /// Rows copied per second.
    pub fn rows_per_second(&self) -> f64 {
        self.rows_copied as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// A table's row count and checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableDigest {
    /// Rows.
    pub rows: u64,
    /// The first 64 bits of a SHA-256 over the rows in key order, each value tagged
    /// with its type and its length, so that different rows never encode alike.
    pub checksum: u64,
}

/// One table of both sides of a copy, compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableCheck {
    /// The table.
    pub table: &'static str,
    /// The source's rows as the copy writes them (job leases cleared).
    pub source: TableDigest,
    /// The target's rows.
    pub target: TableDigest,
}

impl TableCheck {
    /// True when both sides hold the same rows.
    pub fn matches(&self) -> bool {
        self.source == self.target
    }
}

impl<'a> StoreCopy<'a> {
    /// Prepares a copy of every table of `source` into `target` (both opened with
    /// [`Store::connect`], which migrated them): refuses the same database twice and a
    /// target holding rows that did not come from `source`, and finds where an
    /// interrupted copy stopped.
    pub async fn prepare(source: &'a Store, target: &'a Store) -> Result<Self> {
        if source.url().same_database(target.url()) {
            return Err(StoreError::SameDatabase(source.url().to_string()));
        }
        let mut tables = Vec::new();
        for table in copied_tables() {
            tables.push(TablePlan::find(&source.db, &target.db, table).await?);
        }
        Ok(Self {
            source,
            target,
            chunk_rows: DEFAULT_CHUNK_ROWS,
            tables,
        })
    }

    /// Copies `rows` rows per transaction (at least one).
    pub fn chunk_rows(mut self, rows: u32) -> Self {
        self.chunk_rows = rows.max(1);
        self
    }

    /// Rows the source holds, every table together.
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.source_rows).sum()
    }

    /// Rows the target holds already: what earlier, interrupted runs copied.
    pub fn rows_done(&self) -> u64 {
        self.tables.iter().map(|t| t.target_rows).sum()
    }

    /// Copies what the target lacks, table by table, one transaction per chunk.
    /// `on_chunk` is called after each committed chunk; when it breaks, the copy stops
    /// there (what was committed stays, and a later run continues after it).
    pub async fn run(
        self,
        mut on_chunk: impl FnMut(&CopyProgress) -> ControlFlow<()>,
    ) -> Result<CopyReport> {
        let started = Instant::now();
        let mut report = CopyReport {
            tables: Vec::new(),
            rows_copied: 0,
            elapsed: Duration::ZERO,
            interrupted: false,
        };
        let mut rows_done = self.rows_done();
        for plan in &self.tables {
            let table = plan.table;
            let mut copied = TableCopied {
                table: table.name(),
                rows_before: plan.target_rows,
                rows_copied: 0,
            };
            let mut walk = Walk::new(&self.source.db, table, self.chunk_rows).like_the_copy();
            walk.after = plan.after.clone();
            let mut rows = walk.next_chunk().await?;
            while !rows.is_empty() && !report.interrupted {
                let n = rows.len() as u64;
                // Read the next chunk while this one is written.
                let (next, written) =
                    tokio::join!(walk.next_chunk(), write_chunk(&self.target.db, table, rows));
                written?;
                copied.rows_copied += n;
                report.rows_copied += n;
                rows_done += n;
                let progress = CopyProgress {
                    table: table.name(),
                    rows_done,
                    rows_copied: report.rows_copied,
                };
                report.interrupted = on_chunk(&progress).is_break();
                rows = next?;
            }
            report.tables.push(copied);
            if report.interrupted {
                break;
            }
        }
        report.elapsed = started.elapsed();
        Ok(report)
    }
}

/// Writes `rows` into `table` of `db` in one transaction.
async fn write_chunk(db: &Db, table: &CopiedTable, rows: Vec<Vec<Value>>) -> Result<()> {
    let mut tx = db.begin(true).await?;
    for sql in table.inserts(rows) {
        tx.execute(sql).await?;
    }
    tx.commit().await
}

impl TablePlan {
    /// Counts both sides of `table` and checks that the target holds a prefix of the
    /// source's rows (as copied); the copy continues after that prefix.
    async fn find(source: &Db, target: &Db, table: &'static CopiedTable) -> Result<Self> {
        let source_rows = count(source, table).await?;
        let mut plan = Self {
            table,
            source_rows,
            target_rows: 0,
            after: None,
        };
        if table.mode == Mode::Overwrite {
            return Ok(plan);
        }
        let target_rows = count(target, table).await?;
        if target_rows > source_rows {
            return Err(foreign(
                table,
                format!("it has {target_rows} rows, the source {source_rows}"),
            ));
        }
        let Some(last) = target
            .fetch_values(table.select_last_key(), &table.key_types())
            .await?
            .pop()
        else {
            return Ok(plan);
        };
        let mut ours = Walk::new(target, table, READ_CHUNK_ROWS);
        let mut theirs = Walk::new(source, table, READ_CHUNK_ROWS).like_the_copy();
        theirs.upto = Some(last.clone());
        loop {
            let (a, b) = tokio::join!(ours.next_row(), theirs.next_row());
            let detail = match (a?, b?) {
                (None, None) => break,
                (Some(a), Some(b)) if a == b => continue,
                (Some(a), Some(b)) if table.key_of(&a) == table.key_of(&b) => {
                    format!(
                        "its row {} differs from the source's",
                        shown(&table.key_of(&a))
                    )
                }
                (Some(a), Some(b)) => format!(
                    "it has row {} where the source has {}",
                    shown(&table.key_of(&a)),
                    shown(&table.key_of(&b))
                ),
                (Some(a), None) => format!(
                    "it has row {}, which the source does not have",
                    shown(&table.key_of(&a))
                ),
                (None, Some(b)) => format!(
                    "it lacks the source's row {} but has rows after it",
                    shown(&table.key_of(&b))
                ),
            };
            return Err(foreign(table, detail));
        }
        plan.target_rows = target_rows;
        plan.after = Some(last);
        Ok(plan)
    }
}

async fn count(db: &Db, table: &CopiedTable) -> Result<u64> {
    Ok(unsigned(
        db.fetch_one::<Scalar<i64>>(table.select_count()).await?.v,
    ))
}

fn foreign(table: &CopiedTable, detail: String) -> StoreError {
    StoreError::ForeignTarget {
        table: table.name(),
        detail,
    }
}

/// A key as people read it: its values joined by ` / `.
fn shown(key: &[Value]) -> String {
    let parts: Vec<String> = key
        .iter()
        .map(|value| match value {
            Value::Text(Some(text)) => text.clone(),
            Value::Int(Some(n)) => n.to_string(),
            Value::Text(None) | Value::Int(None) => "NULL".to_owned(),
            Value::Bytes(bytes) => format!("{} bytes", bytes.len()),
        })
        .collect();
    parts.join(" / ")
}

/// Reads one table of one database in key order, a chunk at a time.
struct Walk<'a> {
    db: &'a Db,
    table: &'static CopiedTable,
    types: Vec<ColumnType>,
    chunk_rows: u32,
    /// Rows with a key above this one come next.
    after: Option<Vec<Value>>,
    /// No row with a key above this one is read.
    upto: Option<Vec<Value>>,
    /// Rows are given as the copy writes them.
    as_copied: bool,
    done: bool,
    buffered: std::vec::IntoIter<Vec<Value>>,
}

impl<'a> Walk<'a> {
    fn new(db: &'a Db, table: &'static CopiedTable, chunk_rows: u32) -> Self {
        Self {
            db,
            table,
            types: table.types(),
            chunk_rows,
            after: None,
            upto: None,
            as_copied: false,
            done: false,
            buffered: Vec::new().into_iter(),
        }
    }

    fn like_the_copy(mut self) -> Self {
        self.as_copied = true;
        self
    }

    /// The next rows; empty at the end.
    async fn next_chunk(&mut self) -> Result<Vec<Vec<Value>>> {
        if self.done {
            return Ok(Vec::new());
        }
        let sql = self
            .table
            .select(self.after.as_deref(), self.upto.as_deref(), self.chunk_rows);
        let mut rows = self.db.fetch_values(sql, &self.types).await?;
        self.done = rows.len() < self.chunk_rows as usize;
        if let Some(last) = rows.last() {
            self.after = Some(self.table.key_of(last));
        }
        if self.as_copied {
            for row in &mut rows {
                self.table.as_copied(row);
            }
        }
        Ok(rows)
    }

    /// The next row; `None` at the end.
    async fn next_row(&mut self) -> Result<Option<Vec<Value>>> {
        loop {
            if let Some(row) = self.buffered.next() {
                return Ok(Some(row));
            }
            let chunk = self.next_chunk().await?;
            if chunk.is_empty() {
                return Ok(None);
            }
            self.buffered = chunk.into_iter();
        }
    }

    /// Row count and checksum of every row still to come.
    async fn digest(mut self) -> Result<TableDigest> {
        let mut hash = Sha256::new();
        let mut rows = 0;
        loop {
            let chunk = self.next_chunk().await?;
            if chunk.is_empty() {
                break;
            }
            rows += chunk.len() as u64;
            for value in chunk.iter().flatten() {
                hash_value(&mut hash, value);
            }
        }
        let digest = hash.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        Ok(TableDigest {
            rows,
            checksum: u64::from_be_bytes(first),
        })
    }
}

/// Feeds one value to `hash`: a type tag, then (for text and bytes) the length and
/// the bytes, so that the encoding of a row is unambiguous.
fn hash_value(hash: &mut Sha256, value: &Value) {
    match value {
        Value::Text(None) => hash.update([0]),
        Value::Text(Some(text)) => hash_bytes(hash, 1, text.as_bytes()),
        Value::Int(None) => hash.update([2]),
        Value::Int(Some(n)) => {
            hash.update([3]);
            hash.update(n.to_le_bytes());
        }
        Value::Bytes(bytes) => hash_bytes(hash, 4, bytes),
    }
}

fn hash_bytes(hash: &mut Sha256, tag: u8, bytes: &[u8]) {
    hash.update([tag]);
    hash.update((bytes.len() as u64).to_le_bytes());
    hash.update(bytes);
}

/// Compares every table of `target` with `source` (as a copy writes it: job leases
/// cleared), reading both in key order: row counts and checksums, per table, in the
/// order of [`copied_tables`].
pub async fn verify_copy(source: &Store, target: &Store) -> Result<Vec<TableCheck>> {
    let mut checks = Vec::new();
    for table in copied_tables() {
        let theirs = Walk::new(&source.db, table, READ_CHUNK_ROWS).like_the_copy();
        let ours = Walk::new(&target.db, table, READ_CHUNK_ROWS);
        let (source, target) = tokio::join!(theirs.digest(), ours.digest());
        checks.push(TableCheck {
            table: table.name(),
            source: source?,
            target: target?,
        });
    }
    Ok(checks)
}
