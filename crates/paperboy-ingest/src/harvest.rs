//! OAI-PMH harvesting: `ListRecords` page after page, following resumption tokens,
//! each page's records committed together with the token of the next page.
//!
//! Because a page and its checkpoint commit in one transaction, a harvest killed at
//! any moment (even `kill -9`) resumes exactly: the next run requests the saved
//! token, never a page already stored, and ends with every record once. Without a
//! `from` day, a harvest continues from the newest datestamp of the last *completed*
//! harvest of the same source (endpoint, metadata prefix, set).
//!
//! # Scheduled harvests (`serve`)
//!
//! `serve` harvests the configured sets on a timer with [`harvest_sets`], or one
//! source with [`harvest`]:
//!
//! ```no_run
//! # async fn run(store: paperboy_store::Store) -> Result<(), paperboy_ingest::IngestError> {
//! use paperboy_ingest::harvest::{MetadataPrefix, harvest_sets};
//! use paperboy_ingest::http::{HttpOptions, PoliteClient};
//!
//! let client = PoliteClient::new(HttpOptions {
//!     contact_email: "ops@example.org".into(),
//!     ..HttpOptions::default()
//! })?;
//! let sets = vec!["cs".to_owned()];
//! for (set, outcome) in
//!     harvest_sets(&store, &client, "https://oaipmh.arxiv.org/oai", MetadataPrefix::Arxiv, &sets).await
//! {
//!     match outcome {
//!         Ok(report) => tracing::info!("harvested {set}: {} records", report.records),
//!         Err(e) => tracing::warn!("harvesting {set} failed: {e}"),
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Share one [`PoliteClient`] between harvest and fetch so arXiv sees one polite
//! client. Runs of the same source must not overlap (one scheduler task does that).

use std::time::{Duration, Instant};

use jiff::civil::Date;
use paperboy_jobs::{BoxFuture, Job, JobContext, JobError, JobSpec, Outcome, Progress, Scope};
use paperboy_store::{HarvestCheckpoint, Store, WriteSummary};
use serde::Serialize;

use crate::error::{IngestError, Result};
use crate::formats::oai::{OaiPage, PageError, parse_page};
use crate::http::{Fetched, PoliteClient};

/// The OAI-PMH metadata formats paperboy reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum MetadataPrefix {
    /// `arXiv`: structured authors with affiliations, created/updated days.
    #[default]
    #[serde(rename = "arXiv")]
    Arxiv,
    /// `arXivRaw`: every version with its date; authors as one string.
    #[serde(rename = "arXivRaw")]
    ArxivRaw,
}

impl MetadataPrefix {
    /// The `metadataPrefix` value.
    pub fn as_str(self) -> &'static str {
        match self {
            MetadataPrefix::Arxiv => "arXiv",
            MetadataPrefix::ArxivRaw => "arXivRaw",
        }
    }

    /// The prefix named `name` (`arXiv` or `arXivRaw`).
    pub fn from_name(name: &str) -> Option<Self> {
        [MetadataPrefix::Arxiv, MetadataPrefix::ArxivRaw]
            .into_iter()
            .find(|p| p.as_str() == name)
    }
}

/// What to harvest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HarvestOptions {
    /// The OAI-PMH endpoint, e.g. `https://oaipmh.arxiv.org/oai`.
    pub base_url: String,
    /// The metadata format.
    pub metadata_prefix: MetadataPrefix,
    /// An OAI set such as `cs` or `physics:hep-th`; `None` harvests everything.
    pub set: Option<String>,
    /// The first datestamp day; `None` continues from the last completed harvest.
    pub from: Option<Date>,
    /// The last datestamp day; `None` is open-ended.
    pub until: Option<Date>,
}

impl HarvestOptions {
    /// Everything new at `base_url`, in the `arXiv` format.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            metadata_prefix: MetadataPrefix::default(),
            set: None,
            from: None,
            until: None,
        }
    }

    /// The checkpoint key: `"<base url> <metadata prefix> <set or *>"`.
    pub fn source(&self) -> String {
        format!(
            "{} {} {}",
            self.base_url.trim_end_matches(['/', '?']),
            self.metadata_prefix.as_str(),
            self.set.as_deref().unwrap_or("*")
        )
    }
}

