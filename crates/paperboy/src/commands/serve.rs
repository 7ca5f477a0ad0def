//! `paperboy serve`: the web server with its background jobs (built by
//! [`paperboy_app::App`]), the first-run sample, and graceful shutdown on SIGTERM /
//! Ctrl-C.

use std::process::ExitCode;

use paperboy_app::{App, Config};

use crate::sample;

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on [default: setting `addr`, 127.0.0.1:8080]
    #[arg(long, value_name = "HOST:PORT")]
    addr: Option<String>,
    /// Do not load the bundled sample into an empty database.
    #[arg(long)]
    no_sample: bool,
}

/// Runs `serve` until SIGTERM or Ctrl-C.
pub async fn run(args: Args, mut config: Config) -> anyhow::Result<ExitCode> {
    if let Some(addr) = args.addr {
        config.addr = addr;
    }
    let app = App::build(config).await?;
    if !args.no_sample
        && let Some(reports) = sample::load_if_empty(app.store()).await?
    {
        let papers: u64 = reports.iter().map(|r| r.written.papers_inserted).sum();
        let entries: u64 = reports.iter().map(|r| r.written.entries_inserted).sum();
        eprintln!(
            "the database was empty: loaded the bundled sample ({papers} papers, {entries} daily-list entries); \
             `serve --no-sample` skips this"
        );
    }
    println!("paperboy listening on http://{}", app.local_addr()?);
    app.serve(shutdown_signal()).await?;
    eprintln!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    eprintln!("shutting down");
}
