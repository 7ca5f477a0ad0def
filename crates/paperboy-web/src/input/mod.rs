//! Request parameters, parsed into domain values. Every parameter arrives as text so
//! that a bad value gets a message saying what was expected, never a bare 400.

mod search;

use paperboy_core::paper::limits;
use paperboy_core::{Period, parse_day};
use paperboy_store::{DailyQuery, DailySort};
use serde::Deserialize;

use crate::WebError;

pub(crate) use self::search::{
    MAX_SEARCH_DEPTH, PaperPath, SearchApiParams, SearchInput, SearchPageParams, SimilarParams,
};

/// Items per API page when the client does not say.
pub(crate) const DEFAULT_LIMIT: u32 = 50;
/// The most items an API page may hold.
pub(crate) const MAX_LIMIT: u32 = 100;
/// The longest submitter name accepted.
const MAX_SUBMITTER: usize = 100;

/// The query string of `GET /api/daily_papers`, as sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DailyParams {
    date: Option<String>,
    week: Option<String>,
    month: Option<String>,
    submitter: Option<String>,
    sort: Option<String>,
    p: Option<String>,
    limit: Option<String>,
}

/// A parsed `GET /api/daily_papers` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DailyRequest {
    /// The day, week or month asked for; `None`: the caller picks a default.
    pub period: Option<Period>,
    /// Only entries this user submitted.
    pub submitter: Option<String>,
    /// Order.
    pub sort: DailySort,
    /// Page number, from 0.
    pub page: u64,
    /// Items per page.
    pub limit: u32,
}

impl DailyParams {
    /// Parses and checks every parameter.
    pub(crate) fn parse(self) -> Result<DailyRequest, WebError> {
        let periods = [
            self.date.as_deref().map(|d| parse_day(d).map(Period::Day)),
            self.week.as_deref().map(Period::parse_week),
            self.month.as_deref().map(Period::parse_month),
        ];
        let mut given = periods.into_iter().flatten();
        let period = given.next().transpose()?;
        if given.next().is_some() {
            return Err(WebError::BadRequest(
                "give at most one of `date`, `week` and `month`".into(),
            ));
        }
        Ok(DailyRequest {
            period,
            submitter: self.submitter.map(parse_submitter).transpose()?,
            sort: parse_sort(self.sort.as_deref())?,
            page: parse_page_index(self.p.as_deref())?,
            limit: parse_limit(self.limit.as_deref(), DEFAULT_LIMIT)?,
        })
    }
}

fn parse_submitter(name: String) -> Result<String, WebError> {
    let name = name.trim();
    if name.is_empty() || name.len() > MAX_SUBMITTER || name.chars().any(char::is_control) {
        return Err(WebError::BadRequest(format!(
            "`submitter` must be a username of 1 to {MAX_SUBMITTER} characters"
        )));
    }
    Ok(name.to_owned())
}

fn parse_sort(sort: Option<&str>) -> Result<DailySort, WebError> {
    match sort {
        None => Ok(DailySort::Upvotes),
        Some("publishedAt") => Ok(DailySort::PublishedAt),
        Some("trending") => Ok(DailySort::Trending),
        Some(other) => Err(WebError::BadRequest(format!(
            "`sort` must be `publishedAt` or `trending` (or absent: most upvoted first), got `{}`",
            clip(other)
        ))),
    }
}

/// Parses `p`, an API page index from 0; 0 when absent.
pub(crate) fn parse_page_index(p: Option<&str>) -> Result<u64, WebError> {
    match p {
        None => Ok(0),
        Some(p) => p.trim().parse().map_err(|_| {
            WebError::BadRequest(format!(
                "`p` must be a page number (0, 1, 2, ...), got `{}`",
                clip(p)
            ))
        }),
    }
}

