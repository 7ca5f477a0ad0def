//! What paperboy adds to papers that came without it: key phrases (`ai_keywords`)
//! scored against the keyword index's corpus statistics ([`keyphrase`]), and
//! one-sentence TL;DR summaries (`ai_summary`) from an OpenAI-compatible chat
//! endpoint ([`summary`]), each with the job that fills them in.

mod error;
pub mod keyphrase;
pub mod summary;

pub use error::{EnrichError, Result};
