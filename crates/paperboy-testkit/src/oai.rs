//! A local OAI-PMH endpoint shaped like arXiv's, serving real papers.
//!
//! [`listing_records`] turns the 166 real papers of the committed daily-listing
//! fixture into `arXiv`-format records; [`OaiServer`] serves them with `ListRecords`
//! pages linked by resumption tokens (`from`/`until` honoured), the envelope and error
//! bodies following arXiv's recorded responses. It can throttle the first request
//! with `503` + `Retry-After` as arXiv does, slow every page down, fail a page with
//! `500`, and it counts the requests made for each token.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use quick_xml::escape::escape;
use serde::Deserialize;

use crate::upstream::{Reply, Request, TestServer};

/// One record the server can serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OaiRecord {
    /// The arXiv id.
    pub id: String,
    /// The header datestamp, `YYYY-MM-DD`.
    pub datestamp: String,
    /// The `<metadata>` content (an `<arXiv>` element).
    pub metadata: String,
}

#[derive(Deserialize)]
struct ListingLine {
    id: String,
    title: String,
    summary: String,
    authors: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    comment: Option<String>,
}

/// The first day of the datestamps [`listing_records`] hands out.
pub const FIRST_DAY: &str = "2026-06-25";
/// The last one.
pub const LAST_DAY: &str = "2026-06-29";

/// The 166 distinct papers of `fixtures/arxiv_listing` (announced 2026-06-29) as
/// `arXiv`-format records, sorted by id. So that incremental harvests have something
/// to tell apart, their datestamps spread over 2026-06-25 … 2026-06-29 in id order
/// (ids are given out in submission order, so later days get later ids).
pub fn listing_records() -> Vec<OaiRecord> {
    let text = crate::fixture("arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl");
    let mut papers: BTreeMap<String, ListingLine> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let paper: ListingLine = serde_json::from_str(line).expect("a listing line");
        papers.entry(paper.id.clone()).or_insert(paper);
    }
    let count = papers.len();
    papers
        .into_values()
        .enumerate()
        .map(|(i, paper)| OaiRecord {
            id: paper.id.clone(),
            datestamp: format!("2026-06-{}", 25 + i * 5 / count),
            metadata: arxiv_metadata(&paper),
        })
        .collect()
}

/// `<arXiv>` metadata as arXiv writes it: the last word of a name is the keyname.
fn arxiv_metadata(paper: &ListingLine) -> String {
    let mut out = String::from(
        "\n <arXiv xmlns=\"http://arxiv.org/OAI/arXiv/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://arxiv.org/OAI/arXiv/ http://arxiv.org/OAI/arXiv.xsd\">\n ",
    );
    out.push_str(&format!("<id>{}</id><authors>", escape(paper.id.as_str())));
    for name in &paper.authors {
        let name = name.trim();
        let (forenames, keyname) = name.rsplit_once(' ').unwrap_or(("", name));
        out.push_str(&format!(
            "<author><keyname>{}</keyname><forenames>{}</forenames></author>",
            escape(keyname),
            escape(forenames)
        ));
    }
    let categories: Vec<&str> = paper
        .categories
        .iter()
        .map(String::as_str)
        .filter(|c| c.starts_with(|ch: char| ch.is_ascii_lowercase()) && !c.contains(' '))
        .collect();
    out.push_str(&format!(
        "</authors><title>{}</title><categories>{}</categories>",
        escape(paper.title.as_str()),
        categories.join(" ")
    ));
    if let Some(comment) = &paper.comment {
        out.push_str(&format!(
            "<comments>{}</comments>",
            escape(comment.as_str())
        ));
    }
    out.push_str(&format!(
        "<abstract>{}</abstract></arXiv>\n",
        escape(paper.summary.as_str())
    ));
    out
}

/// How the server behaves.
#[derive(Debug, Clone)]
pub struct OaiConfig {
    /// Records per `ListRecords` page.
    pub page_size: usize,
    /// How long each page takes to arrive.
    pub page_delay: Duration,
    /// Answer the very first request with `503` and `Retry-After: <seconds>`.
    pub throttle_first: Option<u64>,
    /// Answer the page at this index (0-based) with `500`, this many times.
    pub fail_page: Option<(usize, u32)>,
}

impl Default for OaiConfig {
    fn default() -> Self {
        Self {
            page_size: 20,
            page_delay: Duration::ZERO,
            throttle_first: None,
            fail_page: None,
        }
    }
}

struct State {
    records: Vec<OaiRecord>,
    config: OaiConfig,
    requests: AtomicU64,
    failures_left: Mutex<u32>,
}

/// The local OAI-PMH endpoint; it stops when dropped.
pub struct OaiServer {
    server: TestServer,
    page_size: usize,
}

impl OaiServer {
    /// Serves `records` (sorted by datestamp, then id) as configured.
    pub fn start(mut records: Vec<OaiRecord>, config: OaiConfig) -> Self {
        records.sort_by(|a, b| (&a.datestamp, &a.id).cmp(&(&b.datestamp, &b.id)));
        let page_size = config.page_size.max(1);
        let state = Arc::new(State {
            failures_left: Mutex::new(config.fail_page.map_or(0, |(_, times)| times)),
            records,
            config,
            requests: AtomicU64::new(0),
        });
        let server = TestServer::start(move |request| state.answer(request));
        Self { server, page_size }
    }

