//! Reading the "new" firehose: every paper announced on a day.

use jiff::civil::Date;
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::codec::{PAPER_VIEW_COLUMNS, count, parse_day};
use crate::papers::{PaperRecord, UPVOTES_COLUMN, record_from_row};
use crate::{Result, Store};

/// Which announced papers to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirehoseQuery {
    /// The announcement day.
    pub day: Date,
    /// Only papers in this category (primary or cross-listed).
    pub category: Option<String>,
    /// Papers to skip.
    pub offset: u64,
    /// Papers to return.
    pub limit: u32,
}

/// A page of the firehose.
#[derive(Debug, Clone, PartialEq)]
pub struct FirehosePage {
    /// Papers of this page, in arXiv id order.
    pub papers: Vec<PaperRecord>,
    /// Papers matching the query on that day.
    pub total: u64,
    /// The day's categories with their paper counts, largest first.
    pub categories: Vec<(String, u32)>,
}

fn push_filters(q: &mut QueryBuilder<Sqlite>, query: &FirehoseQuery) {
    q.push(" WHERE f.day = ").push_bind(query.day.to_string());
    if let Some(category) = &query.category {
        q.push(" AND f.paper_id IN (SELECT c.paper_id FROM paper_categories c WHERE c.category = ")
            .push_bind(category.clone())
            .push(")");
    }
}

/// How many categories the firehose offers as filters.
const CATEGORY_FACETS: i64 = 40;

impl Store {
    /// A page of the papers announced on a day.
    pub async fn firehose_page(&self, query: &FirehoseQuery) -> Result<FirehosePage> {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM firehose f");
        push_filters(&mut q, query);
        let total: i64 = q.build().fetch_one(&self.pool).await?.try_get(0)?;

        let mut q = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {PAPER_VIEW_COLUMNS}, {UPVOTES_COLUMN} FROM firehose f JOIN papers p ON p.id = f.paper_id"
        ));
        push_filters(&mut q, query);
        q.push(" ORDER BY p.id LIMIT ")
            .push_bind(i64::from(query.limit));
        q.push(" OFFSET ")
            .push_bind(i64::try_from(query.offset).unwrap_or(i64::MAX));
        let papers = q
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(record_from_row)
            .collect::<Result<_>>()?;

        let rows = sqlx::query(
            "SELECT c.category, COUNT(*) AS n FROM firehose f JOIN paper_categories c ON c.paper_id = f.paper_id \
             WHERE f.day = $1 GROUP BY c.category ORDER BY n DESC, c.category LIMIT $2",
        )
        .bind(query.day.to_string())
        .bind(CATEGORY_FACETS)
        .fetch_all(&self.pool)
        .await?;
        let categories = rows
            .iter()
            .map(|row| Ok((row.try_get::<String, _>(0)?, count(row.try_get(1)?))))
            .collect::<Result<_>>()?;
        Ok(FirehosePage {
            papers,
            total: u64::try_from(total).unwrap_or(0),
            categories,
        })
    }

    /// The most recent announcement day.
    pub async fn latest_firehose_day(&self) -> Result<Option<Date>> {
        let day: Option<String> = sqlx::query_scalar("SELECT MAX(day) FROM firehose")
            .fetch_one(&self.pool)
            .await?;
        day.map(|d| parse_day("firehose day", &d)).transpose()
    }

    /// The nearest announcement days before and after `day`.
    pub async fn firehose_neighbours(&self, day: Date) -> Result<(Option<Date>, Option<Date>)> {
        let row = sqlx::query(
            "SELECT (SELECT MAX(day) FROM firehose WHERE day < $1), (SELECT MIN(day) FROM firehose WHERE day > $1)",
        )
        .bind(day.to_string())
        .fetch_one(&self.pool)
        .await?;
        let prev: Option<String> = row.try_get(0)?;
        let next: Option<String> = row.try_get(1)?;
        Ok((
            prev.map(|d| parse_day("firehose day", &d)).transpose()?,
            next.map(|d| parse_day("firehose day", &d)).transpose()?,
        ))
    }
}
