//! What paperboy adds to papers that came without it: key phrases (`ai_keywords`)
//! scored against the keyword index's corpus statistics ([`keyphrase`]), and
//! one-sentence TL;DR summaries (`ai_summary`) from an OpenAI-compatible chat
//! endpoint ([`summary`]), the GitHub stars of the papers' code ([`stars`]) and
//! small copies of the papers' images ([`thumbnails`]), each with the job that
//! fills them in.

mod error;
mod http;
pub mod keyphrase;
pub mod stars;
pub mod summary;
pub mod thumbnails;

pub use error::{EnrichError, Result};
