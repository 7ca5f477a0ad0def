//! paperboy's sentence embeddings of papers and queries.
//!
//! An [`Embedder`] is one of three backends, chosen by the `embedder` setting
//! ([`EmbedderSetting`]): `none` (keyword search only), `local:DIR` (a
//! sentence-transformers model run in-process, [`LocalEmbedder`]) or `http:URL` (an
//! OpenAI-compatible endpoint, [`HttpEmbedder`]). Every vector is L2-normalised, so a
//! dot product is a cosine. [`fetch`] installs the default model.

mod error;
pub mod fetch;
pub mod http;
pub mod local;
mod setting;

use std::fmt;
use std::sync::Arc;

pub use self::fetch::{FetchOutcome, MODEL_FILES, ModelSource, fetch_default_model, fetch_model};
pub use self::http::HttpEmbedder;
pub use self::local::{LocalEmbedder, LocalOptions};
pub use self::setting::{DEFAULT_MODEL, EmbedderSetting, default_model_dir};
pub use crate::error::{EmbedError, Result};

/// Turns texts into vectors, or says that it cannot.
#[derive(Debug, Clone)]
pub enum Embedder {
    /// No embedder: search is keyword-only.
    None,
    /// A model run in-process.
    Local(Arc<LocalEmbedder>),
    /// An embedding server.
    Http(HttpEmbedder),
}

impl Embedder {
    /// Opens the embedder a setting names: loads a local model (on a blocking thread),
    /// or connects to an endpoint and learns its model and dimension.
    pub async fn open(setting: &EmbedderSetting) -> Result<Self> {
        match setting {
            EmbedderSetting::None => Ok(Self::None),
            EmbedderSetting::Local(dir) => {
                let dir = dir.clone();
                let local = tokio::task::spawn_blocking(move || {
                    LocalEmbedder::load(&dir, LocalOptions::default())
                })
                .await
                .map_err(|e| EmbedError::Worker(e.to_string()))??;
                Ok(Self::Local(Arc::new(local)))
            }
            EmbedderSetting::Http { url, model } => Ok(Self::Http(
                HttpEmbedder::connect(url.clone(), model.clone()).await?,
            )),
        }
    }

    /// Embeds `texts`: one L2-normalised vector per text, in order.
    /// [`EmbedError::NoEmbedder`] from `none`.
    pub async fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        match self {
            Self::None => Err(EmbedError::NoEmbedder),
            Self::Local(local) => {
                let local = Arc::clone(local);
                let owned: Vec<String> = texts.iter().map(|t| (*t).to_owned()).collect();
                tokio::task::spawn_blocking(move || {
                    let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
                    local.embed(&texts)
                })
                .await
                .map_err(|e| EmbedError::Worker(e.to_string()))?
            }
            Self::Http(http) => http.embed(texts).await,
        }
    }

    /// The model's name (stored beside every vector), or `None` for `none`.
    pub fn model_name(&self) -> Option<&str> {
        match self {
            Self::None => None,
            Self::Local(local) => Some(local.model_name()),
            Self::Http(http) => Some(http.model_name()),
        }
    }

    /// The length of every vector, or `None` for `none`.
    pub fn dimension(&self) -> Option<usize> {
        match self {
            Self::None => None,
            Self::Local(local) => Some(local.dimension()),
            Self::Http(http) => Some(http.dimension()),
        }
    }
}

impl fmt::Display for Embedder {
    /// What a page or a log line says about the embedder.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("none (keyword search only)"),
            Self::Local(local) => write!(
                f,
                "local model {} ({} dimensions)",
                local.model_name(),
                local.dimension()
            ),
            Self::Http(http) => write!(
                f,
                "{} at {} ({} dimensions)",
                http.model_name(),
                http.url(),
                http.dimension()
            ),
        }
    }
}

/// Scales `v` to unit length (leaves an all-zero vector alone).
pub(crate) fn normalise(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in v {
            *x /= norm;
        }
    }
}
