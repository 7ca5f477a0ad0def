//! What the enrichment clients share about HTTP: one way to build a client, read a
//! body no larger than a cap, read `Retry-After`, and say why a request failed.

use std::time::Duration;

use paperboy_core::endpoint::with_causes;

/// An HTTP client that names paperboy and gives up after `timeout`.
pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .user_agent(concat!("paperboy/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .timeout(timeout)
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {}", with_causes(&e)))
}

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// It is larger than the cap.
    TooLarge(usize),
    /// The connection failed while reading it.
    Transport(reqwest::Error),
}

/// The body of `response`, refused beyond `limit` bytes.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|len| len > limit as u64)
    {
        return Err(BodyError::TooLarge(limit));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A `Retry-After` in seconds, at most an hour.
pub(crate) fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let seconds: u64 = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds.min(3600)))
}

/// Why a request failed, in a line: a timeout, no connection, or what else.
pub(crate) fn failure(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer in time (timeout)".to_owned()
    } else if e.is_connect() {
        format!("cannot connect: {}", with_causes(e))
    } else {
        format!("request failed: {}", with_causes(e))
    }
}
