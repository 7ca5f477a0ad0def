//! OAI-PMH responses from arXiv (`ListRecords`, `GetRecord`) in its two rich metadata
//! formats:
//!
//! - `arXiv`: structured authors (`<keyname>`, `<forenames>`, `<suffix>`,
//!   `<affiliation>`), `<created>` / `<updated>` days;
//! - `arXivRaw`: the author list as one string, and every version with its RFC 2822
//!   date (`<version version="v2"><date>…</date>`).
//!
//! The record header's `<datestamp>` is the day arXiv last changed the record — for
//! new papers, the day it announced them — and becomes the paper's announcement day.
//! A header with `status="deleted"` carries no metadata. A page ends with a
//! `<resumptionToken>`; an empty one marks the last page. An OAI `<error>` is an error,
//! except `noRecordsMatch`, which only means there is nothing (new) to harvest.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use paperboy_core::text::{normalize_optional, normalize_whitespace, split_author_list};
use paperboy_core::{ArxivId, Author, Paper, Source};

use super::xml::{Node, Start, XmlError, XmlStream};
use super::{Parsed, Skipped, parse_day, parse_id, parse_rfc2822};

/// One `ListRecords` or `GetRecord` response.
#[derive(Debug, Default)]
pub struct OaiPage {
    /// The papers, and records that could not be used.
    pub parsed: Parsed,
    /// `<record>`s on the page: papers, deleted and unusable ones together.
    pub records: u64,
    /// Records whose header says `status="deleted"`.
    pub deleted: Vec<ArxivId>,
    /// The newest header datestamp on the page.
    pub newest_datestamp: Option<Date>,
    /// The page's `<resumptionToken>`, if it has one.
    pub resumption: Option<Resumption>,
    /// Set when the document breaks off (truncated, malformed): where and why.
    /// Records before that point are in `parsed`.
    pub broken: Option<Skipped>,
}

impl OaiPage {
    /// The token to request the next page with; `None` on the last page.
    pub fn next_token(&self) -> Option<&str> {
        self.resumption.as_ref()?.token.as_deref()
    }
}

/// A `<resumptionToken>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resumption {
    /// The token; `None` when empty (the last page of a list).
    pub token: Option<String>,
    /// `cursor`: how many records came before this page.
    pub cursor: Option<u64>,
    /// `completeListSize`: how many records the whole list has.
    pub complete_list_size: Option<u64>,
}

/// Why a response yields no page of records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageError {
    /// An OAI-PMH `<error>` (other than `noRecordsMatch`).
    Oai {
        /// The error code, e.g. `badResumptionToken`.
        code: String,
        /// The repository's message.
        message: String,
    },
    /// A valid OAI-PMH response to another verb (`Identify`, `ListIdentifiers`, …).
    NotRecords {
        /// The response element, e.g. `ListIdentifiers`.
        verb: String,
    },
    /// Not an OAI-PMH response at all.
    Unreadable(String),
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageError::Oai { code, message } => write!(f, "OAI-PMH error `{code}`: {message}"),
            PageError::NotRecords { verb } => write!(
                f,
                "a response to {verb} holds no records: paperboy reads ListRecords and \
                 GetRecord responses in the arXiv or arXivRaw metadata format"
            ),
            PageError::Unreadable(reason) => write!(f, "not an OAI-PMH response: {reason}"),
        }
    }
}

impl std::error::Error for PageError {}

/// Parses an OAI-PMH response into a page of records.
pub fn parse_page(text: &str) -> Result<OaiPage, PageError> {
    let mut stream = XmlStream::new(text);
    let root = match stream.next_start() {
        Ok(Some(root)) => root,
        Ok(None) => return Err(PageError::Unreadable("no XML element".into())),
        Err(e) => {
            return Err(PageError::Unreadable(format!(
                "line {}: {}",
                e.line, e.reason
            )));
        }
    };
    if root.name != "OAI-PMH" {
        return Err(PageError::Unreadable(format!(
            "the root element is <{}>",
            root.name
        )));
    }
    let mut page = OaiPage::default();
    let mut saw_list = false;
    let walked = walk_root(&mut stream, &root, &mut page, &mut saw_list);
    match walked {
        Ok(()) => {}
        Err(Walk::Error(e)) => return Err(e),
        Err(Walk::Broken(e)) if saw_list => {
            page.broken = Some(Skipped {
                line: e.line,
                reason: e.reason,
            });
        }
        Err(Walk::Broken(e)) => {
            return Err(PageError::Unreadable(format!(
                "line {}: {}",
                e.line, e.reason
            )));
        }
    }
    if !saw_list {
        return Err(PageError::Unreadable(
            "the response has neither records nor an error".into(),
        ));
    }
    Ok(page)
}

