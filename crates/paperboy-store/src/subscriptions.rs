//! Digest subscriptions: asked for with an address, confirmed by the emailed link
//! (double opt-in), then changed through signed links or the settings page.

use std::time::Duration;

use paperboy_core::{DigestPrefs, Email, Mail};

use crate::accounts::millis;
use crate::codec::to_json;
use crate::db::{Scalar, Sql};
use crate::outbox::enqueue;
use crate::secret::{new_id, new_secret};
use crate::{Result, Store, StoreError};

/// Where a subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubscriptionStatus {
    /// Asked for; the confirmation link was not opened yet. Nothing is sent.
    Pending,
    /// Confirmed: digests go out.
    Active,
    /// Paused by the reader or by a hard bounce: nothing is sent until resumed.
    Paused,
    /// Unsubscribed: nothing is sent; subscribing again needs a new confirmation.
    Unsubscribed,
}

impl SubscriptionStatus {
    /// The column's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Unsubscribed => "unsubscribed",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        match text {
            "pending" => Ok(Self::Pending),
            "active" => Ok(Self::Active),
            "paused" => Ok(Self::Paused),
            "unsubscribed" => Ok(Self::Unsubscribed),
            other => Err(StoreError::corrupt(
                "subscription status",
                format!("unknown status {other:?}"),
            )),
        }
    }
}

/// A subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Its id: names it in signed links.
    pub id: String,
    /// Where digests go.
    pub email: Email,
    /// Where it stands.
    pub status: SubscriptionStatus,
    /// What the reader chose.
    pub prefs: DigestPrefs,
    /// Why it is paused, when it is.
    pub paused_reason: Option<String>,
    /// When it was confirmed (ms since the epoch).
    pub confirmed_ms: Option<i64>,
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SubscriptionRow {
    id: String,
    email: String,
    status: String,
    prefs: String,
    paused_reason: Option<String>,
    confirmed_ms: Option<i64>,
}

/// The columns [`SubscriptionRow`] reads.
pub(crate) const COLUMNS: &str = "id, email, status, prefs, paused_reason, confirmed_ms";

impl SubscriptionRow {
    pub(crate) fn into_subscription(self) -> Result<Subscription> {
        Ok(Subscription {
            email: Email::parse(&self.email).map_err(|e| {
                StoreError::corrupt(format!("email of subscription {}", self.id), e)
            })?,
            status: SubscriptionStatus::parse(&self.status)?,
            prefs: serde_json::from_str(&self.prefs).map_err(|e| {
                StoreError::corrupt(format!("preferences of subscription {}", self.id), e)
            })?,
            paused_reason: self.paused_reason,
            confirmed_ms: self.confirmed_ms,
            id: self.id,
        })
    }
}

impl Store {
    /// Asks for a subscription of `email`: a new or unsubscribed address becomes
    /// pending with the confirmation link whose hash is `confirm_hash` (valid for
    /// `ttl`) and `mail` (which carries it) is queued in the same transaction; a
    /// pending one gets the new link. An active or paused subscription is left as it
    /// is and nothing is sent. Returns whether `mail` was queued.
    pub async fn request_subscription(
        &self,
        email: &Email,
        confirm_hash: &str,
        ttl: Duration,
        mail: &Mail,
    ) -> Result<bool> {
        let now = self.now_ms();
        let expires = now.saturating_add(millis(ttl));
        let mut tx = self.db.begin(true).await?;
        let status = tx
            .fetch_optional::<Scalar<String>>(
                Sql::new("SELECT status AS v FROM subscriptions WHERE email_key = $1")
                    .arg(email.key()),
            )
            .await?
            .map(|row| SubscriptionStatus::parse(&row.v))
            .transpose()?;
        match status {
            Some(SubscriptionStatus::Active | SubscriptionStatus::Paused) => return Ok(false),
            Some(SubscriptionStatus::Pending | SubscriptionStatus::Unsubscribed) => {
                tx.execute(
                    Sql::new(
                        "UPDATE subscriptions SET status = 'pending', confirm_hash = $2, \
                         confirm_expires_ms = $3, updated_ms = $4 WHERE email_key = $1",
                    )
                    .arg(email.key())
                    .arg(confirm_hash)
                    .arg(expires)
                    .arg(now),
                )
                .await?;
            }
            None => {
                let prefs = DigestPrefs::default();
                tx.execute(
                    Sql::new(
                        "INSERT INTO subscriptions (id, email, email_key, status, frequency, prefs, \
                         confirm_hash, confirm_expires_ms, created_ms, updated_ms) \
                         VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $8)",
                    )
                    .arg(new_id()?)
                    .arg(email.as_str())
                    .arg(email.key())
                    .arg(prefs.frequency.as_str())
                    .arg(to_json(&prefs))
                    .arg(confirm_hash)
                    .arg(expires)
                    .arg(now),
                )
                .await?;
            }
        }
        enqueue(&mut tx, "subscription-confirm", mail, None, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Confirms the pending subscription whose link hashes to `confirm_hash`, when
    /// the link has not expired; the link works once. Sends nothing.
    pub async fn confirm_subscription(&self, confirm_hash: &str) -> Result<Option<Subscription>> {
        let now = self.now_ms();
        let sql = Sql::new(format!(
            "UPDATE subscriptions SET status = 'active', confirm_hash = NULL, \
             confirm_expires_ms = NULL, confirmed_ms = $2, updated_ms = $2, paused_reason = NULL \
             WHERE confirm_hash = $1 AND status = 'pending' AND confirm_expires_ms > $2 \
             RETURNING {COLUMNS}"
        ))
        .arg(confirm_hash)
        .arg(now);
        self.db
            .fetch_optional::<SubscriptionRow>(sql)
            .await?
            .map(SubscriptionRow::into_subscription)
            .transpose()
    }

    /// The subscription with `id`.
    pub async fn subscription(&self, id: &str) -> Result<Option<Subscription>> {
        let sql = Sql::new(format!("SELECT {COLUMNS} FROM subscriptions WHERE id = $1")).arg(id);
        self.db
            .fetch_optional::<SubscriptionRow>(sql)
            .await?
            .map(SubscriptionRow::into_subscription)
            .transpose()
    }

    /// The subscription of `email`, whatever its status.
    pub async fn subscription_of(&self, email: &Email) -> Result<Option<Subscription>> {
        let sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM subscriptions WHERE email_key = $1"
        ))
        .arg(email.key());
        self.db
            .fetch_optional::<SubscriptionRow>(sql)
            .await?
            .map(SubscriptionRow::into_subscription)
            .transpose()
    }

