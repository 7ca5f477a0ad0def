//! arXiv API responses (`export.arxiv.org/api/query`): an Atom feed, one `<entry>` per
//! paper, arXiv's extensions in the `arxiv:` namespace.
//!
//! Both generations of the format are read: the 2016 one (namespaces declared on each
//! extension element, `<title type="html">` on the feed, multi-line titles) and the
//! current one (namespaces on the root, `<link title="pdf">`, elements in another
//! order). The API reports a bad request as a feed with one entry whose `<id>` is
//! `…/api/errors#…`; such a feed is an error here, never a paper.

use paperboy_core::text::{normalize_optional, normalize_whitespace};
use paperboy_core::{Author, Paper, Source};

use super::xml::{Node, XmlError, XmlStream};
use super::{Parsed, Skipped, parse_id, parse_timestamp};

/// One response of the arXiv API.
#[derive(Debug, Default)]
pub struct Feed {
    /// The papers, and entries that could not be used.
    pub parsed: Parsed,
    /// `<opensearch:totalResults>`: how many results the query has in all.
    pub total_results: Option<u64>,
    /// `<opensearch:startIndex>`.
    pub start_index: Option<u64>,
    /// `<opensearch:itemsPerPage>`.
    pub items_per_page: Option<u64>,
    /// Set when the document breaks off (truncated, malformed): where and why.
    /// Entries before that point are in `parsed`.
    pub broken: Option<Skipped>,
}

/// Parses an arXiv API Atom document.
///
/// `Err` when the document is no Atom feed, or is arXiv's error feed (the message
/// says what arXiv objected to).
pub fn parse_feed(text: &str) -> Result<Feed, String> {
    let mut stream = XmlStream::new(text);
    let root = match stream.next_start() {
        Ok(Some(root)) => root,
        Ok(None) => return Err("no XML element in the document".into()),
        Err(e) => return Err(format!("line {}: {}", e.line, e.reason)),
    };
    if root.name != "feed" {
        return Err(format!(
            "not an Atom feed: the root element is <{}>",
            root.name
        ));
    }
    let mut feed = Feed::default();
    let mut api_errors = Vec::new();
    if !root.empty
        && let Err(e) = read_children(&mut stream, &mut feed, &mut api_errors)
    {
        feed.broken = Some(Skipped {
            line: e.line,
            reason: e.reason,
        });
    }
    if !api_errors.is_empty() {
        return Err(format!(
            "the arXiv API answered with an error: {}",
            api_errors.join("; ")
        ));
    }
    Ok(feed)
}

fn read_children(
    stream: &mut XmlStream<'_>,
    feed: &mut Feed,
    api_errors: &mut Vec<String>,
) -> Result<(), XmlError> {
    while let Some(start) = stream.next_start()? {
        match start.name.as_str() {
            "entry" => {
                let line = start.line;
                match stream.read_record(start)? {
                    Ok(node) => match convert_entry(&node) {
                        Ok(Entry::Paper(paper)) => {
                            feed.parsed.push_paper(line, *paper);
                        }
                        Ok(Entry::ApiError(message)) => api_errors.push(message),
                        Err(reason) => feed.parsed.skip(line, reason),
                    },
                    Err(reason) => feed.parsed.skip(line, reason),
                }
            }
            "totalResults" | "startIndex" | "itemsPerPage" => {
                let name = start.name.clone();
                let value = stream
                    .read_record(start)?
                    .ok()
                    .and_then(|node| node.text.trim().parse::<u64>().ok());
                match name.as_str() {
                    "totalResults" => feed.total_results = value,
                    "startIndex" => feed.start_index = value,
                    _ => feed.items_per_page = value,
                }
            }
            _ => stream.skip(&start)?,
        }
    }
    Ok(())
}

/// What one `<entry>` is.
enum Entry {
    Paper(Box<Paper>),
    /// arXiv's error entry: its message.
    ApiError(String),
}

