//! `paperboy import`.

use std::path::PathBuf;
use std::process::ExitCode;

use paperboy_ingest::import::DEFAULT_BATCH_SIZE;
use paperboy_ingest::input::{Found, walk};
use paperboy_ingest::{FileReport, Format, ImportOptions, import_file};
use paperboy_store::Store;
use serde::Serialize;

use paperboy_app::Config;

use paperboy_core::text::count;

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to import: arXiv listing / HF archive / Kaggle snapshot / paperboy export
    /// JSON Lines, HF /api/daily_papers JSON, arXiv API Atom, OAI-PMH XML; gzip or not.
    /// A directory imports every file under it (recursively) whose format is known,
    /// passing over the others with the reason.
    #[arg(required = true, value_name = "FILE|DIR")]
    paths: Vec<PathBuf>,
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

/// The machine-readable summary (`--json`). Every record of every file is a paper, a
/// daily entry, or both (HF daily-list items), or skipped.
#[derive(Debug, Default, Serialize)]
struct Summary {
    files: Vec<FileReport>,
    records: u64,
    papers_inserted: u64,
    papers_updated: u64,
    papers_unchanged: u64,
    papers_duplicate: u64,
    entries_inserted: u64,
    entries_updated: u64,
    entries_unchanged: u64,
    entries_duplicate: u64,
    skipped: u64,
    failed_files: u64,
    passed_over_files: u64,
    seconds: f64,
    papers_per_second: f64,
}

impl Summary {
    fn of(files: Vec<FileReport>) -> Self {
        let mut s = Summary::default();
        for f in &files {
            let w = f.written;
            s.records += f.records;
            s.papers_inserted += w.papers_inserted;
            s.papers_updated += w.papers_updated;
            s.papers_unchanged += w.papers_unchanged;
            s.papers_duplicate += f.papers_duplicate;
            s.entries_inserted += w.entries_inserted;
            s.entries_updated += w.entries_updated;
            s.entries_unchanged += w.entries_unchanged;
            s.entries_duplicate += f.entries_duplicate;
            s.skipped += f.skipped;
            s.failed_files += u64::from(f.error.is_some());
            s.passed_over_files += u64::from(f.passed_over.is_some());
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

    /// What the records became, leaving out what did not happen:
    /// "papers: 3 new, 1 duplicate in the file; daily entries: 4 new; 2 skipped".
    fn outcomes(papers: [u64; 4], entries: [u64; 4], skipped: u64) -> String {
        let kinds = |[new, updated, unchanged, duplicate]: [u64; 4]| {
            let mut parts: Vec<String> =
                [(new, "new"), (updated, "updated"), (unchanged, "unchanged")]
                    .into_iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|(n, what)| format!("{n} {what}"))
                    .collect();
            if duplicate > 0 {
                parts.push(count(
                    duplicate,
                    "duplicate in the file",
                    "duplicates in the file",
                ));
            }
            parts.join(", ")
        };
        let mut parts = Vec::new();
        if papers.iter().any(|&n| n > 0) {
            parts.push(format!("papers: {}", kinds(papers)));
        }
        if entries.iter().any(|&n| n > 0) {
            parts.push(format!("daily entries: {}", kinds(entries)));
        }
        if skipped > 0 {
            parts.push(format!("{skipped} skipped (reasons above)"));
        }
        if parts.is_empty() {
            "nothing".to_owned()
        } else {
            parts.join("; ")
        }
    }

    fn print_human(&self) {
        for f in &self.files {
            let Some(format) = f.format else {
                let what = if f.passed_over.is_some() {
                    "passed over (the reason is above)"
                } else {
                    "not imported (see the error above)"
                };
                println!("{}: {what}", f.file);
                continue;
            };
            let w = f.written;
            let stopped = if f.error.is_some() {
                ", then stopped (see the error above)"
            } else {
                ""
            };
            println!(
                "{} ({format}): {} in {:.1}s{stopped}: {}",
                f.file,
                count(f.records, "record", "records"),
                f.seconds,
                Self::outcomes(
                    [
                        w.papers_inserted,
                        w.papers_updated,
                        w.papers_unchanged,
                        f.papers_duplicate
                    ],
                    [
                        w.entries_inserted,
                        w.entries_updated,
                        w.entries_unchanged,
                        f.entries_duplicate
                    ],
                    f.skipped,
                ),
            );
        }
        let mut total = format!(
            "in all: {}, {}: {}",
            count(self.files.len() as u64, "file", "files"),
            count(self.records, "record", "records"),
            Self::outcomes(
                [
                    self.papers_inserted,
                    self.papers_updated,
                    self.papers_unchanged,
                    self.papers_duplicate
                ],
                [
                    self.entries_inserted,
                    self.entries_updated,
                    self.entries_unchanged,
                    self.entries_duplicate
                ],
                self.skipped,
            ),
        );
        for (n, what) in [
            (self.failed_files, "stopped by an error"),
            (self.passed_over_files, "passed over"),
        ] {
            if n > 0 {
                total.push_str(&format!("; {} {what}", count(n, "file", "files")));
            }
        }
        println!("{total} ({:.0} papers/s)", self.papers_per_second);
    }
}

/// A file to import, or an entry of a directory that cannot be.
enum Target {
    /// A file named on the command line.
    Named(PathBuf),
    /// A file found under a directory named on the command line.
    InDirectory(PathBuf),
    /// An entry under a directory that cannot be imported, with why.
    Unusable(FileReport),
}

/// What `paths` name: files as given, directories as every entry under them.
fn targets(paths: &[PathBuf]) -> Vec<Target> {
    let unusable = |path: PathBuf, passed_over: Option<String>, error: Option<String>| {
        Target::Unusable(FileReport {
            file: path.display().to_string(),
            passed_over,
            error,
            ..FileReport::default()
        })
    };
    let mut out = Vec::new();
    for path in paths {
        if !path.is_dir() {
            out.push(Target::Named(path.clone()));
            continue;
        }
        out.extend(walk(path).into_iter().map(|found| match found {
            Found::File(file) => Target::InDirectory(file),
            Found::NotAFile(path) => unusable(path, Some("not a file".into()), None),
            Found::Unreadable(path, e) => unusable(path, None, Some(format!("cannot read: {e}"))),
        }));
    }
    out
}

/// Imports one target, and says once on stderr what went wrong with it.
async fn import_one(store: &Store, target: Target, options: &ImportOptions) -> FileReport {
    let report = match target {
        Target::Named(file) => import_file(store, &file, options).await,
        Target::InDirectory(file) => {
            let options = ImportOptions {
                pass_over_unknown: true,
                ..options.clone()
            };
            import_file(store, &file, &options).await
        }
        Target::Unusable(report) => report,
    };
    if let Some(error) = &report.error {
        eprintln!("{}: {error}", report.file);
    }
    if let Some(reason) = &report.passed_over {
        eprintln!("{}: passed over: {reason}", report.file);
    }
    report
}

/// Runs `import`. Exits non-zero when any record was skipped or any file failed;
/// files a directory holds in no known format are passed over and do not count.
pub async fn run(args: Args, config: &Config) -> anyhow::Result<ExitCode> {
    let store = super::open_store(config).await?;
    let options = ImportOptions {
        format: args.format,
        daily_date: args.daily_date,
        batch_size: args.batch_size,
        pass_over_unknown: false,
    };
    let mut reports = Vec::new();
    for target in targets(&args.paths) {
        reports.push(import_one(&store, target, &options).await);
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
