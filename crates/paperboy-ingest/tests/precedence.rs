//! The merge precedence over three real records of one paper, 2507.10541: arXiv's API
//! (v2, recorded 2026), an arXiv daily-listing line and a Hugging Face daily-papers
//! item. Every order of merging them gives the same paper, with each field from the
//! source the precedence names.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use paperboy_core::{Paper, Source};
use paperboy_ingest::formats::atom::parse_feed;
use paperboy_ingest::formats::hf::HfArchive;
use paperboy_ingest::formats::listing::Listing;
use paperboy_ingest::formats::{LineContext, LineFormat, Parsed};
use paperboy_testkit::fixture;

const ID: &str = "2507.10541";

fn from_line(format: &dyn LineFormat, file: &str) -> Paper {
    let mut out = Parsed::default();
    format
        .parse_line(fixture(file).trim(), 1, &LineContext::default(), &mut out)
        .unwrap();
    out.batch.papers.pop().unwrap()
}

/// The three records: arXiv API, listing, HF.
fn records() -> [Paper; 3] {
    let feed = parse_feed(&fixture(
        "arxiv_api/recorded_2026/q_testing_s0_m100_cfe7536492ca.xml",
    ))
    .unwrap();
    let arxiv = feed
        .parsed
        .batch
        .papers
        .into_iter()
        .find(|p| p.id.as_str() == ID)
        .unwrap();
    [
        arxiv,
        from_line(&Listing, "one_paper/2507.10541.listing.jsonl"),
        from_line(&HfArchive, "one_paper/2507.10541.hf.jsonl"),
    ]
}

fn permutations() -> [[usize; 3]; 6] {
    [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ]
}

#[test]
fn every_order_of_merging_gives_the_same_paper() {
    let records = records();
    let [arxiv, listing, hf] = &records;
    assert_eq!(
        (arxiv.bib_source, listing.bib_source, hf.bib_source),
        (Some(Source::Arxiv), Some(Source::Listing), Some(Source::Hf))
    );
    assert_ne!(arxiv.summary, listing.summary, "the records disagree");
    assert_ne!(arxiv.project_page, hf.project_page, "the records disagree");

    let merged: Vec<Paper> = permutations()
        .iter()
        .map(|order| {
            let mut paper = records[order[0]].clone();
            assert!(paper.merge(records[order[1]].clone()));
            paper.merge(records[order[2]].clone());
            // Merging any of them again changes nothing.
            for record in &records {
                assert!(!paper.merge(record.clone()), "order {order:?}");
            }
            paper
        })
        .collect();
    for (order, paper) in permutations().iter().zip(&merged) {
        assert_eq!(paper, &merged[0], "order {order:?}");
    }

    let paper = &merged[0];
    // Bibliographic fields: arXiv's v2.
    assert_eq!(
        (paper.version, paper.bib_source),
        (Some(2), Some(Source::Arxiv))
    );
    assert_eq!(paper.summary, arxiv.summary);
    assert_eq!(paper.comments, arxiv.comments);
    assert_eq!(paper.categories, ["cs.CL"]);
    // Hugging Face's fields: HF's, including the project page it links.
    assert_eq!(paper.ai_summary, hf.ai_summary);
    assert!(paper.ai_summary.is_some());
    assert_eq!(
        paper.project_page.as_deref(),
        Some("https://opendatalab.github.io/REST/")
    );
    assert_eq!(
        paper.github_repo.as_deref(),
        Some("https://github.com/opendatalab/REST")
    );
    assert_eq!(paper.github_stars, hf.github_stars);
    // Accumulated: the earliest publication, every listing day, every link.
    assert_eq!(paper.published, arxiv.published.min(hf.published));
    assert_eq!(paper.announced, listing.announced);
    for link in arxiv.links.iter().chain(&listing.links).chain(&hf.links) {
        assert!(paper.links.contains(link), "{link}");
    }
    assert!(paper.links.is_sorted());
}