fn convert_entry(entry: &Node) -> Result<Entry, String> {
    let raw_id = entry.child_text("id").map(str::trim).unwrap_or("");
    if raw_id.is_empty() {
        return Err("entry without <id>".into());
    }
    if raw_id.contains("/api/errors") {
        let message = [entry.child_text("summary"), entry.child_text("title")]
            .into_iter()
            .flatten()
            .map(normalize_whitespace)
            .find(|m| !m.is_empty())
            .unwrap_or_else(|| raw_id.to_owned());
        return Ok(Entry::ApiError(message));
    }
    let id = parse_id("id", raw_id)?;
    let authors = entry
        .children_named("author")
        .filter_map(|author| {
            let name = normalize_whitespace(author.child_text("name").unwrap_or(""));
            let affiliations: Vec<String> = author
                .children_named("affiliation")
                .map(|a| normalize_whitespace(&a.text))
                .filter(|a| !a.is_empty())
                .collect();
            (!name.is_empty()).then(|| Author {
                name,
                affiliation: (!affiliations.is_empty()).then(|| affiliations.join("; ")),
            })
        })
        .collect();
    let mut paper = Paper::new(
        id.id,
        normalize_whitespace(entry.child_text("title").unwrap_or("")),
        normalize_whitespace(entry.child_text("summary").unwrap_or("")),
        authors,
    );
    paper.version = id.version;
    paper.bib_source = Some(Source::Arxiv);
    let primary = entry.child("primary_category").and_then(|c| c.attr("term"));
    for term in primary.into_iter().chain(
        entry
            .children_named("category")
            .filter_map(|c| c.attr("term")),
    ) {
        let term = normalize_whitespace(term);
        if !term.is_empty() && !paper.categories.contains(&term) {
            paper.categories.push(term);
        }
    }
    paper.comments = normalize_optional(entry.child_text("comment"));
    paper.journal_ref = normalize_optional(entry.child_text("journal_ref"));
    paper.doi = normalize_optional(entry.child_text("doi"));
    paper.published = timestamp(entry, "published")?;
    paper.updated = timestamp(entry, "updated")?;
    paper.extract_links();
    Ok(Entry::Paper(Box::new(paper)))
}

