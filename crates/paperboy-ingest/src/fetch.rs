//! Fetching papers by id from the arXiv API (`id_list` queries), as `paperboy fetch`
//! does and as a community paper submission will.

use std::collections::BTreeSet;

use paperboy_core::{ArxivId, VersionedId};
use paperboy_store::{Store, WriteSummary};
use serde::Serialize;

use crate::error::{IngestError, Result};
use crate::formats::atom::parse_feed;
use crate::http::{Fetched, PoliteClient};

/// The most ids one API request asks for.
pub const MAX_IDS_PER_REQUEST: usize = 100;

/// What a fetch did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FetchReport {
    /// Distinct ids asked for.
    pub requested: usize,
    /// Ids arXiv returned, canonical (no version).
    pub found: Vec<String>,
    /// Ids arXiv did not return (withdrawn ids are returned; these do not exist).
    pub missing: Vec<String>,
    /// Entries that could not be used, as `line N: reason`.
    pub skipped: Vec<String>,
    /// API requests made (retries not counted).
    pub requests: u64,
    /// What was written.
    #[serde(flatten)]
    pub written: WriteSummary,
}

/// Parses every id up front, so a typo fails before any request is made.
pub fn parse_ids<S: AsRef<str>>(inputs: &[S]) -> Result<Vec<VersionedId>> {
    inputs
        .iter()
        .map(|input| VersionedId::parse(input.as_ref()).map_err(IngestError::from))
        .collect()
}

/// Fetches `ids` from the arXiv API at `api_url` (`…/api/query`), at most
/// [`MAX_IDS_PER_REQUEST`] per request, and stores the papers (merged into what is
/// stored: a versioned id such as `2104.12255v1` fetches that version). Ids arXiv does
/// not return are listed in [`FetchReport::missing`]; 429/503 are retried politely by
/// `client`. Each request's papers commit in their own transaction.
pub async fn fetch_papers(
    store: &Store,
    client: &PoliteClient,
    api_url: &str,
    ids: &[VersionedId],
) -> Result<FetchReport> {
    let mut seen = BTreeSet::new();
    let unique: Vec<&VersionedId> = ids.iter().filter(|v| seen.insert(v.id.clone())).collect();
    let mut report = FetchReport {
        requested: unique.len(),
        ..FetchReport::default()
    };
    for batch in unique.chunks(MAX_IDS_PER_REQUEST) {
        let id_list = batch
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let max_results = batch.len().to_string();
        let query = [
            ("id_list", id_list.as_str()),
            ("start", "0"),
            ("max_results", max_results.as_str()),
        ];
        let fetched = client.get(api_url, &query).await?;
        report.requests += 1;
        let feed = read_feed(fetched)?;
        let returned: BTreeSet<ArxivId> = feed
            .parsed
            .batch
            .papers
            .iter()
            .map(|p| p.id.clone())
            .collect();
        for wanted in batch {
            if returned.contains(&wanted.id) {
                report.found.push(wanted.id.to_string());
            } else {
                report.missing.push(wanted.to_string());
            }
        }
        report.skipped.extend(
            feed.parsed
                .skipped
                .iter()
                .map(|s| format!("line {}: {}", s.line, s.reason)),
        );
        if !feed.parsed.batch.is_empty() {
            report.written += store.write(feed.parsed.batch).await?;
        }
    }
    Ok(report)
}

/// The feed of a response, or an error that says what arXiv objected to.
fn read_feed(fetched: Fetched) -> Result<crate::formats::atom::Feed> {
    let parsed = parse_feed(&fetched.body);
    if !fetched.is_success() {
        // arXiv explains a 400 in an Atom error entry; show its words.
        let detail = match parsed {
            Err(message) => message,
            Ok(_) => paperboy_core::text::normalize_whitespace(&fetched.body)
                .chars()
                .take(300)
                .collect(),
        };
        return Err(IngestError::Status {
            url: fetched.url,
            status: fetched.status,
            detail,
        });
    }
    let feed = parsed.map_err(|reason| IngestError::BadResponse {
        url: fetched.url.clone(),
        reason,
    })?;
    if let Some(broken) = &feed.broken {
        return Err(IngestError::BadResponse {
            url: fetched.url,
            reason: format!(
                "the response breaks off at line {}: {}; run the command again",
                broken.line, broken.reason
            ),
        });
    }
    Ok(feed)
}
