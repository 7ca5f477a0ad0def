//! Acceptance: the unmodified `huggingface_hub` client, from PyPI, reads a paperboy
//! that imported a Hugging Face daily-papers archive and gets back the same ids,
//! titles and upvotes as the archive holds. The archive is the bundled sample (real
//! HF archive lines), which `serve` imports into an empty database with the bundled
//! arXiv listing; where both carry a paper, the listing's title wins (merge
//! precedence: arXiv's metadata over Hugging Face's for the same version).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use paperboy_core::text::normalize_whitespace;
use paperboy_testkit::{python_with, workspace_root};
use serde_json::Value;

/// The records of a bundled sample file.
fn sample(name: &str) -> Vec<Value> {
    let path = workspace_root().join("crates/paperboy/sample").join(name);
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// (id → (title, upvotes)) per daily date, from the archive file itself, with the
/// listing's title for the papers the listing also carries.
fn archive() -> BTreeMap<String, BTreeMap<String, (String, u64)>> {
    let listed: BTreeMap<String, String> = sample("arxiv_listing.jsonl.gz")
        .iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_owned(),
                v["title"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut days: BTreeMap<String, BTreeMap<String, (String, u64)>> = BTreeMap::new();
    for v in sample("hf_daily.jsonl.gz") {
        let paper = &v["item"]["paper"];
        let id = paper["id"].as_str().unwrap();
        let title = listed
            .get(id)
            .map_or_else(|| paper["title"].as_str().unwrap(), String::as_str);
        days.entry(v["daily_date"].as_str().unwrap().to_owned())
            .or_default()
            .insert(
                id.to_owned(),
                (
                    normalize_whitespace(title),
                    paper["upvotes"].as_u64().unwrap(),
                ),
            );
    }
    days
}

fn as_map(list: &Value) -> BTreeMap<String, (String, u64)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let title = normalize_whitespace(p["title"].as_str().unwrap_or_default());
            (
                p["id"].as_str().unwrap().to_owned(),
                (title, p["upvotes"].as_u64().unwrap()),
            )
        })
        .collect()
}

#[test]
fn huggingface_hub_reads_back_the_imported_archive() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("PAPERBOY_EMBEDDER", "none")
        .env("PAPERBOY_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_owned();

    let days = archive();
    // 2026-W26 is Monday 2026-06-22 to Sunday 2026-06-28.
    let mut week: BTreeMap<String, (String, u64)> = BTreeMap::new();
    for (day, papers) in &days {
        if day.as_str() >= "2026-06-22" && day.as_str() <= "2026-06-28" {
            week.extend(papers.clone());
        }
    }
    let day = &days["2026-06-30"];
    let some_ids: Vec<&String> = day.keys().take(5).collect();

    let script = workspace_root().join("crates/paperboy/tests/hf_archive_client.py");
    let output = python_with("huggingface_hub", "huggingface_hub")
        .arg(&script)
        .arg(&url)
        .args(["2026-06-30", "2026-W26"])
        .args(some_ids.iter().map(|s| s.as_str()))
        .env("NO_PROXY", "127.0.0.1,localhost")
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let got: Value = serde_json::from_slice(&output.stdout).unwrap();

    assert_eq!(&as_map(&got["date"]), day, "list_daily_papers(date=...)");
    assert!(week.len() > 100, "the week spans more than one page of 100");
    assert_eq!(as_map(&got["week"]), week, "list_daily_papers(week=...)");
    let papers = as_map(&got["papers"]);
    assert_eq!(
        papers.keys().collect::<BTreeSet<_>>(),
        some_ids.iter().copied().collect::<BTreeSet<_>>()
    );
    for (id, paper) in &papers {
        assert_eq!(paper, &day[id], "paper_info({id})");
    }
}