/// How walking a response stopped early.
enum Walk {
    /// An answer that is not a page of records.
    Error(PageError),
    /// A syntax error.
    Broken(XmlError),
}

impl From<XmlError> for Walk {
    fn from(e: XmlError) -> Self {
        Walk::Broken(e)
    }
}

fn walk_root(
    stream: &mut XmlStream<'_>,
    root: &Start,
    page: &mut OaiPage,
    saw_list: &mut bool,
) -> Result<(), Walk> {
    if root.empty {
        return Ok(());
    }
    while let Some(start) = stream.next_start()? {
        match start.name.as_str() {
            "error" => {
                let code = start.attr_or_empty("code");
                let node = stream.read_record(start)?;
                let message = node
                    .map(|n| normalize_whitespace(&n.text))
                    .unwrap_or_default();
                if code == "noRecordsMatch" {
                    // Nothing (new) in the range: an empty, complete list.
                    *saw_list = true;
                } else {
                    return Err(Walk::Error(PageError::Oai { code, message }));
                }
            }
            "ListRecords" | "GetRecord" => {
                *saw_list = true;
                if !start.empty {
                    walk_list(stream, page)?;
                }
            }
            "Identify" | "ListIdentifiers" | "ListSets" | "ListMetadataFormats" => {
                return Err(Walk::Error(PageError::NotRecords { verb: start.name }));
            }
            _ => stream.skip(&start)?,
        }
    }
    Ok(())
}

fn walk_list(stream: &mut XmlStream<'_>, page: &mut OaiPage) -> Result<(), XmlError> {
    while let Some(start) = stream.next_start()? {
        match start.name.as_str() {
            "record" => {
                page.records += 1;
                let line = start.line;
                match stream.read_record(start)? {
                    Ok(node) => convert_record(&node, page),
                    Err(reason) => page.parsed.skip(line, reason),
                }
            }
            "resumptionToken" => {
                let cursor = start.attr_u64("cursor");
                let complete_list_size = start.attr_u64("completeListSize");
                let token = stream
                    .read_record(start)?
                    .ok()
                    .map(|node| node.text.trim().to_owned())
                    .filter(|token| !token.is_empty());
                page.resumption = Some(Resumption {
                    token,
                    cursor,
                    complete_list_size,
                });
            }
            _ => stream.skip(&start)?,
        }
    }
    Ok(())
}

