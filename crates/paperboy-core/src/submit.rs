//! The rules of submitting a paper to the daily list: which day "today" is, how
//! recent a paper must be, and why a submission is refused.

use std::fmt;

use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use crate::Paper;

/// A day-boundary setting that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoundaryError {
    /// Not UTC, an offset or a known IANA zone.
    #[error(
        "`{0}` is not a time zone: use UTC, an offset such as +09:00, or a name such as Europe/Paris"
    )]
    TimeZone(String),
    /// Not an hour of the day.
    #[error("{0} is not an hour between 0 and 23")]
    Hour(u8),
}

/// Where the daily lists cut days: at `hour` o'clock in a time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct DayBoundary {
    zone: TimeZone,
    hour: u8,
}

impl DayBoundary {
    /// Midnight UTC.
    pub fn utc() -> Self {
        Self {
            zone: TimeZone::UTC,
            hour: 0,
        }
    }

    /// The boundary at `hour` in `zone` (`UTC`, `+09:00`, `-05:30`, `Europe/Paris`).
    pub fn new(zone: &str, hour: u8) -> Result<Self, BoundaryError> {
        if hour > 23 {
            return Err(BoundaryError::Hour(hour));
        }
        let name = zone.trim();
        let zone = if name.eq_ignore_ascii_case("utc") || name.is_empty() {
            TimeZone::UTC
        } else if let Some(offset) = parse_offset(name) {
            TimeZone::fixed(offset)
        } else {
            TimeZone::get(name)
                .map_err(|_| BoundaryError::TimeZone(name.chars().take(60).collect()))?
        };
        Ok(Self { zone, hour })
    }

    /// The daily list a submission at `at` joins.
    pub fn day_of(&self, at: Timestamp) -> Date {
        let shifted = at
            .checked_sub(SignedDuration::from_hours(i64::from(self.hour)))
            .unwrap_or(at);
        shifted.to_zoned_datetime(self.zone.clone()).date()
    }

    /// When the day after the one containing `at` starts.
    pub fn next_day_starts(&self, at: Timestamp) -> Timestamp {
        let next = self.day_of(at).tomorrow().unwrap_or(self.day_of(at));
        next.to_zoned_datetime(self.zone.clone())
            .ok()
            .map(|start| start.timestamp())
            .and_then(|start| {
                start
                    .checked_add(SignedDuration::from_hours(i64::from(self.hour)))
                    .ok()
            })
            .unwrap_or(at)
    }
}

/// `+09:00`, `-0530`, `+9`.
fn parse_offset(text: &str) -> Option<Offset> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes) = if digits.len() <= 2 {
        (digits.parse::<i32>().ok()?, 0)
    } else {
        let split = digits.len() - 2;
        (
            digits[..split].parse::<i32>().ok()?,
            digits[split..].parse::<i32>().ok()?,
        )
    };
    if hours > 14 || minutes > 59 {
        return None;
    }
    Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

/// Why a submission is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitRefusal {
    /// Published longer ago than the rules allow.
    TooOld {
        /// Its publication day.
        published: Date,
        /// Most days after publication a paper may be submitted.
        max_days: u32,
    },
    /// No source gave a publication date.
    Undated,
    /// It is on a daily list already.
    AlreadyListed(Date),
    /// The submitter reached today's cap.
    DailyCap(u32),
}

impl fmt::Display for SubmitRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooOld {
                published,
                max_days,
            } => write!(
                f,
                "papers can be submitted within {max_days} days of their arXiv publication; this one was published on {published}"
            ),
            Self::Undated => f.write_str(
                "arXiv gave no publication date for this paper, so it cannot be checked as recent",
            ),
            Self::AlreadyListed(day) => write!(
                f,
                "this paper is on the daily list of {day} already; upvote it there instead"
            ),
            Self::DailyCap(cap) => write!(
                f,
                "you have submitted {cap} papers today, the most allowed; submit more tomorrow"
            ),
        }
    }
}

/// The submission rules (settings with Hugging Face-like defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct SubmitRules {
    /// Most days between a paper's arXiv publication and its submission.
    pub max_age_days: u32,
    /// Most submissions per reader and day.
    pub daily_cap: u32,
    /// Where days begin.
    pub boundary: DayBoundary,
}

impl Default for SubmitRules {
    fn default() -> Self {
        Self {
            max_age_days: 14,
            daily_cap: 5,
            boundary: DayBoundary::utc(),
        }
    }
}

impl SubmitRules {
    /// Checks that `paper` is recent enough to be submitted at `now`.
    pub fn check_age(&self, paper: &Paper, now: Timestamp) -> Result<(), SubmitRefusal> {
        let published = paper
            .published_or_announced()
            .ok_or(SubmitRefusal::Undated)?;
        let age = now.duration_since(published);
        if age > SignedDuration::from_hours(24 * i64::from(self.max_age_days)) {
            return Err(SubmitRefusal::TooOld {
                published: published.to_zoned_datetime(TimeZone::UTC).date(),
                max_days: self.max_age_days,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use jiff::civil::date;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn days_cut_at_the_configured_hour_and_zone() {
        let utc = DayBoundary::utc();
        assert_eq!(utc.day_of(at("2026-03-10T23:59:00Z")), date(2026, 3, 10));
        let tokyo = DayBoundary::new("+09:00", 0).unwrap();
        assert_eq!(tokyo.day_of(at("2026-03-10T15:30:00Z")), date(2026, 3, 11));
        let paris_eight = DayBoundary::new("Europe/Paris", 8).unwrap();
        // 06:30 UTC is 07:30 in Paris in winter: still the day before.
        assert_eq!(
            paris_eight.day_of(at("2026-01-10T06:30:00Z")),
            date(2026, 1, 9)
        );
        assert_eq!(
            paris_eight.day_of(at("2026-01-10T07:30:00Z")),
            date(2026, 1, 10)
        );
        assert_eq!(
            utc.next_day_starts(at("2026-03-10T12:00:00Z")),
            at("2026-03-11T00:00:00Z")
        );
        assert!(DayBoundary::new("Mars/Olympus", 0).is_err());
        assert!(DayBoundary::new("UTC", 24).is_err());
        assert_eq!(parse_offset("-0530"), Offset::from_seconds(-19_800).ok());
        assert_eq!(parse_offset("+15"), None);
    }

    #[test]
    fn papers_older_than_the_limit_are_refused_with_their_date() {
        let rules = SubmitRules::default();
        let mut paper = Paper::new(
            crate::ArxivId::parse("2603.00001").unwrap(),
            "T".into(),
            "A".into(),
            vec![],
        );
        paper.published = Some(at("2026-03-01T12:00:00Z"));
        assert!(rules.check_age(&paper, at("2026-03-15T11:00:00Z")).is_ok());
        let refused = rules
            .check_age(&paper, at("2026-03-16T13:00:00Z"))
            .unwrap_err();
        assert_eq!(
            refused,
            SubmitRefusal::TooOld {
                published: date(2026, 3, 1),
                max_days: 14
            }
        );
        assert!(refused.to_string().contains("within 14 days"));
    }
}
