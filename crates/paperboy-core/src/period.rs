//! Calendar periods of the daily lists: a day, an ISO week, a month.

use std::fmt;

use jiff::ToSpan;
use jiff::civil::{Date, ISOWeekDate, Weekday};

/// Why a period string did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a {expected}")]
pub struct PeriodError {
    input: String,
    expected: &'static str,
}

impl PeriodError {
    fn new(input: &str, expected: &'static str) -> Self {
        Self {
            input: input.chars().take(40).collect(),
            expected,
        }
    }
}

/// A day, ISO week or month whose daily lists are shown together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// One day, `2024-05-27`.
    Day(Date),
    /// An ISO week, `2024-W22` (Monday to Sunday).
    Week {
        /// ISO week-numbering year.
        year: i16,
        /// Week 1..=53.
        week: i8,
    },
    /// A calendar month, `2024-05`.
    Month {
        /// Year.
        year: i16,
        /// Month 1..=12.
        month: i8,
    },
}

/// The years the calendar of daily lists spans: pages and links never leave it.
pub const YEARS: std::ops::RangeInclusive<i16> = 1..=9999;

/// Parses `YYYY-MM-DD`, in [`YEARS`].
pub fn parse_day(input: &str) -> Result<Date, PeriodError> {
    let s = input.trim();
    if s.len() != 10 {
        return Err(PeriodError::new(input, "date (YYYY-MM-DD)"));
    }
    s.parse::<Date>()
        .ok()
        .filter(|d| YEARS.contains(&d.year()))
        .ok_or_else(|| PeriodError::new(input, "date (YYYY-MM-DD)"))
}

impl Period {
    /// Parses `YYYY-Www` (ISO week).
    pub fn parse_week(input: &str) -> Result<Self, PeriodError> {
        let err = || PeriodError::new(input, "week (YYYY-Www, e.g. 2024-W22)");
        let (year, week) = input.trim().split_once(['-']).ok_or_else(err)?;
        let week = week.strip_prefix(['W', 'w']).ok_or_else(err)?;
        if year.len() != 4 || week.is_empty() || week.len() > 2 {
            return Err(err());
        }
        let year: i16 = year
            .parse()
            .ok()
            .filter(|y| YEARS.contains(y))
            .ok_or_else(err)?;
        let week: i8 = week.parse().map_err(|_| err())?;
        ISOWeekDate::new(year, week, Weekday::Monday).map_err(|_| err())?;
        Ok(Self::Week { year, week })
    }

    /// Parses `YYYY-MM`.
    pub fn parse_month(input: &str) -> Result<Self, PeriodError> {
        let err = || PeriodError::new(input, "month (YYYY-MM)");
        let (year, month) = input.trim().split_once('-').ok_or_else(err)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(err());
        }
        let year: i16 = year
            .parse()
            .ok()
            .filter(|y| YEARS.contains(y))
            .ok_or_else(err)?;
        let month: i8 = month.parse().map_err(|_| err())?;
        Date::new(year, month, 1).map_err(|_| err())?;
        Ok(Self::Month { year, month })
    }

    /// The week containing `date`.
    pub fn week_of(date: Date) -> Self {
        let iso = date.iso_week_date();
        Self::Week {
            year: iso.year(),
            week: iso.week(),
        }
    }

    /// The month containing `date`.
    pub fn month_of(date: Date) -> Self {
        Self::Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// First and last day, inclusive.
    pub fn bounds(&self) -> (Date, Date) {
        match *self {
            Self::Day(d) => (d, d),
            Self::Week { year, week } => {
                let monday = ISOWeekDate::new(year, week, Weekday::Monday)
                    .map(|w| w.date())
                    .unwrap_or(Date::MIN);
                (monday, monday.saturating_add(6.days()))
            }
            Self::Month { year, month } => {
                let first = Date::new(year, month, 1).unwrap_or(Date::MIN);
                (first, first.last_of_month())
            }
        }
    }

    /// The period of the same kind that contains `date`.
    pub fn same_kind(&self, date: Date) -> Self {
        match self {
            Self::Day(_) => Self::Day(date),
            Self::Week { .. } => Self::week_of(date),
            Self::Month { .. } => Self::month_of(date),
        }
    }

    /// The URL path of this period's page, e.g. `/papers/week/2024-W22`.
    pub fn path(&self) -> String {
        match self {
            Self::Day(_) => format!("/papers/date/{self}"),
            Self::Week { .. } => format!("/papers/week/{self}"),
            Self::Month { .. } => format!("/papers/month/{self}"),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Day(d) => write!(f, "{d}"),
            Self::Week { year, week } => write!(f, "{year:04}-W{week:02}"),
            Self::Month { year, month } => write!(f, "{year:04}-{month:02}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn week_bounds_are_monday_to_sunday() {
        let w = Period::parse_week("2024-W22").unwrap();
        assert_eq!(w.bounds(), (date(2024, 5, 27), date(2024, 6, 2)));
        assert_eq!(w.to_string(), "2024-W22");
        assert_eq!(w.same_kind(date(2024, 5, 26)).to_string(), "2024-W21");
        assert_eq!(
            Period::parse_week("2020-W53")
                .unwrap()
                .same_kind(date(2021, 1, 4))
                .to_string(),
            "2021-W01"
        );
    }

    #[test]
    fn month_bounds_and_kind() {
        let m = Period::parse_month("2024-02").unwrap();
        assert_eq!(m.bounds(), (date(2024, 2, 1), date(2024, 2, 29)));
        assert_eq!(m.same_kind(date(2023, 12, 31)).to_string(), "2023-12");
    }

    #[test]
    fn day_path() {
        let d = Period::Day(date(2024, 3, 1));
        assert_eq!(d.path(), "/papers/date/2024-03-01");
    }

    #[test]
    fn periods_stay_inside_the_calendar() {
        assert!(Period::parse_month("0001-01").is_ok());
        for outside in ["0000-01", "-001-12"] {
            assert!(Period::parse_month(outside).is_err(), "{outside}");
        }
        assert!(parse_day("0000-12-31").is_err());
        assert!(Period::parse_week("0000-W10").is_err());
    }

    #[test]
    fn rejects_malformed_periods() {
        for bad in ["2024-W54", "2024-22", "24-W01", "2024-W", "2024-Wxx"] {
            assert!(Period::parse_week(bad).is_err(), "{bad}");
        }
        for bad in ["2024-13", "2024-1", "2024", "2024-05-01"] {
            assert!(Period::parse_month(bad).is_err(), "{bad}");
        }
        for bad in ["2024-02-30", "2024-5-1", "yesterday", "2024-05-010"] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_day("2024-05-27").unwrap(), date(2024, 5, 27));
    }
}
