//! `paperboy import`.

use std::path::PathBuf;
use std::process::ExitCode;

use paperboy_ingest::import::DEFAULT_BATCH_SIZE;
use paperboy_ingest::{FileReport, Format, ImportOptions, import_file};
use serde::Serialize;

use paperboy_app::Config;

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to import: arXiv listing / HF archive / Kaggle snapshot / paperboy export
    /// JSON Lines, HF /api/daily_papers JSON, arXiv API Atom, OAI-PMH XML; gzip or not.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Read the files as this format instead of detecting it.
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// The daily-list date (YYYY-MM-DD) of an /api/daily_papers file whose items lack
    /// `submittedOnDailyAt`.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    daily_date: Option<jiff::civil::Date>,
    /// Print the summary as one JSON object on standard output.
    #[arg(long)]
    json: bool,
    /// Papers per write transaction.
    #[arg(long, default_value_t = DEFAULT_BATCH_SIZE, hide = true)]
    batch_size: usize,
}

fn parse_format(name: &str) -> Result<Format, String> {
    Format::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format; one of: {}", names.join(", "))
    })
}

/// Parses a `YYYY-MM-DD` command-line value.
pub(crate) fn parse_date(text: &str) -> Result<jiff::civil::Date, String> {
    paperboy_core::parse_day(text).map_err(|e| e.to_string())
}

/// The machine-readable summary (`--json`).
#[derive(Debug, Serialize)]
struct Summary {
    files: Vec<FileReport>,
    papers_inserted: u64,
    papers_updated: u64,
    papers_unchanged: u64,
    entries_inserted: u64,
    entries_updated: u64,
    entries_unchanged: u64,
    skipped: u64,
    failed_files: u64,
    seconds: f64,
    papers_per_second: f64,
}

impl Summary {
    fn of(files: Vec<FileReport>) -> Self {
        let mut s = Summary {
            files: Vec::new(),
            papers_inserted: 0,
            papers_updated: 0,
            papers_unchanged: 0,
            entries_inserted: 0,
            entries_updated: 0,
            entries_unchanged: 0,
            skipped: 0,
            failed_files: 0,
            seconds: 0.0,
            papers_per_second: 0.0,
        };
        for f in &files {
            let w = f.written;
            s.papers_inserted += w.papers_inserted;
            s.papers_updated += w.papers_updated;
            s.papers_unchanged += w.papers_unchanged;
            s.entries_inserted += w.entries_inserted;
            s.entries_updated += w.entries_updated;
            s.entries_unchanged += w.entries_unchanged;
            s.skipped += f.skipped;
            s.failed_files += u64::from(f.error.is_some());
            s.seconds += f.seconds;
        }
        let papers = s.papers_inserted + s.papers_updated + s.papers_unchanged;
        s.papers_per_second = if s.seconds > 0.0 {
            papers as f64 / s.seconds
        } else {
            0.0
        };
        s.files = files;
        s
    }

    fn print_human(&self) {
        for f in &self.files {
            let format = f.format.map_or("unknown format", Format::name);
            println!(
                "{} ({format}): {} records in {:.1}s",
                f.file, f.records, f.seconds
            );
            if let Some(error) = &f.error {
                println!("  stopped: {error}");
            }
        }
        println!(
            "papers: {} new, {} updated, {} unchanged ({:.0}/s); daily entries: {} new, {} updated, {} unchanged",
            self.papers_inserted,
            self.papers_updated,
            self.papers_unchanged,
            self.papers_per_second,
            self.entries_inserted,
            self.entries_updated,
            self.entries_unchanged,
        );
        if self.skipped > 0 {
            println!(
                "skipped {} malformed records (listed above as FILE:LINE: reason)",
                self.skipped
            );
        }
    }
}

/// Runs `import`. Exits non-zero when any record was skipped or any file failed.
pub async fn run(args: Args, config: &Config) -> anyhow::Result<ExitCode> {
    let store = super::open_store(config).await?;
    let options = ImportOptions {
        format: args.format,
        daily_date: args.daily_date,
        batch_size: args.batch_size,
    };
    let mut reports = Vec::with_capacity(args.files.len());
    for file in &args.files {
        let report = import_file(&store, file, &options).await;
        if let Some(error) = &report.error {
            eprintln!("{}: {error}", report.file);
        }
        reports.push(report);
    }
    if let Err(e) = super::reindex::catch_up_after_write(config, &store).await {
        eprintln!("search index not updated ({e:#}); run `paperboy reindex`");
    }
    let clean = reports.iter().all(FileReport::is_clean);

    let summary = Summary::of(reports);
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        summary.print_human();
    }
    store.close().await;
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
