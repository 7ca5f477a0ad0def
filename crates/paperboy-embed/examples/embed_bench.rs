//! Embedding throughput of the local backend, for `bench/embed_bench.py`.
//!
//! `cargo run --release -p paperboy-embed --example embed_bench -- MODEL_DIR TEXTS_JSON
//! [--threads N] [--batch-tokens N] [--rounds N]` reads a JSON array of strings and
//! prints one JSON line per round: `{"texts": n, "seconds": s, "per_second": r}`.

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
    while let Some(flag) = args.next() {
        let value: usize = args.next().ok_or(usage)?.parse()?;
        match flag.as_str() {
            "--threads" => options.threads = value,
            "--batch-tokens" => options.batch_tokens = value,
            "--rounds" => rounds = value,
            _ => return Err(usage.into()),
        }
    }
    let texts: Vec<String> = serde_json::from_str(&std::fs::read_to_string(texts)?)?;
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let embedder = LocalEmbedder::load(&model, options)?;
    embedder.embed(&texts[..texts.len().min(16)])?;
    for _ in 0..rounds {
        let start = Instant::now();
        let vectors = embedder.embed(&texts)?;
        let seconds = start.elapsed().as_secs_f64();
        assert_eq!(vectors.len(), texts.len());
        println!(
            "{}",
            serde_json::json!({
                "texts": texts.len(),
                "seconds": seconds,
                "per_second": texts.len() as f64 / seconds,
            })
        );
    }
    Ok(())
}