/// Parses `limit`: 1 to [`MAX_LIMIT`], `default` when absent.
pub(crate) fn parse_limit(limit: Option<&str>, default: u32) -> Result<u32, WebError> {
    let Some(limit) = limit else {
        return Ok(default);
    };
    match limit.trim().parse::<u32>() {
        Ok(n @ 1..=MAX_LIMIT) => Ok(n),
        _ => Err(WebError::BadRequest(format!(
            "`limit` must be a number from 1 to {MAX_LIMIT}, got `{}`",
            clip(limit)
        ))),
    }
}

/// At most 40 characters of a bad value, for messages.
pub(crate) fn clip(value: &str) -> String {
    value.chars().take(40).collect()
}

impl DailyRequest {
    /// The store query: entries of `period` (every day when `None`).
    pub(crate) fn query(&self) -> DailyQuery {
        let bounds = self.period.map(|p| p.bounds());
        DailyQuery {
            from: bounds.map(|(from, _)| from),
            until: bounds.map(|(_, until)| until),
            submitter: self.submitter.clone(),
            sort: self.sort,
            offset: self.page.saturating_mul(u64::from(self.limit)),
            limit: self.limit,
        }
    }

    /// The query string of page `page` of the same list.
    pub(crate) fn query_string(&self, page: u64) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        match self.period {
            Some(period @ Period::Day(_)) => pairs.push(("date", period.to_string())),
            Some(period @ Period::Week { .. }) => pairs.push(("week", period.to_string())),
            Some(period @ Period::Month { .. }) => pairs.push(("month", period.to_string())),
            None => {}
        }
        if let Some(submitter) = &self.submitter {
            pairs.push(("submitter", submitter.clone()));
        }
        match self.sort {
            DailySort::Upvotes => {}
            DailySort::PublishedAt => pairs.push(("sort", "publishedAt".into())),
            DailySort::Trending => pairs.push(("sort", "trending".into())),
        }
        pairs.push(("p", page.to_string()));
        pairs.push(("limit", self.limit.to_string()));
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// The query string of `GET /api/papers`, as sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PapersParams {
    /// The `next` cursor of the previous page.
    pub cursor: Option<String>,
    /// Papers per page.
    pub limit: Option<String>,
}

/// The query string of a paginated HTML list, as sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListParams {
    page: Option<String>,
    category: Option<String>,
    /// `/papers?date=YYYY-MM-DD`: HF's older address of a day's list (and the date
    /// picker's).
    pub date: Option<String>,
}

/// A page number of an HTML list, counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageNumber(u64);

impl PageNumber {
    /// The first page.
    pub(crate) const FIRST: Self = Self(1);

    /// Parses a `page` parameter; 1 when absent.
    pub(crate) fn parse(page: Option<&str>) -> Result<Self, WebError> {
        let Some(page) = page else {
            return Ok(Self::FIRST);
        };
        match page.trim().parse::<u64>() {
            Ok(n) if n >= 1 => Ok(Self(n)),
            _ => Err(WebError::BadRequest(format!(
                "`page` must be a page number (1, 2, 3, ...), got `{}`",
                clip(page)
            ))),
        }
    }

    /// The page's number, from 1.
    pub(crate) fn get(self) -> u64 {
        self.0
    }

    /// How many items come before this page.
    pub(crate) fn offset(self, page_size: u32) -> u64 {
        (self.0 - 1).saturating_mul(u64::from(page_size))
    }

    /// A page past the end of a list does not exist (the first page always does).
    pub(crate) fn check_exists(self, total: u64, page_size: u32) -> Result<(), WebError> {
        if self.0 > 1 && self.offset(page_size) >= total {
            let pages = total.div_ceil(u64::from(page_size)).max(1);
            return Err(WebError::NotFound(format!(
                "page {} does not exist: this list has {pages} page{}",
                self.0,
                if pages == 1 { "" } else { "s" }
            )));
        }
        Ok(())
    }
}

impl ListParams {
    /// The `page` parameter, 1 when absent.
    pub(crate) fn page(&self) -> Result<PageNumber, WebError> {
        PageNumber::parse(self.page.as_deref())
    }

