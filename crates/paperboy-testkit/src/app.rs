//! [`TestApp`]: a real paperboy ([`paperboy_app::App`]) on 127.0.0.1 with a port the
//! OS picks, over a [`TestDb`] of either backend, and an HTTP client for it.

use std::sync::Arc;

use paperboy_app::{App, AppError, Config, Settings};
use paperboy_core::FixedClock;
use paperboy_search::engine::SearchEngine;
use paperboy_search::follow::IndexFollower;
use paperboy_store::{Batch, Store};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::TestDb;

/// The time a test app's database sees: the day after the newest recorded HF list.
pub const TEST_APP_NOW: &str = "2026-08-22T12:00:00Z";

/// A running paperboy with its own database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The database the server reads.
    pub store: Store,
    /// The server's search engine: keyword only until a test gives it embeddings.
    pub search: Arc<SearchEngine>,
    follower: IndexFollower,
    client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<Result<(), AppError>>>,
    db: TestDb,
}

impl TestApp {
    /// An app over `db` with the defaults for tests: no embedder, no key phrases, no
    /// thumbnails fetched, no harvests, the clock at [`TEST_APP_NOW`].
    pub async fn start(db: TestDb) -> Self {
        Self::with_settings(db, |_| {}).await
    }

    /// An app over `db` with the test defaults changed by `change`.
    pub async fn with_settings(db: TestDb, change: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = Settings {
            data_dir: db.dir.path().join("data"),
            database_url: db.url_setting(),
            addr: "127.0.0.1:0".into(),
            embedder: "none".into(),
            keyphrases: false,
            thumbnails: false,
            log: "warn".into(),
            ..Settings::default()
        };
        change(&mut settings);
        let config = Config::from_settings(&settings).expect("test settings are valid");
        let clock = FixedClock::new(TEST_APP_NOW.parse().expect("TEST_APP_NOW parses"));
        let app = App::build_with_clock(config, Arc::new(clock))
            .await
            .expect("the app builds");
        let base = format!("http://{}", app.local_addr().expect("bound"));
        let follower = app.follower().expect("the app writes its index").clone();
        let (store, search) = (app.store().clone(), app.search().clone());
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(app.serve(async {
            let _ = rx.await;
        }));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .no_gzip()
            .build()
            .expect("client");
        Self {
            base,
            store,
            search,
            follower,
            client,
            shutdown: Some(tx),
            server: Some(server),
            db,
        }
    }

    /// The app's data dir.
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.db.dir.path().join("data")
    }

    /// The database under the app.
    pub fn db(&self) -> &TestDb {
        &self.db
    }

    /// Writes `batch` to the database and brings the search index up to date at once
    /// (the app's own follower would within two seconds).
    pub async fn seed(&self, batch: Batch) {
        self.store.write(batch).await.expect("seed written");
        self.follower
            .catch_up(&self.store, &|_| {})
            .await
            .expect("seed indexed");
    }

    /// `GET path` (path and query).
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// `GET path`, expecting `status`; returns the body.
    pub async fn text(&self, path: &str, status: u16) -> String {
        let response = self.get(path).await;
        let got = response.status().as_u16();
        let body = response.text().await.expect("body");
        assert_eq!(got, status, "GET {path}: {body}");
        body
    }

    /// `GET path`, expecting `status` and JSON; returns the body.
    pub async fn json(&self, path: &str, status: u16) -> Value {
        let response = self.get(path).await;
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            content_type.starts_with("application/json"),
            "GET {path}: {content_type}"
        );
        let got = response.status().as_u16();
        let body = response.text().await.expect("body");
        assert_eq!(got, status, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }

    /// An HTTP client that does not follow redirects.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Signals shutdown and waits for the server (and its jobs) to stop.
    pub async fn stop(mut self) -> Result<(), AppError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.server.take() {
            Some(server) => server.await.expect("server task"),
            None => Ok(()),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            server.abort();
        }
    }
}
