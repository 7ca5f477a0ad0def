//! GitHub stars of the papers' code: [`GithubClient`] asks the GitHub REST API how
//! many stars a repository has; [`StarsJob`] samples the repositories of the papers
//! on the trending window's daily lists every few hours, so trending can weigh the
//! stars a paper's code gained (`paperboy_core::trending`) and lists show current
//! counts.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use paperboy_core::endpoint::error_message;
use paperboy_core::trending::trending_since;
use paperboy_jobs::{BoxFuture, Job, JobContext, JobError, JobSpec, Outcome, Progress, Scope};
use paperboy_store::{DayList, Store};
use reqwest::{StatusCode, Url};
use serde::Deserialize;

use crate::http::{self, BodyError};
use crate::{EnrichError, Result};

/// Largest answer read for one repository.
const MAX_RESPONSE_BYTES: usize = 256 << 10;
/// Repositories sampled per round at most.
const PER_ROUND: u32 = 500;
/// How long a request may take.
const TIMEOUT: Duration = Duration::from_secs(20);
/// The pause after a rate limit that names no reset time.
const RATE_LIMIT_PAUSE: Duration = Duration::from_secs(3600);

/// How to reach the GitHub API.
#[derive(Clone)]
pub struct GithubOptions {
    /// The API's root, `https://api.github.com` (or a GitHub Enterprise one).
    pub api_url: String,
    /// A token (a fine-grained one with no permissions is enough); empty: none,
    /// and GitHub allows 60 requests an hour.
    pub token: String,
}

impl std::fmt::Debug for GithubOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GithubOptions")
            .field("api_url", &self.api_url)
            .field("token", &if self.token.is_empty() { "" } else { "(set)" })
            .finish()
    }
}

/// Why a repository's stars are not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StarsFailure {
    /// The link is not to a GitHub repository, or GitHub has no such repository
    /// (deleted, private, renamed away): asking again will not help.
    NotFound,
    /// GitHub's rate limit: wait this long before the next request.
    RateLimited(Duration),
    /// No connection, a timeout, a 5xx or an answer without a star count.
    Failed(String),
}

/// A client of the GitHub REST API's repository endpoint.
#[derive(Debug, Clone)]
pub struct GithubClient {
    client: reqwest::Client,
    api: Url,
    options: GithubOptions,
}

#[derive(Deserialize)]
struct RepoAnswer {
    stargazers_count: u64,
}

impl GithubClient {
    /// A client for `options.api_url`, which must be an http(s) URL.
    pub fn new(options: GithubOptions) -> Result<Self> {
        let invalid = |detail: String| EnrichError::GithubEndpoint {
            url: options.api_url.clone(),
            detail,
        };
        let mut api = Url::parse(options.api_url.trim())
            .map_err(|e| invalid(format!("not a URL ({e}); use https://api.github.com")))?;
        if !matches!(api.scheme(), "http" | "https") {
            return Err(invalid("only http and https URLs are supported".into()));
        }
        if !api.path().ends_with('/') {
            api.set_path(&format!("{}/", api.path()));
        }
        let client = http::client(TIMEOUT).map_err(invalid)?;
        Ok(Self {
            client,
            api,
            options,
        })
    }

    /// The API's root.
    pub fn url(&self) -> &Url {
        &self.api
    }

    /// The stars of the repository at `repo_url` (`https://github.com/OWNER/NAME`).
    pub async fn stars(&self, repo_url: &str) -> Result<u64, StarsFailure> {
        let (owner, name) = github_repo(repo_url).ok_or(StarsFailure::NotFound)?;
        let url = self
            .api
            .join(&format!("repos/{owner}/{name}"))
            .map_err(|_| StarsFailure::NotFound)?;
        let mut request = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28");
        if !self.options.token.is_empty() {
            request = request.bearer_auth(&self.options.token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| StarsFailure::Failed(http::failure(&e)))?;
        let status = response.status();
        let pause = rate_limit_pause(&response);
        let body = http::read_capped(response, MAX_RESPONSE_BYTES)
            .await
            .map_err(|e| match e {
                BodyError::TooLarge(limit) => {
                    StarsFailure::Failed(format!("the answer is larger than {limit} bytes"))
                }
                BodyError::Transport(e) => StarsFailure::Failed(http::failure(&e)),
            })?;
        match status {
            s if s.is_success() => serde_json::from_slice::<RepoAnswer>(&body)
                .map(|answer| answer.stargazers_count)
                .map_err(|e| StarsFailure::Failed(format!("no star count in the answer ({e})"))),
            StatusCode::NOT_FOUND
            | StatusCode::GONE
            | StatusCode::UNAVAILABLE_FOR_LEGAL_REASONS => Err(StarsFailure::NotFound),
            StatusCode::TOO_MANY_REQUESTS => {
                Err(StarsFailure::RateLimited(pause.unwrap_or(RATE_LIMIT_PAUSE)))
            }
            StatusCode::FORBIDDEN if pause.is_some() => {
                Err(StarsFailure::RateLimited(pause.unwrap_or(RATE_LIMIT_PAUSE)))
            }
            s => Err(StarsFailure::Failed(format!(
                "HTTP {s}: {}",
                error_message(&body)
            ))),
        }
    }
}

/// `(owner, name)` of a `https://github.com/OWNER/NAME[.git][/…]` link.
pub fn github_repo(url: &str) -> Option<(String, String)> {
    let url = Url::parse(url.trim()).ok()?;
    let host = url.host_str()?.trim_start_matches("www.");
    if host != "github.com" {
        return None;
    }
    let mut segments = url.path_segments()?.filter(|s| !s.is_empty());
    let owner = segments.next()?;
    let name = segments.next()?;
    let name = name.strip_suffix(".git").unwrap_or(name);
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && s != "."
            && s != ".."
    };
    (valid(owner) && valid(name)).then(|| (owner.to_owned(), name.to_owned()))
}

