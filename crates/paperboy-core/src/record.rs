//! paperboy's own interchange format: one JSON object per line, tagged by `type`.
//!
//! `paperboy export` writes it and `paperboy import` reads it back losslessly.

use serde::{Deserialize, Serialize};

use crate::{DailyEntry, Paper};

/// The format version written in the header line.
pub const FORMAT_VERSION: u32 = 1;

/// One line of an export file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    /// The first line: what wrote the file.
    PaperboyExport {
        /// [`FORMAT_VERSION`] of the writer.
        version: u32,
        /// When the export started.
        exported_at: jiff::Timestamp,
    },
    /// A paper.
    Paper(Box<Paper>),
    /// A daily entry; its paper precedes it in the file.
    DailyEntry(DailyEntry),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ArxivId, Author};

    #[test]
    fn records_round_trip_through_json_lines() {
        let mut paper = Paper::new(
            ArxivId::parse("hep-th/9901001").unwrap(),
            "T".into(),
            "S".into(),
            vec![Author {
                name: "A".into(),
                affiliation: Some("X".into()),
            }],
        );
        paper.version = Some(2);
        paper.announced.insert(jiff::civil::date(2025, 1, 2));
        let records = vec![
            Record::PaperboyExport {
                version: FORMAT_VERSION,
                exported_at: "2026-01-01T00:00:00Z".parse().unwrap(),
            },
            Record::Paper(Box::new(paper.clone())),
            Record::DailyEntry(DailyEntry::new(
                jiff::civil::date(2025, 1, 3),
                paper.id.clone(),
            )),
        ];
        for record in records {
            let line = serde_json::to_string(&record).unwrap();
            assert!(line.starts_with("{\"type\":"), "{line}");
            assert_eq!(serde_json::from_str::<Record>(&line).unwrap(), record);
        }
    }
}
