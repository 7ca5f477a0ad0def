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

/// The kind of source a record comes from, ranked for the bibliographic fields: of two
/// records of the same version, the higher-ranked one's title, abstract, authors,
/// categories, comments, journal-ref, DOI and licence win (see [`Paper::merge`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Hugging Face daily papers (its abstracts lose their LaTeX; it has no
    /// categories, comments or DOIs).
    Hf,
    /// arXiv daily-listing files: arXiv's metadata as a third party copied it.
    Listing,
    /// arXiv's own metadata: the API (and papers users submit, fetched from it),
    /// OAI-PMH, the Kaggle snapshot.
    Arxiv,
}

impl Source {
    /// The name stored in the database and written in exports (`hf`, `listing`, `arxiv`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hf => "hf",
            Self::Listing => "listing",
            Self::Arxiv => "arxiv",
        }
    }

    /// The source named `name` ([`Source::as_str`]), if any.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Hf, Self::Listing, Self::Arxiv]
            .into_iter()
            .find(|s| s.as_str() == name)
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
    /// Where the bibliographic fields come from: for a record fresh from a parser, its
    /// source; for a stored paper, the source of the record that won them. `None`
    /// (papers stored before paperboy kept it) ranks below every source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bib_source: Option<Source>,
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
    /// Every URL found in the abstract and comments of every source, sorted (so the
    /// order sources arrive in does not show).
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
            bib_source: None,
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
        add_links(&mut self.links, found.urls);
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

    /// The precedence of this paper's bibliographic fields: its version (unknown
    /// counts as oldest), then the rank of their source.
    fn bib_rank(&self) -> (u32, Option<Source>) {
        (self.version.unwrap_or(0), self.bib_source)
    }

    /// Merges what `incoming` knows into this stored paper and says whether anything
    /// changed. Which record wins is a fixed precedence per field, so the result does
    /// not depend on the order records arrive in (docs/architecture.md has the table):
    ///
    /// - Bibliographic fields (title, abstract, authors, categories, comments,
    ///   journal-ref, DOI, licence) and [`Paper::bib_source`]: a record of a newer
    ///   version, or of the same version (unknown counts as oldest) from a
    ///   higher-ranked [`Source`], replaces the fields it carries; fields it lacks
    ///   keep their stored values. A lower-ranked record only fills fields still
    ///   missing. Of two records of the same source and version, the later one is
    ///   that source's correction and wins.
    /// - Hugging Face's fields (AI summary, AI keywords, thumbnail, GitHub stars) and
    ///   the code repository and project page: an HF record's value replaces the
    ///   stored one (HF's repository and project page are the ones their authors
    ///   linked on HF); a record from any other source only fills a gap.
    /// - `version` and `updated` keep the latest, `published` the earliest;
    ///   announcement days and links accumulate.
    ///
    /// Merging the same paper twice changes nothing the second time.
    pub fn merge(&mut self, incoming: Paper) -> bool {
        let before = self.clone();
        let bib = incoming.bib_rank() >= self.bib_rank();
        let hf = incoming.bib_source == Some(Source::Hf);
        let Paper {
            id: _,
            version,
            bib_source,
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

        if bib {
            self.bib_source = bib_source;
        }
        self.version = self.version.max(version);
        merge_required(&mut self.title, title, bib);
        merge_required(&mut self.summary, summary, bib);
        merge_list(&mut self.authors, authors, bib);
        merge_list(&mut self.categories, categories, bib);
        for (stored, incoming) in [
            (&mut self.comments, comments),
            (&mut self.journal_ref, journal_ref),
            (&mut self.doi, doi),
            (&mut self.license, license),
        ] {
            merge_optional(stored, incoming, bib);
        }
        merge_list(&mut self.ai_keywords, ai_keywords, hf);
        for (stored, incoming) in [
            (&mut self.github_repo, github_repo),
            (&mut self.project_page, project_page),
            (&mut self.thumbnail, thumbnail),
            (&mut self.ai_summary, ai_summary),
        ] {
            merge_optional(stored, incoming, hf);
        }
        merge_optional(&mut self.github_stars, github_stars, hf);
        self.published = earliest(self.published, published);
        self.updated = self.updated.max(updated);
        self.announced.extend(announced);
        add_links(&mut self.links, links);
        *self != before
    }
}

