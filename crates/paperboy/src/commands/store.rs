//! `paperboy store`: commands on the database itself.

use std::ops::ControlFlow;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use clap::Subcommand;
use paperboy_app::Config;
use paperboy_ingest::progress::items_bar;
use paperboy_store::{
    DEFAULT_CHUNK_ROWS, DatabaseUrl, Store, StoreCopy, StoreError, TableCheck, verify_copy,
};

/// Database commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Copy every table of one database into another (SQLite to PostgreSQL, back, or
    /// SQLite to SQLite), then verify both sides table by table. Stop the paperboy
    /// processes using the source first. An interrupted copy continues where it
    /// stopped when run again.
    Copy(CopyArgs),
}

/// Arguments of `store copy`.
#[derive(Debug, clap::Args)]
pub struct CopyArgs {
    /// The database to copy: sqlite:PATH or postgres://USER:PASSWORD@HOST:5432/DATABASE.
    #[arg(long, value_name = "URL")]
    from: DatabaseUrl,
    /// The database to copy into: a new, empty one (created when it is a SQLite file),
    /// or the one an interrupted copy of the same source left.
    #[arg(long, value_name = "URL")]
    to: DatabaseUrl,
    /// Rows per transaction.
    #[arg(long, default_value_t = DEFAULT_CHUNK_ROWS, hide = true)]
    chunk_rows: u32,
}

/// Runs `store`.
pub async fn run(command: Command, config: &Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Copy(args) => copy(args, config).await,
    }
}

/// Runs `store copy`: copy, then verify; exits non-zero on any difference.
async fn copy(args: CopyArgs, config: &Config) -> anyhow::Result<ExitCode> {
    if args.from.same_database(&args.to) {
        return Err(StoreError::SameDatabase(args.from.to_string()).into());
    }
    if let DatabaseUrl::Sqlite(path) = &args.from
        && !path.is_file()
    {
        anyhow::bail!(
            "the source database {} does not exist; check the path after sqlite:",
            path.display()
        );
    }
    let source = Store::connect(&args.from, config.store_options())
        .await
        .context("opening the source database (--from)")?;
    let target = Store::connect(&args.to, config.store_options())
        .await
        .context("opening the target database (--to)")?;
    let copy = StoreCopy::prepare(&source, &target)
        .await?
        .chunk_rows(args.chunk_rows);
    let (total, done) = (copy.total_rows(), copy.rows_done());
    println!("copying {} to {}: {total} rows", args.from, args.to);
    if done > 0 {
        println!("continuing an interrupted copy: {done} rows are there already");
    }

    let stop = Arc::new(AtomicBool::new(false));
    let ctrl_c = tokio::spawn({
        let stop = stop.clone();
        async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.store(true, Ordering::Relaxed);
            }
        }
    });
    let bar = items_bar("copy", total);
    bar.set_position(done);
    let report = copy
        .run(|progress| {
            bar.set_position(progress.rows_done);
            if stop.load(Ordering::Relaxed) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .await;
    ctrl_c.abort();
    bar.finish_and_clear();
    let report = report?;
    println!(
        "copied {} rows in {:.1}s ({:.0} rows/s)",
        report.rows_copied,
        report.elapsed.as_secs_f64(),
        report.rows_per_second()
    );
    if report.interrupted {
        eprintln!("interrupted: run the same command again to continue the copy");
        return Ok(ExitCode::from(130));
    }

    let checks = verify_copy(&source, &target).await?;
    print_checks(&checks);
    source.close().await;
    target.close().await;
    let differing: Vec<&str> = checks
        .iter()
        .filter(|c| !c.matches())
        .map(|c| c.table)
        .collect();
    if differing.is_empty() {
        println!("verified: every table of the copy matches the source");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "error: the copy differs from the source in {}; was the source written to during \
             the copy? Stop every paperboy process using it and copy into a new, empty database",
            differing.join(", ")
        );
        Ok(ExitCode::FAILURE)
    }
}

fn print_checks(checks: &[TableCheck]) {
    println!(
        "{:<20} {:>12} {:>12}  {:<16}  {:<16}  status",
        "table", "source rows", "target rows", "source checksum", "target checksum"
    );
    for check in checks {
        println!(
            "{:<20} {:>12} {:>12}  {:016x}  {:016x}  {}",
            check.table,
            check.source.rows,
            check.target.rows,
            check.source.checksum,
            check.target.checksum,
            if check.matches() { "ok" } else { "MISMATCH" }
        );
    }
}
