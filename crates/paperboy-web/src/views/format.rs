//! Small text helpers for pages: author lines, dates, counts, safe links.

use jiff::Timestamp;
use jiff::civil::Date;
use paperboy_core::{Author, Period};

/// Lists with more authors than this show the first few and "et al.".
const AUTHORS_IN_LINE: usize = 5;
/// How many authors "et al." lines keep.
const AUTHORS_BEFORE_ET_AL: usize = 3;

/// `A, B and C`, or `A, B, C et al.` for long lists.
pub(crate) fn author_line(authors: &[Author]) -> String {
    let names: Vec<&str> = authors.iter().map(|a| a.name.as_str()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] if names.len() <= AUTHORS_IN_LINE => {
            format!("{} and {last}", init.join(", "))
        }
        _ => format!("{} et al.", names[..AUTHORS_BEFORE_ET_AL].join(", ")),
    }
}

/// `url` when it is an absolute `http(s)` URL, safe to put in an `href`; `None` for
/// anything else (`javascript:`, relative paths, text with spaces).
pub(crate) fn external_href(url: &str) -> Option<&str> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control());
    (web && clean && url.len() > "https://".len()).then_some(url)
}

/// `Monday, 27 May 2024`.
pub(crate) fn long_day(day: Date) -> String {
    day.strftime("%A, %-d %B %Y").to_string()
}

/// `Mon 27 May 2024`.
pub(crate) fn short_day(day: Date) -> String {
    day.strftime("%a %-d %b %Y").to_string()
}

/// The UTC day of `t`, `2024-05-23`.
pub(crate) fn utc_day(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

/// How a period is named in headings and navigation: `Mon 27 May 2024`,
/// `Week 22 of 2024`, `May 2024`.
pub(crate) fn period_label(period: Period) -> String {
    match period {
        Period::Day(day) => short_day(day),
        Period::Week { year, week } => format!("Week {week} of {year}"),
        Period::Month { .. } => period.bounds().0.strftime("%B %Y").to_string(),
    }
}

/// `1 paper`, `12 papers`.
pub(crate) fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn authors(n: usize) -> Vec<Author> {
        (1..=n).map(|i| Author::named(format!("A{i}"))).collect()
    }

    #[test]
    fn long_author_lists_are_cut_with_et_al() {
        assert_eq!(author_line(&authors(0)), "");
        assert_eq!(author_line(&authors(1)), "A1");
        assert_eq!(author_line(&authors(2)), "A1 and A2");
        assert_eq!(author_line(&authors(5)), "A1, A2, A3, A4 and A5");
        assert_eq!(author_line(&authors(3303)), "A1, A2, A3 et al.");
    }

    #[test]
    fn only_web_urls_become_links() {
        assert_eq!(
            external_href("https://github.com/a/b"),
            Some("https://github.com/a/b")
        );
        assert_eq!(external_href("HTTP://x.org"), Some("HTTP://x.org"));
        for bad in [
            "javascript:alert(1)",
            "//evil.org",
            "/papers",
            "https://",
            "https://x.org/a b",
            "data:text/html,x",
        ] {
            assert_eq!(external_href(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_read_like_dates() {
        assert_eq!(long_day(date(2024, 5, 27)), "Monday, 27 May 2024");
        assert_eq!(short_day(date(2024, 6, 2)), "Sun 2 Jun 2024");
        let ts: Timestamp = "2024-05-23T23:59:49Z".parse().expect("timestamp");
        assert_eq!(utc_day(ts), "2024-05-23");
        let week = Period::parse_week("2024-W22").expect("week");
        assert_eq!(period_label(week), "Week 22 of 2024");
        let month = Period::parse_month("2024-05").expect("month");
        assert_eq!(period_label(month), "May 2024");
        assert_eq!(count(1, "paper"), "1 paper");
        assert_eq!(count(0, "paper"), "0 papers");
    }
}
