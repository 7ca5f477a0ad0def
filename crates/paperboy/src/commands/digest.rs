//! `paperboy digest run`: every confirmed subscriber's digest of a period, by hand.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use jiff::civil::Date;
use paperboy_app::Config;
use paperboy_app::semantic::{Fetch, open_embedder};
use paperboy_core::Frequency;
use paperboy_core::digest::LINK_KEY;
use paperboy_jobs::JobContext;
use paperboy_mail::digest::{
    DigestOutcome, DigestPeriod, DigestSite, PeriodPool, Readers, VectorSpace, compose_all, deliver,
};
use paperboy_store::Subscription;
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
    let subscriptions = store.active_subscriptions(frequency).await?;
    let (mut queued, mut empty, mut done_before) = (0, 0, 0);
    if args.dry_run {
        let ids: Vec<&str> = subscriptions.iter().map(|s| s.id.as_str()).collect();
        let done = store.had_digests(&ids, &period.name).await?;
        let due: Vec<Subscription> = subscriptions
            .into_iter()
            .filter(|s| !done.contains(&s.id))
            .collect();
        done_before = done.len();
        let readers = Readers::load(&store, &pool, &due).await?;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for (subscription, (digest, mail)) in
            due.iter().zip(compose_all(&site, &pool, &readers, &due))
        {
            writeln!(
                out,
                "{}: {} trending, {} from alerts, {} for you{}",
                subscription.email,
                digest.trending.len(),
                digest.alerts.len(),
                digest.for_you.len(),
                mail.map(|m| format!(" — {}", m.subject))
                    .unwrap_or_default()
            )?;
        }
    } else {
        for outcome in deliver(&store, &site, &pool, &subscriptions).await? {
            match outcome {
                DigestOutcome::Queued => queued += 1,
                DigestOutcome::Empty => empty += 1,
                DigestOutcome::DoneBefore => done_before += 1,
            }
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
