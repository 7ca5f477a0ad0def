//! Embedding throughput of the local backend, for `bench/embed_bench.py`.
//!
//! `cargo run --release -p paperboy-embed --example embed_bench -- MODEL_DIR TEXTS_JSON
//! [--threads N] [--batch-tokens N] [--rounds N] [--one-at-a-time 1]` reads a JSON array
//! of strings and prints one JSON line per round: `{"texts": n, "seconds": s,
//! "per_second": r}`. With `--one-at-a-time 1` each text is embedded alone, as a search
//! query is, and the line also holds the milliseconds of the median and the 99th
//! percentile text (`p50_ms`, `p99_ms`).

use std::path::PathBuf;
use std::time::Instant;

use paperboy_embed::local::{LocalEmbedder, LocalOptions};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage =
        "usage: embed_bench MODEL_DIR TEXTS_JSON [--threads N] [--batch-tokens N] [--rounds N]";
    let model = PathBuf::from(args.next().ok_or(usage)?);
    let texts = PathBuf::from(args.next().ok_or(usage)?);
    let mut options = LocalOptions::default();
    let mut rounds = 1;
    let mut one_at_a_time = false;
    while let Some(flag) = args.next() {
        let value: usize = args.next().ok_or(usage)?.parse()?;
        match flag.as_str() {
            "--threads" => options.threads = value,
            "--batch-tokens" => options.batch_tokens = value,
            "--rounds" => rounds = value,
            "--one-at-a-time" => one_at_a_time = value != 0,
            _ => return Err(usage.into()),
        }
    }
    let texts: Vec<String> = serde_json::from_str(&std::fs::read_to_string(texts)?)?;
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let embedder = LocalEmbedder::load(&model, options)?;
    embedder.embed(&texts[..texts.len().min(16)])?;
    for _ in 0..rounds {
        let start = Instant::now();
        let mut latencies = Vec::new();
        if one_at_a_time {
            for text in &texts {
                let started = Instant::now();
                assert_eq!(embedder.embed(&[text])?.len(), 1);
                latencies.push(started.elapsed().as_secs_f64() * 1e3);
            }
        } else {
            assert_eq!(embedder.embed(&texts)?.len(), texts.len());
        }
        let seconds = start.elapsed().as_secs_f64();
        let mut line = serde_json::json!({
            "texts": texts.len(),
            "seconds": seconds,
            "per_second": texts.len() as f64 / seconds,
        });
        if !latencies.is_empty() {
            latencies.sort_by(f64::total_cmp);
            let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
            line["p50_ms"] = at(0.5).into();
            line["p99_ms"] = at(0.99).into();
        }
        println!("{line}");
    }
    Ok(())
}
