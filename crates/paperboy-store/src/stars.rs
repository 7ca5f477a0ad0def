//! Star counts of code repositories over time, as the GitHub stars job samples them.
//! Trending weighs how many stars a paper's code gained ([`Store::star_growth`]).

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::codec::{count, ms};
use crate::db::{Scalar, Sql};
use crate::papers::BUMP_LIST_SEQ;
use crate::{Result, Store};

/// One sample of a repository's stars.
#[derive(Debug, sqlx::FromRow)]
struct SampleRow {
    repo: String,
    stars: i64,
}

impl Store {
    /// The code repositories of the papers on the daily lists from `since` on whose
    /// stars were last sampled before `sampled_before` (or never), least recently
    /// sampled first, at most `limit`.
    pub async fn repos_to_sample(
        &self,
        since: Date,
        sampled_before: Timestamp,
        limit: u32,
    ) -> Result<Vec<String>> {
        let sql = Sql::new(
            "SELECT p.github_repo AS v FROM daily_entries d JOIN papers p ON p.id = d.paper_id \
             LEFT JOIN (SELECT repo, MAX(observed_ms) AS last_ms FROM repo_stars GROUP BY repo) s \
               ON s.repo = p.github_repo \
             WHERE d.day >= $1 AND p.github_repo IS NOT NULL AND COALESCE(s.last_ms, -1) < $2 \
             GROUP BY p.github_repo, s.last_ms \
             ORDER BY COALESCE(s.last_ms, -1), p.github_repo LIMIT $3",
        )
        .arg(since.to_string())
        .arg(ms(sampled_before))
        .arg(i64::from(limit));
        let rows = self.db.fetch_all::<Scalar<String>>(sql).await?;
        Ok(rows.into_iter().map(|row| row.v).collect())
    }

    /// Records that `repo` has `stars` now and shows that count on its papers.
    pub async fn record_stars(&self, repo: &str, stars: u64) -> Result<()> {
        let stars = i64::try_from(stars).unwrap_or(i64::MAX);
        let mut tx = self.db.begin(true).await?;
        tx.execute(
            Sql::new(
                "INSERT INTO repo_stars (repo, observed_ms, stars) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .arg(repo)
            .arg(ms(self.clock.now()))
            .arg(stars),
        )
        .await?;
        let changed = tx
            .execute(
                Sql::new(
                    "UPDATE papers SET github_stars = $2 \
                     WHERE github_repo = $1 AND (github_stars IS NULL OR github_stars <> $2)",
                )
                .arg(repo)
                .arg(stars),
            )
            .await?;
        if changed > 0 {
            // The lists show stars: cached ones are stale now.
            tx.execute(Sql::new(BUMP_LIST_SEQ)).await?;
        }
        tx.commit().await
    }

    /// The stars each of `repos` gained from its first sample at or after `since` to
    /// its latest (never negative); repositories sampled fewer than twice since then
    /// are left out.
    pub async fn star_growth(
        &self,
        repos: &[&str],
        since: Timestamp,
    ) -> Result<HashMap<String, u32>> {
        if repos.is_empty() {
            return Ok(HashMap::new());
        }
        let mut sql = Sql::new("SELECT repo, stars FROM repo_stars WHERE observed_ms >= ");
        sql.bind(ms(since)).push(" AND repo IN ");
        sql.bind_list(repos.iter().copied());
        sql.push(" ORDER BY repo, observed_ms");
        let mut span: HashMap<String, (i64, i64, usize)> = HashMap::new();
        for row in self.db.fetch_all::<SampleRow>(sql).await? {
            let entry = span.entry(row.repo).or_insert((row.stars, row.stars, 0));
            entry.1 = row.stars;
            entry.2 += 1;
        }
        Ok(span
            .into_iter()
            .filter(|(_, (_, _, samples))| *samples >= 2)
            .map(|(repo, (first, last, _))| (repo, count((last - first).max(0))))
            .collect())
    }
}
