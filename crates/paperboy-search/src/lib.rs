//! Search over paperboy's papers.
//!
//! - [`keyword`]: a tantivy BM25 index of titles, abstracts, authors, categories and
//!   ids, kept current by following the database's change feed ([`follow`]).

pub mod error;
pub mod follow;
pub mod keyword;

pub use error::{Result, SearchError};

#[cfg(test)]
mod tests;
