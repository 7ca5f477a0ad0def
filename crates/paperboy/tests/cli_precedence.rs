//! The merge precedence through the real binary: the Hugging Face daily archive and
//! the arXiv listing corpus imported in either order give the same database.
//!
//! Only the papers both files carry can differ between the orders, so the test imports
//! those: the real lines of both files for every arXiv id they share, written to a
//! temporary directory (the full files take minutes in a debug build).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use paperboy_testkit::process::Paperboy;
use paperboy_testkit::shared_data;

const HF: &str = "hf_daily_papers_2024-05-27_2026-08-21.jsonl.gz";
const LISTING: &str = "arxiv_cs_daily_listings_2025-03-18_2026-07-01.jsonl.gz";

/// Each line of a gzipped JSON Lines file with the arXiv id `id_of` finds in it.
fn lines_with_ids(path: &Path, id_of: fn(&serde_json::Value) -> &str) -> Vec<(String, String)> {
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap());
    BufReader::new(gz)
        .lines()
        .map(|line| {
            let line = line.unwrap();
            let value: serde_json::Value = serde_json::from_str(&line).unwrap();
            (id_of(&value).to_owned(), line)
        })
        .collect()
}

/// Writes the lines whose id is in `keep` to `dir/name`.
fn write_subset(
    dir: &Path,
    name: &str,
    lines: &[(String, String)],
    keep: &HashSet<&str>,
) -> PathBuf {
    let path = dir.join(name);
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for (_, line) in lines.iter().filter(|(id, _)| keep.contains(id.as_str())) {
        writeln!(file, "{line}").unwrap();
    }
    file.flush().unwrap();
    path
}

/// `paperboy export` of a data dir after importing `files` in order, without the
/// header line (it carries the export time).
fn export_after_importing(files: &[&Path]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let paperboy = Paperboy::new(env!("CARGO_BIN_EXE_paperboy"), dir.path())
        .env("PAPERBOY_KEYPHRASES", "false");
    for file in files {
        paperboy.run_ok(&["import", file.to_str().unwrap()]);
    }
    let export = paperboy.run_ok(&["export"]);
    let mut lines = export.lines();
    assert!(lines.next().unwrap().contains("\"paperboy_export\""));
    lines.map(str::to_owned).collect()
}

/// The exported paper `id`.
fn paper(export: &[String], id: &str) -> serde_json::Value {
    let needle = format!("\"type\":\"paper\",\"id\":\"{id}\"");
    let line = export.iter().find(|l| l.contains(&needle)).unwrap();
    serde_json::from_str(line).unwrap()
}

#[test]
fn importing_hf_and_listings_in_either_order_gives_the_same_papers() {
    let (Some(hf), Some(listing)) = (shared_data(HF), shared_data(LISTING)) else {
        return;
    };
    let hf = lines_with_ids(&hf, |v| v["item"]["paper"]["id"].as_str().unwrap());
    let listing = lines_with_ids(&listing, |v| v["id"].as_str().unwrap());
    let hf_ids: HashSet<&str> = hf.iter().map(|(id, _)| id.as_str()).collect();
    let shared: HashSet<&str> = listing
        .iter()
        .map(|(id, _)| id.as_str())
        .filter(|id| hf_ids.contains(id))
        .collect();
    assert!(
        shared.len() > 1_000,
        "{} papers in both files",
        shared.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let hf = write_subset(dir.path(), "hf.jsonl", &hf, &shared);
    let listing = write_subset(dir.path(), "listing.jsonl", &listing, &shared);

    let hf_first = export_after_importing(&[&hf, &listing]);
    let listing_first = export_after_importing(&[&listing, &hf]);
    let papers = hf_first
        .iter()
        .filter(|l| l.contains("\"type\":\"paper\""))
        .count();
    assert_eq!(papers, shared.len());
    let differing: Vec<&String> = hf_first
        .iter()
        .zip(&listing_first)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a)
        .collect();
    assert_eq!(hf_first.len(), listing_first.len());
    assert!(
        differing.is_empty(),
        "{} lines differ, e.g. {}",
        differing.len(),
        differing[0]
    );

    // HF strips the LaTeX of this abstract; arXiv's listing keeps it, and wins.
    for export in [&hf_first, &listing_first] {
        let p = paper(export, "2606.06361");
        assert!(p["summary"].as_str().unwrap().contains('$'), "{p}");
        assert_eq!(p["bib_source"], "listing");
    }
}
