//! `paperboy outbox status` and `paperboy outbox flush`: the mail queue by hand.

use std::process::ExitCode;

use paperboy_app::Config;
use paperboy_core::text::count;
use paperboy_jobs::instance_name;
use paperboy_mail::OutboxSender;

/// `paperboy outbox …`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print how many messages are pending, sent and failed.
    Status(StatusArgs),
    /// Try every pending message once, now, ignoring its backoff.
    Flush,
}

/// Arguments of `outbox status`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Print JSON (`{"pending":…,"sent":…,"failed":…}`).
    #[arg(long)]
    json: bool,
}

/// Runs an `outbox` command. `flush` exits with 75 (try again later) when messages
/// are still pending afterwards.
pub async fn run(command: Command, config: &Config) -> anyhow::Result<ExitCode> {
    let store = super::open_store(config).await?;
    match command {
        Command::Status(args) => {
            let counts = store.outbox_counts().await?;
            if args.json {
                println!("{}", serde_json::to_string(&counts)?);
            } else {
                println!(
                    "pending {}\nsent {}\nfailed {}",
                    counts.pending, counts.sent, counts.failed
                );
                for failed in store.failed_mail(10).await? {
                    println!(
                        "  gave up: {} ({}) to {}: {}",
                        failed.id, failed.kind, failed.recipient, failed.last_error
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Flush => {
            let sender = sender(config, store.clone());
            let report = sender.flush().await.map_err(|e| anyhow::anyhow!(e))?;
            eprintln!(
                "sent {}, will retry {}, gave up {}",
                report.sent, report.retrying, report.failed
            );
            pending_status(&store).await
        }
    }
}

/// The outbox sender this instance's settings describe.
pub fn sender(config: &Config, store: paperboy_store::Store) -> OutboxSender {
    OutboxSender::new(
        store,
        config.mail.transport(&config.data_dir),
        config.mail.sender.clone(),
        &instance_name(),
    )
}

/// Success when nothing is pending; 75 (EX_TEMPFAIL) with a hint otherwise.
pub async fn pending_status(store: &paperboy_store::Store) -> anyhow::Result<ExitCode> {
    let pending = store.outbox_counts().await?.pending;
    if pending == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "{} still pending; `paperboy serve` retries with backoff, `paperboy outbox flush` \
         tries now",
        count(pending, "message", "messages")
    );
    Ok(ExitCode::from(75))
}
