//! Hostile and broken XML: every case ends in a clear error or a skipped record,
//! quickly, and the good records beside a bad one are kept. Each case starts from a
//! real recorded response and damages it the way an attacker or a broken network would.

use std::time::{Duration, Instant};

use paperboy_ingest::formats::atom::parse_feed;
use paperboy_ingest::formats::oai::{PageError, parse_page};
use paperboy_ingest::{Format, ImportOptions, import_file};
use paperboy_store::Store;
use paperboy_testkit::fixture;

/// Ten real entries of the arXiv API (`search_query=testing`, max 10).
fn atom_page() -> String {
    fixture("arxiv_api/recorded_2026/q_testing_s0_m10_bc5a6c384fe9.xml")
}

/// Six real arXivRaw records with a resumption token.
fn oai_page() -> String {
    fixture("oai_pmh/arxivraw_2015/ListRecordsResponse.xml")
}

/// The byte offset of the `n`th (0-based) occurrence of `needle`.
fn nth(text: &str, needle: &str, n: usize) -> usize {
    text.match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("no {n}th {needle}"))
        .0
}

fn line_at(text: &str, pos: usize) -> u64 {
    text[..pos].matches('\n').count() as u64 + 1
}

/// `text` with a DOCTYPE inserted after the XML declaration.
fn with_doctype(text: &str, doctype: &str) -> String {
    let after_decl = text.find("?>").map_or(0, |i| i + 2);
    format!("{}\n{doctype}{}", &text[..after_decl], &text[after_decl..])
}

/// `text` with the first `<title>` inside the `n`th `<entry>` replaced by `title`.
fn with_entry_title(text: &str, n: usize, title: &str) -> String {
    let entry = nth(text, "<entry>", n);
    let open = entry + text[entry..].find("<title>").expect("a title") + "<title>".len();
    let close = open + text[open..].find("</title>").expect("a title's end");
    format!("{}{title}{}", &text[..open], &text[close..])
}

fn quick<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{what} took {:?}",
        started.elapsed()
    );
    out
}

const BILLION_LAUGHS: &str = r#"<!DOCTYPE feed [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"#;

#[test]
fn billion_laughs_costs_one_record() {
    let text = with_entry_title(&with_doctype(&atom_page(), BILLION_LAUGHS), 3, "&lol9;");
    let feed = quick("billion laughs", || parse_feed(&text)).unwrap();
    assert_eq!(feed.parsed.batch.papers.len(), 9);
    assert_eq!(feed.parsed.skipped.len(), 1);
    let skipped = &feed.parsed.skipped[0];
    assert_eq!(skipped.line, line_at(&text, nth(&text, "<entry>", 3)));
    assert!(
        skipped.reason.contains("undeclared entity `&lol9;`"),
        "{}",
        skipped.reason
    );
    assert!(feed.broken.is_none());

    let oai = oai_page();
    let bombed = with_doctype(
        &oai,
        &BILLION_LAUGHS.replace("DOCTYPE feed", "DOCTYPE OAI-PMH"),
    )
    .replacen("<title>", "<title>&lol9;", 1);
    let page = quick("billion laughs (OAI)", || parse_page(&bombed)).unwrap();
    assert_eq!(page.records, 6);
    assert_eq!(page.parsed.batch.papers.len(), 5);
    assert!(page.parsed.skipped[0].reason.contains("&lol9;"));
    assert_eq!(
        page.next_token(),
        Some("726959|1001"),
        "the page is still usable"
    );
}

#[test]
fn external_entities_are_never_fetched() {
    let doctype = r#"<!DOCTYPE feed [
 <!ENTITY xxe SYSTEM "file:///etc/passwd">
 <!ENTITY remote SYSTEM "http://127.0.0.1:9/evil.dtd">
 <!ENTITY % param SYSTEM "http://127.0.0.1:9/param.dtd"> %param;
]>"#;
    let text = with_entry_title(&with_doctype(&atom_page(), doctype), 0, "&xxe;&remote;");
    let feed = quick("external entities", || parse_feed(&text)).unwrap();
    assert_eq!(feed.parsed.batch.papers.len(), 9);
    assert!(feed.parsed.skipped[0].reason.contains("`&xxe;`"));
    for paper in &feed.parsed.batch.papers {
        assert!(!paper.title.contains("root:") && !paper.summary.contains("root:"));
    }
}

