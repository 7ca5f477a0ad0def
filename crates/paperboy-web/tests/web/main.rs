//! Integration tests of paperboy-web: the real router on a local port, a real
//! database, real recorded data, and the real `huggingface_hub` client.

mod accounts;
mod api;
mod authz;
mod claims;
mod collections;
mod comments;
mod common;
mod exports;
mod feeds;
mod hf_client;
mod limits;
mod pages;
mod search;
mod submit;
mod subscriptions;
