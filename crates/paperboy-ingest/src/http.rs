//! Polite HTTP for arXiv: one client, one request at a time per interval.
//!
//! arXiv asks API and OAI-PMH clients to identify themselves, to make no more than one
//! request every three seconds, and to honour `Retry-After` when it answers 503 (or
//! 429). [`PoliteClient`] does all of that for every request it makes:
//!
//! - User-Agent `paperboy/<version> (mailto:<contact_email>)`;
//! - requests are spaced by at least [`HttpOptions::interval`], across every caller
//!   sharing the client (it is cheap to clone);
//! - 429 and 503 are retried after `Retry-After` (seconds or an HTTP date), other 5xx
//!   statuses and network failures after an exponential backoff, each a bounded number
//!   of times; a `Retry-After` longer than [`HttpOptions::max_wait`] is an error;
//! - connect and whole-request timeouts, a cap on the body size;
//! - TLS through rustls with the operating system's certificate verifier
//!   (`rustls-platform-verifier`, reqwest's `rustls` feature), so networks whose
//!   proxies re-sign TLS with a locally trusted CA work; `HTTPS_PROXY` / `NO_PROXY`
//!   are honoured.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::{IngestError, Result};

/// How a [`PoliteClient`] behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpOptions {
    /// The operator's address, sent in the User-Agent as arXiv asks; may be empty.
    pub contact_email: String,
    /// The least time between the starts of two requests.
    pub interval: Duration,
    /// The longest a whole request (connect, send, read the body) may take.
    pub timeout: Duration,
    /// The longest connecting may take.
    pub connect_timeout: Duration,
    /// The largest body accepted.
    pub max_body_bytes: u64,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// The longest pause a `Retry-After` may ask for; longer is an error.
    pub max_wait: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            contact_email: String::new(),
            interval: Duration::from_secs(3),
            timeout: Duration::from_secs(180),
            connect_timeout: Duration::from_secs(30),
            max_body_bytes: 64 << 20,
            max_attempts: 6,
            max_wait: Duration::from_secs(600),
        }
    }
}

/// A response with a status retrying did not change: 2xx, or a 4xx other than 429.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The final URL requested.
    pub url: String,
    /// The HTTP status.
    pub status: u16,
    /// The body (not valid UTF-8 is an error for a 2xx; replaced for an error status).
    pub body: String,
}

impl Fetched {
    /// True for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// An HTTP client that keeps to arXiv's rules. Clones share the request spacing.
#[derive(Clone)]
pub struct PoliteClient {
    client: reqwest::Client,
    options: Arc<HttpOptions>,
    /// The earliest moment the next request may start.
    next_slot: Arc<Mutex<Instant>>,
}

impl std::fmt::Debug for PoliteClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoliteClient")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// `paperboy/<version> (mailto:<contact>)`, or `paperboy/<version>` without a contact.
pub fn user_agent(contact_email: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    match contact_email.trim() {
        "" => format!("paperboy/{version}"),
        contact => format!("paperboy/{version} (mailto:{contact})"),
    }
}

/// How long `Retry-After` asks to wait: delay-seconds, or an HTTP date (a date in the
/// past means no wait). `None` when the value is neither.
pub fn parse_retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .relaxed_weekday(true)
        .parse_timestamp(value)
        .ok()?;
    let seconds = at.duration_since(now).as_secs_f64();
    Some(Duration::from_secs_f64(seconds.max(0.0)))
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, Timestamp::now())
}

/// What one attempt came to.
enum Attempt {
    Done(Fetched),
    /// Worth another try after this pause (`None`: the backoff decides).
    Retry {
        pause: Option<Duration>,
        failure: Failure,
    },
}

/// The last reason an attempt failed, for the final error.
enum Failure {
    Status(u16),
    Network(String),
}

impl PoliteClient {
    /// Builds a client. Fails only when TLS cannot be set up.
    pub fn new(options: HttpOptions) -> Result<Self> {
        let client = reqwest::Client::builder()
            .user_agent(user_agent(&options.contact_email))
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .build()
            .map_err(|e| IngestError::Client(error_chain(&e)))?;
        Ok(Self {
            client,
            options: Arc::new(options),
            next_slot: Arc::new(Mutex::new(Instant::now())),
        })
    }

    /// The options this client was built with.
    pub fn options(&self) -> &HttpOptions {
        &self.options
    }

