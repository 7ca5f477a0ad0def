//! Fuzz format detection and every JSON record parser: never panic, and every paper
//! a parser accepts passes validation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paperboy_ingest::detect::detect;
use paperboy_ingest::formats::hf::{HfArchive, parse_daily_papers};
use paperboy_ingest::formats::kaggle::KaggleSnapshot;
use paperboy_ingest::formats::listing::Listing;
use paperboy_ingest::formats::paperboy::PaperboyExport;
use paperboy_ingest::formats::{LineContext, LineFormat, Parsed};

fuzz_target!(|data: &[u8]| {
    let _ = detect(data);
    let Ok(text) = std::str::from_utf8(data) else { return };
    let context = LineContext { daily_date: Some(jiff::civil::date(2024, 5, 27)) };
    let formats: [&dyn LineFormat; 4] = [&Listing, &HfArchive, &KaggleSnapshot, &PaperboyExport];
    for format in formats {
        let mut out = Parsed::default();
        let _ = format.parse_line(text, 1, &context, &mut out);
        for paper in &out.batch.papers {
            assert!(paper.validate().is_ok());
        }
    }
    if let Ok(out) = parse_daily_papers(text, None) {
        assert_eq!(out.batch.papers.len(), out.batch.entries.len());
    }
});
