//! `paperboy digest run`: every confirmed subscriber's digest of a period, by hand.

use std::process::ExitCode;

use anyhow::Context;
use jiff::civil::Date;
use paperboy_app::Config;
use paperboy_app::semantic::{Fetch, open_embedder};
use paperboy_core::Frequency;
use paperboy_core::digest::LINK_KEY;
use paperboy_jobs::JobContext;
use paperboy_mail::digest::{
    DigestOutcome, DigestPeriod, DigestSite, PeriodPool, VectorSpace, compose, deliver, digest_mail,
};
use tokio_util::sync::CancellationToken;

/// `paperboy digest …`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Compose the period's digest of every confirmed subscriber of a frequency who
    /// has not had it (whatever their hour), queue them, and make one sending pass.
    /// Exits with 75 when messages are still pending afterwards.
    Run(RunArgs),
}

/// Arguments of `digest run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Which subscribers: `daily` or `weekly`.
    #[arg(long, default_value = "daily")]
    frequency: String,
    /// The period's last day, YYYY-MM-DD [default: today, UTC].
    #[arg(long)]
    as_of: Option<String>,
    /// Compose and print what would be sent; queue and send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Queue the digests but make no sending pass (a running server's outbox job
    /// sends them); exits 0.
    #[arg(long, conflicts_with = "dry_run")]
    no_send: bool,
}

/// The site as digests present it: `public_url` (else the listen address) and name.
pub async fn digest_site(
    config: &Config,
    store: &paperboy_store::Store,
) -> anyhow::Result<DigestSite> {
    Ok(DigestSite {
        name: config.web.site_name.clone(),
        base_url: config.public_base_url(),
        link_key: store.site_key(LINK_KEY).await?,
    })
}

/// Runs a `digest` command.
pub async fn run(command: Command, config: &Config) -> anyhow::Result<ExitCode> {
    let Command::Run(args) = command;
    let frequency = Frequency::parse(&args.frequency)?;
    let as_of: Date = match &args.as_of {
        Some(day) => day
            .parse()
            .with_context(|| format!("--as-of {day:?} is not a date like 2026-12-02"))?,
        None => jiff::Timestamp::now()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date(),
    };
    let period = DigestPeriod::ending(frequency, as_of);
    let store = super::open_store(config).await?;
    let site = digest_site(config, &store).await?;
    let space = match open_embedder(config, Fetch::Never).await? {
        Some(embedder) => VectorSpace::of(embedder.model_name(), embedder.dimension()),
        None => None,
    };
    if space.is_none() {
        eprintln!("no embedding model: digests go out without their \"for you\" section");
    }
    let pool = PeriodPool::load(&store, period.clone(), space).await?;
    let (mut queued, mut empty, mut done_before) = (0, 0, 0);
    for subscription in store.active_subscriptions(frequency).await? {
        if args.dry_run {
            if store.had_digest(&subscription.id, &period.name).await? {
                done_before += 1;
                continue;
            }
            let digest = compose(&store, &pool, &subscription).await?;
            let mail = (!digest.is_empty()).then(|| digest_mail(&site, &subscription, &digest));
            println!(
                "{}: {} trending, {} from alerts, {} for you{}",
                subscription.email,
                digest.trending.len(),
                digest.alerts.len(),
                digest.for_you.len(),
                mail.as_ref()
                    .map(|m| format!(" — {}", m.subject))
                    .unwrap_or_default()
            );
            continue;
        }
        match deliver(&store, &site, &pool, &subscription).await? {
            DigestOutcome::Queued => queued += 1,
            DigestOutcome::Empty => empty += 1,
            DigestOutcome::DoneBefore => done_before += 1,
        }
    }
    eprintln!(
        "{} digest {}: {queued} queued, {empty} empty (not sent), {done_before} done before",
        frequency.as_str(),
        period.name
    );
    if args.dry_run || args.no_send {
        return Ok(ExitCode::SUCCESS);
    }
    let sender = super::outbox::sender(config, store.clone());
    let report = sender
        .send_due(&JobContext::quiet(CancellationToken::new()))
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    eprintln!(
        "sent {}, will retry {}, gave up {}",
        report.sent, report.retrying, report.failed
    );
    super::outbox::pending_status(&store).await
}