    /// GETs `base` with `query` appended, retrying as the module describes. Returns
    /// 2xx and 4xx (but 429) responses; the caller decides what a 4xx means.
    pub async fn get(&self, base: &str, query: &[(&str, &str)]) -> Result<Fetched> {
        let url = Url::parse_with_params(base, query).map_err(|e| IngestError::BadUrl {
            url: base.to_owned(),
            reason: e.to_string(),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(IngestError::BadUrl {
                url: base.to_owned(),
                reason: "only http and https URLs can be requested".into(),
            });
        }
        let attempts = self.options.max_attempts.max(1);
        let mut last = Failure::Network(String::new());
        for attempt in 1..=attempts {
            self.wait_turn().await;
            match self.attempt(&url).await? {
                Attempt::Done(fetched) => return Ok(fetched),
                Attempt::Retry { pause, failure } => {
                    let pause = pause.unwrap_or_else(|| self.backoff(attempt));
                    if pause > self.options.max_wait {
                        return Err(IngestError::WaitTooLong {
                            url: url.to_string(),
                            wait: pause,
                            max: self.options.max_wait,
                        });
                    }
                    let reason = match &failure {
                        Failure::Status(status) => format!("HTTP {status}"),
                        Failure::Network(reason) => reason.clone(),
                    };
                    if attempt < attempts {
                        tracing::warn!(
                            "{url}: {reason}; attempt {attempt} of {attempts}, next in {:.1}s",
                            pause.as_secs_f64()
                        );
                        self.push_next_slot(pause).await;
                    }
                    last = failure;
                }
            }
        }
        let url = url.to_string();
        Err(match last {
            Failure::Status(status) => IngestError::Busy {
                url,
                status,
                attempts,
            },
            Failure::Network(reason) => IngestError::Unreachable {
                url,
                attempts,
                reason,
            },
        })
    }

    /// Waits until the next request may start, and books the slot after it.
    async fn wait_turn(&self) {
        let mut next = self.next_slot.lock().await;
        tokio::time::sleep_until(*next).await;
        *next = Instant::now() + self.options.interval;
    }

    /// Keeps every request off the server for at least `pause` from now.
    async fn push_next_slot(&self, pause: Duration) {
        let mut next = self.next_slot.lock().await;
        *next = (*next).max(Instant::now() + pause);
    }

    /// The pause before attempt `attempt + 1` when the server said nothing: the
    /// interval (at least 100 ms), doubled per failed attempt, capped at `max_wait`.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.options.interval.max(Duration::from_millis(100));
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
        base.saturating_mul(factor).min(self.options.max_wait)
    }

    async fn attempt(&self, url: &Url) -> Result<Attempt> {
        let response = match self.client.get(url.clone()).send().await {
            Ok(response) => response,
            Err(e) => {
                return Ok(Attempt::Retry {
                    pause: None,
                    failure: Failure::Network(error_chain(&e)),
                });
            }
        };
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Ok(Attempt::Retry {
                pause: retry_after(response.headers()),
                failure: Failure::Status(status.as_u16()),
            });
        }
        let bytes = match self.read_body(url, response).await {
            Ok(bytes) => bytes,
            Err(Some(e)) => return Err(e),
            Err(None) => {
                return Ok(Attempt::Retry {
                    pause: None,
                    failure: Failure::Network("the connection broke while reading".into()),
                });
            }
        };
        let body = if status.is_success() {
            String::from_utf8(bytes).map_err(|e| IngestError::BadResponse {
                url: url.to_string(),
                reason: format!(
                    "the body is not UTF-8 (invalid at byte {})",
                    e.utf8_error().valid_up_to()
                ),
            })?
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        Ok(Attempt::Done(Fetched {
            url: url.to_string(),
            status: status.as_u16(),
            body,
        }))
    }

    /// Reads the body up to the size cap. `Err(None)`: the transfer broke (retry).
    async fn read_body(
        &self,
        url: &Url,
        mut response: reqwest::Response,
    ) -> std::result::Result<Vec<u8>, Option<IngestError>> {
        let limit = self.options.max_body_bytes;
        let too_large = || IngestError::TooLarge {
            url: url.to_string(),
            limit_mib: limit.div_ceil(1 << 20),
        };
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(Some(too_large()));
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if (body.len() + chunk.len()) as u64 > limit {
                        return Err(Some(too_large()));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(body),
                Err(e) => {
                    tracing::debug!("{url}: reading the body failed: {}", error_chain(&e));
                    return Err(None);
                }
            }
        }
    }
}

/// An error with its causes, `a: b: c`.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now: Timestamp = "2026-04-12T22:59:06Z".parse().unwrap();
        assert_eq!(parse_retry_after("10", now), Some(Duration::from_secs(10)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::from_secs(0)));
        assert_eq!(
            parse_retry_after("Sun, 12 Apr 2026 22:59:36 GMT", now),
            Some(Duration::from_secs(30)),
            "an HTTP date (the weekday is wrong, as servers get it wrong)"
        );
        assert_eq!(
            parse_retry_after("Sun, 12 Apr 2026 22:00:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn arxivs_recorded_throttling_asks_for_ten_seconds() {
        let Some(text) = paperboy_testkit::shared_text(
            "fixtures/oai_pmh/arxiv_2018/nock_recordings/oaipmh-listrecords---should-list-identifiers-from-arxiv.json",
        ) else {
            return;
        };
        let recording: serde_json::Value = serde_json::from_str(&text).unwrap();
        let throttled = &recording[0];
        assert_eq!(throttled["status"], 503);
        let headers: Vec<&str> = throttled["rawHeaders"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let value = headers
            .chunks(2)
            .find(|pair| pair[0].eq_ignore_ascii_case("retry-after"))
            .map(|pair| pair[1])
            .unwrap();
        assert_eq!(
            parse_retry_after(value, Timestamp::now()),
            Some(Duration::from_secs(10))
        );
        assert_eq!(recording[1]["status"], 200, "the retry succeeded");
    }

    #[test]
    fn user_agent_names_the_contact() {
        let ua = user_agent("ops@example.org");
        assert!(ua.starts_with("paperboy/"), "{ua}");
        assert!(ua.ends_with(" (mailto:ops@example.org)"), "{ua}");
        assert!(!user_agent(" ").contains("mailto"));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let client = PoliteClient::new(HttpOptions {
            interval: Duration::from_secs(3),
            max_wait: Duration::from_secs(20),
            ..HttpOptions::default()
        })
        .unwrap();
        assert_eq!(client.backoff(1), Duration::from_secs(3));
        assert_eq!(client.backoff(2), Duration::from_secs(6));
        assert_eq!(client.backoff(3), Duration::from_secs(12));
        assert_eq!(client.backoff(4), Duration::from_secs(20));
        assert_eq!(client.backoff(40), Duration::from_secs(20));
    }
}
