//! What the digests need of the database: who is due, what each reader was sent,
//! and recording a digest with its email in one transaction.

use std::collections::{HashMap, HashSet};

use jiff::civil::Date;
use paperboy_core::{ArxivId, Frequency, Mail};

use crate::db::{Scalar, Sql};
use crate::outbox::enqueue;
use crate::subscriptions::{COLUMNS, SubscriptionRow};
use crate::{Result, Store, StoreError, Subscription};

/// Subscriptions and paper ids per `IN (…)` list.
const IDS_PER_QUERY: usize = 500;

/// A subscription's last digest day.
#[derive(Debug, sqlx::FromRow)]
struct DayRow {
    id: String,
    day: String,
}

/// A paper a subscription was sent.
#[derive(Debug, sqlx::FromRow)]
struct SentRow {
    id: String,
    paper_id: String,
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

    /// Which of `ids` had the digest of `period` (sent or empty).
    pub async fn had_digests(&self, ids: &[&str], period: &str) -> Result<HashSet<String>> {
        let mut had = HashSet::new();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let mut sql =
                Sql::new("SELECT subscription_id AS v FROM digest_deliveries WHERE period = ");
            sql.bind(period).push(" AND subscription_id IN ");
            sql.bind_list(chunk.iter().copied());
            had.extend(
                self.db
                    .fetch_all::<Scalar<String>>(sql)
                    .await?
                    .into_iter()
                    .map(|row| row.v),
            );
        }
        Ok(had)
    }

    /// The last day each of `ids` had a digest up to (those without one left out).
    pub async fn last_digest_days(&self, ids: &[&str]) -> Result<HashMap<String, Date>> {
        let mut days = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let mut sql = Sql::new(
                "SELECT subscription_id AS id, MAX(until_day) AS day FROM digest_deliveries \
                 WHERE subscription_id IN ",
            );
            sql.bind_list(chunk.iter().copied());
            sql.push(" GROUP BY subscription_id");
            for row in self.db.fetch_all::<DayRow>(sql).await? {
                let day = row
                    .day
                    .parse()
                    .map_err(|e| StoreError::corrupt("digest until_day", e))?;
                days.insert(row.id, day);
            }
        }
        Ok(days)
    }

    /// For each of `ids`, which of `papers` it was sent already (those sent none
    /// left out).
    pub async fn papers_sent_to(
        &self,
        ids: &[&str],
        papers: &[&str],
    ) -> Result<HashMap<String, HashSet<String>>> {
        let mut sent: HashMap<String, HashSet<String>> = HashMap::new();
        for subscribers in ids.chunks(IDS_PER_QUERY) {
            for chunk in papers.chunks(IDS_PER_QUERY * 2) {
                let mut sql = Sql::new(
                    "SELECT subscription_id AS id, paper_id FROM digest_papers \
                     WHERE subscription_id IN ",
                );
                sql.bind_list(subscribers.iter().copied());
                sql.push(" AND paper_id IN ");
                sql.bind_list(chunk.iter().copied());
                for row in self.db.fetch_all::<SentRow>(sql).await? {
                    sent.entry(row.id).or_default().insert(row.paper_id);
                }
            }
        }
        Ok(sent)
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
