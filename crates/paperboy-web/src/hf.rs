//! The JSON shapes of Hugging Face's papers API, as recorded from
//! `huggingface.co/api/daily_papers` (newest schema: 2026-08) and read by the
//! `huggingface_hub` client (`PaperInfo`, `PaperAuthor`, `User`).
//!
//! Fields keep HF's names and order. A field paperboy has no value for is left out
//! rather than invented (`_id`, `discussionId`, `thumbnail`, `organization`);
//! `hidden`, `type`, `isPro` and `isAuthorParticipating` carry the values HF gives for
//! an ordinary public record.

use jiff::Timestamp;
use paperboy_core::{Author, DailyEntry, Submitter};
use paperboy_store::{DailyItem, PaperRecord};
use serde::Serialize;

/// A time as HF writes it: UTC, millisecond precision, `Z` (`2024-05-23T17:59:49.000Z`),
/// the one format `huggingface_hub.utils.parse_datetime` is written for.
pub(crate) fn timestamp(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A paper object: `paper` inside a daily item, and the body of `/api/papers/{id}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaperJson<'a> {
    id: &'a str,
    authors: Vec<AuthorJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    submitted_on_daily_at: Option<String>,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    submitted_on_daily_by: Option<UserJson<'a>>,
    summary: &'a str,
    upvotes: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    project_page: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    github_repo: Option<&'a str>,
    #[serde(rename = "ai_summary", skip_serializing_if = "Option::is_none")]
    ai_summary: Option<&'a str>,
    #[serde(rename = "ai_keywords", skip_serializing_if = "<[_]>::is_empty")]
    ai_keywords: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    github_stars: Option<u64>,
}

/// An author: HF's `{"_id", "name", "hidden"}` without the `_id` paperboy lacks.
#[derive(Debug, Serialize)]
struct AuthorJson<'a> {
    name: &'a str,
    hidden: bool,
}

/// A user (`submittedBy`, `submittedOnDailyBy`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct UserJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    avatar_url: Option<&'a str>,
    /// HF repeats the username as `user` in `submittedOnDailyBy` only;
    /// `huggingface_hub` reads it as `User.username`.
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<&'a str>,
    fullname: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    is_pro: bool,
}

impl<'a> UserJson<'a> {
    fn new(submitter: &'a Submitter, with_user: bool) -> Self {
        Self {
            avatar_url: submitter.avatar_url.as_deref(),
            user: with_user.then_some(submitter.name.as_str()),
            // HF's fullname defaults to the username.
            fullname: submitter.fullname.as_deref().unwrap_or(&submitter.name),
            name: &submitter.name,
            kind: "user",
            is_pro: false,
        }
    }
}

impl<'a> PaperJson<'a> {
    /// The paper of `record`, placed on a daily list by `entry` when given, with
    /// `upvotes`.
    pub(crate) fn new(
        record: &'a PaperRecord,
        entry: Option<&'a DailyEntry>,
        upvotes: u32,
    ) -> Self {
        let paper = &record.paper;
        Self {
            id: paper.id.as_str(),
            authors: paper.authors.iter().map(AuthorJson::from).collect(),
            published_at: paper.published_or_announced().map(timestamp),
            submitted_on_daily_at: entry.and_then(|e| e.submitted_at).map(timestamp),
            title: &paper.title,
            submitted_on_daily_by: entry
                .and_then(|e| e.submitted_by.as_ref())
                .map(|s| UserJson::new(s, true)),
            summary: &paper.summary,
            upvotes,
            project_page: paper.project_page.as_deref(),
            github_repo: paper.github_repo.as_deref(),
            ai_summary: paper.ai_summary.as_deref(),
            ai_keywords: &paper.ai_keywords,
            github_stars: paper.github_stars,
        }
    }

    /// The body of `/api/papers/{id}`: the paper with its most recent daily entry.
    pub(crate) fn detail(record: &'a PaperRecord, latest_entry: Option<&'a DailyEntry>) -> Self {
        Self::new(record, latest_entry, record.upvotes)
    }
}

impl<'a> From<&'a Author> for AuthorJson<'a> {
    fn from(author: &'a Author) -> Self {
        Self {
            name: &author.name,
            hidden: false,
        }
    }
}

/// One item of `/api/daily_papers`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DailyItemJson<'a> {
    paper: PaperJson<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published_at: Option<String>,
    title: &'a str,
    summary: &'a str,
    /// Comments on the daily entry; left out for a paper that is not on a list.
    #[serde(skip_serializing_if = "Option::is_none")]
    num_comments: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    submitted_by: Option<UserJson<'a>>,
    is_author_participating: bool,
}

impl<'a> DailyItemJson<'a> {
    /// An item of `/api/papers/search`: HF answers a search in the shape of daily
    /// items, and `huggingface_hub` reads the top-level `title`. A hit is a paper,
    /// not a daily entry, so the entry's fields are left out.
    pub(crate) fn search_hit(record: &'a PaperRecord) -> Self {
        let paper = &record.paper;
        Self {
            paper: PaperJson::detail(record, None),
            published_at: paper.published_or_announced().map(timestamp),
            title: &paper.title,
            summary: &paper.summary,
            num_comments: None,
            submitted_by: None,
            is_author_participating: false,
        }
    }
}

/// An item of `/api/papers/{id}/similar`: the flat paper object with the cosine
/// similarity of its embedding to the paper asked about.
#[derive(Debug, Serialize)]
pub(crate) struct SimilarJson<'a> {
    #[serde(flatten)]
    paper: PaperJson<'a>,
    similarity: f32,
}

impl<'a> SimilarJson<'a> {
    /// `record`, `similarity` away from the paper asked about.
    pub(crate) fn new(record: &'a PaperRecord, similarity: f32) -> Self {
        Self {
            paper: PaperJson::detail(record, None),
            similarity,
        }
    }
}

impl<'a> From<&'a DailyItem> for DailyItemJson<'a> {
    fn from(item: &'a DailyItem) -> Self {
        let paper = &item.record.paper;
        Self {
            paper: PaperJson::new(&item.record, Some(&item.entry), item.entry.upvotes),
            published_at: paper.published_or_announced().map(timestamp),
            title: &paper.title,
            summary: &paper.summary,
            num_comments: Some(item.entry.num_comments),
            submitted_by: item
                .entry
                .submitted_by
                .as_ref()
                .map(|s| UserJson::new(s, false)),
            is_author_participating: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use paperboy_core::{ArxivId, Paper};
    use serde_json::json;

    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn timestamps_have_milliseconds_and_z() {
        assert_eq!(
            timestamp(ts("2024-05-23T17:59:49Z")),
            "2024-05-23T17:59:49.000Z"
        );
        assert_eq!(
            timestamp(ts("2026-08-19T20:00:00.123456Z")),
            "2026-08-19T20:00:00.123Z"
        );
    }

    fn item() -> DailyItem {
        let id = ArxivId::parse("2608.19880").expect("id");
        let mut paper = Paper::new(
            id.clone(),
            "EnvHarness".into(),
            "LLM agents learn.".into(),
            vec![Author::named("Chengsong Huang")],
        );
        paper.published = Some(ts("2026-08-20T00:00:00Z"));
        paper.github_repo = Some("https://github.com/google-research/envharness".into());
        paper.ai_keywords = vec!["LLM agents".into()];
        let mut entry = DailyEntry::new(date(2026, 8, 21), id);
        entry.upvotes = 163;
        entry.num_comments = 1;
        entry.submitted_at = Some(ts("2026-08-21T00:00:00Z"));
        entry.submitted_by = Some(Submitter {
            name: "taesiri".into(),
            fullname: None,
            avatar_url: Some("https://cdn-avatars.huggingface.co/a.png".into()),
        });
        DailyItem {
            record: PaperRecord {
                paper,
                upvotes: 170,
                first_seen: ts("2026-08-21T01:00:00Z"),
            },
            entry,
            trend: None,
        }
    }

    #[test]
    fn daily_item_has_hf_shape_and_omits_unknown_fields() {
        let item = item();
        let value = serde_json::to_value(DailyItemJson::from(&item)).expect("serialises");
        assert_eq!(
            value,
            json!({
                "paper": {
                    "id": "2608.19880",
                    "authors": [{"name": "Chengsong Huang", "hidden": false}],
                    "publishedAt": "2026-08-20T00:00:00.000Z",
                    "submittedOnDailyAt": "2026-08-21T00:00:00.000Z",
                    "title": "EnvHarness",
                    "submittedOnDailyBy": {
                        "avatarUrl": "https://cdn-avatars.huggingface.co/a.png",
                        "user": "taesiri",
                        "fullname": "taesiri",
                        "name": "taesiri",
                        "type": "user",
                        "isPro": false
                    },
                    "summary": "LLM agents learn.",
                    "upvotes": 163,
                    "githubRepo": "https://github.com/google-research/envharness",
                    "ai_keywords": ["LLM agents"]
                },
                "publishedAt": "2026-08-20T00:00:00.000Z",
                "title": "EnvHarness",
                "summary": "LLM agents learn.",
                "numComments": 1,
                "submittedBy": {
                    "avatarUrl": "https://cdn-avatars.huggingface.co/a.png",
                    "fullname": "taesiri",
                    "name": "taesiri",
                    "type": "user",
                    "isPro": false
                },
                "isAuthorParticipating": false
            })
        );
    }

    #[test]
    fn search_hits_are_daily_items_without_an_entry() {
        let item = item();
        let value =
            serde_json::to_value(DailyItemJson::search_hit(&item.record)).expect("serialises");
        assert_eq!(value["paper"]["id"], "2608.19880");
        assert_eq!(value["paper"]["upvotes"], 170);
        assert_eq!(value["title"], "EnvHarness");
        assert_eq!(value["publishedAt"], "2026-08-20T00:00:00.000Z");
        assert_eq!(value["isAuthorParticipating"], false);
        for absent in ["numComments", "submittedBy"] {
            assert!(value.get(absent).is_none(), "{absent}");
        }
        assert!(value["paper"].get("submittedOnDailyAt").is_none());
    }

    #[test]
    fn similar_papers_are_flat_papers_with_a_similarity() {
        let item = item();
        let value = serde_json::to_value(SimilarJson::new(&item.record, 0.5)).expect("serialises");
        assert_eq!(value["id"], "2608.19880");
        assert_eq!(value["title"], "EnvHarness");
        assert_eq!(value["similarity"], 0.5);
    }

    #[test]
    fn paper_detail_counts_the_paper_s_upvotes() {
        let item = item();
        let value =
            serde_json::to_value(PaperJson::detail(&item.record, None)).expect("serialises");
        assert_eq!(value["upvotes"], 170);
        assert!(value.get("submittedOnDailyAt").is_none());
    }
}