impl Start {
    fn attr_or_empty(&self, name: &str) -> String {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    fn attr_u64(&self, name: &str) -> Option<u64> {
        self.attr_or_empty(name).parse().ok()
    }
}

/// Turns one `<record>` into a paper (or a deletion) on `page`.
fn convert_record(record: &Node, page: &mut OaiPage) {
    let line = record.line;
    let Some(header) = record.child("header") else {
        page.parsed.skip(line, "record without <header>");
        return;
    };
    let datestamp = match header.child_text("datestamp").map(str::trim) {
        None | Some("") => None,
        // arXiv's granularity is a day; a finer datestamp starts with one.
        Some(value) => match parse_day("datestamp", value.get(..10).unwrap_or(value)) {
            Ok(day) => Some(day),
            Err(reason) => {
                page.parsed.skip(line, reason);
                return;
            }
        },
    };
    page.newest_datestamp = page.newest_datestamp.max(datestamp);
    if header.attr("status") == Some("deleted") {
        let identifier = header.child_text("identifier").unwrap_or("");
        match parse_id("identifier", oai_identifier(identifier)) {
            Ok(id) => page.deleted.push(id.id),
            Err(reason) => page.parsed.skip(line, reason),
        }
        return;
    }
    let result = match record.child("metadata").and_then(|m| m.children.first()) {
        Some(meta) if meta.name == "arXiv" => from_arxiv(meta),
        Some(meta) if meta.name == "arXivRaw" => from_arxiv_raw(meta),
        Some(meta) => Err(format!(
            "metadata format <{}> is not supported; harvest with metadataPrefix arXiv or arXivRaw",
            meta.name
        )),
        None => Err("record without <metadata>".into()),
    };
    match result {
        Ok(mut paper) => {
            paper.announced.extend(datestamp);
            paper.extract_links();
            page.parsed.push_paper(line, paper);
        }
        Err(reason) => page.parsed.skip(line, reason),
    }
}

/// `oai:arXiv.org:hep-th/9901001` → `hep-th/9901001`.
fn oai_identifier(identifier: &str) -> &str {
    let identifier = identifier.trim();
    identifier
        .strip_prefix("oai:arXiv.org:")
        .unwrap_or(identifier)
}

/// The fields both formats share.
fn common(meta: &Node, authors: Vec<Author>) -> Result<Paper, String> {
    let id = parse_id("id", meta.child_text("id").unwrap_or("").trim())?;
    let mut paper = Paper::new(
        id.id,
        normalize_whitespace(meta.child_text("title").unwrap_or("")),
        normalize_whitespace(meta.child_text("abstract").unwrap_or("")),
        authors,
    );
    paper.version = id.version;
    paper.bib_source = Some(Source::Arxiv);
    paper.categories = meta
        .child_text("categories")
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    paper.comments = normalize_optional(meta.child_text("comments"));
    paper.journal_ref = normalize_optional(meta.child_text("journal-ref"));
    paper.doi = normalize_optional(meta.child_text("doi"));
    paper.license = normalize_optional(meta.child_text("license"));
    Ok(paper)
}

/// The `arXiv` metadata format.
fn from_arxiv(meta: &Node) -> Result<Paper, String> {
    let authors = meta
        .child("authors")
        .map(|list| {
            list.children_named("author")
                .filter_map(structured_author)
                .collect()
        })
        .unwrap_or_default();
    let mut paper = common(meta, authors)?;
    let created = day_start(meta, "created")?;
    paper.published = created;
    paper.updated = day_start(meta, "updated")?.or(created);
    Ok(paper)
}

/// `<author><keyname>Lovelace</keyname><forenames>Ada</forenames>…</author>`.
fn structured_author(author: &Node) -> Option<Author> {
    let part = |name: &str| author.child_text(name).unwrap_or("");
    let name = normalize_whitespace(&format!(
        "{} {} {}",
        part("forenames"),
        part("keyname"),
        part("suffix")
    ));
    let affiliations: Vec<String> = author
        .children_named("affiliation")
        .map(|a| normalize_whitespace(&a.text))
        .filter(|a| !a.is_empty())
        .collect();
    (!name.is_empty()).then(|| Author {
        name,
        affiliation: (!affiliations.is_empty()).then(|| affiliations.join("; ")),
    })
}

/// A `YYYY-MM-DD` field as midnight UTC.
fn day_start(meta: &Node, field: &str) -> Result<Option<Timestamp>, String> {
    let Some(value) = meta
        .child_text(field)
        .map(str::trim)
        .filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    let day = parse_day(field, value)?;
    day.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map(|z| Some(z.timestamp()))
        .map_err(|e| format!("field `{field}`: {e}"))
}

/// The `arXivRaw` metadata format.
fn from_arxiv_raw(meta: &Node) -> Result<Paper, String> {
    let authors = split_author_list(meta.child_text("authors").unwrap_or(""))
        .into_iter()
        .map(Author::named)
        .collect();
    let mut paper = common(meta, authors)?;
    let mut versions: Vec<(u32, Timestamp)> = Vec::new();
    for version in meta.children_named("version") {
        let label = version.attr("version").unwrap_or("").trim();
        let number = label
            .strip_prefix(['v', 'V'])
            .and_then(|n| n.parse::<u32>().ok())
            .ok_or_else(|| format!("field `version`: `{label}` is not a version like v2"))?;
        let date = parse_rfc2822("version.date", version.child_text("date").unwrap_or(""))?;
        versions.push((number, date));
    }
    versions.sort_by_key(|&(number, _)| number);
    if let (Some(first), Some(last)) = (versions.first(), versions.last()) {
        paper.published = Some(first.1);
        paper.updated = Some(last.1);
        paper.version = Some(last.0);
    }
    Ok(paper)
}

#[cfg(test)]
mod tests {
    use super::*;
    use paperboy_testkit::{fixture, shared_text};

