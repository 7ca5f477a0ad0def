//! What the digests need of the database: who is due, what each reader was sent,
//! and recording a digest with its email in one transaction.

use std::collections::HashSet;

use jiff::civil::Date;
use paperboy_core::{ArxivId, Frequency, Mail};

use crate::db::{Scalar, Sql};
use crate::outbox::enqueue;
use crate::subscriptions::{COLUMNS, SubscriptionRow};
use crate::{Result, Store, StoreError, Subscription};

/// A subscriber's previous digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastDigest {
    /// Its period (`2026-12-02`, `2026-W49`).
    pub period: String,
    /// The last daily list it covered.
    pub until_day: Date,
}

#[derive(Debug, sqlx::FromRow)]
struct LastRow {
    period: String,
    until_day: String,
}

/// A digest to record: who, which period, what it covered and sent.
#[derive(Debug, Clone)]
pub struct DigestRecord<'a> {
    /// The subscription.
    pub subscription_id: &'a str,
    /// The period.
    pub period: &'a str,
    /// The last daily list covered.
    pub until_day: Date,
    /// Every paper in it.
    pub papers: &'a [ArxivId],
    /// The email; `None` for an empty digest (recorded, not sent).
    pub mail: Option<&'a Mail>,
}

impl Store {
    /// Confirmed, active subscriptions of `frequency`, by id.
    pub async fn active_subscriptions(&self, frequency: Frequency) -> Result<Vec<Subscription>> {
        let sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM subscriptions WHERE status = 'active' AND frequency = $1 ORDER BY id"
        ))
        .arg(frequency.as_str());
        self.db
            .fetch_all::<SubscriptionRow>(sql)
            .await?
            .into_iter()
            .map(SubscriptionRow::into_subscription)
            .collect()
    }

    /// Whether subscription `id` had the digest of `period` (sent or empty).
    pub async fn had_digest(&self, id: &str, period: &str) -> Result<bool> {
        let sql = Sql::new(
            "SELECT COUNT(*) AS v FROM digest_deliveries WHERE subscription_id = $1 AND period = $2",
        )
        .arg(id)
        .arg(period);
        Ok(self.db.fetch_one::<Scalar<i64>>(sql).await?.v > 0)
    }

    /// Subscription `id`'s latest digest, by the day it covered up to.
    pub async fn last_digest(&self, id: &str) -> Result<Option<LastDigest>> {
        let sql = Sql::new(
            "SELECT period, until_day FROM digest_deliveries WHERE subscription_id = $1 \
             ORDER BY until_day DESC, created_ms DESC LIMIT 1",
        )
        .arg(id);
        let Some(row) = self.db.fetch_optional::<LastRow>(sql).await? else {
            return Ok(None);
        };
        let until_day = row
            .until_day
            .parse()
            .map_err(|e| StoreError::corrupt("digest until_day", e))?;
        Ok(Some(LastDigest {
            period: row.period,
            until_day,
        }))
    }

    /// Which of `papers` subscription `id` was sent already.
    pub async fn papers_sent(&self, id: &str, papers: &[&str]) -> Result<HashSet<String>> {
        if papers.is_empty() {
            return Ok(HashSet::new());
        }
        let mut sql = Sql::new("SELECT paper_id AS v FROM digest_papers WHERE subscription_id = ");
        sql.bind(id).push(" AND paper_id IN ");
        sql.bind_list(papers.iter().copied());
        Ok(self
            .db
            .fetch_all::<Scalar<String>>(sql)
            .await?
            .into_iter()
            .map(|row| row.v)
            .collect())
    }

    /// Records `digest` and queues its email in one transaction. False, and nothing
    /// written, when that subscriber's digest of that period exists already.
    pub async fn record_digest(&self, digest: &DigestRecord<'_>) -> Result<bool> {
        let now = self.now_ms();
        let mut tx = self.db.begin(true).await?;
        let claimed = tx
            .execute(
                Sql::new(
                    "INSERT INTO digest_deliveries (subscription_id, period, until_day, papers, created_ms) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                )
                .arg(digest.subscription_id)
                .arg(digest.period)
                .arg(digest.until_day.to_string())
                .arg(i64::try_from(digest.papers.len()).unwrap_or(i64::MAX))
                .arg(now),
            )
            .await?;
        if claimed == 0 {
            return Ok(false);
        }
        if !digest.papers.is_empty() {
            let mut sql = Sql::new("INSERT INTO digest_papers (subscription_id, paper_id, period)");
            sql.bind_rows(digest.papers.iter().map(|paper| {
                vec![
                    digest.subscription_id.into(),
                    paper.as_str().into(),
                    digest.period.into(),
                ]
            }));
            sql.push(" ON CONFLICT DO NOTHING");
            tx.execute(sql).await?;
        }
        if let Some(mail) = digest.mail {
            let key = format!("digest:{}:{}", digest.subscription_id, digest.period);
            let id = enqueue(&mut tx, "digest", mail, Some(&key), now).await?;
            tx.execute(
                Sql::new(
                    "UPDATE digest_deliveries SET outbox_id = $3 WHERE subscription_id = $1 AND period = $2",
                )
                .arg(digest.subscription_id)
                .arg(digest.period)
                .arg(id),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
