//! Reading the curated daily lists.

use crate::codec::{EntryRow, LISTED_ENTRY_COLUMNS, PAPER_VIEW_COLUMNS};
use crate::db::{Scalar, Sql, unsigned};
use crate::papers::{PaperRecord, RecordRow, UPVOTES_COLUMN};
use crate::{Result, Store};
use std::collections::BTreeSet;

use jiff::SignedDuration;
use jiff::civil::Date;
use paperboy_core::trending::{TRENDING_DAYS, Trend};
use paperboy_core::{DailyEntry, Period};

/// How a daily list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DailySort {
    /// Most upvoted first (the site's default, as on HF).
    #[default]
    Upvotes,
    /// Newest publication first (`sort=publishedAt`).
    PublishedAt,
    /// Upvotes fading with age (`sort=trending`).
    Trending,
}

/// Which daily entries to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyQuery {
    /// First day, inclusive; `None` for no lower bound.
    pub from: Option<Date>,
    /// Last day, inclusive; `None` for no upper bound.
    pub until: Option<Date>,
    /// Only entries submitted by this username.
    pub submitter: Option<String>,
    /// Order.
    pub sort: DailySort,
    /// Entries to skip.
    pub offset: u64,
    /// Entries to return.
    pub limit: u32,
}

impl DailyQuery {
    /// The entries of `period`, most upvoted first, at most `limit`.
    pub fn period(period: Period, limit: u32) -> Self {
        let (from, until) = period.bounds();
        Self {
            from: Some(from),
            until: Some(until),
            submitter: None,
            sort: DailySort::Upvotes,
            offset: 0,
            limit,
        }
    }
}

impl DailyQuery {
    /// Every entry `submitter` put on a list, newest publication first, at most
    /// `limit`.
    pub fn submitted_by(submitter: &str, limit: u32) -> Self {
        Self {
            from: None,
            until: None,
            submitter: Some(submitter.to_owned()),
            sort: DailySort::PublishedAt,
            offset: 0,
            limit,
        }
    }

    /// The entries listed from `from` to `until`, most trending first, `limit` from
    /// `offset`.
    pub fn trending(from: Date, until: Date, offset: u64, limit: u32) -> Self {
        Self {
            from: Some(from),
            until: Some(until),
            submitter: None,
            sort: DailySort::Trending,
            offset,
            limit,
        }
    }
}

/// A daily entry with its paper.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyItem {
    /// The entry.
    pub entry: DailyEntry,
    /// The paper.
    pub record: PaperRecord,
    /// Its activity, age and trending score, in a list ordered by trend.
    pub trend: Option<Trend>,
}

/// A page of a daily list and how many entries the whole list has.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyPage {
    /// The entries of this page.
    pub items: Vec<DailyItem>,
    /// Entries in the whole list.
    pub total: u64,
}

/// A daily entry row with its paper.
#[derive(Debug, sqlx::FromRow)]
struct ItemRow {
    #[sqlx(flatten)]
    record: RecordRow,
    #[sqlx(flatten)]
    entry: EntryRow,
}

fn push_filters(sql: &mut Sql, query: &DailyQuery) {
    // Papers moderators hid are on no list.
    sql.push(" WHERE NOT EXISTS (SELECT 1 FROM paper_moderation m WHERE m.paper_id = d.paper_id)");
    if let Some(from) = query.from {
        sql.push(" AND d.day >= ").bind(from.to_string());
    }
    if let Some(until) = query.until {
        sql.push(" AND d.day <= ").bind(until.to_string());
    }
    if let Some(submitter) = &query.submitter {
        sql.push(" AND d.submitter_name = ").bind(submitter);
    }
}

impl Store {
    /// A page of the daily list that `query` selects.
    pub async fn daily_page(&self, query: &DailyQuery) -> Result<DailyPage> {
        let mut sql = Sql::new("SELECT COUNT(*) AS v FROM daily_entries d");
        push_filters(&mut sql, query);
        let total = self.db.fetch_one::<Scalar<i64>>(sql).await?.v;

        let mut sql = Sql::new(format!(
            "SELECT {PAPER_VIEW_COLUMNS}, {UPVOTES_COLUMN}, {LISTED_ENTRY_COLUMNS} FROM daily_entries d JOIN papers p ON p.id = d.paper_id"
        ));
        push_filters(&mut sql, query);
        let paged_in_sql = query.sort != DailySort::Trending;
        sql.push(match query.sort {
            DailySort::Upvotes => {
                " ORDER BY entry_upvotes DESC, d.day DESC, p.sort_ms DESC, p.id DESC"
            }
            DailySort::PublishedAt => " ORDER BY p.sort_ms DESC, p.id DESC",
            // Trending depends on the clock: order in Rust below.
            DailySort::Trending => " ORDER BY d.day DESC, p.id DESC",
        });
        if paged_in_sql {
            sql.push(" LIMIT ").bind(i64::from(query.limit));
            sql.push(" OFFSET ")
                .bind(i64::try_from(query.offset).unwrap_or(i64::MAX));
        }
        let mut items = self
            .db
            .fetch_all::<ItemRow>(sql)
            .await?
            .into_iter()
            .map(|row| {
                Ok(DailyItem {
                    record: row.record.into_record()?,
                    entry: row.entry.into_entry()?,
                    trend: None,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if !paged_in_sql {
            self.add_trends(&mut items).await?;
            let score = |item: &DailyItem| item.trend.map_or(0.0, |trend| trend.score());
            items.sort_by(|a, b| score(b).total_cmp(&score(a)));
            items = items
                .into_iter()
                .skip(usize::try_from(query.offset).unwrap_or(usize::MAX))
                .take(query.limit as usize)
                .collect();
        }
        Ok(DailyPage {
            items,
            total: unsigned(total),
        })
    }

    /// Gives each of `items` its trend as of now: its votes, comments and the stars
    /// its code gained over the trending window.
    async fn add_trends(&self, items: &mut [DailyItem]) -> Result<()> {
        let now = self.clock.now();
        let window_start = now
            .checked_sub(SignedDuration::from_hours(24 * i64::from(TRENDING_DAYS)))
            .unwrap_or(now);
        let repos: Vec<&str> = items
            .iter()
            .filter_map(|item| item.record.paper.github_repo.as_deref())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let growth = self.star_growth(&repos, window_start).await?;
        for item in items {
            let listed_at = item.entry.submitted_at.unwrap_or(item.record.first_seen);
            let stars = item
                .record
                .paper
                .github_repo
                .as_ref()
                .and_then(|repo| growth.get(repo))
                .copied()
                .unwrap_or(0);
            item.trend = Some(
                Trend::new(item.entry.upvotes, item.entry.num_comments, listed_at, now)
                    .with_star_growth(stars),
            );
        }
        Ok(())
    }
}