    /// Replaces the preferences of subscription `id`; false when there is none.
    pub async fn set_subscription_prefs(&self, id: &str, prefs: &DigestPrefs) -> Result<bool> {
        let sql = Sql::new(
            "UPDATE subscriptions SET prefs = $2, frequency = $3, updated_ms = $4 WHERE id = $1",
        )
        .arg(id)
        .arg(to_json(prefs))
        .arg(prefs.frequency.as_str())
        .arg(self.now_ms());
        Ok(self.db.execute(sql).await? > 0)
    }

    /// Pauses (`reason`), resumes or unsubscribes subscription `id`. Only a
    /// confirmed subscription can be paused or resumed; any can be unsubscribed.
    /// False when nothing changed.
    pub async fn set_subscription_status(
        &self,
        id: &str,
        status: SubscriptionStatus,
        reason: Option<&str>,
    ) -> Result<bool> {
        let from = match status {
            SubscriptionStatus::Active => "status = 'paused'",
            SubscriptionStatus::Paused => "status = 'active'",
            SubscriptionStatus::Unsubscribed => "status <> 'unsubscribed'",
            SubscriptionStatus::Pending => {
                return Err(StoreError::Conflict(
                    "a subscription becomes pending only by asking for it".into(),
                ));
            }
        };
        let sql = Sql::new(format!(
            "UPDATE subscriptions SET status = $2, paused_reason = $3, confirm_hash = NULL, \
             updated_ms = $4 WHERE id = $1 AND {from}"
        ))
        .arg(id)
        .arg(status.as_str())
        .arg(reason)
        .arg(self.now_ms());
        Ok(self.db.execute(sql).await? > 0)
    }

    /// Pauses the active subscription of `email` with `reason` (a hard bounce);
    /// false when it has none.
    pub async fn pause_subscription_of(&self, email: &str, reason: &str) -> Result<bool> {
        let reason: String = reason.chars().take(300).collect();
        let sql = Sql::new(
            "UPDATE subscriptions SET status = 'paused', paused_reason = $2, updated_ms = $3 \
             WHERE email_key = $1 AND status = 'active'",
        )
        .arg(email.to_lowercase())
        .arg(reason)
        .arg(self.now_ms());
        Ok(self.db.execute(sql).await? > 0)
    }

    /// How many subscriptions are in each status, for `/metrics`.
    pub async fn subscription_counts(&self) -> Result<Vec<(SubscriptionStatus, u64)>> {
        let mut counts = Vec::new();
        for status in [
            SubscriptionStatus::Pending,
            SubscriptionStatus::Active,
            SubscriptionStatus::Paused,
            SubscriptionStatus::Unsubscribed,
        ] {
            let sql = Sql::new("SELECT COUNT(*) AS v FROM subscriptions WHERE status = $1")
                .arg(status.as_str());
            let n = self.db.fetch_one::<Scalar<i64>>(sql).await?.v;
            counts.push((status, u64::try_from(n).unwrap_or(0)));
        }
        Ok(counts)
    }

    /// The instance's key named `name` (256 random bits, hex), made on first use and
    /// shared by every instance on this database.
    pub async fn site_key(&self, name: &str) -> Result<String> {
        let read = || Sql::new("SELECT value AS v FROM site_secrets WHERE name = $1").arg(name);
        if let Some(row) = self.db.fetch_optional::<Scalar<String>>(read()).await? {
            return Ok(row.v);
        }
        self.db
            .execute(
                Sql::new(
                    "INSERT INTO site_secrets (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                )
                .arg(name)
                .arg(new_secret("")?),
            )
            .await?;
        // Another instance may have made it first: everyone uses the stored one.
        Ok(self.db.fetch_one::<Scalar<String>>(read()).await?.v)
    }
}