#[test]
fn a_truncated_document_keeps_the_records_before_the_cut() {
    let text = atom_page();
    let cut = nth(&text, "<entry>", 6) + 200;
    let truncated = &text[..cut];
    let feed = parse_feed(truncated).unwrap();
    assert_eq!(feed.parsed.batch.papers.len(), 6);
    let broken = feed.broken.expect("the cut is reported");
    assert!(broken.reason.contains("truncated"), "{}", broken.reason);
    assert_eq!(broken.line, line_at(truncated, truncated.len()));

    let oai = oai_page();
    let cut = nth(&oai, "<record>", 2) + 300;
    let page = parse_page(&oai[..cut]).unwrap();
    assert_eq!(page.parsed.batch.papers.len(), 2);
    assert!(page.broken.is_some());
    assert_eq!(page.resumption, None, "the token after the cut is lost");

    // Cut inside the skeleton, before any record: an error, not an empty page.
    assert!(matches!(
        parse_page(&oai[..oai.find("<ListRecords>").unwrap() - 5]),
        Err(PageError::Unreadable(_))
    ));
}

#[test]
fn a_50_mb_title_costs_one_record_quickly() {
    let huge = "x".repeat(50 << 20);
    let text = with_entry_title(&atom_page(), 5, &huge);
    let feed = quick("50 MB title", || parse_feed(&text)).unwrap();
    assert_eq!(feed.parsed.batch.papers.len(), 9);
    assert_eq!(feed.parsed.skipped.len(), 1);
    assert!(
        feed.parsed.skipped[0]
            .reason
            .contains("<title> holds more than 1 MiB"),
        "{}",
        feed.parsed.skipped[0].reason
    );
    // Just under the reader's cap, the paper's own limit names the field.
    let long = "y".repeat(600_000);
    let feed = parse_feed(&with_entry_title(&atom_page(), 5, &long)).unwrap();
    assert!(
        feed.parsed.skipped[0]
            .reason
            .contains("field `title` is 600000 bytes")
    );
}

#[test]
fn absurd_nesting_costs_one_record() {
    let deep = "<a>".repeat(100_000) + &"</a>".repeat(100_000);
    let text = with_entry_title(&atom_page(), 2, &deep);
    let feed = quick("deep nesting", || parse_feed(&text)).unwrap();
    assert_eq!(feed.parsed.batch.papers.len(), 9);
    assert!(feed.parsed.skipped[0].reason.contains("nested deeper"));
}

#[test]
fn binary_garbage_is_a_clear_error() {
    let garbage: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let text = String::from_utf8_lossy(&garbage);
    assert!(parse_feed(&text).is_err());
    assert!(matches!(parse_page(&text), Err(PageError::Unreadable(_))));
    let mut tagged = b"<feed>".to_vec();
    tagged.extend_from_slice(&garbage);
    let text = String::from_utf8_lossy(&tagged);
    let feed = quick("garbage feed", || parse_feed(&text)).unwrap();
    assert!(feed.parsed.batch.papers.is_empty());
    assert!(feed.broken.is_some(), "garbage inside the root is reported");
}

#[tokio::test]
async fn import_reports_bad_records_at_their_line_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(&dir.path().join("data")).await.unwrap();
    let text = with_entry_title(&atom_page(), 4, "&undefined;");
    let cut = nth(&text, "<entry>", 8) + 100;
    let path = dir.path().join("feed.xml");
    std::fs::write(&path, &text[..cut]).unwrap();
    let report = import_file(&store, &path, &ImportOptions::default()).await;
    assert_eq!(report.format, Some(Format::ArxivAtom));
    assert_eq!(report.error, None);
    assert_eq!(report.written.papers_inserted, 7, "entries 0-3 and 5-7");
    assert_eq!(report.skipped, 2, "the bad entry and the cut");

    let garbage = dir.path().join("garbage.xml");
    std::fs::write(&garbage, [0xffu8, 0xfe, 0x00, 0x13, 0x37].repeat(1000)).unwrap();
    let report = import_file(&store, &garbage, &ImportOptions::default()).await;
    assert!(report.error.unwrap().contains("not text"));

    let oai = dir.path().join("oai.xml");
    std::fs::write(&oai, oai_page()).unwrap();
    let report = import_file(&store, &oai, &ImportOptions::default()).await;
    assert_eq!(report.format, Some(Format::OaiPmh));
    assert_eq!((report.written.papers_inserted, report.skipped), (6, 0));

    let error = dir.path().join("error.xml");
    std::fs::write(
        &error,
        fixture("arxiv_api/recorded_2026/id_abc_s0_m100_b79c8dcf6bc3.xml"),
    )
    .unwrap();
    let report = import_file(&store, &error, &ImportOptions::default()).await;
    assert_eq!(
        report.error.as_deref(),
        Some("the arXiv API answered with an error: incorrect id format for abc")
    );
    assert_eq!(store.stats().await.unwrap().papers, 13);
}
