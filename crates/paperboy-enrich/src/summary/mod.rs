//! One-sentence TL;DR summaries of papers from an OpenAI-compatible chat endpoint,
//! for papers no source gave an `ai_summary`: [`client`] asks and classifies
//! failures, [`sanitize`] makes one clean sentence of the answer, [`job`] works
//! through the backlog in the background, politely.

pub mod client;
pub mod job;
pub mod sanitize;

pub use client::{ChatClient, ChatFailure, ChatOptions, Summary};
