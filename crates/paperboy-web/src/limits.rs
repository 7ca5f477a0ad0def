//! Rate limits on the writes that cost something or invite abuse: sign-in requests
//! and digest subscriptions (per client address and per email address), upvotes,
//! submissions and comments (per account).
//!
//! Each instance counts on its own, in memory (a sliding window of request times
//! per key); behind a load balancer with N instances a client gets at most N times
//! the limit, which still stops floods.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;

use crate::WebError;

/// What is limited, and how much.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Limit {
    /// Sign-in links asked for by one client address: 10 a minute.
    SignInPerClient,
    /// Sign-in links sent to one email address: 5 in 15 minutes.
    SignInPerAddress,
    /// Upvotes and un-votes by one account: 60 a minute.
    VotePerAccount,
    /// Submissions and index requests by one account: 10 a minute (each may fetch
    /// from arXiv).
    SubmitPerAccount,
    /// Comments by one account: 10 a minute.
    CommentPerAccount,
    /// Subscription requests from one client address: 10 a minute.
    SubscribePerClient,
    /// Confirmation emails to one address: 3 an hour.
    SubscribePerAddress,
}

impl Limit {
    /// Requests allowed per window, and the window.
    fn rule(self) -> (usize, Duration) {
        match self {
            Self::SignInPerClient => (10, Duration::from_secs(60)),
            Self::SignInPerAddress => (5, Duration::from_secs(15 * 60)),
            Self::VotePerAccount => (60, Duration::from_secs(60)),
            Self::SubmitPerAccount | Self::CommentPerAccount | Self::SubscribePerClient => {
                (10, Duration::from_secs(60))
            }
            Self::SubscribePerAddress => (3, Duration::from_secs(3600)),
        }
    }
}

/// Keys tracked before old ones are swept out.
const SWEEP_AT: usize = 100_000;

/// Request times per limit and key.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    seen: Mutex<HashMap<(Limit, String), VecDeque<Instant>>>,
}

impl RateLimiter {
    /// Counts one request of `key` under `limit` at `now`; 429 with the seconds until
    /// the oldest counted request leaves the window when over the limit.
    pub(crate) fn check_at(&self, limit: Limit, key: &str, now: Instant) -> Result<(), WebError> {
        let (allowed, window) = limit.rule();
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if seen.len() >= SWEEP_AT {
            seen.retain(|(limit, _), times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < limit.rule().1)
            });
        }
        let times = seen.entry((limit, key.to_owned())).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            times.pop_front();
        }
        if times.len() >= allowed {
            let wait = times.front().map_or(window, |oldest| {
                window.saturating_sub(now.duration_since(*oldest))
            });
            return Err(WebError::TooManyRequests {
                retry_after: wait.as_secs().max(1),
            });
        }
        times.push_back(now);
        Ok(())
    }

    /// [`RateLimiter::check_at`] now.
    pub(crate) fn check(&self, limit: Limit, key: &str) -> Result<(), WebError> {
        self.check_at(limit, key, Instant::now())
    }
}

/// The peer address of the connection a request came on (set by [`crate::serve`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClientAddr(pub SocketAddr);

/// The client's address: the connection's peer, or, when the peer is a reverse proxy
/// on this machine (loopback), the last address it added to `X-Forwarded-For`.
pub(crate) fn client_ip(peer: Option<SocketAddr>, headers: &HeaderMap) -> String {
    let forwarded = || {
        headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|ip| ip.trim().parse::<IpAddr>().ok())
    };
    match peer {
        Some(peer) if peer.ip().is_loopback() => forwarded().unwrap_or(peer.ip()).to_string(),
        Some(peer) => peer.ip().to_string(),
        None => forwarded().map_or_else(|| "unknown".to_owned(), |ip| ip.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleventh_sign_in_in_a_minute_waits() {
        let limiter = RateLimiter::default();
        let start = Instant::now();
        for i in 0..10 {
            let at = start + Duration::from_secs(i);
            assert!(
                limiter
                    .check_at(Limit::SignInPerClient, "10.0.0.1", at)
                    .is_ok()
            );
        }
        let refused = limiter.check_at(
            Limit::SignInPerClient,
            "10.0.0.1",
            start + Duration::from_secs(10),
        );
        assert!(matches!(
            refused,
            Err(WebError::TooManyRequests { retry_after: 50 })
        ));
        assert!(
            limiter
                .check_at(Limit::SignInPerClient, "10.0.0.2", start)
                .is_ok(),
            "per client"
        );
        assert!(
            limiter
                .check_at(
                    Limit::SignInPerClient,
                    "10.0.0.1",
                    start + Duration::from_secs(61)
                )
                .is_ok(),
            "the window slides"
        );
    }

    #[test]
    fn the_client_is_the_peer_unless_a_local_proxy_forwards() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7"
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        let local: SocketAddr = "127.0.0.1:5000".parse().unwrap_or_else(|_| unreachable!());
        let remote: SocketAddr = "192.0.2.1:5000".parse().unwrap_or_else(|_| unreachable!());
        assert_eq!(client_ip(Some(local), &headers), "198.51.100.7");
        assert_eq!(
            client_ip(Some(remote), &headers),
            "192.0.2.1",
            "a remote client cannot pick its address"
        );
    }
}
