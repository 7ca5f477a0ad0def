//! The mail outbox: every email is a row here before it is a message on the wire.
//!
//! A sender claims one due row at a time with a conditional update (the row is
//! taken only while no live claim holds it; PostgreSQL re-checks that condition on
//! the locked row and lets racing senders skip it with `SKIP LOCKED`, SQLite runs
//! one writer at a time), so instances never send one message twice. A claim that its holder never finishes (the process died
//! mid-send) expires, and the message goes out again: at most the one message in
//! flight is repeated.

use paperboy_core::Mail;

use crate::codec::{ms, to_json};
use crate::db::{Backend, Scalar, Sql, Tx, unsigned};
use crate::secret::new_id;
use crate::{Result, Store, StoreError};

/// Longest error message kept per message, in characters.
const ERROR_CHARS: usize = 500;

/// A claimed message, for its sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    /// The row's id; also the stable part of the `Message-ID`.
    pub id: String,
    /// What kind of message (`sign-in`, `digest`, ...).
    pub kind: String,
    /// The message.
    pub mail: Mail,
    /// Attempts made before this one.
    pub attempts: u32,
    /// When it was queued (ms since the epoch).
    pub created_ms: i64,
}

#[derive(Debug, sqlx::FromRow)]
struct OutboxRow {
    id: String,
    kind: String,
    message: String,
    attempts: i64,
    created_ms: i64,
}

/// A message given up on.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct FailedMail {
    /// The outbox row.
    pub id: String,
    /// What kind of message.
    pub kind: String,
    /// To whom.
    pub recipient: String,
    /// Why the last attempt failed.
    pub last_error: String,
}

/// How many messages are where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct OutboxCounts {
    /// Waiting to be sent (or retried).
    pub pending: u64,
    /// Delivered to the mail server.
    pub sent: u64,
    /// Given up on.
    pub failed: u64,
}

/// Queues `mail` in transaction `tx`; returns the new row's id. With `dedupe_key`,
/// at most one message per key is ever queued: `None` when one was already.
pub(crate) async fn enqueue(
    tx: &mut Tx,
    kind: &str,
    mail: &Mail,
    dedupe_key: Option<&str>,
    now_ms: i64,
) -> Result<Option<String>> {
    let id = new_id()?;
    let sql = Sql::new(
        "INSERT INTO outbox (id, kind, recipient, message, dedupe_key, created_ms, next_attempt_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT DO NOTHING",
    )
    .arg(id.as_str())
    .arg(kind)
    .arg(mail.to.as_str())
    .arg(to_json(mail))
    .arg(dedupe_key)
    .arg(now_ms);
    Ok((tx.execute(sql).await? > 0).then_some(id))
}

impl Store {
    /// Queues `mail` (see [`enqueue`]); false when `dedupe_key` was queued before.
    pub async fn enqueue_mail(
        &self,
        kind: &str,
        mail: &Mail,
        dedupe_key: Option<&str>,
    ) -> Result<bool> {
        let mut tx = self.db.begin(true).await?;
        let queued = enqueue(&mut tx, kind, mail, dedupe_key, ms(self.clock.now()))
            .await?
            .is_some();
        tx.commit().await?;
        Ok(queued)
    }

    /// Claims the next message due at `now_ms` (every pending one with `ignore_backoff`)
    /// for `holder` until `claim_until_ms`; `None` when nothing is due.
    pub async fn claim_mail(
        &self,
        holder: &str,
        now_ms: i64,
        claim_until_ms: i64,
        ignore_backoff: bool,
    ) -> Result<Option<OutboxMessage>> {
        let due = if ignore_backoff { i64::MAX } else { now_ms };
        self.claim(holder, now_ms, claim_until_ms, due, None).await
    }

    /// Claims pending message `id` whatever its next attempt time (`outbox flush`);
    /// `None` when it is sent, given up or claimed by another sender.
    pub async fn claim_mail_id(
        &self,
        id: &str,
        holder: &str,
        now_ms: i64,
        claim_until_ms: i64,
    ) -> Result<Option<OutboxMessage>> {
        self.claim(holder, now_ms, claim_until_ms, i64::MAX, Some(id))
            .await
    }

    /// The ids of every pending message, oldest first.
    pub async fn pending_mail_ids(&self) -> Result<Vec<String>> {
        let sql = Sql::new(
            "SELECT id AS v FROM outbox WHERE sent_ms IS NULL AND failed_ms IS NULL \
             ORDER BY created_ms, id",
        );
        Ok(self
            .db
            .fetch_all::<Scalar<String>>(sql)
            .await?
            .into_iter()
            .map(|row| row.v)
            .collect())
    }

