//! Reading the "new" firehose: every paper announced on a day.

use jiff::civil::Date;

use crate::codec::{PAPER_VIEW_COLUMNS, count};
use crate::db::{Scalar, Sql, unsigned};
use crate::papers::{PaperRecord, RecordRow, UPVOTES_COLUMN};
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

fn push_filters(sql: &mut Sql, query: &FirehoseQuery) {
    sql.push(" WHERE f.day = ").bind(query.day.to_string());
    if let Some(category) = &query.category {
        sql.push(
            " AND f.paper_id IN (SELECT c.paper_id FROM paper_categories c WHERE c.category = ",
        )
        .bind(category)
        .push(")");
    }
}

/// A category and how many of the day's papers it has.
#[derive(Debug, sqlx::FromRow)]
struct FacetRow {
    category: String,
    n: i64,
}

/// How many categories the firehose offers as filters.
const CATEGORY_FACETS: i64 = 40;

impl Store {
    /// A page of the papers announced on a day.
    pub async fn firehose_page(&self, query: &FirehoseQuery) -> Result<FirehosePage> {
        let mut sql = Sql::new("SELECT COUNT(*) AS v FROM firehose f");
        push_filters(&mut sql, query);
        let total = self.db.fetch_one::<Scalar<i64>>(sql).await?.v;

        let mut sql = Sql::new(format!(
            "SELECT {PAPER_VIEW_COLUMNS}, {UPVOTES_COLUMN} FROM firehose f JOIN papers p ON p.id = f.paper_id"
        ));
        push_filters(&mut sql, query);
        sql.push(" ORDER BY p.id LIMIT ")
            .bind(i64::from(query.limit));
        sql.push(" OFFSET ")
            .bind(i64::try_from(query.offset).unwrap_or(i64::MAX));
        let papers = self
            .db
            .fetch_all::<RecordRow>(sql)
            .await?
            .into_iter()
            .map(RecordRow::into_record)
            .collect::<Result<_>>()?;

        let sql = Sql::new(
            "SELECT c.category, COUNT(*) AS n FROM firehose f JOIN paper_categories c ON c.paper_id = f.paper_id \
             WHERE f.day = $1 GROUP BY c.category ORDER BY n DESC, c.category LIMIT $2",
        )
        .arg(query.day.to_string())
        .arg(CATEGORY_FACETS);
        let categories = self
            .db
            .fetch_all::<FacetRow>(sql)
            .await?
            .into_iter()
            .map(|row| (row.category, count(row.n)))
            .collect();
        Ok(FirehosePage {
            papers,
            total: unsigned(total),
            categories,
        })
    }
}
