//! paperboy's search: sentence embeddings of papers and queries, from a local model,
//! an embedding server, or not at all.

pub mod embed;
mod error;

pub use error::{Result, SearchError};
