//! Converting between domain values and database columns.

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::civil::Date;
use paperboy_core::{ArxivId, Author, DailyEntry, Paper, Submitter};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::{Result, StoreError};

/// The paper columns in the order [`paper_from_row`] reads them (prefixed `p.`), with
/// the given expressions for `ai_summary` and `ai_keywords`.
macro_rules! paper_columns {
    ($ai_summary:literal, $ai_keywords:literal) => {
        concat!(
            "p.id, p.version, p.title, p.summary, p.authors, p.categories, \
             p.comments, p.journal_ref, p.doi, p.license, p.published_ms, p.updated_ms, p.announced, \
             p.github_repo, p.project_page, p.links, p.github_stars, ",
            $ai_summary,
            ", ",
            $ai_keywords,
            ", p.first_seen_ms"
        )
    };
}

/// The paper columns as sources gave them: what the write path merges into and what
/// `export` writes.
pub(crate) const PAPER_COLUMNS: &str = paper_columns!("p.ai_summary", "p.ai_keywords");

/// The paper columns as readers see them: a source's `ai_summary` / `ai_keywords`,
/// else the ones paperboy made (tables `summaries`, `keyphrases`).
pub(crate) const PAPER_VIEW_COLUMNS: &str = paper_columns!(
    "COALESCE(p.ai_summary, (SELECT s.summary FROM summaries s WHERE s.paper_id = p.id))",
    "CASE WHEN p.ai_keywords = '[]' \
     THEN COALESCE((SELECT k.phrases FROM keyphrases k WHERE k.paper_id = p.id), '[]') \
     ELSE p.ai_keywords END"
);

/// The daily entry columns, in the order [`entry_from_row`] reads them (prefixed `d.`).
pub(crate) const ENTRY_COLUMNS: &str = "d.day, d.paper_id, d.submitter_name, d.submitter_fullname, \
     d.submitter_avatar, d.submitted_ms, d.upvotes, d.num_comments";

pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    // Serialising plain data structs to a String cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}

fn from_json<T: DeserializeOwned>(what: &str, id: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(format!("{what} of {id}"), e))
}

pub(crate) fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub(crate) fn from_ms(what: &str, value: i64) -> Result<Timestamp> {
    Timestamp::from_millisecond(value).map_err(|e| StoreError::corrupt(what, e))
}

fn opt_from_ms(what: &str, value: Option<i64>) -> Result<Option<Timestamp>> {
    value.map(|v| from_ms(what, v)).transpose()
}

pub(crate) fn parse_day(what: &str, text: &str) -> Result<Date> {
    text.parse().map_err(|e| StoreError::corrupt(what, e))
}

pub(crate) fn parse_id(text: &str) -> Result<ArxivId> {
    ArxivId::parse(text).map_err(|e| StoreError::corrupt("paper id", e))
}

fn to_u32(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

/// Reads a paper from a row selected with [`PAPER_COLUMNS`] or [`PAPER_VIEW_COLUMNS`]
/// starting at column 0.
/// Returns the paper and when this database first stored it.
pub(crate) fn paper_from_row(row: &SqliteRow) -> Result<(Paper, Timestamp)> {
    let id_text: String = row.try_get(0)?;
    let id = parse_id(&id_text)?;
    let version: i64 = row.try_get(1)?;
    let authors: Vec<Author> = from_json("authors", &id_text, row.try_get(4)?)?;
    let categories: Vec<String> = from_json("categories", &id_text, row.try_get(5)?)?;
    let announced: BTreeSet<Date> = from_json("announced", &id_text, row.try_get(12)?)?;
    let links: Vec<String> = from_json("links", &id_text, row.try_get(15)?)?;
    let ai_keywords: Vec<String> = from_json("ai_keywords", &id_text, row.try_get(18)?)?;
    let github_stars: Option<i64> = row.try_get(16)?;
    let paper = Paper {
        id,
        version: u32::try_from(version).ok().filter(|v| *v > 0),
        title: row.try_get(2)?,
        summary: row.try_get(3)?,
        authors,
        categories,
        comments: row.try_get(6)?,
        journal_ref: row.try_get(7)?,
        doi: row.try_get(8)?,
        license: row.try_get(9)?,
        published: opt_from_ms("published", row.try_get(10)?)?,
        updated: opt_from_ms("updated", row.try_get(11)?)?,
        announced,
        github_repo: row.try_get(13)?,
        project_page: row.try_get(14)?,
        links,
        github_stars: github_stars.and_then(|s| u64::try_from(s).ok()),
        ai_summary: row.try_get(17)?,
        ai_keywords,
    };
    let first_seen = from_ms("first_seen", row.try_get(19)?)?;
    Ok((paper, first_seen))
}

/// Reads a daily entry from a row selected with [`ENTRY_COLUMNS`] starting at `offset`.
pub(crate) fn entry_from_row(row: &SqliteRow, offset: usize) -> Result<DailyEntry> {
    let day: String = row.try_get(offset)?;
    let paper_id: String = row.try_get(offset + 1)?;
    let submitter_name: Option<String> = row.try_get(offset + 2)?;
    let upvotes: i64 = row.try_get(offset + 6)?;
    let num_comments: i64 = row.try_get(offset + 7)?;
    Ok(DailyEntry {
        date: parse_day("daily entry day", &day)?,
        paper_id: parse_id(&paper_id)?,
        submitted_by: match submitter_name {
            Some(name) => Some(Submitter {
                name,
                fullname: row.try_get(offset + 3)?,
                avatar_url: row.try_get(offset + 4)?,
            }),
            None => None,
        },
        submitted_at: opt_from_ms("submitted_at", row.try_get(offset + 5)?)?,
        upvotes: to_u32(upvotes),
        num_comments: to_u32(num_comments),
    })
}

/// Clamps a count read from the database into `u32`.
pub(crate) fn count(value: i64) -> u32 {
    to_u32(value)
}