    fn raw(file: &str) -> String {
        fixture(&format!("oai_pmh/arxivraw_2015/{file}"))
    }

    fn page(text: &str) -> OaiPage {
        let page = parse_page(text).unwrap_or_else(|e| panic!("{e}"));
        assert!(page.broken.is_none(), "{:?}", page.broken);
        assert!(page.parsed.skipped.is_empty(), "{:?}", page.parsed.skipped);
        page
    }

    #[test]
    fn arxivraw_list_records_page() {
        let page = page(&raw("ListRecordsResponse.xml"));
        assert_eq!(page.records, 6);
        let papers = &page.parsed.batch.papers;
        let ids: Vec<&str> = papers.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "0704.0471",
                "0704.0716",
                "0704.0874",
                "0704.1109",
                "0704.1114",
                "0704.1586"
            ]
        );
        assert_eq!(
            page.resumption,
            Some(Resumption {
                token: Some("726959|1001".into()),
                cursor: Some(0),
                complete_list_size: Some(58011),
            })
        );
        assert_eq!(page.next_token(), Some("726959|1001"));
        assert_eq!(page.newest_datestamp, Some(jiff::civil::date(2014, 12, 22)));

        let first = &papers[0];
        let names: Vec<&str> = first.authors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["D.V. Shetty", "S.J. Yennello", "G.A. Souliotis"]);
        assert_eq!(first.categories, ["nucl-ex", "nucl-th"]);
        assert_eq!(
            first.doi.as_deref(),
            Some("10.1103/PhysRevC.76.024606 10.1103/PhysRevC.76.039902"),
            "two DOIs, as arXiv gives them"
        );
        assert!(
            first
                .summary
                .contains("extremely \" stiff \" and \" soft \"")
        );
        assert_eq!(
            first.announced.iter().collect::<Vec<_>>(),
            [&jiff::civil::date(2014, 11, 18)],
            "the header datestamp is the announcement day"
        );
        assert_eq!(first.version, Some(1));

        let richard = &papers[1];
        assert_eq!(richard.version, Some(4), "the last <version>");
        assert_eq!(
            richard.published.unwrap().to_string(),
            "2007-04-05T12:45:03Z",
            "v1's date"
        );
        assert_eq!(richard.updated.unwrap().to_string(), "2008-11-14T09:07:25Z");
        assert_eq!(
            richard.license.as_deref(),
            Some("http://arxiv.org/licenses/nonexclusive-distrib/1.0/")
        );
        assert_eq!(
            richard.title, "Limit distributions and scaling functions",
            "one line"
        );
        assert!(
            richard
                .comments
                .as_deref()
                .unwrap()
                .contains("v3 changes in some proofs")
        );
    }

    #[test]
    fn arxivraw_get_record() {
        let page = page(&raw("GetRecordResponse.xml"));
        assert_eq!(page.records, 1);
        assert_eq!(page.resumption, None, "GetRecord has no token");
        let p = &page.parsed.batch.papers[0];
        assert_eq!((p.id.as_str(), p.version), ("1302.2146", Some(2)));
        assert_eq!(p.title, "The Same-Sign Dilepton Signature of RPV/MFV SUSY");
        assert_eq!(p.authors.len(), 4);
        assert_eq!(p.authors[3].name, "Philip Tanedo");
        assert_eq!(p.categories, ["hep-ph", "hep-ex"]);
        assert_eq!(p.published.unwrap().to_string(), "2013-02-08T21:00:01Z");
        assert_eq!(p.updated.unwrap().to_string(), "2013-04-02T01:50:08Z");
    }

    #[test]
    fn oai_errors_are_errors_but_no_records_match_means_nothing_new() {
        let none = page(&raw("ErrorResponseNoRecordsMatch.xml"));
        assert_eq!((none.records, none.resumption), (0, None));
        for (file, code, words) in [
            (
                "ErrorResponseBadArgument.xml",
                "badArgument",
                "illegal argument 'identifier'",
            ),
            (
                "ErrorResponseBadResumptionToken.xml",
                "badResumptionToken",
                "resumptionToken supplied is illegal",
            ),
            (
                "ErrorResponseBadVerb.xml",
                "badVerb",
                "Verb 'wah' not implemented",
            ),
            (
                "ErrorResponseIdDoesNotExist.xml",
                "idDoesNotExist",
                "oai:arXiv.org:0813.2274",
            ),
        ] {
            match parse_page(&raw(file)) {
                Err(PageError::Oai { code: c, message }) => {
                    assert_eq!(c, code, "{file}");
                    assert!(message.contains(words), "{file}: {message}");
                }
                other => panic!("{file}: {other:?}"),
            }
        }
        let shown = parse_page(&raw("ErrorResponseBadVerb.xml"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            shown,
            "OAI-PMH error `badVerb`: Bad verb. Verb 'wah' not implemented."
        );
    }

    #[test]
    fn deleted_records_carry_no_paper() {
        // The arXivRaw page with its second record's header marked deleted (arXiv's
        // repository declares `deletedRecord` persistent) and that record's
        // metadata removed, as OAI-PMH sends deletions.
        let text = raw("ListRecordsResponse.xml");
        let second = text
            .find("<header>\n <identifier>oai:arXiv.org:0704.0716")
            .unwrap();
        let meta_start = second + text[second..].find("<metadata>").unwrap();
        let meta_end = meta_start + text[meta_start..].find("</metadata>").unwrap() + 11;
        let deleted = format!(
            "{}<header status=\"deleted\">{}{}",
            &text[..second],
            &text[second + 8..meta_start],
            &text[meta_end..]
        );
        let page = page(&deleted);
        assert_eq!(page.records, 6);
        assert_eq!(page.parsed.batch.papers.len(), 5);
        assert_eq!(page.deleted, [ArxivId::parse("0704.0716").unwrap()]);
    }

    #[test]
    fn arxiv_format_recordings() {
        let dir = "fixtures/oai_pmh/arxiv_2018";
        let Some(list) = shared_text(&format!(
            "{dir}/ListRecords_arXiv_2015-01-01_2015-01-03.xml"
        )) else {
            return;
        };
        let list = page(&list);
        assert_eq!(list.records, 2);
        assert_eq!(list.resumption, None, "a single page: no token");
        let p = &list.parsed.batch.papers[0];
        assert_eq!(p.id.as_str(), "1412.8544");
        assert_eq!(p.version, None, "the arXiv format names no version");
        assert_eq!(p.authors[0].name, "Sander Uijlen");
        assert_eq!(
            p.authors[0].affiliation.as_deref(),
            Some("Radboud Universiteit")
        );
        assert_eq!(p.authors[1].name, "Bas Westerbaan");
        assert_eq!(p.published.unwrap().to_string(), "2014-12-29T00:00:00Z");
        assert_eq!(p.updated, p.published, "no <updated>: only v1");
        assert_eq!(p.categories, ["cs.DM"]);
        assert_eq!(p.doi.as_deref(), Some("10.4204/EPTCS.172.11"));
        assert_eq!(
            p.journal_ref.as_deref(),
            Some("EPTCS 172, 2014, pp. 154-164")
        );
        assert!(p.announced.contains(&jiff::civil::date(2015, 1, 3)));
        let old = &list.parsed.batch.papers[1];
        assert_eq!(old.id.as_str(), "hep-th/9504118");
        assert_eq!(old.authors[0].name, "M. Requardt");
        assert_eq!(old.authors[0].affiliation, None);

        let get = shared_text(&format!("{dir}/GetRecord_arXiv_1412.8544.xml")).unwrap();
        let got = page(&get);
        assert_eq!(got.parsed.batch.papers[0], list.parsed.batch.papers[0]);

        for (file, verb) in [
            (
                "ListIdentifiers_arXiv_2009-01-01_2009-01-02.xml",
                "ListIdentifiers",
            ),
            ("Identify.xml", "Identify"),
            ("ListSets.xml", "ListSets"),
            ("ListMetadataFormats.xml", "ListMetadataFormats"),
            ("ListMetadataFormats_1208.0264.xml", "ListMetadataFormats"),
        ] {
            let text = shared_text(&format!("{dir}/{file}")).unwrap();
            assert_eq!(
                parse_page(&text).unwrap_err(),
                PageError::NotRecords { verb: verb.into() },
                "{file}"
            );
        }
        let throttled = shared_text(&format!(
            "{dir}/ListRecords_arXiv_2015-01-01_2015-01-03.503_retry_after.html"
        ))
        .unwrap();
        let err = parse_page(&throttled).unwrap_err();
        assert_eq!(
            err.to_string(),
            "not an OAI-PMH response: the root element is <html>"
        );
    }
}
