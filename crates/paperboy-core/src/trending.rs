//! Ranking a list by activity that fades with age, and saying why an entry ranks
//! where it does. docs/trending.md states the formula.

use jiff::civil::Date;
use jiff::{Span, Timestamp, Unit};

/// How fast activity fades: the score is `activity / (age_hours + 2) ^ GRAVITY`.
pub const GRAVITY: f64 = 1.5;
/// What a comment weighs against an upvote.
pub const COMMENT_WEIGHT: f64 = 2.0;
/// Hours added to every age, so that a brand-new entry does not divide by zero
/// and outrank everything on its first vote.
pub const AGE_OFFSET_HOURS: f64 = 2.0;

/// Days of daily lists the trending list covers, the newest day included.
pub const TRENDING_DAYS: i16 = 7;

/// The first day of the trending list whose newest day is `until`.
pub fn trending_since(until: Date) -> Date {
    until
        .checked_sub(Span::new().days(TRENDING_DAYS - 1))
        .unwrap_or(until)
}

/// An entry's activity and age, and its trending score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    /// Upvotes (imported plus local).
    pub upvotes: u32,
    /// Comments.
    pub comments: u32,
    /// Hours since the entry was listed (0 for entries from the future).
    pub age_hours: f64,
}

impl Trend {
    /// The trend of an entry with `upvotes` and `comments`, listed at `listed_at`,
    /// seen at `now`.
    pub fn new(upvotes: u32, comments: u32, listed_at: Timestamp, now: Timestamp) -> Self {
        let age_hours = now
            .since(listed_at)
            .ok()
            .and_then(|span| span.total(Unit::Hour).ok())
            .unwrap_or(0.0)
            .max(0.0);
        Self {
            upvotes,
            comments,
            age_hours,
        }
    }

    /// `(upvotes + 2 x comments) / (age_hours + 2) ^ 1.5`. Higher is hotter; a fresh
    /// entry outranks an old one with the same activity.
    pub fn score(&self) -> f64 {
        let activity = f64::from(self.upvotes) + COMMENT_WEIGHT * f64::from(self.comments);
        activity / (self.age_hours + AGE_OFFSET_HOURS).powf(GRAVITY)
    }

    /// Why it ranks here, for a reader: `42 upvotes and 3 comments in 18 hours`.
    pub fn explain(&self) -> String {
        let plural = |n: u32, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let activity = match self.comments {
            0 => plural(self.upvotes, "upvote"),
            c => format!(
                "{} and {}",
                plural(self.upvotes, "upvote"),
                plural(c, "comment")
            ),
        };
        let hours = self.age_hours.round();
        let age = if hours < 48.0 {
            format!(
                "{} hour{}",
                hours as u64,
                if hours == 1.0 { "" } else { "s" }
            )
        } else {
            format!("{} days", (hours / 24.0).round() as u64)
        };
        format!("{activity} in {age}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn fresh_beats_old_with_equal_activity_and_activity_beats_nothing() {
        let now = at("2026-01-10T00:00:00Z");
        let fresh = at("2026-01-09T00:00:00Z");
        let old = at("2026-01-01T00:00:00Z");
        let score = |votes, comments, listed| Trend::new(votes, comments, listed, now).score();
        assert!(score(10, 0, fresh) > score(10, 0, old));
        assert!(score(100, 0, old) > score(1, 0, fresh));
        assert_eq!(score(0, 0, fresh), 0.0);
        assert!(
            score(5, 0, at("2026-01-11T00:00:00Z")) > 0.0,
            "future items count as new"
        );
        assert_eq!(
            score(0, 1, fresh),
            score(2, 0, fresh),
            "a comment weighs two votes"
        );
    }

    #[test]
    fn the_reason_names_activity_and_age() {
        let now = at("2026-01-10T00:00:00Z");
        let trend = Trend::new(42, 3, at("2026-01-09T06:00:00Z"), now);
        assert_eq!(trend.explain(), "42 upvotes and 3 comments in 18 hours");
        let trend = Trend::new(1, 0, at("2026-01-05T00:00:00Z"), now);
        assert_eq!(trend.explain(), "1 upvote in 5 days");
    }
}
