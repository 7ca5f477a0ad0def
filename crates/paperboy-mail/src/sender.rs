//! [`OutboxSender`]: the job that delivers the outbox.

use std::time::Duration;

use lettre::message::Mailbox;
use paperboy_jobs::{BoxFuture, Job, JobContext, JobError, JobSpec, Outcome, Progress, Scope};
use paperboy_store::{OutboxMessage, Store};

use crate::message::build_message;
use crate::transport::parse_from;
use crate::{MailError, SendError, Transport};

/// First wait after a failed attempt; it doubles with every attempt.
const FIRST_RETRY: Duration = Duration::from_secs(30);
/// Longest wait between two attempts.
const MAX_RETRY: Duration = Duration::from_secs(3600);
/// How long a sender may hold a message before another may take it over.
const CLAIM: Duration = Duration::from_secs(120);
/// Messages one run sends before it yields to the runner.
const PER_RUN: usize = 200;

/// How one delivery attempt ended, for the loop around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attempt {
    /// Delivered, or refused for good: on to the next message.
    Done,
    /// A passing failure (no connection, 4xx): the server is away for now.
    ServerAway,
}

/// How the sender behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderOptions {
    /// The `From` mailbox (`mail_from`).
    pub from: Mailbox,
    /// A message still undelivered this long after it was queued is given up on.
    pub give_up_after: Duration,
    /// Most messages sent per minute (0: no limit).
    pub per_minute: u32,
}

impl SenderOptions {
    /// Options with `mail_from` parsed and checked.
    pub fn new(
        mail_from: &str,
        give_up_after: Duration,
        per_minute: u32,
    ) -> Result<Self, MailError> {
        Ok(Self {
            from: parse_from(mail_from)?,
            give_up_after,
            per_minute,
        })
    }
}

/// What one pass over the outbox did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendReport {
    /// Messages delivered.
    pub sent: u64,
    /// Attempts that failed and will be retried.
    pub retrying: u64,
    /// Messages given up on.
    pub failed: u64,
}

/// Delivers due outbox messages one at a time: claims one, sends it, records the
/// result; a failure is retried with exponential backoff (30 s doubling up to an
/// hour) until [`SenderOptions::give_up_after`], a permanent failure (5xx) at once.
/// Runs once per cluster; the per-message claim also keeps a hand-run pass (the
/// CLI) from sending what the job sends.
#[derive(Debug, Clone)]
pub struct OutboxSender {
    store: Store,
    transport: Transport,
    options: SenderOptions,
    holder: String,
}

impl OutboxSender {
    /// A sender for `store`'s outbox over `transport`, claiming as `holder` (this
    /// instance's name).
    pub fn new(store: Store, transport: Transport, options: SenderOptions, holder: &str) -> Self {
        Self {
            store,
            transport,
            options,
            holder: holder.to_owned(),
        }
    }

    fn now_ms(&self) -> i64 {
        self.store.clock().now().as_millisecond()
    }

    /// Sends due messages until none is due, `PER_RUN` went out, a delivery failed
    /// for a reason that will hit the next message too, or `ctx` is cancelled.
    pub async fn send_due(&self, ctx: &JobContext) -> Result<SendReport, JobError> {
        let mut report = SendReport::default();
        let pause = match self.options.per_minute {
            0 => Duration::ZERO,
            n => Duration::from_secs(60) / n,
        };
        for _ in 0..PER_RUN {
            if ctx.is_cancelled() {
                break;
            }
            let now = self.now_ms();
            let claim_until = now + millis(CLAIM);
            let Some(message) = self
                .store
                .claim_mail(&self.holder, now, claim_until, false)
                .await?
            else {
                break;
            };
            if self.attempt(&message, &mut report).await? == Attempt::ServerAway {
                // The next message would fail the same way.
                break;
            }
            ctx.report(Progress {
                done: report.sent,
                unchanged: 0,
                failed: report.failed + report.retrying,
            });
            if !pause.is_zero() && !ctx.sleep(pause).await {
                break;
            }
        }
        Ok(report)
    }

