//! paperboy's web server: server-rendered HTML pages (the daily lists, the "new"
//! firehose, paper pages) and a JSON API that speaks Hugging Face's
//! `/api/daily_papers` and `/api/papers` dialect, so `huggingface_hub` clients work
//! against a paperboy unchanged.
//!
//! ```no_run
//! # async fn run(
//! #     store: paperboy_store::Store,
//! #     search: std::sync::Arc<paperboy_search::engine::SearchEngine>,
//! # ) -> std::io::Result<()> {
//! use paperboy_web::{ServeOptions, WebConfig, router, serve};
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! let app = router(store, search, WebConfig::default(), None);
//! serve(listener, app, ServeOptions::default(), async {
//!     let _ = tokio::signal::ctrl_c().await;
//! })
//! .await
//! # }
//! ```
//!
//! Handlers are thin: they parse input into domain types (module `input`), call the
//! store, and render a view (`views`, askama templates) or an HF-shaped JSON value
//! (`hf`). Every failure is a [`WebError`], rendered as an HTML page or, under `/api`,
//! as `{"error": "..."}`.

mod assets;
mod auth;
mod cache;
mod config;
mod error;
mod feeds;
mod fetch;
mod hf;
mod input;
mod limits;
mod routes;
mod server;
mod state;
mod views;

pub use cache::VERSION_TTL as LIST_VERSION_TTL;
pub use config::WebConfig;
pub use error::WebError;
pub use fetch::{FetchResult, PaperFetcher};
pub use routes::router;
pub use server::{ServeOptions, serve};
