//! The arXiv daily-listing JSON Lines (`../shared/data/arxiv_cs_daily_listings_*.jsonl.gz`):
//! one paper per line with `id`, `title`, `summary`, `authors` (names), `categories`
//! (primary first), `comment`, and `listing_dates` (the days it was announced).
//! The source has no publication time: the first listing day stands in for it.

use paperboy_core::text::{normalize_optional, normalize_whitespace};
use paperboy_core::{Author, Paper, Source};
use serde::Deserialize;

use super::{LineContext, LineFormat, Parsed, parse_day, parse_id};

/// The listing format.
#[derive(Debug, Clone, Copy, Default)]
pub struct Listing;

#[derive(Deserialize)]
struct Record {
    id: String,
    title: String,
    summary: String,
    authors: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    listing_dates: Vec<String>,
}

impl LineFormat for Listing {
    fn parse_line(
        &self,
        line: &str,
        number: u64,
        _ctx: &LineContext,
        out: &mut Parsed,
    ) -> Result<(), String> {
        let record: Record = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let id = parse_id("id", &record.id)?;
        let mut paper = Paper::new(
            id.id,
            normalize_whitespace(&record.title),
            normalize_whitespace(&record.summary),
            record
                .authors
                .iter()
                .map(|a| Author::named(normalize_whitespace(a)))
                .collect(),
        );
        paper.version = id.version;
        paper.bib_source = Some(Source::Listing);
        paper.categories = record
            .categories
            .iter()
            .map(|c| normalize_whitespace(c))
            .filter(|c| !c.is_empty())
            .collect();
        paper.comments = normalize_optional(record.comment.as_deref());
        for day in &record.listing_dates {
            paper.announced.insert(parse_day("listing_dates", day)?);
        }
        paper.extract_links();
        out.push_paper(number, paper);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"id": "2503.11731", "pdf": "https://arxiv.org/pdf/2503.11731", "abs": "https://arxiv.org/abs/2503.11731", "authors": ["A  One", "B Two"], "title": "A\n  Title", "categories": ["cs.CV", "cs.AI", "68T45"], "comment": "Code: https://github.com/o/r", "summary": "Line one\nline two.", "listing_dates": ["2025-03-18", "2025-03-19"]}"#;

    #[test]
    fn parses_a_corpus_line() {
        let mut out = Parsed::default();
        Listing
            .parse_line(LINE, 1, &LineContext::default(), &mut out)
            .unwrap();
        let p = &out.batch.papers[0];
        assert_eq!(p.id.as_str(), "2503.11731");
        assert_eq!(p.title, "A Title");
        assert_eq!(p.summary, "Line one line two.");
        assert_eq!(p.authors[0].name, "A One");
        assert_eq!(p.primary_category(), Some("cs.CV"));
        assert_eq!(p.announced.len(), 2);
        assert_eq!(p.github_repo.as_deref(), Some("https://github.com/o/r"));
        assert_eq!(p.published, None, "the listing has no publication time");
        assert_eq!(
            p.published_or_announced().unwrap().to_string(),
            "2025-03-18T00:00:00Z"
        );
    }

    #[test]
    fn reports_what_is_wrong() {
        let mut out = Parsed::default();
        let err = Listing.parse_line(
            r#"{"id": "nope", "title": "t", "summary": "s", "authors": []}"#,
            1,
            &LineContext::default(),
            &mut out,
        );
        assert!(err.unwrap_err().contains("`nope` is not an arXiv id"));
        let err = Listing.parse_line(
            r#"{"id": "2503.11731"}"#,
            1,
            &LineContext::default(),
            &mut out,
        );
        assert!(err.unwrap_err().contains("missing field"));
        let bad_day = LINE.replace("2025-03-19", "2025-13-01");
        assert!(
            Listing
                .parse_line(&bad_day, 1, &LineContext::default(), &mut out)
                .unwrap_err()
                .contains("listing_dates")
        );
    }

    #[test]
    fn parses_the_real_raw_listing_fixture() {
        let text =
            paperboy_testkit::fixture("arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl");
        let mut out = Parsed::default();
        for (i, line) in text.lines().enumerate() {
            Listing
                .parse_line(line, i as u64 + 1, &LineContext::default(), &mut out)
                .unwrap();
        }
        assert_eq!(out.batch.papers.len(), 230);
        assert!(out.skipped.is_empty());
        let ids: std::collections::BTreeSet<_> =
            out.batch.papers.iter().map(|p| p.id.clone()).collect();
        assert_eq!(ids.len(), 166, "SOURCES.md: 230 lines, 166 distinct ids");
    }
}
