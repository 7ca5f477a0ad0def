//! Papers: the metadata of one arXiv identifier, merged from every source that knows it.

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ArxivId;
use crate::links::find_links;

/// One author as the source lists them, in paper order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// Display name, e.g. `Ada Lovelace`.
    pub name: String,
    /// Affiliation, when the source gives one (arXiv API, OAI-PMH `arXiv` format).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<String>,
}

impl Author {
    /// An author with a name and no affiliation.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            affiliation: None,
        }
    }
}

/// A paper's metadata. Optional fields are `None` when no source has given them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paper {
    /// The arXiv id, without version.
    pub id: ArxivId,
    /// The latest version any source has described (`None`: the source did not say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// Title, whitespace-normalised, LaTeX kept.
    pub title: String,
    /// Abstract, whitespace-normalised, LaTeX kept.
    pub summary: String,
    /// Authors in paper order.
    pub authors: Vec<Author>,
    /// arXiv categories, the primary one first. May carry ACM/MSC classes as sources do.
    #[serde(default)]
    pub categories: Vec<String>,
    /// The authors' comments (`10 pages, 3 figures; code at ...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<String>,
    /// Journal reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_ref: Option<String>,
    /// DOI(s), as the source gives them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doi: Option<String>,
    /// Licence URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// When version 1 appeared. Sources without a timestamp give the first announcement day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Timestamp>,
    /// When the latest version appeared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
    /// Days arXiv announced the paper in its daily listings (listing files, OAI datestamps).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub announced: BTreeSet<Date>,
    /// The code repository (`https://github.com/owner/repo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github_repo: Option<String>,
    /// The project page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_page: Option<String>,
    /// Every URL found in the abstract and comments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    /// GitHub stars of the repository, as last reported by a source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github_stars: Option<u64>,
    /// An image that shows the paper, as an http(s) URL at its source: a figure its
    /// authors uploaded (HF `mediaUrls`), else the source's thumbnail (HF
    /// `thumbnail`). Pages never link to it: paperboy serves its own copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
    /// A one-sentence summary (HF `ai_summary`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai_summary: Option<String>,
    /// Key phrases (HF `ai_keywords`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ai_keywords: Vec<String>,
}

/// Size limits that keep one absurd record from exhausting memory or pages.
pub mod limits {
    /// Longest title, in bytes.
    pub const TITLE: usize = 2_000;
    /// Longest abstract, in bytes.
    pub const SUMMARY: usize = 20_000;
    /// Most authors on one paper (the largest real collaborations list ~5,000).
    pub const AUTHORS: usize = 10_000;
    /// Longest author name or affiliation, in bytes.
    pub const AUTHOR_NAME: usize = 1_000;
    /// Most categories on one paper.
    pub const CATEGORIES: usize = 64;
    /// Longest category, in bytes.
    pub const CATEGORY: usize = 1_000;
    /// Longest comments, journal-ref, DOI, licence, link or AI summary, in bytes.
    pub const FIELD: usize = 10_000;
    /// Most links or keywords kept per paper.
    pub const LIST: usize = 200;
}

