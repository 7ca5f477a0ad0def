//! Converting between domain values and database columns.

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::civil::Date;
use paperboy_core::{ArxivId, Author, DailyEntry, Paper, Source, Submitter};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Result, StoreError};

/// The paper columns [`PaperRow`] reads (prefixed `p.`), with
/// the given expressions for `ai_summary` and `ai_keywords`.
macro_rules! paper_columns {
    ($ai_summary:literal, $ai_keywords:literal) => {
        concat!(
            "p.id, p.version, p.bib_source, p.title, p.summary, p.authors, p.categories, \
             p.comments, p.journal_ref, p.doi, p.license, p.published_ms, p.updated_ms, p.announced, \
             p.github_repo, p.project_page, p.links, p.github_stars, p.thumbnail_url, ",
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
    "COALESCE(p.ai_summary, (SELECT s.summary FROM summaries s WHERE s.paper_id = p.id)) AS ai_summary",
    "CASE WHEN p.ai_keywords = '[]' \
     THEN COALESCE((SELECT k.phrases FROM keyphrases k WHERE k.paper_id = p.id), '[]') \
     ELSE p.ai_keywords END AS ai_keywords"
);

/// The daily entry columns [`EntryRow`] reads (from `d`, named apart from the paper's).
pub(crate) const ENTRY_COLUMNS: &str = "d.day AS entry_day, d.paper_id AS entry_paper_id, \
     d.submitter_name, d.submitter_fullname, d.submitter_avatar, d.submitted_ms, \
     d.upvotes AS entry_upvotes, d.num_comments";

/// [`ENTRY_COLUMNS`] as lists show them: the upvotes and comments carried from the
/// source plus the local ones.
pub(crate) const LISTED_ENTRY_COLUMNS: &str = "d.day AS entry_day, d.paper_id AS entry_paper_id, \
     d.submitter_name, d.submitter_fullname, d.submitter_avatar, d.submitted_ms, \
     d.upvotes + COALESCE((SELECT a.upvotes FROM paper_activity a WHERE a.paper_id = d.paper_id), 0) \
     AS entry_upvotes, \
     d.num_comments + COALESCE((SELECT a.comments FROM paper_activity a WHERE a.paper_id = d.paper_id), 0) \
     AS num_comments";

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

/// A paper row selected with [`PAPER_COLUMNS`] or [`PAPER_VIEW_COLUMNS`].
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct PaperRow {
    id: String,
    version: i64,
    bib_source: Option<String>,
    title: String,
    summary: String,
    authors: String,
    categories: String,
    comments: Option<String>,
    journal_ref: Option<String>,
    doi: Option<String>,
    license: Option<String>,
    published_ms: Option<i64>,
    updated_ms: Option<i64>,
    announced: String,
    github_repo: Option<String>,
    project_page: Option<String>,
    links: String,
    github_stars: Option<i64>,
    thumbnail_url: Option<String>,
    ai_summary: Option<String>,
    ai_keywords: String,
    first_seen_ms: i64,
}

impl PaperRow {
    /// The paper and when this database first stored it.
    pub(crate) fn into_paper(self) -> Result<(Paper, Timestamp)> {
        let id = parse_id(&self.id)?;
        let authors: Vec<Author> = from_json("authors", &self.id, &self.authors)?;
        let categories: Vec<String> = from_json("categories", &self.id, &self.categories)?;
        let announced: BTreeSet<Date> = from_json("announced", &self.id, &self.announced)?;
        let links: Vec<String> = from_json("links", &self.id, &self.links)?;
        let ai_keywords: Vec<String> = from_json("ai_keywords", &self.id, &self.ai_keywords)?;
        let bib_source = self
            .bib_source
            .map(|name| {
                Source::from_name(&name).ok_or_else(|| {
                    StoreError::corrupt(
                        format!("bib_source of {}", self.id),
                        format!("unknown source `{name}`"),
                    )
                })
            })
            .transpose()?;
        let paper = Paper {
            id,
            version: u32::try_from(self.version).ok().filter(|v| *v > 0),
            bib_source,
            title: self.title,
            summary: self.summary,
            authors,
            categories,
            comments: self.comments,
            journal_ref: self.journal_ref,
            doi: self.doi,
            license: self.license,
            published: opt_from_ms("published", self.published_ms)?,
            updated: opt_from_ms("updated", self.updated_ms)?,
            announced,
            github_repo: self.github_repo,
            project_page: self.project_page,
            links,
            github_stars: self.github_stars.and_then(|s| u64::try_from(s).ok()),
            thumbnail: self.thumbnail_url,
            ai_summary: self.ai_summary,
            ai_keywords,
        };
        let first_seen = from_ms("first_seen", self.first_seen_ms)?;
        Ok((paper, first_seen))
    }
}

/// A daily entry row selected with [`ENTRY_COLUMNS`].
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct EntryRow {
    entry_day: String,
    entry_paper_id: String,
    submitter_name: Option<String>,
    submitter_fullname: Option<String>,
    submitter_avatar: Option<String>,
    submitted_ms: Option<i64>,
    entry_upvotes: i64,
    num_comments: i64,
}

impl EntryRow {
    /// The entry.
    pub(crate) fn into_entry(self) -> Result<DailyEntry> {
        Ok(DailyEntry {
            date: parse_day("daily entry day", &self.entry_day)?,
            paper_id: parse_id(&self.entry_paper_id)?,
            submitted_by: self.submitter_name.map(|name| Submitter {
                name,
                fullname: self.submitter_fullname,
                avatar_url: self.submitter_avatar,
            }),
            submitted_at: opt_from_ms("submitted_at", self.submitted_ms)?,
            upvotes: to_u32(self.entry_upvotes),
            num_comments: to_u32(self.num_comments),
        })
    }
}

/// Clamps a count read from the database into `u32`.
pub(crate) fn count(value: i64) -> u32 {
    to_u32(value)
}