/// How long GitHub asks us to wait, when it is a rate limit answer: `Retry-After`
/// (secondary limits), else `x-ratelimit-reset` once `x-ratelimit-remaining` is 0.
fn rate_limit_pause(response: &reqwest::Response) -> Option<Duration> {
    if let Some(wait) = http::retry_after(response) {
        return Some(wait);
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
    };
    if header("x-ratelimit-remaining")? != 0 {
        return None;
    }
    let reset = Timestamp::from_second(header("x-ratelimit-reset")?).ok()?;
    let wait = reset.duration_since(Timestamp::now()).as_secs().max(1);
    Some(Duration::from_secs(wait.unsigned_abs()).min(RATE_LIMIT_PAUSE))
}

/// Samples the stars of the code of the papers on the trending window's daily
/// lists, each repository at most once per `every`, least recently sampled first.
/// Runs once per cluster.
#[derive(Debug)]
pub struct StarsJob {
    store: Store,
    client: GithubClient,
    every: Duration,
    pace: Duration,
    /// Repositories GitHub does not have: not asked again by this process.
    missing: Mutex<HashSet<String>>,
}

impl StarsJob {
    /// A job sampling through `client` every `every`, one request per second.
    pub fn new(store: Store, client: GithubClient, every: Duration) -> Self {
        Self {
            store,
            client,
            every,
            pace: Duration::from_secs(1),
            missing: Mutex::new(HashSet::new()),
        }
    }

    /// The same job waiting `pace` between two requests.
    pub fn with_pace(mut self, pace: Duration) -> Self {
        self.pace = pace;
        self
    }

    /// One round: samples every repository due. Returns how it ended.
    pub async fn run_round(&self, ctx: &JobContext) -> Result<Outcome> {
        let Some(latest) = self.store.latest_day(DayList::Daily).await? else {
            return Ok(Outcome::Idle);
        };
        let now = self.store.clock().now();
        let sampled_before = now
            .checked_sub(SignedDuration::try_from(self.every).unwrap_or(SignedDuration::MAX))
            .unwrap_or(now);
        let due = self
            .store
            .repos_to_sample(trending_since(latest), sampled_before, PER_ROUND)
            .await?;
        let mut progress = Progress::default();
        for repo in due {
            if self.is_missing(&repo) {
                continue;
            }
            if progress != Progress::default() && !ctx.sleep(self.pace).await {
                break;
            }
            let answer = tokio::select! {
                answer = self.client.stars(&repo) => answer,
                _ = ctx.cancelled() => break,
            };
            match answer {
                Ok(stars) => {
                    self.store.record_stars(&repo, stars).await?;
                    progress.done += 1;
                }
                Err(StarsFailure::NotFound) => {
                    tracing::info!(
                        repo,
                        "GitHub has no such repository; its stars stay unknown"
                    );
                    self.mark_missing(repo);
                    progress.unchanged += 1;
                }
                Err(StarsFailure::RateLimited(wait)) => {
                    tracing::warn!(?wait, "GitHub's rate limit: stars sampling pauses");
                    ctx.report(progress);
                    return Ok(Outcome::After(wait));
                }
                Err(StarsFailure::Failed(detail)) => {
                    tracing::warn!(repo, "GitHub stars: {detail}");
                    progress.failed += 1;
                }
            }
            ctx.report(progress);
        }
        Ok(Outcome::Idle)
    }

    fn is_missing(&self, repo: &str) -> bool {
        self.missing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(repo)
    }

    fn mark_missing(&self, repo: String) {
        self.missing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(repo);
    }
}

impl Job for StarsJob {
    fn spec(&self) -> JobSpec {
        JobSpec::new("github-stars", Scope::Cluster, self.every)
    }

    fn run<'a>(&'a self, ctx: &'a JobContext) -> BoxFuture<'a, Result<Outcome, JobError>> {
        Box::pin(async move { Ok(self.run_round(ctx).await?) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_links_name_their_repository() {
        let repo = |url: &str| github_repo(url).map(|(o, n)| format!("{o}/{n}"));
        assert_eq!(
            repo("https://github.com/a-b/c.d").as_deref(),
            Some("a-b/c.d")
        );
        assert_eq!(
            repo("https://github.com/owner/name.git").as_deref(),
            Some("owner/name")
        );
        assert_eq!(
            repo("https://www.github.com/owner/name/tree/main/src").as_deref(),
            Some("owner/name")
        );
        for not in [
            "https://gitlab.com/owner/name",
            "https://github.com/owner",
            "https://github.com/../x",
            "not a url",
            "https://github.com/own%20er/x",
        ] {
            assert_eq!(repo(not), None, "{not}");
        }
    }

    #[test]
    fn the_token_stays_out_of_debug_output() {
        let options = GithubOptions {
            api_url: "https://api.github.com".into(),
            token: "ghp_secret".into(),
        };
        let shown = format!("{:?}", GithubClient::new(options).unwrap());
        assert!(
            !shown.contains("ghp_secret") && shown.contains("(set)"),
            "{shown}"
        );
    }
}
