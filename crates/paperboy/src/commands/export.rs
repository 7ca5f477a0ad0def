//! `paperboy export`.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use paperboy_store::{ExportSummary, Store};

use paperboy_app::Config;
use paperboy_core::text::count;

/// Arguments of `export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write here instead of standard output (a name ending in `.gz` compresses).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Runs `export`.
pub async fn run(args: Args, config: &Config) -> anyhow::Result<ExitCode> {
    let store = super::open_existing_store(config).await?;
    let Some(path) = &args.out else {
        let (_stdout, _) = write_records(&store, io::stdout().lock()).await?;
        return Ok(ExitCode::SUCCESS);
    };
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let summary = if path.extension().is_some_and(|e| e == "gz") {
        let encoder = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        let (encoder, summary) = write_records(&store, encoder).await?;
        encoder.finish()?.sync_all()?;
        summary
    } else {
        let (file, summary) = write_records(&store, file).await?;
        file.sync_all()?;
        summary
    };
    eprintln!(
        "exported {} and {} to {}",
        count(summary.papers, "paper", "papers"),
        count(summary.daily_entries, "daily entry", "daily entries"),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes every record as a JSON line and gives the writer back, flushed.
async fn write_records<W: Write>(store: &Store, sink: W) -> anyhow::Result<(W, ExportSummary)> {
    let mut out = BufWriter::with_capacity(1 << 20, sink);
    let summary = store
        .export(|record| -> io::Result<()> {
            serde_json::to_writer(&mut out, &record)?;
            out.write_all(b"\n")
        })
        .await?
        .context("writing the export")?;
    let sink = out
        .into_inner()
        .map_err(|e| e.into_error())
        .context("writing the export")?;
    Ok((sink, summary))
}