/// A record that breaks a limit or lacks a required field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaperError {
    /// A required field is empty.
    #[error("field `{0}` is empty")]
    Empty(&'static str),
    /// A field is longer than its limit.
    #[error("field `{field}` is {len} bytes long, over the limit of {limit}")]
    TooLong {
        /// Field name.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// A list has too many items.
    #[error("field `{field}` has {len} items, over the limit of {limit}")]
    TooMany {
        /// Field name.
        field: &'static str,
        /// Its item count.
        len: usize,
        /// The limit.
        limit: usize,
    },
}

fn check_len(field: &'static str, value: &str, limit: usize) -> Result<(), PaperError> {
    if value.len() > limit {
        return Err(PaperError::TooLong {
            field,
            len: value.len(),
            limit,
        });
    }
    Ok(())
}

fn check_count(field: &'static str, len: usize, limit: usize) -> Result<(), PaperError> {
    if len > limit {
        return Err(PaperError::TooMany { field, len, limit });
    }
    Ok(())
}

impl Paper {
    /// A paper with only the required fields set.
    pub fn new(id: ArxivId, title: String, summary: String, authors: Vec<Author>) -> Self {
        Self {
            id,
            version: None,
            title,
            summary,
            authors,
            categories: Vec::new(),
            comments: None,
            journal_ref: None,
            doi: None,
            license: None,
            published: None,
            updated: None,
            announced: BTreeSet::new(),
            github_repo: None,
            project_page: None,
            links: Vec::new(),
            github_stars: None,
            thumbnail: None,
            ai_summary: None,
            ai_keywords: Vec::new(),
        }
    }

    /// The primary category, if any.
    pub fn primary_category(&self) -> Option<&str> {
        self.categories.first().map(String::as_str)
    }

    /// The publication time, or else midnight UTC of the first announcement day.
    pub fn published_or_announced(&self) -> Option<Timestamp> {
        self.published.or_else(|| {
            let day = self.announced.first()?;
            day.to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .ok()
                .map(|z| z.timestamp())
        })
    }

    /// The day this paper is "new" in the firehose: its first announcement (arXiv
    /// lists Friday's announcement again on Saturday and Sunday; a weekend listing
    /// day folds into the Friday before it), or when no source gave one, the day it
    /// was published.
    pub fn firehose_day(&self) -> Option<Date> {
        match self.announced.first() {
            Some(first) => Some(announcement_day(*first)),
            None => self
                .published
                .map(|t| t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()),
        }
    }

    /// Fills `github_repo`, `project_page` and `links` from the abstract and comments,
    /// keeping values a source already set.
    pub fn extract_links(&mut self) {
        let found = find_links([
            self.summary.as_str(),
            self.comments.as_deref().unwrap_or(""),
        ]);
        if self.github_repo.is_none() {
            self.github_repo = found.github_repo;
        }
        if self.project_page.is_none() {
            self.project_page = found.project_page;
        }
        for url in found.urls {
            if !self.links.contains(&url) {
                self.links.push(url);
            }
        }
        self.links.truncate(limits::LIST);
    }

    /// Checks required fields and size limits.
    pub fn validate(&self) -> Result<(), PaperError> {
        if self.title.is_empty() {
            return Err(PaperError::Empty("title"));
        }
        check_len("title", &self.title, limits::TITLE)?;
        check_len("summary", &self.summary, limits::SUMMARY)?;
        check_count("authors", self.authors.len(), limits::AUTHORS)?;
        for author in &self.authors {
            check_len("authors.name", &author.name, limits::AUTHOR_NAME)?;
            if let Some(affiliation) = &author.affiliation {
                check_len("authors.affiliation", affiliation, limits::AUTHOR_NAME)?;
            }
        }
        check_count("categories", self.categories.len(), limits::CATEGORIES)?;
        for category in &self.categories {
            check_len("categories", category, limits::CATEGORY)?;
        }
        for (field, value) in [
            ("comments", &self.comments),
            ("journal_ref", &self.journal_ref),
            ("doi", &self.doi),
            ("license", &self.license),
            ("github_repo", &self.github_repo),
            ("project_page", &self.project_page),
            ("thumbnail", &self.thumbnail),
            ("ai_summary", &self.ai_summary),
        ] {
            if let Some(value) = value {
                check_len(field, value, limits::FIELD)?;
            }
        }
        check_count("links", self.links.len(), limits::LIST)?;
        check_count("ai_keywords", self.ai_keywords.len(), limits::LIST)?;
        check_count("announced", self.announced.len(), limits::LIST * 10)?;
        for value in self.links.iter().chain(&self.ai_keywords) {
            check_len("links", value, limits::FIELD)?;
        }
        Ok(())
    }

    /// Merges what `incoming` knows into this stored paper and says whether anything
    /// changed.
    ///
    /// - A newer or equal version replaces the metadata fields it carries; fields it
    ///   lacks keep their stored values (sources differ in what they carry).
    /// - An older version only fills fields still missing.
    /// - `published` keeps the earliest time, `updated` the latest; announcement days
    ///   and links accumulate.
    ///
    /// Merging the same paper twice changes nothing the second time.
    pub fn merge(&mut self, incoming: Paper) -> bool {
        let before = self.clone();
        let replace = incoming.version.unwrap_or(0) >= self.version.unwrap_or(0);
        let Paper {
            id: _,
            version,
            title,
            summary,
            authors,
            categories,
            comments,
            journal_ref,
            doi,
            license,
            published,
            updated,
            announced,
            github_repo,
            project_page,
            links,
            github_stars,
            thumbnail,
            ai_summary,
            ai_keywords,
        } = incoming;

        self.version = self.version.max(version);
        merge_required(&mut self.title, title, replace);
        merge_required(&mut self.summary, summary, replace);
        merge_list(&mut self.authors, authors, replace);
        merge_list(&mut self.categories, categories, replace);
        merge_list(&mut self.ai_keywords, ai_keywords, replace);
        for (stored, incoming) in [
            (&mut self.comments, comments),
            (&mut self.journal_ref, journal_ref),
            (&mut self.doi, doi),
            (&mut self.license, license),
            (&mut self.github_repo, github_repo),
            (&mut self.project_page, project_page),
            (&mut self.thumbnail, thumbnail),
            (&mut self.ai_summary, ai_summary),
        ] {
            merge_optional(stored, incoming, replace);
        }
        merge_optional(&mut self.github_stars, github_stars, replace);
        self.published = earliest(self.published, published);
        self.updated = self.updated.max(updated);
        self.announced.extend(announced);
        for url in links {
            if self.links.len() < limits::LIST && !self.links.contains(&url) {
                self.links.push(url);
            }
        }
        *self != before
    }
}

fn merge_required(stored: &mut String, incoming: String, replace: bool) {
    if !incoming.is_empty() && (replace || stored.is_empty()) {
        *stored = incoming;
    }
}

fn merge_list<T>(stored: &mut Vec<T>, incoming: Vec<T>, replace: bool) {
    if !incoming.is_empty() && (replace || stored.is_empty()) {
        *stored = incoming;
    }
}

fn merge_optional<T>(stored: &mut Option<T>, incoming: Option<T>, replace: bool) {
    if incoming.is_some() && (replace || stored.is_none()) {
        *stored = incoming;
    }
}

fn earliest(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The announcement a listing day belongs to: the day itself on weekdays, the Friday
/// before on Saturdays and Sundays (arXiv does not announce on weekends; listings
/// dated then repeat Friday's).
pub fn announcement_day(listed: Date) -> Date {
    let back = match listed.weekday() {
        jiff::civil::Weekday::Saturday => 1,
        jiff::civil::Weekday::Sunday => 2,
        _ => 0,
    };
    listed
        .checked_sub(jiff::Span::new().days(back))
        .unwrap_or(listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paper(version: Option<u32>, title: &str) -> Paper {
        let mut p = Paper::new(
            ArxivId::parse("2401.12345").unwrap(),
            title.into(),
            "An abstract.".into(),
            vec![Author::named("A. One")],
        );
        p.version = version;
        p
    }

    #[test]
    fn newer_version_replaces_older() {
        let mut stored = paper(Some(1), "Old title");
        assert!(stored.merge(paper(Some(2), "New title")));
        assert_eq!(
            (stored.title.as_str(), stored.version),
            ("New title", Some(2))
        );
    }

    #[test]
    fn older_version_only_fills_gaps() {
        let mut stored = paper(Some(3), "v3 title");
        let mut old = paper(Some(1), "v1 title");
        old.doi = Some("10.1/x".into());
        assert!(stored.merge(old));
        assert_eq!(stored.title, "v3 title");
        assert_eq!(stored.doi.as_deref(), Some("10.1/x"));
        assert_eq!(stored.version, Some(3));
    }

    #[test]
    fn merging_twice_changes_nothing_the_second_time() {
        let mut stored = paper(Some(1), "T");
        let mut incoming = paper(Some(1), "T2");
        incoming.announced.insert(jiff::civil::date(2025, 3, 18));
        incoming.categories = vec!["cs.CL".into()];
        assert!(stored.merge(incoming.clone()));
        assert!(!stored.merge(incoming));
    }

    #[test]
    fn published_keeps_earliest_and_fields_missing_from_a_source_survive() {
        let mut stored = paper(None, "T");
        stored.comments = Some("10 pages".into());
        stored.published = Some("2025-03-18T00:00:00Z".parse().unwrap());
        let mut hf = paper(None, "T");
        hf.published = Some("2025-03-14T17:00:00Z".parse().unwrap());
        hf.github_repo = Some("https://github.com/a/b".into());
        assert!(stored.merge(hf));
        assert_eq!(stored.comments.as_deref(), Some("10 pages"));
        assert_eq!(
            stored.published.unwrap().to_string(),
            "2025-03-14T17:00:00Z"
        );
        assert_eq!(
            stored.github_repo.as_deref(),
            Some("https://github.com/a/b")
        );
    }

    #[test]
    fn firehose_day_is_the_first_announcement_weekends_folded_into_friday() {
        let mut p = paper(None, "T");
        assert_eq!(p.firehose_day(), None);
        p.published = Some("2025-03-14T23:30:00Z".parse().unwrap());
        assert_eq!(p.firehose_day(), Some(jiff::civil::date(2025, 3, 14)));
        // Listed Friday, Saturday and Sunday (as the listing corpus has it): new on Friday.
        for day in [16, 15, 14] {
            p.announced.insert(jiff::civil::date(2025, 3, day));
        }
        assert_eq!(p.firehose_day(), Some(jiff::civil::date(2025, 3, 14)));
        // First listed on a Sunday: Friday's announcement.
        p.announced = [
            jiff::civil::date(2025, 3, 23),
            jiff::civil::date(2025, 3, 24),
        ]
        .into();
        assert_eq!(p.firehose_day(), Some(jiff::civil::date(2025, 3, 21)));
        // Announced Monday and listed again Tuesday: new on Monday only.
        p.announced = [
            jiff::civil::date(2025, 3, 17),
            jiff::civil::date(2025, 3, 18),
        ]
        .into();
        assert_eq!(p.firehose_day(), Some(jiff::civil::date(2025, 3, 17)));
    }

    #[test]
    fn validate_rejects_absurd_fields() {
        let mut p = paper(None, "T");
        assert_eq!(p.validate(), Ok(()));
        p.title = "x".repeat(limits::TITLE + 1);
        assert!(matches!(
            p.validate(),
            Err(PaperError::TooLong { field: "title", .. })
        ));
        p.title.clear();
        assert_eq!(p.validate(), Err(PaperError::Empty("title")));
    }

    #[test]
    fn extract_links_keeps_source_values() {
        let mut p = paper(None, "T");
        p.summary = "Code: https://github.com/x/y".into();
        p.github_repo = Some("https://github.com/hf/given".into());
        p.extract_links();
        assert_eq!(
            p.github_repo.as_deref(),
            Some("https://github.com/hf/given")
        );
        assert_eq!(p.links, vec!["https://github.com/x/y"]);
    }
}
