//! The errors of ingest's network parts: polite HTTP, OAI-PMH harvest, arXiv API fetch.
//! Each message says what happened and what to do next.

use std::time::Duration;

use paperboy_core::ArxivIdError;
use paperboy_store::StoreError;

/// Why a harvest or fetch stopped.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The HTTP client could not be built (TLS set-up, certificate store).
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    /// A URL that cannot be requested.
    #[error("`{url}` is not a usable URL: {reason}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No answer: DNS, connection, TLS or timeout failures on every attempt.
    #[error(
        "{url}: no answer after {attempts} attempts ({reason}); check the network, the proxy \
         settings (HTTPS_PROXY) and the URL, then run the command again"
    )]
    Unreachable {
        /// The URL requested.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        reason: String,
    },
    /// The server kept answering 429, 503 or another 5xx.
    #[error(
        "{url}: the server is still busy (HTTP {status}) after {attempts} attempts; wait a few \
         minutes and run the command again (a harvest resumes where it stopped)"
    )]
    Busy {
        /// The URL requested.
        url: String,
        /// The last status.
        status: u16,
        /// Attempts made.
        attempts: u32,
    },
    /// `Retry-After` asked for a longer pause than the client is willing to make.
    #[error(
        "{url}: the server asks to wait {}s before the next request, longer than the {}s \
         paperboy waits; run the command again later",
        wait.as_secs(),
        max.as_secs()
    )]
    WaitTooLong {
        /// The URL requested.
        url: String,
        /// What the server asked for.
        wait: Duration,
        /// The most the client waits.
        max: Duration,
    },
    /// An HTTP status that retrying cannot fix (4xx other than 429).
    #[error("{url}: HTTP {status}: {detail}")]
    Status {
        /// The URL requested.
        url: String,
        /// The status.
        status: u16,
        /// The start of the body, or arXiv's error message.
        detail: String,
    },
    /// The body is over the size limit.
    #[error("{url}: the response is larger than {limit_mib} MiB; is this the right endpoint?")]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The limit.
        limit_mib: u64,
    },
    /// A body that is not what the endpoint should send (not UTF-8, not the XML expected,
    /// cut short).
    #[error("{url}: {reason}")]
    BadResponse {
        /// The URL requested.
        url: String,
        /// What is wrong, with the line when it is about XML.
        reason: String,
    },
    /// An OAI-PMH `<error>` the harvest cannot go on after.
    #[error("{url}: OAI-PMH error `{code}`: {message}. {hint}")]
    Oai {
        /// The URL requested.
        url: String,
        /// The OAI error code, e.g. `badResumptionToken`.
        code: String,
        /// The repository's message.
        message: String,
        /// What to do about it.
        hint: String,
    },
    /// A malformed arXiv id among the inputs.
    #[error(transparent)]
    InvalidId(#[from] ArxivIdError),
    /// Reading or writing the database failed.
    #[error("the database: {0}")]
    Store(#[from] StoreError),
}

/// Results of the network parts.
pub type Result<T, E = IngestError> = std::result::Result<T, E>;