/// What a harvest did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HarvestReport {
    /// The checkpoint key (see [`HarvestOptions::source`]).
    pub source: String,
    /// The `from` day requested (given, or continued from the last harvest).
    pub from: Option<Date>,
    /// The `until` day requested.
    pub until: Option<Date>,
    /// True when this run continued an interrupted harvest from its saved token.
    pub resumed: bool,
    /// True when the list was harvested to its end.
    pub complete: bool,
    /// Pages requested and stored by this run.
    pub pages: u64,
    /// Records on those pages (papers, deletions and unusable records).
    pub records: u64,
    /// Deleted records (arXiv keeps their metadata; paperboy keeps the paper).
    pub deleted: u64,
    /// Records that could not be used (logged with their page and line).
    pub skipped: u64,
    /// What was written.
    #[serde(flatten)]
    pub written: WriteSummary,
    /// Pages of the whole harvest, those before a resume included.
    pub total_pages: u64,
    /// Records of the whole harvest, those before a resume included.
    pub total_records: u64,
    /// The list size the repository announced.
    pub complete_list_size: Option<u64>,
    /// Where the next harvest without `from` starts.
    pub last_datestamp: Option<Date>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Harvests one source to the end of its list, resuming an interrupted harvest of
/// the same range. `on_page` is called after each committed page with the report so
/// far (for progress display).
///
/// A run resumes when a harvest of `options.source()` was interrupted and `from` /
/// `until` are unset or the same as that harvest's; otherwise it starts afresh at
/// `from`, or at the last completed harvest's newest datestamp.
pub async fn harvest(
    store: &Store,
    client: &PoliteClient,
    options: &HarvestOptions,
    on_page: &mut (dyn FnMut(&HarvestReport) + Send),
) -> Result<HarvestReport> {
    let started = Instant::now();
    let source = options.source();
    let mut checkpoint = store
        .harvest_checkpoint(&source)
        .await?
        .unwrap_or_else(|| HarvestCheckpoint::new(source.clone()));
    let resumed = checkpoint.resumption_token.is_some()
        && options.from.is_none_or(|f| checkpoint.from_day == Some(f))
        && options
            .until
            .is_none_or(|u| checkpoint.until_day == Some(u));
    if !resumed {
        if checkpoint.resumption_token.is_some() {
            tracing::warn!(
                "{source}: starting a new range; the interrupted harvest from {} is abandoned",
                day_or_start(checkpoint.from_day)
            );
        }
        start_afresh(&mut checkpoint, options);
    }
    let mut report = HarvestReport {
        source,
        from: checkpoint.from_day,
        until: checkpoint.until_day,
        resumed,
        total_pages: checkpoint.pages,
        total_records: checkpoint.records,
        last_datestamp: checkpoint.last_datestamp,
        ..HarvestReport::default()
    };
    loop {
        let token = checkpoint.resumption_token.clone();
        let page = request_page(store, client, options, &mut checkpoint, token.as_deref()).await?;
        let next = page.next_token().map(str::to_owned);
        if next.is_some() && next == token {
            return Err(IngestError::BadResponse {
                url: options.base_url.clone(),
                reason: "the repository sent the same resumption token again; stopping \
                         to avoid a loop"
                    .into(),
            });
        }
        let written = commit_page(store, &mut checkpoint, page, next.clone(), &mut report).await?;
        report.written += written;
        report.seconds = started.elapsed().as_secs_f64();
        on_page(&report);
        if next.is_none() {
            break;
        }
    }
    report.complete = true;
    report.last_datestamp = checkpoint.last_datestamp;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Harvests each of `sets` in turn from `base_url`, continuing each from its last
/// completed harvest, as `serve` does on a schedule. One set failing does not stop
/// the others; every outcome is returned with its set.
pub async fn harvest_sets(
    store: &Store,
    client: &PoliteClient,
    base_url: &str,
    metadata_prefix: MetadataPrefix,
    sets: &[String],
) -> Vec<(String, Result<HarvestReport>)> {
    let mut outcomes = Vec::with_capacity(sets.len());
    for set in sets {
        let options = HarvestOptions {
            metadata_prefix,
            set: Some(set.clone()),
            ..HarvestOptions::new(base_url)
        };
        let outcome = harvest(store, client, &options, &mut |_| {}).await;
        outcomes.push((set.clone(), outcome));
    }
    outcomes
}

/// The scheduled harvest as a cluster job: one instance harvests `sets` every
/// `every`, each set continuing from its last completed harvest. Stopping cuts a
/// harvest short; the next round resumes it from its checkpoint.
pub struct HarvestJob {
    store: Store,
    client: PoliteClient,
    base_url: String,
    sets: Vec<String>,
    every: Duration,
}

impl HarvestJob {
    /// Harvests `sets` from `base_url` through `client` every `every`.
    pub fn new(
        store: Store,
        client: PoliteClient,
        base_url: String,
        sets: Vec<String>,
        every: Duration,
    ) -> Self {
        Self {
            store,
            client,
            base_url,
            sets,
            every,
        }
    }
}

impl Job for HarvestJob {
    fn spec(&self) -> JobSpec {
        JobSpec::new("harvest", Scope::Cluster, self.every)
    }

    fn run<'a>(&'a self, ctx: &'a JobContext) -> BoxFuture<'a, Result<Outcome, JobError>> {
        Box::pin(async move {
            let run = harvest_sets(
                &self.store,
                &self.client,
                &self.base_url,
                MetadataPrefix::Arxiv,
                &self.sets,
            );
            let outcomes = tokio::select! {
                outcomes = run => outcomes,
                _ = ctx.cancelled() => return Ok(Outcome::Idle),
            };
            let mut progress = Progress::default();
            let mut failures = Vec::new();
            for (set, outcome) in outcomes {
                match outcome {
                    Ok(report) => {
                        tracing::info!(
                            "harvested set {set}: {} records, {} new papers",
                            report.records,
                            report.written.papers_inserted
                        );
                        progress.done += report.records;
                    }
                    Err(e) => {
                        progress.failed += 1;
                        failures.push(format!("set {set}: {e}"));
                    }
                }
            }
            ctx.report(progress);
            if failures.is_empty() {
                Ok(Outcome::After(self.every))
            } else {
                Err(failures.join("; ").into())
            }
        })
    }
}

fn day_or_start(day: Option<Date>) -> String {
    day.map_or_else(|| "the beginning".to_owned(), |d| d.to_string())
}

/// Resets the running-harvest part of `checkpoint` for a new range.
fn start_afresh(checkpoint: &mut HarvestCheckpoint, options: &HarvestOptions) {
    checkpoint.from_day = options.from.or(checkpoint.last_datestamp);
    checkpoint.until_day = options.until;
    checkpoint.resumption_token = None;
    checkpoint.pages = 0;
    checkpoint.records = 0;
    checkpoint.run_datestamp = None;
}

/// Requests and parses one page: the first of the range, or the one `token` names.
async fn request_page(
    store: &Store,
    client: &PoliteClient,
    options: &HarvestOptions,
    checkpoint: &mut HarvestCheckpoint,
    token: Option<&str>,
) -> Result<OaiPage> {
    let from = checkpoint.from_day.map(|d| d.to_string());
    let until = checkpoint.until_day.map(|d| d.to_string());
    let mut query = vec![("verb", "ListRecords")];
    match token {
        Some(token) => query.push(("resumptionToken", token)),
        None => {
            query.push(("metadataPrefix", options.metadata_prefix.as_str()));
            query.extend(from.as_deref().map(|f| ("from", f)));
            query.extend(until.as_deref().map(|u| ("until", u)));
            query.extend(options.set.as_deref().map(|s| ("set", s)));
        }
    }
    let fetched = client.get(&options.base_url, &query).await?;
    match parse_page(&fetched.body) {
        Ok(page) if fetched.is_success() => match page.broken {
            Some(broken) => Err(IngestError::BadResponse {
                url: fetched.url,
                reason: format!(
                    "the page breaks off at line {}: {}; run the command again to resume",
                    broken.line, broken.reason
                ),
            }),
            None => Ok(page),
        },
        Err(PageError::Oai { code, message }) => {
            Err(oai_error(store, checkpoint, fetched, code, message, token.is_some()).await)
        }
        Err(other) if fetched.is_success() => Err(IngestError::BadResponse {
            url: fetched.url,
            reason: other.to_string(),
        }),
        _ => Err(status_error(fetched)),
    }
}

/// An HTTP error status with the start of its body.
fn status_error(fetched: Fetched) -> IngestError {
    let detail: String = paperboy_core::text::normalize_whitespace(&fetched.body)
        .chars()
        .take(300)
        .collect();
    IngestError::Status {
        url: fetched.url,
        status: fetched.status,
        detail,
    }
}

/// Turns an OAI `<error>` into an error that says what to do. A refused resumption
/// token resets the interrupted harvest so the next run restarts its range.
async fn oai_error(
    store: &Store,
    checkpoint: &mut HarvestCheckpoint,
    fetched: Fetched,
    code: String,
    message: String,
    resuming: bool,
) -> IngestError {
    let hint = match code.as_str() {
        "badResumptionToken" if resuming => {
            let from = day_or_start(checkpoint.from_day);
            let reset = async {
                let mut tx = store.begin_write().await?;
                checkpoint.resumption_token = None;
                checkpoint.pages = 0;
                checkpoint.records = 0;
                checkpoint.run_datestamp = None;
                tx.save_checkpoint(checkpoint).await?;
                tx.commit().await
            };
            match reset.await {
                Ok(_) => format!(
                    "Resumption tokens expire; the interrupted harvest was reset: run the \
                     command again to restart it from {from}"
                ),
                Err(e) => return IngestError::Store(e),
            }
        }
        "badArgument" | "cannotDisseminateFormat" | "noSetHierarchy" => {
            "Check --set, --from/--until (YYYY-MM-DD) and --metadata-prefix (arXiv or arXivRaw)"
                .into()
        }
        "badVerb" => "Is --base-url an OAI-PMH endpoint?".into(),
        _ => "See the OAI-PMH error codes in the protocol specification".into(),
    };
    IngestError::Oai {
        url: fetched.url,
        code,
        message,
        hint,
    }
}

/// Commits a page's records with the checkpoint naming the next page, in one
/// transaction.
async fn commit_page(
    store: &Store,
    checkpoint: &mut HarvestCheckpoint,
    page: OaiPage,
    next: Option<String>,
    report: &mut HarvestReport,
) -> Result<WriteSummary> {
    let page_number = checkpoint.pages + 1;
    for skipped in &page.parsed.skipped {
        tracing::warn!(
            "{}: page {page_number}, line {}: {}",
            report.source,
            skipped.line,
            skipped.reason
        );
    }
    checkpoint.pages = page_number;
    checkpoint.records += page.records;
    checkpoint.run_datestamp = checkpoint.run_datestamp.max(page.newest_datestamp);
    checkpoint.resumption_token = next;
    if checkpoint.resumption_token.is_none() {
        checkpoint.last_datestamp = checkpoint.last_datestamp.max(checkpoint.run_datestamp);
    }
    report.pages += 1;
    report.records += page.records;
    report.deleted += page.deleted.len() as u64;
    report.skipped += page.parsed.skipped.len() as u64;
    report.total_pages = checkpoint.pages;
    report.total_records = checkpoint.records;
    if let Some(size) = page.resumption.as_ref().and_then(|r| r.complete_list_size) {
        report.complete_list_size = Some(size);
    }
    let mut tx = store.begin_write().await?;
    tx.write(page.parsed.batch).await?;
    tx.save_checkpoint(checkpoint).await?;
    Ok(tx.commit().await?)
}
