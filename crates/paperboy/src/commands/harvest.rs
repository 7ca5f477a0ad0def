//! `paperboy harvest`: OAI-PMH `ListRecords` into the database, resumable.

use std::process::ExitCode;

use jiff::civil::Date;
use paperboy_ingest::harvest::{HarvestOptions, HarvestReport, MetadataPrefix, harvest};
use paperboy_ingest::progress;

use paperboy_app::Config;

/// Arguments of `harvest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The first datestamp day to harvest. Default: continue from the last completed
    /// harvest of this endpoint, prefix and set (everything on the first run).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::import::parse_date)]
    from: Option<Date>,
    /// The last datestamp day to harvest (default: up to today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::import::parse_date)]
    until: Option<Date>,
    /// An OAI set, e.g. `cs` or `physics:hep-th` (default: every set).
    #[arg(long, value_name = "SET")]
    set: Option<String>,
    /// `arXiv` (structured authors with affiliations) or `arXivRaw` (every version's date).
    #[arg(long, value_name = "PREFIX", default_value = "arXiv", value_parser = parse_prefix)]
    metadata_prefix: MetadataPrefix,
    /// The OAI-PMH endpoint [default: setting `arxiv_oai_url`].
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Print the summary as one JSON object on standard output.
    #[arg(long)]
    json: bool,
}

fn parse_prefix(name: &str) -> Result<MetadataPrefix, String> {
    MetadataPrefix::from_name(name).ok_or_else(|| "expected arXiv or arXivRaw".to_owned())
}

/// Runs `harvest`. An interrupted run (Ctrl-C, kill -9, a network failure) resumes
/// where it stopped when the same command runs again.
pub async fn run(args: Args, config: &Config) -> anyhow::Result<ExitCode> {
    let store = super::open_store(config).await?;
    let client = super::polite_client(config)?;
    let options = HarvestOptions {
        base_url: args
            .base_url
            .unwrap_or_else(|| config.arxiv_oai_url.to_string()),
        metadata_prefix: args.metadata_prefix,
        set: args.set,
        from: args.from,
        until: args.until,
    };
    let bar = progress::counter("harvest");
    let outcome = harvest(&store, &client, &options, &mut |report| {
        bar.set_position(report.records);
        bar.set_message(format!(
            "records, page {} of this run, {} of {} records in all",
            report.pages,
            report.total_records,
            report
                .complete_list_size
                .map_or_else(|| "?".to_owned(), |n| n.to_string())
        ));
    })
    .await;
    bar.finish_and_clear();
    // Pages committed before a failure are searchable too.
    if let Err(e) = super::reindex::catch_up_after_write(config, &store).await {
        eprintln!("search index not updated ({e:#}); run `paperboy reindex`");
    }
    store.close().await;
    let report = outcome?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_human(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_human(r: &HarvestReport) {
    let day = |d: Option<Date>, none: &str| d.map_or_else(|| none.to_owned(), |d| d.to_string());
    println!("harvested {}", r.source);
    println!(
        "  range: {} … {}{}",
        day(r.from, "the beginning"),
        day(r.until, "today"),
        if r.resumed {
            " (resumed an interrupted harvest)"
        } else {
            ""
        }
    );
    println!(
        "  pages: {}, records: {} ({} deleted, {} unusable), {:.1}s",
        r.pages, r.records, r.deleted, r.skipped, r.seconds
    );
    let w = &r.written;
    println!(
        "  papers: {} new, {} updated, {} unchanged",
        w.papers_inserted, w.papers_updated, w.papers_unchanged
    );
    println!(
        "  complete; the next harvest without --from starts at {}",
        day(r.last_datestamp, "the beginning")
    );
}
