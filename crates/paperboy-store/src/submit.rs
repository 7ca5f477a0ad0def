//! Submissions to the daily list: a reader puts a paper on a day's list, each paper
//! on the lists once, a capped number a day. The checks and the insert run in one
//! write transaction, and write transactions take turns, so two racing submissions
//! of one paper (or past the cap) cannot both succeed.

use jiff::civil::Date;
use paperboy_core::{ArxivId, DailyEntry, SubmitRefusal, Submitter};

use crate::codec::parse_day;
use crate::db::{Scalar, Sql};
use crate::papers::BUMP_LIST_SEQ;
use crate::{Batch, Result, Store};

impl Store {
    /// Puts `paper` on the daily list of `day`, submitted by `submitter` now, unless
    /// it is on a list already or `submitter` put `daily_cap` papers on `day`'s list.
    /// [`crate::StoreError::UnknownPapers`] when the paper is not stored.
    pub async fn submit_to_daily(
        &self,
        paper: &ArxivId,
        day: Date,
        submitter: &Submitter,
        daily_cap: u32,
    ) -> Result<Result<DailyEntry, SubmitRefusal>> {
        let mut write = self.begin_write().await?;
        let listed = write
            .tx()
            .fetch_optional::<Scalar<String>>(
                Sql::new("SELECT MIN(day) AS v FROM daily_entries WHERE paper_id = $1 HAVING COUNT(*) > 0")
                    .arg(paper.as_str()),
            )
            .await?;
        if let Some(row) = listed {
            return Ok(Err(SubmitRefusal::AlreadyListed(parse_day(
                "listed day",
                &row.v,
            )?)));
        }
        let today = write
            .tx()
            .fetch_one::<Scalar<i64>>(
                Sql::new("SELECT COUNT(*) AS v FROM daily_entries WHERE submitter_name = $1 AND day = $2")
                    .arg(submitter.name.as_str())
                    .arg(day.to_string()),
            )
            .await?;
        if today.v >= i64::from(daily_cap) {
            return Ok(Err(SubmitRefusal::DailyCap(daily_cap)));
        }
        let entry = DailyEntry {
            submitted_by: Some(submitter.clone()),
            submitted_at: Some(self.clock.now()),
            ..DailyEntry::new(day, paper.clone())
        };
        write
            .write(Batch {
                papers: Vec::new(),
                entries: vec![entry.clone()],
            })
            .await?;
        write.commit().await?;
        Ok(Ok(entry))
    }

    /// Takes `paper` off the daily list of `day` (curation); false when it was not
    /// there.
    pub async fn remove_from_daily(&self, paper: &ArxivId, day: Date) -> Result<bool> {
        let mut write = self.begin_write().await?;
        let removed = write
            .tx()
            .execute(
                Sql::new("DELETE FROM daily_entries WHERE paper_id = $1 AND day = $2")
                    .arg(paper.as_str())
                    .arg(day.to_string()),
            )
            .await?;
        if removed > 0 {
            write.tx().execute(Sql::new(BUMP_LIST_SEQ)).await?;
        }
        write.commit().await?;
        Ok(removed > 0)
    }
}
