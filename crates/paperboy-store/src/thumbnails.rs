//! The papers that have an image to show, for the thumbnails job.

use paperboy_core::ArxivId;

use crate::codec::parse_id;
use crate::db::Sql;
use crate::{Result, Store};

/// A paper and the URL of its image at the source.
#[derive(Debug, sqlx::FromRow)]
struct SourceRow {
    id: String,
    url: String,
}

impl Store {
    /// Papers on the daily lists that have an image at their source, with its URL:
    /// the newest list's first, `limit` from `offset`.
    pub async fn thumbnail_sources(
        &self,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<(ArxivId, String)>> {
        let sql = Sql::new(
            "SELECT p.id AS id, p.thumbnail_url AS url FROM papers p \
             JOIN daily_entries d ON d.paper_id = p.id \
             WHERE p.thumbnail_url IS NOT NULL \
             GROUP BY p.id, p.thumbnail_url ORDER BY MAX(d.day) DESC, p.id LIMIT $1 OFFSET $2",
        )
        .arg(i64::from(limit))
        .arg(i64::try_from(offset).unwrap_or(i64::MAX));
        self.db
            .fetch_all::<SourceRow>(sql)
            .await?
            .into_iter()
            .map(|row| Ok((parse_id(&row.id)?, row.url)))
            .collect()
    }
}
