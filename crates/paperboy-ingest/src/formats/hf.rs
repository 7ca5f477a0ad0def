//! Hugging Face Daily Papers: items of `GET /api/daily_papers`, either as the API's
//! JSON array or as the archive's JSON Lines `{"daily_date": "YYYY-MM-DD", "item": {...}}`.
//!
//! Each item yields a paper and its entry on that day's daily list. The schema grew
//! over time (2024 items lack `submittedBy`, `ai_summary`, `githubRepo`); every
//! optional field is optional here too.

use jiff::civil::Date;
use paperboy_core::text::{normalize_optional, normalize_whitespace};
use paperboy_core::{Author, DailyEntry, Paper, Source, Submitter};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{LineContext, LineFormat, Parsed, parse_day, parse_id, parse_timestamp};

/// One item of `/api/daily_papers`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    paper: HfPaper,
    #[serde(default)]
    published_at: Option<String>,
    #[serde(default)]
    num_comments: Option<u32>,
    #[serde(default)]
    submitted_by: Option<User>,
    #[serde(default)]
    thumbnail: Option<String>,
    #[serde(default)]
    media_urls: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HfPaper {
    id: String,
    #[serde(default)]
    authors: Vec<HfAuthor>,
    #[serde(default)]
    published_at: Option<String>,
    #[serde(default)]
    submitted_on_daily_at: Option<String>,
    #[serde(default)]
    submitted_on_daily_by: Option<User>,
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    upvotes: Option<i64>,
    #[serde(default)]
    github_repo: Option<String>,
    #[serde(default)]
    project_page: Option<String>,
    #[serde(default)]
    github_stars: Option<i64>,
    #[serde(default)]
    media_urls: Option<Vec<String>>,
    #[serde(default, rename = "ai_summary")]
    ai_summary: Option<String>,
    #[serde(default, rename = "ai_keywords")]
    ai_keywords: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct HfAuthor {
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct User {
    /// The username; older records carry it as `user` only.
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    fullname: Option<String>,
    #[serde(default)]
    avatar_url: Option<String>,
}

impl User {
    fn into_submitter(self) -> Option<Submitter> {
        let name = non_empty(self.name.or(self.user))?;
        Some(Submitter {
            name,
            fullname: normalize_optional(self.fullname.as_deref()),
            // HF's own avatars are site-relative (`/avatars/…`); anything else must be
            // a web link.
            avatar_url: self
                .avatar_url
                .filter(|url| is_web_link(url) || (url.starts_with('/') && !url.starts_with("//"))),
        })
    }
}

/// Where an item's daily-list date comes from.
enum DateSource<'a> {
    /// The archive line's `daily_date`, or `--daily-date`.
    Given(Date),
    /// The item's `paper.submittedOnDailyAt`; the message says what to pass otherwise.
    FromItem(&'a str),
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Whether `url` is an absolute http(s) link: nothing else (`javascript:`,
/// `data:`) is kept from a source, so no client is ever handed one.
fn is_web_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The image that shows a paper: the first figure its authors uploaded (an image
/// among `mediaUrls`, not a video), else HF's thumbnail; only http(s) URLs.
fn thumbnail<'a>(
    media: impl Iterator<Item = &'a String>,
    thumbnail: Option<&str>,
) -> Option<String> {
    let web = |url: &&str| is_web_link(url) && url.len() < 2_000;
    let image = |url: &&str| {
        let path = url.split(['?', '#']).next().unwrap_or_default();
        let extension = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        matches!(
            extension.as_deref(),
            Some("png" | "jpg" | "jpeg" | "gif" | "webp")
        )
    };
    media
        .map(String::as_str)
        .find(|url| web(url) && image(url))
        .or(thumbnail.filter(web))
        .map(|url| url.trim().to_owned())
}

fn convert(item: Item, date: DateSource<'_>, line: u64, out: &mut Parsed) -> Result<(), String> {
    let id = parse_id("paper.id", &item.paper.id)?;
    let p = item.paper;
    let submitted_on_daily = p
        .submitted_on_daily_at
        .as_deref()
        .map(|t| parse_timestamp("paper.submittedOnDailyAt", t))
        .transpose()?;
    let date = match date {
        DateSource::Given(date) => date,
        DateSource::FromItem(hint) => submitted_on_daily
            .map(|t| t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date())
            .ok_or_else(|| format!("item has no `paper.submittedOnDailyAt`; {hint}"))?,
    };
    let mut paper = Paper::new(
        id.id.clone(),
        normalize_whitespace(&p.title),
        normalize_whitespace(&p.summary),
        p.authors
            .iter()
            .map(|a| Author::named(normalize_whitespace(&a.name)))
            .collect(),
    );
    paper.version = id.version;
    paper.bib_source = Some(Source::Hf);
    paper.published = p
        .published_at
        .as_deref()
        .map(|t| parse_timestamp("paper.publishedAt", t))
        .transpose()?;
    paper.github_repo = non_empty(p.github_repo).filter(|u| is_web_link(u));
    paper.project_page = non_empty(p.project_page).filter(|u| is_web_link(u));
    paper.github_stars = p.github_stars.and_then(|s| u64::try_from(s).ok());
    paper.thumbnail = thumbnail(
        p.media_urls.iter().chain(&item.media_urls).flatten(),
        item.thumbnail.as_deref(),
    );
    paper.ai_summary = normalize_optional(p.ai_summary.as_deref());
    paper.ai_keywords = p
        .ai_keywords
        .unwrap_or_default()
        .iter()
        .map(|k| normalize_whitespace(k))
        .collect();
    paper.extract_links();

    // Before HF recorded `submittedOnDailyAt`, the item's own `publishedAt` was the
    // time it was put on the list; later it became the paper's announcement time.
    let item_time = item
        .published_at
        .as_deref()
        .map(|t| parse_timestamp("publishedAt", t))
        .transpose()?;
    let item_time_on_list_day =
        item_time.filter(|t| t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date() == date);
    let entry = DailyEntry {
        date,
        paper_id: id.id,
        submitted_by: item
            .submitted_by
            .or(p.submitted_on_daily_by)
            .and_then(User::into_submitter),
        submitted_at: submitted_on_daily.or(item_time_on_list_day),
        upvotes: u32::try_from(p.upvotes.unwrap_or(0).max(0)).unwrap_or(u32::MAX),
        num_comments: item.num_comments.unwrap_or(0),
    };
    if out.push_paper(line, paper) {
        out.push_entry(entry);
    }
    Ok(())
}

/// The archive's JSON Lines: `{"daily_date": "YYYY-MM-DD", "item": {...}}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct HfArchive;

#[derive(Deserialize)]
struct ArchiveLine {
    daily_date: String,
    item: Item,
}

impl LineFormat for HfArchive {
    fn parse_line(
        &self,
        line: &str,
        number: u64,
        _ctx: &LineContext,
        out: &mut Parsed,
    ) -> Result<(), String> {
        let record: ArchiveLine = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let date = parse_day("daily_date", &record.daily_date)?;
        convert(record.item, DateSource::Given(date), number, out)
    }
}

/// Parses a `/api/daily_papers` JSON array. Each item's date is `daily_date` when given
/// (`--daily-date`), else its `paper.submittedOnDailyAt`; an item with neither is
/// skipped with a message saying to pass `--daily-date`.
pub fn parse_daily_papers(text: &str, daily_date: Option<Date>) -> Result<Parsed, String> {
    let items: Vec<&RawValue> = serde_json::from_str(text)
        .map_err(|e| format!("not a JSON array of daily-paper items: {e}"))?;
    let mut out = Parsed::default();
    for raw in items {
        let line = line_of(text, raw.get());
        let date = match daily_date {
            Some(d) => DateSource::Given(d),
            None => DateSource::FromItem(
                "pass --daily-date YYYY-MM-DD to say which day's list this file is",
            ),
        };
        let result = serde_json::from_str::<Item>(raw.get())
            .map_err(|e| e.to_string())
            .and_then(|item| convert(item, date, line, &mut out));
        if let Err(reason) = result {
            out.skip(line, reason);
        }
    }
    Ok(out)
}

/// The 1-based line on which `part` (a slice of `text`) starts.
fn line_of(text: &str, part: &str) -> u64 {
    let offset = (part.as_ptr() as usize)
        .saturating_sub(text.as_ptr() as usize)
        .min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use paperboy_testkit::fixture;

    #[test]
    fn parses_all_three_schema_generations() {
        for (file, count, first_upvotes) in [
            ("hf_api/daily_papers_date_2024-05-27.json", 13, 32),
            ("hf_api/daily_papers_date_2025-06-02.json", 20, 35),
            ("hf_api/daily_papers_date_2026-08-21.json", 17, 163),
        ] {
            let day = parse_day("d", &file[25..35]).unwrap();
            let out = parse_daily_papers(&fixture(file), Some(day)).unwrap();
            assert_eq!(out.batch.papers.len(), count, "{file}");
            assert_eq!(out.batch.entries.len(), count, "{file}");
            assert!(out.skipped.is_empty(), "{file}: {:?}", out.skipped);
            assert_eq!(out.batch.entries[0].upvotes, first_upvotes, "{file}");
            assert!(out.batch.entries.iter().all(|e| e.date == day));
        }
    }

    #[test]
    fn a_paper_shows_its_uploaded_figure_else_the_thumbnail_never_a_video() {
        let day = parse_day("d", "2025-06-02").unwrap();
        let out = parse_daily_papers(
            &fixture("hf_api/daily_papers_date_2025-06-02.json"),
            Some(day),
        )
        .unwrap();
        let thumb = |id: &str| {
            let paper = out.batch.papers.iter().find(|p| p.id.as_str() == id);
            paper.and_then(|p| p.thumbnail.clone()).unwrap_or_default()
        };
        assert_eq!(
            thumb("2505.24863"),
            "https://cdn-uploads.huggingface.co/production/uploads/6201fc5d91d53938a6432fbf/dBNLCtnWBtBclw0ZZsYBU.png"
        );
        assert_eq!(
            thumb("2505.24864"),
            "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2505.24864.png"
        );
        let out =
            parse_daily_papers(&fixture("hf_api/daily_papers_date_2026-08-21.json"), None).unwrap();
        let video = out
            .batch
            .papers
            .iter()
            .find(|p| p.id.as_str() == "2608.20335");
        assert_eq!(
            video.and_then(|p| p.thumbnail.as_deref()),
            Some("https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2608.20335.png"),
            "an .mp4 is no thumbnail"
        );
        let hostile = thumbnail(
            ["javascript:alert(1).png".to_owned()].iter(),
            Some("data:image/png;base64,AAAA"),
        );
        assert_eq!(hostile, None);
    }

    #[test]
    fn links_that_are_not_web_links_are_dropped_at_import() {
        let text = fixture("hf_api/daily_papers_date_2026-08-21.json")
            .replacen(
                "\"githubRepo\": \"https://",
                "\"githubRepo\": \"javascript:alert(1)//",
                1,
            )
            .replacen(
                "\"projectPage\": \"https://",
                "\"projectPage\": \"data:text/html,",
                1,
            );
        let out = parse_daily_papers(&text, None).unwrap();
        for paper in &out.batch.papers {
            for link in [&paper.github_repo, &paper.project_page]
                .into_iter()
                .flatten()
            {
                assert!(
                    link.starts_with("https://") || link.starts_with("http://"),
                    "{link}"
                );
            }
        }
        let avatars: Vec<&str> = out
            .batch
            .entries
            .iter()
            .filter_map(|e| e.submitted_by.as_ref()?.avatar_url.as_deref())
            .collect();
        assert!(!avatars.is_empty());
        let user = User {
            name: Some("x".into()),
            user: None,
            fullname: None,
            avatar_url: Some("javascript:alert(1)".into()),
        };
        assert_eq!(user.into_submitter().unwrap().avatar_url, None);
        let user = User {
            name: Some("x".into()),
            user: None,
            fullname: None,
            avatar_url: Some("/avatars/abc.svg".into()),
        };
        assert_eq!(
            user.into_submitter().unwrap().avatar_url.as_deref(),
            Some("/avatars/abc.svg")
        );
    }

    #[test]
    fn newest_schema_fields_arrive() {
        let out =
            parse_daily_papers(&fixture("hf_api/daily_papers_date_2026-08-21.json"), None).unwrap();
        assert_eq!(
            out.batch.entries.len(),
            17,
            "dates come from submittedOnDailyAt"
        );
        let with_repo = out
            .batch
            .papers
            .iter()
            .filter(|p| p.github_repo.is_some())
            .count();
        assert!(with_repo > 0);
        let p = &out.batch.papers[0];
        assert!(p.ai_summary.is_some() && !p.ai_keywords.is_empty() && p.published.is_some());
        let e = &out.batch.entries[0];
        assert!(e.submitted_by.is_some() && e.submitted_at.is_some());
    }

    #[test]
    fn oldest_schema_without_a_date_asks_for_daily_date() {
        let out =
            parse_daily_papers(&fixture("hf_api/daily_papers_date_2024-05-27.json"), None).unwrap();
        assert!(out.batch.papers.is_empty());
        assert_eq!(out.skipped.len(), 13);
        assert!(
            out.skipped[0].reason.contains("--daily-date"),
            "{}",
            out.skipped[0].reason
        );
        assert!(
            out.skipped[1].line > out.skipped[0].line,
            "each item reports its own line"
        );
    }

    #[test]
    fn oldest_schema_uses_item_time_as_submission_time() {
        let day = jiff::civil::date(2024, 5, 27);
        let out = parse_daily_papers(
            &fixture("hf_api/daily_papers_date_2024-05-27.json"),
            Some(day),
        )
        .unwrap();
        assert_eq!(
            out.batch.entries[0].submitted_at.unwrap().to_string(),
            "2024-05-27T03:50:58.348Z"
        );
    }

    #[test]
    fn an_error_body_is_not_an_array() {
        let err = parse_daily_papers(&fixture("hf_api/error_not_found.json"), None).unwrap_err();
        assert!(err.contains("not a JSON array"), "{err}");
    }

    #[test]
    fn archive_lines_carry_their_date() {
        let line = r#"{"daily_date":"2025-06-02","item":{"paper":{"id":"2505.24864","authors":[{"_id":"x","name":"A B","hidden":false}],"publishedAt":"2025-05-30T13:59:01.000Z","title":"T","summary":"S","upvotes":3},"publishedAt":"2025-05-30T13:59:01.000Z","title":"T","numComments":2}}"#;
        let mut out = Parsed::default();
        HfArchive
            .parse_line(line, 7, &LineContext::default(), &mut out)
            .unwrap();
        let e = &out.batch.entries[0];
        assert_eq!(
            (e.date.to_string().as_str(), e.upvotes, e.num_comments),
            ("2025-06-02", 3, 2)
        );
        assert_eq!(e.submitted_at, None, "the item time is not on the list day");
        let bad = line.replace("2505.24864", "25.1");
        assert!(
            HfArchive
                .parse_line(&bad, 8, &LineContext::default(), &mut out)
                .unwrap_err()
                .contains("paper.id")
        );
    }
}
