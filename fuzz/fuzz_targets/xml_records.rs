//! Fuzz the arXiv API Atom and OAI-PMH parsers: never panic, and every paper they
//! accept passes validation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paperboy_ingest::formats::atom::parse_feed;
use paperboy_ingest::formats::oai::parse_page;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(feed) = parse_feed(text) {
        for paper in &feed.parsed.batch.papers {
            assert!(paper.validate().is_ok());
        }
    }
    if let Ok(page) = parse_page(text) {
        for paper in &page.parsed.batch.papers {
            assert!(paper.validate().is_ok());
        }
    }
});
