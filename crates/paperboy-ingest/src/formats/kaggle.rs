//! Kaggle's `arxiv-metadata-oai-snapshot.json`: JSON Lines, one paper per line, with
//! `authors_parsed` (`[last, first, suffix]`), space-separated `categories`, and
//! `versions` (`[{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}]`).

use jiff::Timestamp;
use paperboy_core::text::{normalize_optional, normalize_whitespace, split_author_list};
use paperboy_core::{Author, Paper, Source};
use serde::Deserialize;

use super::{LineContext, LineFormat, Parsed, parse_id, parse_rfc2822};

/// The Kaggle snapshot format.
#[derive(Debug, Clone, Copy, Default)]
pub struct KaggleSnapshot;

#[derive(Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    authors: String,
    title: String,
    #[serde(default)]
    comments: Option<String>,
    #[serde(default, rename = "journal-ref")]
    journal_ref: Option<String>,
    #[serde(default)]
    doi: Option<String>,
    #[serde(default)]
    categories: String,
    #[serde(default)]
    license: Option<String>,
    #[serde(rename = "abstract")]
    summary: String,
    #[serde(default)]
    versions: Vec<Version>,
    #[serde(default)]
    authors_parsed: Vec<Vec<String>>,
}

#[derive(Deserialize)]
struct Version {
    version: String,
    created: String,
}

fn parse_created(value: &str) -> Result<Timestamp, String> {
    parse_rfc2822("versions.created", value)
}

/// `["Bal\'azs", "C.", ""]` → `C. Bal\'azs`.
fn author_from_parts(parts: &[String]) -> Option<Author> {
    let last = parts.first().map(String::as_str).unwrap_or("");
    let first = parts.get(1).map(String::as_str).unwrap_or("");
    let suffix = parts.get(2).map(String::as_str).unwrap_or("");
    let name = normalize_whitespace(&format!("{first} {last} {suffix}"));
    (!name.is_empty()).then(|| Author::named(name))
}

impl LineFormat for KaggleSnapshot {
    fn parse_line(
        &self,
        line: &str,
        number: u64,
        _ctx: &LineContext,
        out: &mut Parsed,
    ) -> Result<(), String> {
        let record: Record = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let id = parse_id("id", &record.id)?;
        let authors: Vec<Author> = if record.authors_parsed.is_empty() {
            split_author_list(&record.authors)
                .into_iter()
                .map(Author::named)
                .collect()
        } else {
            record
                .authors_parsed
                .iter()
                .filter_map(|p| author_from_parts(p))
                .collect()
        };
        let mut paper = Paper::new(
            id.id,
            normalize_whitespace(&record.title),
            normalize_whitespace(&record.summary),
            authors,
        );
        paper.bib_source = Some(Source::Arxiv);
        paper.categories = record
            .categories
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        paper.comments = normalize_optional(record.comments.as_deref());
        paper.journal_ref = normalize_optional(record.journal_ref.as_deref());
        paper.doi = normalize_optional(record.doi.as_deref());
        paper.license = normalize_optional(record.license.as_deref());
        if let Some(first) = record.versions.first() {
            paper.published = Some(parse_created(&first.created)?);
        }
        if let Some(last) = record.versions.last() {
            paper.updated = Some(parse_created(&last.created)?);
            let number = last.version.trim_start_matches(['v', 'V']);
            paper.version = number.parse().ok().or(id.version);
        }
        paper.extract_links();
        out.push_paper(number, paper);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_real_sample() {
        let text = paperboy_testkit::fixture(
            "kaggle_snapshot/arxiv-metadata-oai-snapshot.sample-200.jsonl",
        );
        let mut out = Parsed::default();
        for (i, line) in text.lines().enumerate() {
            KaggleSnapshot
                .parse_line(line, i as u64 + 1, &LineContext::default(), &mut out)
                .unwrap();
        }
        assert_eq!(out.batch.papers.len(), 200);
        let first = &out.batch.papers[0];
        assert_eq!(first.id.as_str(), "0704.0001");
        assert_eq!(
            first.title,
            "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
        );
        assert_eq!(
            first.authors[0].name, "C. Balázs",
            "authors_parsed carries the decoded name"
        );
        assert_eq!(first.authors.len(), 4);
        assert_eq!(first.categories, vec!["hep-ph"]);
        assert_eq!(first.doi.as_deref(), Some("10.1103/PhysRevD.76.013009"));
        assert_eq!(first.published.unwrap().to_string(), "2007-04-02T19:18:42Z");
        assert!(first.version.unwrap() >= 2);
        assert!(
            first
                .summary
                .starts_with("A fully differential calculation")
        );
    }

    #[test]
    fn bad_version_date_is_reported() {
        let line = r#"{"id":"0704.0001","authors":"A","title":"T","abstract":"S","versions":[{"version":"v1","created":"yesterday"}]}"#;
        let err = KaggleSnapshot
            .parse_line(line, 1, &LineContext::default(), &mut Parsed::default())
            .unwrap_err();
        assert!(err.contains("versions.created"), "{err}");
    }
}
