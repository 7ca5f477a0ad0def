//! `paperboy`: the command-line entry point. Parses arguments, loads settings, and
//! hands each command to its module in `commands/`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
mod sample;

use paperboy_app::{Origin, Settings};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A self-hosted research-paper hub: daily arXiv lists, upvotes, search, feeds.
#[derive(Debug, Parser)]
#[command(name = "paperboy", version, about, propagate_version = true)]
struct Cli {
    /// Directory holding the database and indexes [env: PAPERBOY_DATA_DIR] [default: ./data]
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Settings file [env: PAPERBOY_CONFIG] [default: ./paperboy.toml when present]
    #[arg(long, global = true, value_name = "FILE", env = "PAPERBOY_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (loads a bundled sample into an empty database).
    Serve(commands::serve::Args),
    /// Import papers and daily lists from files (format detected, gzip read transparently).
    Import(commands::import::Args),
    /// Harvest arXiv's OAI-PMH endpoint (ListRecords), resuming an interrupted run.
    Harvest(commands::harvest::Args),
    /// Fetch papers by id from the arXiv API.
    Fetch(commands::fetch::Args),
    /// Write everything as JSON Lines that `import` reads back losslessly.
    Export(commands::export::Args),
    /// Make a consistent copy of the live database.
    Backup(commands::backup::Args),
    /// Embed every paper without an up-to-date vector (resumable), with a progress bar.
    Embed(commands::embed::Args),
    /// Extract key phrases for papers without ai_keywords (resumable), with a progress bar.
    Keywords(commands::keywords::Args),
    /// Write one-sentence summaries with the configured chat endpoint (summary_llm_url).
    Summarize(commands::summarize::Args),
    /// Measure search quality (recall@10, MRR, nDCG@10) on a TSV of queries.
    Eval(commands::eval::Args),
    /// Measure "for you" recommendations (recall@10) on simulated readers from the HF
    /// daily-papers archive, against trending and tf-idf SVM baselines.
    EvalDigests(commands::eval_digests::Args),
    /// Measure extracted key phrases against HF's ai_keywords on the HF daily-papers
    /// archive (precision and recall, exact and head-word, tuning and held-out halves).
    EvalKeyphrases(commands::eval_keyphrases::Args),
    /// Rebuild the search index from the database, with a progress bar.
    Reindex(commands::reindex::Args),
    /// Print what the database holds.
    Stats(commands::stats::Args),
    /// Database commands: copy a database to another engine (`store copy`).
    #[command(subcommand)]
    Store(commands::store::Command),
    /// Settings: `config show` (those in effect, and where each came from),
    /// `config default` (every setting with its default).
    #[command(subcommand)]
    Config(commands::config::Command),
    /// Manage the local embedding model.
    #[command(subcommand)]
    Model(commands::model::Command),
    /// Manage accounts (`user add EMAIL [--username NAME] [--admin]`).
    #[command(subcommand)]
    User(commands::user::UserCommand),
    /// Personal API tokens (`token create EMAIL` prints a new one).
    #[command(subcommand)]
    Token(commands::user::TokenCommand),
    /// Email digests (`digest run [--frequency daily|weekly] [--as-of DATE] [--dry-run]`).
    #[command(subcommand)]
    Digest(commands::digest::Command),
    /// The mail queue (`outbox status [--json]`, `outbox flush`).
    #[command(subcommand)]
    Outbox(commands::outbox::Command),
}

fn main() -> ExitCode {
    exit_quietly_on_closed_stdout();
    let cli = Cli::parse();
    let loaded = Settings::load_with_origins(cli.config.as_deref(), |k| std::env::var(k).ok()).map(
        |mut loaded| {
            if let Some(dir) = cli.data_dir {
                loaded.settings.data_dir = dir;
                loaded
                    .origins
                    .insert("data_dir".into(), Origin::Flag("--data-dir"));
            }
            loaded
        },
    );
    let loaded = match loaded {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    init_logging(&loaded.settings.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli.command, loaded)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}

/// `paperboy stats | head -1` closes standard output early; printing then fails with
/// a broken pipe. That is the reader's choice, not an error: exit quietly with the
/// status a shell reports for SIGPIPE, instead of a panic message.
fn exit_quietly_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}
