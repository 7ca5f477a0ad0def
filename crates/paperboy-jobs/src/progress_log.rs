//! A long round's progress in the log: every so often, how many items are done of
//! how many, the rate and the time left (`serve`'s log while it embeds an import).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::{JobContext, Progress};

/// Logs the progress of a round over `total` items at most once per interval, and
/// how the round ended when it logged at all (a short round stays quiet).
#[derive(Debug)]
pub struct ProgressLog {
    what: &'static str,
    items: (&'static str, &'static str),
    total: u64,
    every: Duration,
    started: Instant,
    last_line: Mutex<Option<Instant>>,
}

impl ProgressLog {
    /// A log of `what` ("embedding") over `total` items, named `items` (singular,
    /// plural), one line per `every` at most.
    pub fn new(
        what: &'static str,
        items: (&'static str, &'static str),
        total: u64,
        every: Duration,
    ) -> Arc<Self> {
        Arc::new(Self {
            what,
            items,
            total,
            every,
            started: Instant::now(),
            last_line: Mutex::new(None),
        })
    }

    /// A context for the round that reports to `ctx` and to this log.
    pub fn context(self: &Arc<Self>, ctx: &JobContext) -> JobContext {
        let (inner, log) = (ctx.clone(), self.clone());
        JobContext::new(ctx.token().clone(), move |progress| {
            inner.report(progress);
            log.update(progress);
        })
    }

    fn update(&self, progress: Progress) {
        let now = Instant::now();
        let mut last = self.last_line.lock().unwrap_or_else(|e| e.into_inner());
        if now.duration_since(last.unwrap_or(self.started)) >= self.every {
            *last = Some(now);
            tracing::info!(
                "{}",
                progress_line(
                    self.what,
                    self.items,
                    items_done(progress),
                    self.total,
                    now - self.started
                )
            );
        }
    }

    /// Logs how the round ended, if it logged its progress before.
    pub fn finish(&self, progress: Progress) {
        if self
            .last_line
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
        {
            let elapsed = self.started.elapsed();
            let done = items_done(progress);
            tracing::info!(
                "{}: {} done in {}, {:.1} {}/s",
                self.what,
                paperboy_core::text::count(done, self.items.0, self.items.1),
                duration(elapsed),
                rate(done, elapsed),
                self.items.1
            );
        }
    }
}

fn items_done(progress: Progress) -> u64 {
    progress.done + progress.unchanged + progress.failed
}

fn rate(done: u64, elapsed: Duration) -> f64 {
    done as f64 / elapsed.as_secs_f64().max(1e-3)
}

/// `what: DONE of TOTAL ITEMS done (P%), R ITEMS/s, about T left`.
pub fn progress_line(
    what: &str,
    items: (&str, &str),
    done: u64,
    total: u64,
    elapsed: Duration,
) -> String {
    let per_second = rate(done, elapsed);
    let left = total.saturating_sub(done);
    let time_left = if per_second > 0.0 {
        format!(
            "about {} left",
            duration(Duration::from_secs_f64(left as f64 / per_second))
        )
    } else {
        "time left unknown".to_owned()
    };
    format!(
        "{what}: {done} of {} done ({:.0}%), {per_second:.1} {}/s, {time_left}",
        paperboy_core::text::count(total, items.0, items.1),
        100.0 * done.min(total) as f64 / total.max(1) as f64,
        items.1,
    )
}

/// A duration to the precision a reader wants: "40 s", "12 min", "3 h 5 min".
fn duration(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        0..90 => format!("{secs} s"),
        90..5400 => format!("{} min", (secs + 30) / 60),
        _ => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_done_rate_and_time_left() {
        let papers = ("paper", "papers");
        assert_eq!(
            progress_line("embedding", papers, 1_230, 74_728, Duration::from_secs(30)),
            "embedding: 1230 of 74728 papers done (2%), 41.0 papers/s, about 30 min left"
        );
        assert_eq!(
            progress_line("embedding", papers, 0, 1, Duration::from_secs(30)),
            "embedding: 0 of 1 paper done (0%), 0.0 papers/s, time left unknown"
        );
        // New papers may arrive during the round: never more than 100%.
        assert_eq!(
            progress_line("embedding", papers, 12, 10, Duration::from_secs(4)),
            "embedding: 12 of 10 papers done (100%), 3.0 papers/s, about 0 s left"
        );
        assert_eq!(
            duration(Duration::from_secs(3 * 3600 + 5 * 60 + 9)),
            "3 h 5 min"
        );
    }

    #[test]
    fn lines_come_once_per_interval_and_reports_go_through() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let ctx = JobContext::new(Default::default(), move |p: Progress| {
            sink.lock().unwrap().push(p.done);
        });
        let log = ProgressLog::new(
            "embedding",
            ("paper", "papers"),
            10,
            Duration::from_secs(3600),
        );
        let round = log.context(&ctx);
        round.report(Progress {
            done: 4,
            ..Progress::default()
        });
        assert_eq!(*seen.lock().unwrap(), [4], "the runner still hears of it");
        assert!(
            log.last_line.lock().unwrap().is_none(),
            "too soon for a line"
        );
        let eager = ProgressLog::new("embedding", ("paper", "papers"), 10, Duration::ZERO);
        eager.context(&ctx).report(Progress::default());
        assert!(eager.last_line.lock().unwrap().is_some());
    }
}