    /// Tries every pending message once, now, whatever its backoff (`outbox flush`).
    pub async fn flush(&self) -> Result<SendReport, JobError> {
        let mut report = SendReport::default();
        for id in self.store.pending_mail_ids().await? {
            let now = self.now_ms();
            let Some(message) = self
                .store
                .claim_mail_id(&id, &self.holder, now, now + millis(CLAIM))
                .await?
            else {
                continue;
            };
            self.attempt(&message, &mut report).await?;
        }
        Ok(report)
    }

    /// Delivers one claimed message and records how it went in the store and in
    /// `report`.
    async fn attempt(
        &self,
        message: &OutboxMessage,
        report: &mut SendReport,
    ) -> Result<Attempt, JobError> {
        match self.deliver(message).await {
            Ok(()) => {
                self.store
                    .mail_sent(&message.id, &self.holder, self.now_ms())
                    .await?;
                report.sent += 1;
                Ok(Attempt::Done)
            }
            Err(error) => {
                if self.record_failure(message, &error).await? {
                    report.failed += 1;
                } else {
                    report.retrying += 1;
                }
                Ok(if error.permanent {
                    Attempt::Done
                } else {
                    Attempt::ServerAway
                })
            }
        }
    }

    async fn deliver(&self, message: &OutboxMessage) -> Result<(), SendError> {
        let built = build_message(&message.id, &self.options.from, &message.mail)?;
        self.transport.send(&message.id, built).await
    }

    /// Schedules the next attempt of `message`, or gives it up; true when given up.
    async fn record_failure(
        &self,
        message: &OutboxMessage,
        error: &SendError,
    ) -> Result<bool, JobError> {
        let now = self.now_ms();
        let retry_at = now + millis(retry_delay(message.attempts));
        let deadline = message.created_ms + millis(self.options.give_up_after);
        let give_up = error.permanent || retry_at > deadline;
        if error.permanent && message.kind == "digest" {
            // A hard bounce: the address does not take mail; stop sending digests.
            let reason = format!("the mail server refused the address: {}", error.message);
            if self
                .store
                .pause_subscription_of(&message.mail.to, &reason)
                .await?
            {
                tracing::warn!(to = %message.mail.to, "digest bounced; subscription paused");
            }
        }
        if give_up {
            tracing::warn!(id = %message.id, kind = %message.kind, %error, "giving up on a message");
        } else {
            tracing::info!(id = %message.id, attempts = message.attempts + 1, %error, "mail delivery failed; will retry");
        }
        self.store
            .mail_attempt_failed(
                &message.id,
                &self.holder,
                now,
                &error.message,
                (!give_up).then_some(retry_at),
            )
            .await?;
        Ok(give_up)
    }
}

/// How long to wait after the `attempts`-th failed attempt (0-based).
fn retry_delay(attempts: u32) -> Duration {
    FIRST_RETRY
        .checked_mul(1u32 << attempts.min(16))
        .map_or(MAX_RETRY, |d| d.min(MAX_RETRY))
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl Job for OutboxSender {
    fn spec(&self) -> JobSpec {
        JobSpec::new("outbox", Scope::Cluster, Duration::from_secs(2))
    }

    fn run<'a>(&'a self, ctx: &'a JobContext) -> BoxFuture<'a, Result<Outcome, JobError>> {
        Box::pin(async move {
            let report = self.send_due(ctx).await?;
            Ok(if report.sent as usize >= PER_RUN {
                Outcome::Busy
            } else {
                Outcome::Idle
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        assert_eq!(retry_delay(0), Duration::from_secs(30));
        assert_eq!(retry_delay(1), Duration::from_secs(60));
        assert_eq!(retry_delay(5), Duration::from_secs(960));
        assert_eq!(retry_delay(7), MAX_RETRY);
        assert_eq!(retry_delay(u32::MAX), MAX_RETRY);
    }
}
