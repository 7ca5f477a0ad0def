//! Parsers, one module per source format. Each turns source records into domain
//! values ([`Paper`], [`DailyEntry`]); none touches the database.
//!
//! Line formats (JSON Lines) parse one line at a time ([`LineFormat::parse_line`]), so
//! a bad line costs only itself. Document formats (JSON arrays, XML) parse a whole
//! document and report bad records with the line they start on.

pub mod atom;
pub mod hf;
pub mod kaggle;
pub mod listing;
pub mod oai;
pub mod paperboy;
pub(crate) mod xml;

use jiff::civil::Date;
use paperboy_core::{DailyEntry, Paper, VersionedId};
use paperboy_store::Batch;

/// A record a parser could not use, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// 1-based line where the record starts.
    pub line: u64,
    /// Why it was skipped.
    pub reason: String,
}

/// What a parser got out of a document or a run of lines.
#[derive(Debug, Default, Clone)]
pub struct Parsed {
    /// The good records.
    pub batch: Batch,
    /// The records left out.
    pub skipped: Vec<Skipped>,
}

impl Parsed {
    /// Adds a paper after validating it; an invalid one is skipped with its reason.
    pub fn push_paper(&mut self, line: u64, paper: Paper) -> bool {
        match paper.validate() {
            Ok(()) => {
                self.batch.papers.push(paper);
                true
            }
            Err(e) => {
                self.skip(line, format!("paper {}: {e}", paper.id));
                false
            }
        }
    }

    /// Adds a daily entry.
    pub fn push_entry(&mut self, entry: DailyEntry) {
        self.batch.entries.push(entry);
    }

    /// Records a skipped record.
    pub fn skip(&mut self, line: u64, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            line,
            reason: reason.into(),
        });
    }

    /// How many papers, entries and skipped records it holds.
    pub fn items(&self) -> usize {
        self.batch.len() + self.skipped.len()
    }

    /// Moves everything out of `other` into `self`.
    pub fn append(&mut self, other: Parsed) {
        self.batch.papers.extend(other.batch.papers);
        self.batch.entries.extend(other.batch.entries);
        self.skipped.extend(other.skipped);
    }
}

/// What line formats need to know beyond the line itself.
#[derive(Debug, Clone, Default)]
pub struct LineContext {
    /// The daily-list date to use when records carry none (`--daily-date`).
    pub daily_date: Option<Date>,
}

/// A JSON Lines format: every line is one self-contained record.
pub trait LineFormat {
    /// Parses one line into `out`. An `Err` skips the whole line with that reason.
    fn parse_line(
        &self,
        line: &str,
        number: u64,
        ctx: &LineContext,
        out: &mut Parsed,
    ) -> Result<(), String>;
}

/// Parses an arXiv id field, with a message naming the field.
pub(crate) fn parse_id(field: &str, value: &str) -> Result<VersionedId, String> {
    VersionedId::parse(value).map_err(|e| format!("field `{field}`: {e}"))
}

/// Parses an ISO-8601 timestamp (`2024-05-23T17:59:49.000Z`), naming the field on error.
pub(crate) fn parse_timestamp(field: &str, value: &str) -> Result<jiff::Timestamp, String> {
    value
        .trim()
        .parse()
        .map_err(|e| format!("field `{field}`: `{value}` is not a timestamp ({e})"))
}

static RFC2822: jiff::fmt::rfc2822::DateTimeParser =
    jiff::fmt::rfc2822::DateTimeParser::new().relaxed_weekday(true);

/// Parses an RFC 2822 time (`Mon, 2 Apr 2007 19:18:42 GMT`), naming the field on error.
pub(crate) fn parse_rfc2822(field: &str, value: &str) -> Result<jiff::Timestamp, String> {
    RFC2822
        .parse_timestamp(value.trim())
        .map_err(|e| format!("field `{field}`: `{value}`: {e}"))
}

/// Parses a `YYYY-MM-DD` day, naming the field on error.
pub(crate) fn parse_day(field: &str, value: &str) -> Result<Date, String> {
    paperboy_core::parse_day(value).map_err(|e| format!("field `{field}`: {e}"))
}
