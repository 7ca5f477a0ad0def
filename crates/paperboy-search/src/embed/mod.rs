//! Sentence embeddings.

pub mod local;
