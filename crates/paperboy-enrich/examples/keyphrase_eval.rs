//! How the extracted key phrases compare with Hugging Face's `ai_keywords` (written by
//! a language model) on the same papers, against the corpus statistics of a real
//! data directory.
//!
//! `cargo run --release -p paperboy-search --example keyphrase_eval -- DATA_DIR
//! PAPERS_JSONL[.gz] [--papers N] [--show N] [--all]` reads the papers of an HF
//! archive that carry `ai_keywords` (with `--all`, every paper of the file, which may
//! also be an arXiv listing), extracts key phrases from their title and abstract with
//! the keyword index of `DATA_DIR` (import the corpus there first), and prints:
//! - precision: the share of extracted phrases that match an HF keyword (their sets
//!   of stems share at least half of their union; "Low-Rank Adaptation (LoRA)"
//!   matches "LoRA" and "low-rank adaptation"),
//! - coverage: the share of papers where at least one does,
//! - the time per paper, and `--show N` papers side by side.

use std::collections::HashSet;
use std::io::BufRead;
use std::path::PathBuf;
use std::time::Instant;

use paperboy_enrich::keyphrase::Extractor;
use paperboy_search::keyword::KeywordIndex;
use paperboy_search::keyword::schema::{analyze, text_analyzer};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct HfPaper {
    id: String,
    title: String,
    summary: String,
    keywords: Vec<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: keyphrase_eval DATA_DIR PAPERS_JSONL[.gz] [--papers N] [--show N] [--all]";
    let data_dir = PathBuf::from(args.next().ok_or(usage)?);
    let file = PathBuf::from(args.next().ok_or(usage)?);
    let (mut limit, mut show, mut all) = (1_000, 10, false);
    while let Some(flag) = args.next() {
        if flag == "--all" {
            all = true;
            continue;
        }
        let value: usize = args.next().ok_or(usage)?.parse()?;
        match flag.as_str() {
            "--papers" => limit = value,
            "--show" => show = value,
            _ => return Err(usage.into()),
        }
    }
    let papers = read_papers(&file, limit, all)?;
    let index = KeywordIndex::open(&data_dir.join("index").join("keyword"))?;
    let stats = index.stats();
    let mut extractor = Extractor::default();
    let mut analyzer = text_analyzer();
    let (mut predicted, mut matched, mut covered, mut judged) = (0usize, 0usize, 0, 0);
    let started = Instant::now();
    for (n, paper) in papers.iter().enumerate() {
        let phrases = extractor.extract(&paper.title, &paper.summary, &stats)?;
        let reference: Vec<HashSet<String>> = paper
            .keywords
            .iter()
            .flat_map(|k| alternatives(k))
            .map(|k| analyze(&mut analyzer, &k).into_iter().collect())
            .collect();
        let hits: Vec<bool> = phrases
            .iter()
            .map(|p| {
                let terms: HashSet<String> = analyze(&mut analyzer, &p.text).into_iter().collect();
                reference.iter().any(|r| jaccard(r, &terms) >= 0.5)
            })
            .collect();
        if !reference.is_empty() {
            predicted += phrases.len();
        }
        matched += hits.iter().filter(|h| **h).count();
        covered += usize::from(hits.iter().any(|h| *h));
        judged += usize::from(!reference.is_empty());
        if n < show {
            println!("{}  {}", paper.id, paper.title);
            let ours: Vec<String> = phrases
                .iter()
                .zip(&hits)
                .map(|(p, hit)| format!("{}{}", p.text, if *hit { "*" } else { "" }))
                .collect();
            println!("  paperboy: {}", ours.join(" | "));
            if !paper.keywords.is_empty() {
                println!("  HF:       {}", paper.keywords.join(" | "));
            }
            println!();
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} papers ({judged} with HF keywords), corpus of {} papers: precision {:.2} \
         ({matched}/{predicted} phrases match an HF keyword), coverage {:.2}, {:.1} ms per paper",
        papers.len(),
        index.len(),
        matched as f64 / predicted.max(1) as f64,
        covered as f64 / judged.max(1) as f64,
        seconds * 1000.0 / papers.len().max(1) as f64
    );
    Ok(())
}

/// The shared share of two term sets.
fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// An HF keyword, and for "Low-Rank Adaptation (LoRA)" also each side of the
/// parentheses.
fn alternatives(keyword: &str) -> Vec<String> {
    let mut out = vec![keyword.to_owned()];
    if let Some((outside, inside)) = keyword.split_once('(') {
        out.push(outside.trim().to_owned());
        out.push(inside.trim_end_matches(')').trim().to_owned());
    }
    out
}

/// The first `limit` distinct papers of a JSON Lines file (gzip when it ends in
/// `.gz`): HF archive lines (`{"item": {"paper": ...}}`) that carry `ai_keywords`, or
/// with `--all` any paper lines (`{"id", "title", "summary"}`, the arXiv listing).
fn read_papers(
    path: &PathBuf,
    limit: usize,
    all: bool,
) -> Result<Vec<HfPaper>, Box<dyn std::error::Error>> {
    let file = std::fs::File::open(path)?;
    let reader: Box<dyn std::io::Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for line in std::io::BufReader::new(reader).lines() {
        let value: serde_json::Value = serde_json::from_str(&line?)?;
        let paper = match value.get("item") {
            Some(item) => &item["paper"],
            None => &value,
        };
        let text = |key: &str| paper[key].as_str().unwrap_or_default().to_owned();
        let keywords: Vec<String> = paper["ai_keywords"]
            .as_array()
            .map(|k| {
                k.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if (keywords.is_empty() && !all) || !seen.insert(text("id")) {
            continue;
        }
        out.push(HfPaper {
            id: text("id"),
            title: text("title"),
            summary: text("summary"),
            keywords,
        });
        if out.len() == limit {
            break;
        }
    }
    Ok(out)
}
