//! Ranking a list by upvotes that fade with age.

use jiff::{Timestamp, Unit};

/// How fast votes fade: the score is `upvotes / (age_hours + 2) ^ GRAVITY`.
pub const GRAVITY: f64 = 1.5;

/// Trending score of an item with `upvotes`, listed at `listed_at`, seen at `now`.
/// Higher is hotter; a fresh item outranks an old one with the same votes.
pub fn trending_score(upvotes: u32, listed_at: Timestamp, now: Timestamp) -> f64 {
    let age_hours = now
        .since(listed_at)
        .ok()
        .and_then(|span| span.total(Unit::Hour).ok())
        .unwrap_or(0.0)
        .max(0.0);
    f64::from(upvotes) / (age_hours + 2.0).powf(GRAVITY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_beats_old_with_equal_votes_and_votes_beat_nothing() {
        let now: Timestamp = "2026-01-10T00:00:00Z".parse().unwrap();
        let fresh: Timestamp = "2026-01-09T00:00:00Z".parse().unwrap();
        let old: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        assert!(trending_score(10, fresh, now) > trending_score(10, old, now));
        assert!(trending_score(100, old, now) > trending_score(1, fresh, now));
        assert_eq!(trending_score(0, fresh, now), 0.0);
        assert!(
            trending_score(5, now, fresh) > 0.0,
            "future items count as new"
        );
    }
}
