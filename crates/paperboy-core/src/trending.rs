//! Ranking a list by activity that fades with age, and saying why an entry ranks
//! where it does. docs/trending.md states the formula.

use jiff::civil::Date;
use jiff::{Span, Timestamp, Unit};

/// How fast activity fades: the score is `activity / (age_hours + 2) ^ GRAVITY`.
pub const GRAVITY: f64 = 1.5;
/// What a comment weighs against an upvote.
pub const COMMENT_WEIGHT: f64 = 2.0;
/// What one new GitHub star of the paper's code weighs against an upvote.
pub const STAR_WEIGHT: f64 = 0.1;
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
    /// Stars the paper's code repository gained over the trending window (0 when
    /// unknown).
    pub star_growth: u32,
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
            star_growth: 0,
            age_hours,
        }
    }

    /// The same trend with the paper's code having gained `stars`.
    pub fn with_star_growth(self, stars: u32) -> Self {
        Self {
            star_growth: stars,
            ..self
        }
    }

    /// `(upvotes + 2 x comments + 0.1 x new stars) / (age_hours + 2) ^ 1.5`. Higher
    /// is hotter; a fresh entry outranks an old one with the same activity.
    pub fn score(&self) -> f64 {
        let activity = f64::from(self.upvotes)
            + COMMENT_WEIGHT * f64::from(self.comments)
            + STAR_WEIGHT * f64::from(self.star_growth);
        activity / (self.age_hours + AGE_OFFSET_HOURS).powf(GRAVITY)
    }

    /// Why it ranks here, for a reader: `42 upvotes, 3 comments and 120 new GitHub
    /// stars in 18 hours` (what is zero left out, upvotes always said).
    pub fn explain(&self) -> String {
        let plural = |n: u32, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let mut parts = vec![plural(self.upvotes, "upvote")];
        if self.comments > 0 {
            parts.push(plural(self.comments, "comment"));
        }
        if self.star_growth > 0 {
            parts.push(plural(self.star_growth, "new GitHub star"));
        }
        let activity = match parts.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => parts.concat(),
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
        let trend = Trend::new(42, 3, at("2026-01-09T06:00:00Z"), now).with_star_growth(120);
        assert_eq!(
            trend.explain(),
            "42 upvotes, 3 comments and 120 new GitHub stars in 18 hours"
        );
        let trend = Trend::new(2, 0, at("2026-01-09T06:00:00Z"), now).with_star_growth(1);
        assert_eq!(
            trend.explain(),
            "2 upvotes and 1 new GitHub star in 18 hours"
        );
    }

    #[test]
    fn star_growth_lifts_a_paper_ten_stars_to_the_upvote() {
        let now = at("2026-01-10T00:00:00Z");
        let listed = at("2026-01-09T00:00:00Z");
        let plain = Trend::new(10, 0, listed, now);
        let starred = plain.with_star_growth(50);
        assert!(starred.score() > plain.score());
        assert_eq!(starred.score(), Trend::new(15, 0, listed, now).score());
    }
}
