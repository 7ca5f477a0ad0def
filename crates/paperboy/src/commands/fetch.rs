//! `paperboy fetch`: papers by id from the arXiv API.

use std::process::ExitCode;

use paperboy_ingest::fetch::{FetchReport, fetch_papers, parse_ids};

use paperboy_app::Config;
use paperboy_core::text::count;

/// Arguments of `fetch`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// arXiv ids in any common spelling: 2401.12345, 2401.12345v2, arXiv:2401.12345,
    /// hep-th/9901001, or an arxiv.org abs/pdf URL.
    #[arg(required = true, value_name = "ID")]
    ids: Vec<String>,
    /// The arXiv API endpoint [default: setting `arxiv_api_url`].
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Print the summary as one JSON object on standard output.
    #[arg(long)]
    json: bool,
}

/// Runs `fetch`. Every id is checked before any request; exits non-zero when arXiv
/// did not return some of them.
pub async fn run(args: Args, config: &Config) -> anyhow::Result<ExitCode> {
    let ids = parse_ids(&args.ids)?;
    let store = super::open_store(config).await?;
    let client = super::polite_client(config)?;
    let api_url = args
        .base_url
        .unwrap_or_else(|| config.arxiv_api_url.to_string());
    let outcome = fetch_papers(&store, &client, &api_url, &ids).await;
    if let Err(e) = super::reindex::catch_up_after_write(config, &store).await {
        eprintln!("search index not updated ({e:#}); run `paperboy reindex`");
    }
    store.close().await;
    let report = outcome?;
    for skipped in &report.skipped {
        eprintln!("unusable entry in the response, {skipped}");
    }
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_human(&report);
    }
    Ok(if report.missing.is_empty() && report.skipped.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_human(r: &FetchReport) {
    let w = &r.written;
    println!(
        "fetched {} of {} in {}: {} new, {} updated, {} unchanged",
        r.found.len(),
        count(r.requested as u64, "paper", "papers"),
        count(r.requests, "request", "requests"),
        w.papers_inserted,
        w.papers_updated,
        w.papers_unchanged
    );
    if !r.missing.is_empty() {
        println!("not on arXiv: {}", r.missing.join(", "));
    }
}
