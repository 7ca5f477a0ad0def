//! The days that have a list: the newest one, and a day's neighbours, for the daily
//! lists and the "new" firehose alike.

use jiff::civil::Date;

use crate::codec::parse_day;
use crate::db::{Scalar, Sql};
use crate::{Result, Store};

/// A list that is kept per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayList {
    /// The curated daily lists.
    Daily,
    /// The "new" firehose: what arXiv announced each day.
    Firehose,
}

impl DayList {
    fn table(self) -> &'static str {
        match self {
            Self::Daily => "daily_entries",
            Self::Firehose => "firehose",
        }
    }
}

/// The days before and after a day.
#[derive(Debug, sqlx::FromRow)]
struct NeighbourRow {
    prev: Option<String>,
    next: Option<String>,
}

fn opt_day(text: Option<String>) -> Result<Option<Date>> {
    text.map(|d| parse_day("list day", &d)).transpose()
}

impl Store {
    /// The most recent day that has a `list`.
    pub async fn latest_day(&self, list: DayList) -> Result<Option<Date>> {
        let table = list.table();
        let sql = Sql::new(format!("SELECT MAX(day) AS v FROM {table}"));
        opt_day(self.db.fetch_one::<Scalar<Option<String>>>(sql).await?.v)
    }

    /// The nearest days before and after `day` that have a `list`.
    pub async fn neighbour_days(
        &self,
        list: DayList,
        day: Date,
    ) -> Result<(Option<Date>, Option<Date>)> {
        let table = list.table();
        let sql = Sql::new(format!(
            "SELECT (SELECT MAX(day) FROM {table} WHERE day < $1) AS prev, \
             (SELECT MIN(day) FROM {table} WHERE day > $1) AS next"
        ))
        .arg(day.to_string());
        let row = self.db.fetch_one::<NeighbourRow>(sql).await?;
        Ok((opt_day(row.prev)?, opt_day(row.next)?))
    }
}