fn timestamp(entry: &Node, field: &str) -> Result<Option<jiff::Timestamp>, String> {
    match entry.child_text(field).map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => parse_timestamp(field, value).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use paperboy_testkit::fixture;

    fn feed(file: &str) -> Feed {
        let text = fixture(&format!("arxiv_api/{file}"));
        let feed = parse_feed(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(feed.broken.is_none(), "{file}: {:?}", feed.broken);
        assert!(
            feed.parsed.skipped.is_empty(),
            "{file}: {:?}",
            feed.parsed.skipped
        );
        feed
    }

    #[test]
    fn every_committed_feed_parses_completely() {
        for (file, entries, total) in [
            ("legacy_2016/id_list_1111.2011v2.xml", 1, 1),
            ("legacy_2016/search_au_del_maestro.xml", 10, 31),
            (
                "legacy_2016/search_au_del_maestro_ANDNOT_ti_checkerboard_OR_pyrochlore.xml",
                10,
                24,
            ),
            (
                "legacy_2016/search_au_del_maestro_AND_ti_checkerboard.xml",
                1,
                1,
            ),
            (
                "legacy_2016/search_au_del_maestro_AND_ti_quantum_criticality.xml",
                2,
                2,
            ),
            ("recorded_2026/id_0000.0000_s0_m100_8b51d9633a68.xml", 0, 0),
            (
                "recorded_2026/id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.xml",
                1,
                1,
            ),
            ("recorded_2026/id_1707.08567_s0_m100_6a1afebfc6a3.xml", 1, 1),
            (
                "recorded_2026/id_2104.12255v1_s0_m100_6ae69987ffe1.xml",
                1,
                1,
            ),
            (
                "recorded_2026/id_astro-ph_0601001_s0_m100_3150dca9dc76.xml",
                1,
                1,
            ),
            (
                "recorded_2026/id_quant-ph_0201082v1_s0_m100_86989fe779ef.xml",
                1,
                1,
            ),
            (
                "recorded_2026/q_testing_s0_m100_cfe7536492ca.xml",
                100,
                214_881,
            ),
            (
                "recorded_2026/q_testing_s0_m10_bc5a6c384fe9.xml",
                10,
                214_881,
            ),
            (
                "recorded_2026/q_testing_s10_m10_34e56e15aaac.xml",
                10,
                214_881,
            ),
        ] {
            let feed = feed(file);
            assert_eq!(feed.parsed.batch.papers.len(), entries, "{file}");
            assert_eq!(feed.total_results, Some(total), "{file}");
            for paper in &feed.parsed.batch.papers {
                assert!(
                    !paper.title.is_empty() && !paper.summary.is_empty(),
                    "{file}"
                );
                assert!(!paper.authors.is_empty(), "{file}: {}", paper.id);
                assert!(
                    paper.version.is_some(),
                    "{file}: the id carries the version"
                );
                assert!(
                    paper.published.is_some() && paper.updated.is_some(),
                    "{file}"
                );
                assert!(paper.published <= paper.updated, "{file}: {}", paper.id);
                assert!(!paper.categories.is_empty(), "{file}: {}", paper.id);
                assert!(!paper.summary.contains('\n') && !paper.title.contains("  "));
            }
        }
    }

    #[test]
    fn legacy_entry_has_every_field() {
        let feed = feed("legacy_2016/id_list_1111.2011v2.xml");
        let p = &feed.parsed.batch.papers[0];
        assert_eq!((p.id.as_str(), p.version), ("1111.2011", Some(2)));
        assert_eq!(
            p.title,
            "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit",
            "the title spans two lines in the feed"
        );
        assert!(
            p.summary
                .starts_with("Theoretical description of anisotropic systems")
        );
        let names: Vec<&str> = p.authors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
        );
        assert_eq!(p.categories, ["cond-mat.str-el", "cond-mat.stat-mech"]);
        assert_eq!(p.doi.as_deref(), Some("10.1103/PhysRevB.85.115117"));
        assert_eq!(
            p.comments.as_deref(),
            Some("8 pages, 3 figures. Published version")
        );
        assert_eq!(
            p.journal_ref.as_deref(),
            Some("Phys. Rev. B 85, 115117 (2012)")
        );
        assert_eq!(p.published.unwrap().to_string(), "2011-11-08T18:48:36Z");
        assert_eq!(p.updated.unwrap().to_string(), "2012-04-02T12:38:54Z");
        assert_eq!(feed.start_index, Some(0));
        assert_eq!(feed.items_per_page, Some(10));
    }

    #[test]
    fn current_entry_with_affiliations_and_old_style_id() {
        let feed = feed("recorded_2026/id_astro-ph_0601001_s0_m100_3150dca9dc76.xml");
        let p = &feed.parsed.batch.papers[0];
        assert_eq!((p.id.as_str(), p.version), ("astro-ph/0601001", Some(1)));
        assert_eq!(p.authors.len(), 4);
        assert_eq!(p.authors[0].name, "Andrew Gould");
        assert_eq!(p.authors[0].affiliation.as_deref(), Some("Ohio State"));
        assert_eq!(
            p.authors[3].affiliation.as_deref(),
            Some("Warsaw University Observatory")
        );
        assert_eq!(p.categories, ["astro-ph"]);
        assert_eq!(p.journal_ref.as_deref(), Some("ActaAstron.56:1-50,2006"));
        assert!(
            p.summary.contains("Gould & Morgan (2003)") && p.summary.contains("V_max<17.5"),
            "entities are decoded"
        );
        assert_eq!(p.published.unwrap().to_string(), "2006-01-02T14:57:58Z");
        assert_eq!(feed.items_per_page, Some(100));
    }

    #[test]
    fn primary_category_comes_first_and_versions_are_kept() {
        let quant = feed("recorded_2026/id_quant-ph_0201082v1_s0_m100_86989fe779ef.xml");
        let p = &quant.parsed.batch.papers[0];
        assert_eq!((p.id.as_str(), p.version), ("quant-ph/0201082", Some(1)));
        assert_eq!(p.categories, ["quant-ph", "cs.PL"]);
        assert_eq!(p.comments.as_deref(), Some("32 pages"));
        let cr = feed("recorded_2026/id_2104.12255v1_s0_m100_6ae69987ffe1.xml");
        let p = &cr.parsed.batch.papers[0];
        assert_eq!((p.id.as_str(), p.title.as_str()), ("2104.12255", "0"));
        assert_eq!(p.primary_category(), Some("cs.CR"));
    }

    #[test]
    fn pages_of_one_query_do_not_overlap() {
        let ids = |file| -> Vec<String> {
            feed(file)
                .parsed
                .batch
                .papers
                .iter()
                .map(|p| p.id.to_string())
                .collect()
        };
        let all = ids("recorded_2026/q_testing_s0_m100_cfe7536492ca.xml");
        let unique: BTreeSet<&String> = all.iter().collect();
        assert_eq!(unique.len(), 100);
        let first = ids("recorded_2026/q_testing_s0_m10_bc5a6c384fe9.xml");
        let second = ids("recorded_2026/q_testing_s10_m10_34e56e15aaac.xml");
        assert!(first.iter().all(|id| !second.contains(id)));
        assert_eq!(
            feed("recorded_2026/q_testing_s10_m10_34e56e15aaac.xml").start_index,
            Some(10)
        );
    }

    #[test]
    fn the_api_error_feed_is_an_error_not_a_paper() {
        let text = fixture("arxiv_api/recorded_2026/id_abc_s0_m100_b79c8dcf6bc3.xml");
        let err = parse_feed(&text).unwrap_err();
        assert_eq!(
            err,
            "the arXiv API answered with an error: incorrect id format for abc"
        );
        let recording: serde_json::Value = serde_json::from_str(&fixture(
            "arxiv_api/recorded_2026/id_abc_s0_m100_b79c8dcf6bc3.json",
        ))
        .unwrap();
        assert_eq!(recording["status_code"], 400);
        assert_eq!(recording["body"].as_str(), Some(text.as_str()));
    }

    #[test]
    fn what_is_not_a_feed_says_so() {
        let oai = fixture("oai_pmh/arxivraw_2015/GetRecordResponse.xml");
        assert_eq!(
            parse_feed(&oai).unwrap_err(),
            "not an Atom feed: the root element is <OAI-PMH>"
        );
        assert!(parse_feed("").unwrap_err().contains("no XML element"));
        assert!(parse_feed("<feed><entry></feed>").is_ok_and(|f| f.broken.is_some()));
    }
}
