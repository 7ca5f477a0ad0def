//! Search over paperboy's papers.
//!
//! - [`keyword`]: a tantivy BM25 index of titles, abstracts, authors, categories and
//!   ids, kept current by following the database's change feed ([`follow`]);
//! - [`vector`]: exact cosine search over paper embeddings, in memory;
//! - [`fusion`]: reciprocal rank fusion of the two;
//! - [`engine`]: what the web layer calls (search, similar papers), running the CPU
//!   work on the search threads of [`pool`];
//! - [`backlog`]: the resumable job that embeds papers without a current vector
//!   (with an embedder from `paperboy-embed`).

pub mod backlog;
pub mod engine;
pub mod error;
pub mod eval;
pub mod follow;
pub mod fusion;
pub mod keyword;
pub mod pool;
pub mod vector;

pub use error::{Result, SearchError};
