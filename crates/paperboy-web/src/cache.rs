//! [`ListCache`]: the daily lists, answered from memory.
//!
//! The daily list is the page everyone opens every morning, and it changes only when
//! data does. So its pages and `/api/daily_papers` answers are kept in memory, keyed
//! by the URL (and host, for the API's absolute links) and valid for one data
//! version: the database's change sequence and list counter (read at most every
//! [`VERSION_TTL`], so a write by any instance or CLI shows within that) and the
//! minute (trending order moves with time).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, HOST, LINK};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use paperboy_store::{Counters, Store, StoreError};

use crate::WebError;
use crate::state::AppState;

/// How long a read of the data version is trusted.
pub const VERSION_TTL: Duration = Duration::from_millis(250);
/// Pages kept; the cache starts over when full.
const MAX_PAGES: usize = 2_000;
/// The largest page kept.
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// What a cached answer is valid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Version {
    counters: Counters,
    minute: i64,
}

/// One cached answer.
struct Page {
    version: Version,
    headers: HeaderMap,
    body: Bytes,
}

/// The last read of the counters: what it found (nothing when it failed) and when.
type LastRead = Option<(Option<Counters>, Instant)>;

/// Cached daily-list answers.
pub(crate) struct ListCache {
    version: Mutex<LastRead>,
    pages: Mutex<HashMap<String, Page>>,
}

impl ListCache {
    pub(crate) fn new() -> Self {
        Self {
            version: Mutex::new(None),
            pages: Mutex::new(HashMap::new()),
        }
    }

    /// The data version now: the counters as read within [`VERSION_TTL`]. A failed
    /// read is remembered as long, so that while the database is away requests fail
    /// at once instead of each waiting for it.
    async fn version(&self, store: &Store) -> Result<Version, StoreError> {
        let minute = store.clock().now().as_second().div_euclid(60);
        let last = *self.version.lock().unwrap_or_else(|e| e.into_inner());
        let counters = match last {
            Some((Some(counters), read)) if read.elapsed() < VERSION_TTL => counters,
            Some((None, read)) if read.elapsed() < VERSION_TTL => {
                return Err(StoreError::unavailable("it did not answer a moment ago"));
            }
            _ => {
                let read = store.counters().await;
                *self.version.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some((read.as_ref().ok().copied(), Instant::now()));
                read?
            }
        };
        Ok(Version { counters, minute })
    }

    /// Forgets the last read of the data version: this instance just changed a list,
    /// and its own readers see the change at once (other instances within
    /// [`VERSION_TTL`]).
    pub(crate) fn changed(&self) {
        *self.version.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn pages(&self) -> std::sync::MutexGuard<'_, HashMap<String, Page>> {
        self.pages.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, key: &str, version: Version) -> Option<Response> {
        let pages = self.pages();
        let page = pages.get(key).filter(|p| p.version == version)?;
        let mut response = Response::new(Body::from(page.body.clone()));
        *response.headers_mut() = page.headers.clone();
        Some(response)
    }

    fn put(&self, key: String, page: Page) {
        let mut pages = self.pages();
        if pages.len() >= MAX_PAGES {
            pages.clear();
        }
        pages.insert(key, page);
    }
}

/// Middleware for the daily-list routes: answers from the cache when it holds the
/// page for the current data version, else lets the handler answer and keeps a
/// successful answer.
pub(crate) async fn cached(State(app): State<AppState>, request: Request, next: Next) -> Response {
    // Signed-in readers see their own votes: their pages are made for them.
    let personal = request.headers().contains_key(AUTHORIZATION)
        || crate::auth::cookie(request.headers(), crate::auth::SESSION_COOKIE).is_some();
    if request.method() != Method::GET || personal {
        return next.run(request).await;
    }
    let version = match app.cache.version(&app.store).await {
        Ok(version) => version,
        // The database is away: say so (503) without asking it again.
        Err(e) if e.is_unavailable() => return WebError::from(e).into_response(),
        Err(_) => return next.run(request).await,
    };
    let host = request
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let key = format!("{host} {}", request.uri());
    if let Some(hit) = app.cache.get(&key, version) {
        return hit;
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(body) => body,
        Err(e) => {
            tracing::warn!("cannot buffer a daily-list answer: {e}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut headers = HeaderMap::new();
    for name in [CONTENT_TYPE, LINK] {
        if let Some(value) = parts.headers.get(&name) {
            headers.insert(name, value.clone());
        }
    }
    app.cache.put(
        key,
        Page {
            version,
            headers,
            body: body.clone(),
        },
    );
    Response::from_parts(parts, Body::from(body))
}