    /// The endpoint, `http://127.0.0.1:<port>/oai`.
    pub fn base_url(&self) -> String {
        self.server.url("/oai")
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        self.server.requests()
    }

    /// How many requests named `token`.
    pub fn requests_for_token(&self, token: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.param("resumptionToken") == Some(token))
            .count()
    }

    /// The requests that started a list (no resumption token).
    pub fn list_starts(&self) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.param("resumptionToken").is_none())
            .collect()
    }

    /// The token that asks for page `index` (0-based, ≥ 1) of the list `from`/`until`.
    pub fn token(&self, from: Option<&str>, until: Option<&str>, index: usize) -> String {
        token(from, until, index * self.page_size)
    }
}

fn token(from: Option<&str>, until: Option<&str>, offset: usize) -> String {
    format!("{}|{}|{offset}", from.unwrap_or("-"), until.unwrap_or("-"))
}

/// The list a token continues: (from, until, offset).
fn parse_token(token: &str) -> Option<(Option<String>, Option<String>, usize)> {
    let mut parts = token.split('|');
    let day = |s: &str| (s != "-").then(|| s.to_owned());
    let from = day(parts.next()?);
    let until = day(parts.next()?);
    let offset = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((from, until, offset))
}

const ENVELOPE_START: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd\">\n\
<responseDate>2026-06-30T00:00:00Z</responseDate>\n";

fn xml(body: String) -> Reply {
    Reply::new(200, body).header("content-type", "text/xml; charset=utf-8")
}

fn oai_error(code: &str, message: &str) -> Reply {
    xml(format!(
        "{ENVELOPE_START}<request>http://export.arxiv.org/oai2</request>\n\
         <error code=\"{code}\">{}</error>\n</OAI-PMH>\n",
        escape(message)
    ))
}

impl State {
    fn answer(&self, request: &Request) -> Reply {
        let number = self.requests.fetch_add(1, Ordering::SeqCst);
        if let (0, Some(seconds)) = (number, self.config.throttle_first) {
            return Reply::new(
                503,
                format!("<html><body>\n<h1>Retry after {seconds} seconds</h1>\n</body></html>\n"),
            )
            .header("retry-after", &seconds.to_string())
            .header("content-type", "text/html");
        }
        if request.param("verb") != Some("ListRecords") {
            return oai_error("badVerb", "Illegal verb");
        }
        let (from, until, offset) = match request.param("resumptionToken") {
            Some(token) => match parse_token(token) {
                Some(list) => list,
                None => {
                    return oai_error(
                        "badResumptionToken",
                        "The resumptionToken supplied is illegal for this repository",
                    );
                }
            },
            None => {
                if request.param("metadataPrefix") != Some("arXiv") {
                    return oai_error(
                        "cannotDisseminateFormat",
                        "this test server serves metadataPrefix=arXiv only",
                    );
                }
                let day = |name| request.param(name).map(str::to_owned);
                (day("from"), day("until"), 0)
            }
        };
        let page_index = offset / self.config.page_size.max(1);
        if self.config.fail_page.map(|(index, _)| index) == Some(page_index) {
            let mut left = self
                .failures_left
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if *left > 0 {
                *left -= 1;
                return Reply::new(500, "Internal Server Error");
            }
        }
        self.page(from.as_deref(), until.as_deref(), offset)
            .delayed(self.config.page_delay)
    }

    fn page(&self, from: Option<&str>, until: Option<&str>, offset: usize) -> Reply {
        let list: Vec<&OaiRecord> = self
            .records
            .iter()
            .filter(|r| from.is_none_or(|f| r.datestamp.as_str() >= f))
            .filter(|r| until.is_none_or(|u| r.datestamp.as_str() <= u))
            .collect();
        if list.is_empty() {
            return oai_error("noRecordsMatch", "No records match the request");
        }
        let size = self.config.page_size.max(1);
        let mut body = format!(
            "{ENVELOPE_START}<request verb=\"ListRecords\">http://export.arxiv.org/oai2</request>\n<ListRecords>\n"
        );
        for record in list.iter().skip(offset).take(size) {
            body.push_str(&format!(
                "<record>\n<header>\n <identifier>oai:arXiv.org:{}</identifier>\n <datestamp>{}</datestamp>\n <setSpec>cs</setSpec>\n</header>\n<metadata>{}</metadata>\n</record>\n",
                record.id, record.datestamp, record.metadata
            ));
        }
        let total = list.len();
        if offset + size < total {
            body.push_str(&format!(
                "<resumptionToken cursor=\"{offset}\" completeListSize=\"{total}\">{}</resumptionToken>\n",
                token(from, until, offset + size)
            ));
        } else if offset > 0 {
            body.push_str(&format!(
                "<resumptionToken cursor=\"{offset}\" completeListSize=\"{total}\"></resumptionToken>\n"
            ));
        }
        body.push_str("</ListRecords>\n</OAI-PMH>\n");
        xml(body)
    }
}