    /// The `category` filter, e.g. `cs.CL`; absent or empty means every category.
    pub(crate) fn category(&self) -> Result<Option<String>, WebError> {
        let Some(category) = self.category.as_deref().map(str::trim) else {
            return Ok(None);
        };
        if category.is_empty() {
            return Ok(None);
        }
        if category.len() > limits::CATEGORY || category.chars().any(char::is_control) {
            return Err(WebError::BadRequest(format!(
                "`category` must be an arXiv category such as cs.CL, got `{}`",
                clip(category)
            )));
        }
        Ok(Some(category.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(query: &str) -> DailyParams {
        serde_urlencoded::from_str(query).expect("query parses")
    }

    fn message(err: WebError) -> String {
        err.to_string()
    }

    #[test]
    fn defaults_to_upvotes_page_zero_limit_fifty() {
        let request = params("").parse().expect("valid");
        assert_eq!(
            request,
            DailyRequest {
                period: None,
                submitter: None,
                sort: DailySort::Upvotes,
                page: 0,
                limit: 50
            }
        );
    }

    #[test]
    fn parses_periods_and_rejects_two_at_once() {
        let week = params("week=2024-W22").parse().expect("valid");
        assert_eq!(week.period, Period::parse_week("2024-W22").ok());
        let err = params("date=2024-05-27&month=2024-05")
            .parse()
            .expect_err("two periods");
        assert!(message(err).contains("at most one"));
        let err = params("date=2024-02-30").parse().expect_err("bad date");
        assert!(message(err).contains("YYYY-MM-DD"));
    }

    #[test]
    fn rejects_bad_numbers_and_sorts_with_what_was_expected() {
        for (query, expected) in [
            ("p=-1", "`p` must be a page number"),
            ("p=x", "`p` must be a page number"),
            ("limit=0", "from 1 to 100"),
            ("limit=101", "from 1 to 100"),
            ("sort=upvotes", "`sort` must be `publishedAt` or `trending`"),
            ("submitter=", "`submitter` must be"),
        ] {
            let err = params(query).parse().expect_err(query);
            assert!(message(err).contains(expected), "{query}");
        }
    }

    #[test]
    fn next_page_query_keeps_every_filter() {
        let request = params("week=2024-W22&submitter=akhaliq&sort=trending&limit=2")
            .parse()
            .expect("valid");
        assert_eq!(
            request.query_string(1),
            "week=2024-W22&submitter=akhaliq&sort=trending&p=1&limit=2"
        );
        let query = request.query();
        assert_eq!(query.offset, 0);
        assert_eq!(
            query.from.map(|d| d.to_string()).as_deref(),
            Some("2024-05-27")
        );
    }

    #[test]
    fn html_page_numbers_start_at_one() {
        let list: ListParams = serde_urlencoded::from_str("page=3").expect("parses");
        let page = list.page().expect("valid");
        assert_eq!((page.get(), page.offset(50)), (3, 100));
        assert!(page.check_exists(101, 50).is_ok());
        assert!(page.check_exists(100, 50).is_err());
        assert!(PageNumber::FIRST.check_exists(0, 50).is_ok());
        let zero: ListParams = serde_urlencoded::from_str("page=0").expect("parses");
        assert!(zero.page().is_err());
    }

    #[test]
    fn categories_are_bounded_text() {
        let list: ListParams = serde_urlencoded::from_str("category=%20cs.CL%20").expect("parses");
        assert_eq!(list.category().ok().flatten().as_deref(), Some("cs.CL"));
        let empty: ListParams = serde_urlencoded::from_str("category=").expect("parses");
        assert_eq!(empty.category().ok().flatten(), None);
        let long = format!("category={}", "x".repeat(limits::CATEGORY + 1));
        let long: ListParams = serde_urlencoded::from_str(&long).expect("parses");
        assert!(long.category().is_err());
    }
}
