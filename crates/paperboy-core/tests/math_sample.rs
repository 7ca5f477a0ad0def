//! Every title and abstract of the bundled first-run sample through
//! `math::to_html` and `math::to_unicode`: nothing panics, the HTML is
//! well-formed, rendered spans lose their dollars, and at least 95% of the math
//! spans found are rendered rather than shown as source.
//!
//! `cargo test -p paperboy-core --test math_sample -- --nocapture` prints the
//! share and the spans left as source.

#[path = "support/well_formed.rs"]
mod well_formed;

use std::io::{BufRead, BufReader};
use std::path::Path;

use flate2::read::GzDecoder;
use paperboy_core::math;
use serde_json::Value;

/// The bundled sample, next to the `paperboy` crate.
fn sample(name: &str) -> impl Iterator<Item = Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../paperboy/sample")
        .join(name);
    let file = std::fs::File::open(&path).expect("the bundled sample is there");
    BufReader::new(GzDecoder::new(file))
        .lines()
        .map(|line| serde_json::from_str(&line.expect("gzip reads")).expect("a JSON line"))
}

/// Titles and abstracts of both sample files.
fn texts() -> Vec<String> {
    let listing = sample("arxiv_listing.jsonl.gz").flat_map(|record| {
        ["title", "summary"]
            .map(|field| record.get(field).and_then(Value::as_str).map(String::from))
    });
    let daily = sample("hf_daily.jsonl.gz").flat_map(|record| {
        [
            "/item/paper/title",
            "/item/paper/summary",
            "/item/title",
            "/item/summary",
        ]
        .map(|field| {
            record
                .pointer(field)
                .and_then(Value::as_str)
                .map(String::from)
        })
    });
    listing.chain(daily).flatten().collect()
}

/// How many `$` a span's delimiters hold.
fn delimiter_dollars(span: &str) -> usize {
    if span.starts_with("$$") {
        4
    } else if span.starts_with('$') {
        2
    } else {
        0
    }
}

/// `html` without the `<annotation>` elements (which keep the TeX source).
fn without_annotations(html: &str) -> String {
    let mut rest = html;
    let mut kept = String::new();
    while let Some(start) = rest.find("<annotation") {
        kept.push_str(&rest[..start]);
        let end = rest[start..]
            .find("</annotation>")
            .expect("annotations close")
            + start;
        rest = &rest[end + "</annotation>".len()..];
    }
    kept.push_str(rest);
    kept
}

#[test]
fn the_samples_math_renders_and_the_html_stays_well_formed() {
    let texts = texts();
    assert!(texts.len() > 4_000, "only {} texts", texts.len());
    let (mut found, mut rendered) = (0usize, 0usize);
    let mut unrendered = Vec::new();
    for text in &texts {
        let html = math::to_html(text);
        if let Err(problem) = well_formed::check(&html) {
            panic!("{problem}\nfrom {text:?}");
        }
        let mut removed_dollars = 0;
        for span in math::spans(text) {
            let source = &text[span];
            found += 1;
            if math::to_html(source).starts_with("<math") {
                rendered += 1;
                removed_dollars += delimiter_dollars(source);
            } else {
                unrendered.push(source.to_owned());
            }
        }
        let dollars = text.matches('$').count();
        assert_eq!(
            without_annotations(&html).matches('$').count(),
            dollars - removed_dollars,
            "a rendered span kept its dollars: {text:?}\n→ {html}"
        );
        let plain = math::to_unicode(text);
        assert!(
            plain.matches('$').count() <= dollars - removed_dollars,
            "a rendered span kept its dollars in Unicode: {text:?}\n→ {plain}"
        );
    }
    let share = rendered as f64 / found as f64;
    println!(
        "{found} math spans in {} texts, {rendered} rendered ({:.1}%); left as source:",
        texts.len(),
        share * 100.0
    );
    for source in &unrendered {
        println!("  {source}");
    }
    assert!(found > 500, "only {found} math spans found");
    assert!(
        share >= 0.95,
        "only {:.1}% of math spans rendered",
        share * 100.0
    );
}
