//! Streaming everything out as [`Record`]s, from one consistent snapshot.

use paperboy_core::record::{FORMAT_VERSION, Record};

use crate::codec::{ENTRY_COLUMNS, EntryRow, PAPER_COLUMNS, PaperRow};
use crate::db::Sql;
use crate::{Result, Store};

/// Rows read per query while exporting.
const EXPORT_CHUNK: i64 = 2_000;

/// What an export wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ExportSummary {
    /// Papers written.
    pub papers: u64,
    /// Daily entries written.
    pub daily_entries: u64,
}

impl Store {
    /// Calls `sink` with a header, every paper (by id), then every daily entry (by day),
    /// all read in one transaction so the export is a consistent snapshot.
    pub async fn export<E>(
        &self,
        mut sink: impl FnMut(Record) -> Result<(), E>,
    ) -> Result<Result<ExportSummary, E>> {
        let mut tx = self.db.begin_snapshot().await?;
        let mut summary = ExportSummary::default();
        if let Err(e) = sink(Record::PaperboyExport {
            version: FORMAT_VERSION,
            exported_at: self.clock.now(),
        }) {
            return Ok(Err(e));
        }
        let mut after = String::new();
        loop {
            let sql = Sql::new(format!(
                "SELECT {PAPER_COLUMNS} FROM papers p WHERE p.id > $1 ORDER BY p.id LIMIT $2"
            ))
            .arg(&after)
            .arg(EXPORT_CHUNK);
            let rows = tx.fetch_all::<PaperRow>(sql).await?;
            if rows.is_empty() {
                break;
            }
            for row in rows {
                let (paper, _) = row.into_paper()?;
                after = paper.id.to_string();
                summary.papers += 1;
                if let Err(e) = sink(Record::Paper(Box::new(paper))) {
                    return Ok(Err(e));
                }
            }
        }
        let mut after = (String::new(), String::new());
        loop {
            let sql = Sql::new(format!(
                "SELECT {ENTRY_COLUMNS} FROM daily_entries d WHERE d.day > $1 OR (d.day = $1 AND d.paper_id > $2) \
                 ORDER BY d.day, d.paper_id LIMIT $3"
            ))
            .arg(&after.0)
            .arg(&after.1)
            .arg(EXPORT_CHUNK);
            let rows = tx.fetch_all::<EntryRow>(sql).await?;
            if rows.is_empty() {
                break;
            }
            for row in rows {
                let entry = row.into_entry()?;
                after = (entry.date.to_string(), entry.paper_id.to_string());
                summary.daily_entries += 1;
                if let Err(e) = sink(Record::DailyEntry(entry)) {
                    return Ok(Err(e));
                }
            }
        }
        tx.commit().await?;
        Ok(Ok(summary))
    }
}
