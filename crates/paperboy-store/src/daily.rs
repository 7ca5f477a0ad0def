//! Reading the curated daily lists.

use jiff::civil::Date;
use paperboy_core::trending::trending_score;
use paperboy_core::{DailyEntry, Period};
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::codec::{ENTRY_COLUMNS, PAPER_VIEW_COLUMNS, entry_from_row, parse_day};
use crate::papers::{PaperRecord, UPVOTES_COLUMN, record_from_row};
use crate::{Result, Store};

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

/// A daily entry with its paper.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyItem {
    /// The entry.
    pub entry: DailyEntry,
    /// The paper.
    pub record: PaperRecord,
}

/// A page of a daily list and how many entries the whole list has.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyPage {
    /// The entries of this page.
    pub items: Vec<DailyItem>,
    /// Entries in the whole list.
    pub total: u64,
}

fn push_filters(q: &mut QueryBuilder<Sqlite>, query: &DailyQuery) {
    q.push(" WHERE 1 = 1");
    if let Some(from) = query.from {
        q.push(" AND d.day >= ").push_bind(from.to_string());
    }
    if let Some(until) = query.until {
        q.push(" AND d.day <= ").push_bind(until.to_string());
    }
    if let Some(submitter) = &query.submitter {
        q.push(" AND d.submitter_name = ")
            .push_bind(submitter.clone());
    }
}

impl Store {
    /// A page of the daily list that `query` selects.
    pub async fn daily_page(&self, query: &DailyQuery) -> Result<DailyPage> {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM daily_entries d");
        push_filters(&mut q, query);
        let total: i64 = q.build().fetch_one(&self.pool).await?.try_get(0)?;

        let mut q = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {PAPER_VIEW_COLUMNS}, {UPVOTES_COLUMN}, {ENTRY_COLUMNS} FROM daily_entries d JOIN papers p ON p.id = d.paper_id"
        ));
        push_filters(&mut q, query);
        let paged_in_sql = query.sort != DailySort::Trending;
        q.push(match query.sort {
            DailySort::Upvotes => " ORDER BY d.upvotes DESC, d.day DESC, p.sort_ms DESC, p.id DESC",
            DailySort::PublishedAt => " ORDER BY p.sort_ms DESC, p.id DESC",
            // Trending depends on the clock: order in Rust below.
            DailySort::Trending => " ORDER BY d.day DESC, p.id DESC",
        });
        if paged_in_sql {
            q.push(" LIMIT ").push_bind(i64::from(query.limit));
            q.push(" OFFSET ")
                .push_bind(i64::try_from(query.offset).unwrap_or(i64::MAX));
        }
        let rows = q.build().fetch_all(&self.pool).await?;
        let mut items = rows
            .iter()
            .map(|row| {
                Ok(DailyItem {
                    record: record_from_row(row)?,
                    entry: entry_from_row(row, 21)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if !paged_in_sql {
            let now = self.clock.now();
            let score = |item: &DailyItem| {
                let listed_at = item.entry.submitted_at.unwrap_or(item.record.first_seen);
                trending_score(item.entry.upvotes, listed_at, now)
            };
            items.sort_by(|a, b| score(b).total_cmp(&score(a)));
            items = items
                .into_iter()
                .skip(usize::try_from(query.offset).unwrap_or(usize::MAX))
                .take(query.limit as usize)
                .collect();
        }
        Ok(DailyPage {
            items,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    /// The most recent day that has a daily list.
    pub async fn latest_daily_day(&self) -> Result<Option<Date>> {
        let day: Option<String> = sqlx::query_scalar("SELECT MAX(day) FROM daily_entries")
            .fetch_one(&self.pool)
            .await?;
        day.map(|d| parse_day("daily day", &d)).transpose()
    }

    /// The nearest days before and after `day` that have daily lists.
    pub async fn daily_neighbours(&self, day: Date) -> Result<(Option<Date>, Option<Date>)> {
        let row = sqlx::query(
            "SELECT (SELECT MAX(day) FROM daily_entries WHERE day < $1), \
             (SELECT MIN(day) FROM daily_entries WHERE day > $1)",
        )
        .bind(day.to_string())
        .fetch_one(&self.pool)
        .await?;
        let prev: Option<String> = row.try_get(0)?;
        let next: Option<String> = row.try_get(1)?;
        Ok((
            prev.map(|d| parse_day("daily day", &d)).transpose()?,
            next.map(|d| parse_day("daily day", &d)).transpose()?,
        ))
    }
}