    async fn claim(
        &self,
        holder: &str,
        now_ms: i64,
        claim_until_ms: i64,
        due: i64,
        only: Option<&str>,
    ) -> Result<Option<OutboxMessage>> {
        // PostgreSQL: racing senders skip the row another one is taking instead of
        // queueing behind it (and then finding it taken); SQLite runs one writer at
        // a time anyway.
        let skip_locked = match self.db.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let only_filter = if only.is_some() { " AND id = $5" } else { "" };
        let mut sql = Sql::new(format!(
            "UPDATE outbox SET claimed_by = $1, claim_until_ms = $2 WHERE id = (\
               SELECT id FROM outbox WHERE sent_ms IS NULL AND failed_ms IS NULL \
               AND next_attempt_ms <= $3 AND claim_until_ms < $4{only_filter} \
               ORDER BY next_attempt_ms, id LIMIT 1{skip_locked}) \
             AND claim_until_ms < $4 AND sent_ms IS NULL AND failed_ms IS NULL \
             RETURNING id, kind, message, attempts, created_ms"
        ))
        .arg(holder)
        .arg(claim_until_ms)
        .arg(due)
        .arg(now_ms);
        if let Some(id) = only {
            sql = sql.arg(id);
        }
        let Some(row) = self.db.fetch_optional::<OutboxRow>(sql).await? else {
            return Ok(None);
        };
        let mail = serde_json::from_str(&row.message)
            .map_err(|e| StoreError::corrupt(format!("outbox message {}", row.id), e))?;
        Ok(Some(OutboxMessage {
            mail,
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            id: row.id,
            kind: row.kind,
            created_ms: row.created_ms,
        }))
    }

    /// Records that `holder` delivered message `id`.
    pub async fn mail_sent(&self, id: &str, holder: &str, now_ms: i64) -> Result<()> {
        let sql = Sql::new(
            "UPDATE outbox SET sent_ms = $3, attempts = attempts + 1, claimed_by = NULL, \
             claim_until_ms = 0, last_error = NULL WHERE id = $1 AND claimed_by = $2",
        )
        .arg(id)
        .arg(holder)
        .arg(now_ms);
        self.db.execute(sql).await?;
        Ok(())
    }

    /// Records that an attempt of `holder` to deliver message `id` failed with
    /// `error`: tried again at `retry_at_ms`, or given up on when `None`.
    pub async fn mail_attempt_failed(
        &self,
        id: &str,
        holder: &str,
        now_ms: i64,
        error: &str,
        retry_at_ms: Option<i64>,
    ) -> Result<()> {
        let error: String = error.chars().take(ERROR_CHARS).collect();
        let sql = Sql::new(
            "UPDATE outbox SET attempts = attempts + 1, claimed_by = NULL, claim_until_ms = 0, \
             last_error = $3, next_attempt_ms = COALESCE($4, next_attempt_ms), \
             failed_ms = CASE WHEN $4 IS NULL THEN $5 ELSE NULL END \
             WHERE id = $1 AND claimed_by = $2",
        )
        .arg(id)
        .arg(holder)
        .arg(error)
        .arg(retry_at_ms)
        .arg(now_ms);
        self.db.execute(sql).await?;
        Ok(())
    }

    /// The latest messages given up on, newest first: id, kind, recipient and the
    /// last error, for `outbox status`.
    pub async fn failed_mail(&self, limit: u32) -> Result<Vec<FailedMail>> {
        let sql = Sql::new(
            "SELECT id, kind, recipient, COALESCE(last_error, '') AS last_error FROM outbox \
             WHERE failed_ms IS NOT NULL ORDER BY failed_ms DESC, id LIMIT $1",
        )
        .arg(i64::from(limit));
        self.db.fetch_all::<FailedMail>(sql).await
    }

    /// Pending, sent and failed message counts.
    pub async fn outbox_counts(&self) -> Result<OutboxCounts> {
        let count = |condition: &str| {
            Sql::new(format!(
                "SELECT COUNT(*) AS v FROM outbox WHERE {condition}"
            ))
        };
        Ok(OutboxCounts {
            pending: unsigned(
                self.db
                    .fetch_one::<Scalar<i64>>(count("sent_ms IS NULL AND failed_ms IS NULL"))
                    .await?
                    .v,
            ),
            sent: unsigned(
                self.db
                    .fetch_one::<Scalar<i64>>(count("sent_ms IS NOT NULL"))
                    .await?
                    .v,
            ),
            failed: unsigned(
                self.db
                    .fetch_one::<Scalar<i64>>(count("failed_ms IS NOT NULL"))
                    .await?
                    .v,
            ),
        })
    }
}
