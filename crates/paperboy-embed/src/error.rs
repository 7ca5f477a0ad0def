//! The embedding crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong loading, fetching or running an embedder.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// The `embedder` setting is not `none`, `local:DIR` or `http:URL`.
    #[error("invalid embedder setting {setting:?}: {reason}; use none, local:DIR or http:URL")]
    InvalidSetting {
        /// The setting as given.
        setting: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A model directory is missing a file, or holds a model this code cannot run.
    #[error("model directory {dir}: {detail}")]
    Model {
        /// The model directory.
        dir: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The tokenizer failed on some text.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// The model's forward pass failed.
    #[error("model inference failed: {0}")]
    Inference(#[from] candle_core::Error),
    /// A blocking worker task (a model load or a forward pass) panicked or was cancelled.
    #[error("a background worker stopped: {0}")]
    Worker(String),
    /// An embedding endpoint could not be reached or gave an unusable answer.
    #[error("embedding endpoint {url}: {detail}")]
    Endpoint {
        /// The endpoint.
        url: String,
        /// What went wrong, and what to check.
        detail: String,
    },
    /// A download failed.
    #[error("downloading {url}: {detail}")]
    Download {
        /// What was being downloaded.
        url: String,
        /// Why it failed.
        detail: String,
    },
    /// A downloaded or unpacked file does not have the expected SHA-256.
    #[error(
        "{what} has SHA-256 {actual}, expected {expected}: the download is damaged or not the expected file"
    )]
    Checksum {
        /// Which file.
        what: String,
        /// The pinned checksum.
        expected: String,
        /// The checksum of what arrived.
        actual: String,
    },
    /// Embedding was asked of the `none` embedder.
    #[error(
        "no embedder is configured, so search is keyword-only; run `paperboy model fetch`, \
         or set embedder = local:DIR or http:URL"
    )]
    NoEmbedder,
    /// Every source of the default model failed.
    #[error(
        "could not fetch the model into {dir}: {reasons}. Copy a sentence-transformers model \
         directory (config.json, model.safetensors, tokenizer.json) to {dir}, or set \
         embedder = http:URL to use an embedding server"
    )]
    FetchFailed {
        /// Where the model should have gone.
        dir: PathBuf,
        /// What went wrong with each source.
        reasons: String,
    },
}

impl EmbedError {
    /// The error in a few words, for a one-line log: a download's innermost cause
    /// (the end of the chain `with_causes` writes, such as "Connection refused (os
    /// error 111)", or "HTTP 404 Not Found"), where a failed fetch was to go, else the
    /// whole message.
    pub fn brief(&self) -> String {
        match self {
            Self::Download { detail, .. } => detail.rsplit(": ").next().unwrap_or(detail).into(),
            Self::FetchFailed { dir, .. } => {
                format!(
                    "the embedding model could not be fetched into {}",
                    dir.display()
                )
            }
            other => other.to_string(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn model(dir: impl Into<PathBuf>, detail: impl std::fmt::Display) -> Self {
        Self::Model {
            dir: dir.into(),
            detail: detail.to_string(),
        }
    }
}

/// The crate's result type.
pub type Result<T, E = EmbedError> = std::result::Result<T, E>;