/// Adds `urls` to the sorted `links`, keeping them sorted, distinct and at most
/// [`limits::LIST`].
fn add_links(links: &mut Vec<String>, urls: Vec<String>) {
    let mut all: BTreeSet<String> = links.drain(..).collect();
    all.extend(urls);
    links.extend(all.into_iter().take(limits::LIST));
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

    fn from(source: Source, version: Option<u32>, summary: &str) -> Paper {
        let mut p = paper(version, "T");
        p.bib_source = Some(source);
        p.summary = summary.into();
        p
    }

    /// Merges `records` in the given order into the first.
    fn merged(records: &[&Paper]) -> Paper {
        let mut out = records[0].clone();
        for record in &records[1..] {
            out.merge((*record).clone());
        }
        out
    }

    #[test]
    fn of_the_same_version_the_higher_ranked_source_wins_in_either_order() {
        let mut hf = from(Source::Hf, None, "Uses O(n) memory");
        hf.ai_summary = Some("One sentence.".into());
        let mut listing = from(Source::Listing, None, "Uses $O(n)$ memory");
        listing.comments = Some("9 pages".into());
        for order in [[&hf, &listing], [&listing, &hf]] {
            let p = merged(&order);
            assert_eq!(p.summary, "Uses $O(n)$ memory");
            assert_eq!(p.bib_source, Some(Source::Listing));
            assert_eq!(p.comments.as_deref(), Some("9 pages"));
            assert_eq!(p.ai_summary.as_deref(), Some("One sentence."));
        }
        let arxiv = from(Source::Arxiv, None, "arXiv's abstract");
        assert_eq!(merged(&[&arxiv, &listing]).summary, "arXiv's abstract");
        assert_eq!(merged(&[&listing, &arxiv]).summary, "arXiv's abstract");
    }

    #[test]
    fn a_newer_version_beats_a_higher_ranked_source() {
        let v1 = from(Source::Arxiv, Some(1), "v1");
        let v2 = from(Source::Listing, Some(2), "v2");
        for order in [[&v1, &v2], [&v2, &v1]] {
            let p = merged(&order);
            assert_eq!((p.summary.as_str(), p.version), ("v2", Some(2)));
            assert_eq!(p.bib_source, Some(Source::Listing));
        }
    }

    #[test]
    fn a_paper_stored_without_a_source_is_replaced_once_by_any_source() {
        let mut stored = paper(None, "Old");
        assert!(stored.merge(from(Source::Hf, None, "HF's")));
        assert_eq!(
            (stored.summary.as_str(), stored.bib_source),
            ("HF's", Some(Source::Hf))
        );
        let mut other_hf = from(Source::Hf, None, "HF's");
        other_hf.title = "Other".into();
        assert!(
            stored.merge(other_hf),
            "same source: the later record corrects"
        );
        assert_eq!(stored.title, "Other");
        assert!(!stored.merge(paper(None, "Unknown source")));
        assert_eq!(stored.title, "Other");
    }

    #[test]
    fn hugging_face_fields_come_from_hugging_face_others_only_fill_gaps() {
        let mut hf = from(Source::Hf, None, "S");
        hf.github_repo = Some("https://github.com/hf/linked".into());
        hf.github_stars = Some(12);
        let mut arxiv = from(
            Source::Arxiv,
            Some(1),
            "Code: https://github.com/in/abstract",
        );
        arxiv.extract_links();
        arxiv.project_page = Some("https://in.abstract.io".into());
        for order in [[&hf, &arxiv], [&arxiv, &hf]] {
            let p = merged(&order);
            assert_eq!(
                p.github_repo.as_deref(),
                Some("https://github.com/hf/linked")
            );
            assert_eq!(p.project_page.as_deref(), Some("https://in.abstract.io"));
            assert_eq!(p.github_stars, Some(12));
            assert_eq!(p.summary, "Code: https://github.com/in/abstract");
        }
    }

    #[test]
    fn links_accumulate_sorted_whatever_the_order() {
        let mut a = from(
            Source::Hf,
            None,
            "See https://b.example and https://a.example",
        );
        a.extract_links();
        assert_eq!(a.links, ["https://a.example", "https://b.example"]);
        let mut b = from(
            Source::Listing,
            None,
            "See https://c.example, https://a.example",
        );
        b.extract_links();
        let (ab, ba) = (merged(&[&a, &b]), merged(&[&b, &a]));
        assert_eq!(ab, ba);
        assert_eq!(
            ab.links,
            [
                "https://a.example",
                "https://b.example",
                "https://c.example"
            ]
        );
    }

    #[test]
    fn source_names_round_trip() {
        for source in [Source::Hf, Source::Listing, Source::Arxiv] {
            assert_eq!(Source::from_name(source.as_str()), Some(source));
            assert_eq!(
                serde_json::to_string(&source).unwrap(),
                format!("\"{}\"", source.as_str())
            );
        }
        assert_eq!(Source::from_name("kaggle"), None);
        assert!(Source::Hf < Source::Listing && Source::Listing < Source::Arxiv);
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
