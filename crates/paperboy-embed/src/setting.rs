//! The `embedder` setting: `none`, `local:DIR` or `http:URL`, and its default.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use reqwest::Url;

use crate::error::{EmbedError, Result};

/// The directory name of the default model under `<data_dir>/models/`.
pub const DEFAULT_MODEL: &str = "all-MiniLM-L6-v2";

/// Where the default model lives (or would live) for a data directory.
pub fn default_model_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("models").join(DEFAULT_MODEL)
}

/// Which embedder to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmbedderSetting {
    /// No embeddings: keyword search only.
    None,
    /// A sentence-transformers model directory, run in-process.
    Local(PathBuf),
    /// An OpenAI-compatible `POST /v1/embeddings` endpoint.
    Http {
        /// The endpoint's full URL.
        url: Url,
        /// The `model` to send; `None` sends none (servers with one model pick it).
        model: Option<String>,
    },
}

impl EmbedderSetting {
    /// Parses `none`, `local:DIR` or `http:URL[#MODEL]`.
    ///
    /// The URL may be the endpoint itself (`http://host:8080/v1/embeddings`) or a server's
    /// base (`http://host:8080`, `http://host:11434/v1`), to which `/v1/embeddings` or
    /// `/embeddings` is added. A `#MODEL` fragment names the model to ask for (Ollama
    /// needs one: `http:http://localhost:11434#nomic-embed-text`). A bare `http://` or
    /// `https://` URL is accepted as `http:URL`.
    pub fn parse(setting: &str) -> Result<Self> {
        let trimmed = setting.trim();
        let invalid = |reason: &str| EmbedError::InvalidSetting {
            setting: setting.to_owned(),
            reason: reason.to_owned(),
        };
        if trimmed.eq_ignore_ascii_case("none") {
            return Ok(Self::None);
        }
        if let Some(dir) = trimmed.strip_prefix("local:") {
            if dir.is_empty() {
                return Err(invalid(
                    "local: needs a model directory, as in local:/srv/models/all-MiniLM-L6-v2",
                ));
            }
            return Ok(Self::Local(PathBuf::from(dir)));
        }
        let url = match trimmed.strip_prefix("http:") {
            Some(rest) if rest.starts_with("http://") || rest.starts_with("https://") => rest,
            _ if trimmed.starts_with("http://") || trimmed.starts_with("https://") => trimmed,
            Some(_) => {
                return Err(invalid(
                    "http: needs a full URL, as in http:http://localhost:8080/v1/embeddings",
                ));
            }
            None => return Err(invalid("unknown kind")),
        };
        let mut url = Url::parse(url).map_err(|e| invalid(&format!("bad URL: {e}")))?;
        let model = url.fragment().filter(|m| !m.is_empty()).map(str::to_owned);
        url.set_fragment(None);
        let path = url.path().trim_end_matches('/').to_owned();
        if path.is_empty() {
            url.set_path("/v1/embeddings");
        } else if path.ends_with("/v1") {
            url.set_path(&format!("{path}/embeddings"));
        }
        Ok(Self::Http { url, model })
    }

    /// The setting in force: `setting` when given and not empty, else the default model
    /// in `data_dir` when it is there, else `none`.
    pub fn resolve(setting: Option<&str>, data_dir: &Path) -> Result<Self> {
        match setting.map(str::trim).filter(|s| !s.is_empty()) {
            Some(setting) => Self::parse(setting),
            None => {
                let dir = default_model_dir(data_dir);
                Ok(if dir.join("config.json").is_file() {
                    Self::Local(dir)
                } else {
                    Self::None
                })
            }
        }
    }
}

impl FromStr for EmbedderSetting {
    type Err = EmbedError;

    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl fmt::Display for EmbedderSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("none"),
            Self::Local(dir) => write!(f, "local:{}", dir.display()),
            Self::Http { url, model: None } => write!(f, "http:{url}"),
            Self::Http {
                url,
                model: Some(model),
            } => write!(f, "http:{url}#{model}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(url: &str, model: Option<&str>) -> EmbedderSetting {
        EmbedderSetting::Http {
            url: Url::parse(url).expect("test URL"),
            model: model.map(str::to_owned),
        }
    }

    #[test]
    fn parses_every_kind() -> Result<()> {
        assert_eq!(EmbedderSetting::parse("none")?, EmbedderSetting::None);
        assert_eq!(EmbedderSetting::parse(" NONE ")?, EmbedderSetting::None);
        assert_eq!(
            EmbedderSetting::parse("local:/srv/models/minilm")?,
            EmbedderSetting::Local("/srv/models/minilm".into())
        );
        assert_eq!(
            EmbedderSetting::parse("http:http://gpu:8080/v1/embeddings")?,
            http("http://gpu:8080/v1/embeddings", None)
        );
        assert_eq!(
            EmbedderSetting::parse("http:http://gpu:8080")?,
            http("http://gpu:8080/v1/embeddings", None)
        );
        assert_eq!(
            EmbedderSetting::parse("http:http://localhost:11434/v1/#nomic-embed-text")?,
            http(
                "http://localhost:11434/v1/embeddings",
                Some("nomic-embed-text")
            )
        );
        assert_eq!(
            EmbedderSetting::parse("https://api.example.org/embed")?,
            http("https://api.example.org/embed", None)
        );
        Ok(())
    }

    #[test]
    fn rejects_nonsense_with_a_reason() {
        for bad in [
            "",
            "local:",
            "http:",
            "http:localhost:8080",
            "ftp://x",
            "openai",
            "http:http://",
        ] {
            let err = EmbedderSetting::parse(bad).expect_err(bad).to_string();
            assert!(
                err.contains("use none, local:DIR or http:URL"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn display_round_trips() -> Result<()> {
        for s in [
            "none",
            "local:/m",
            "http:http://h:1/v1/embeddings#m",
            "http:https://h/x",
        ] {
            assert_eq!(EmbedderSetting::parse(s)?.to_string(), s);
        }
        Ok(())
    }

    #[test]
    fn default_is_the_model_in_the_data_dir_if_there() -> Result<()> {
        let data = tempfile::tempdir().map_err(|e| EmbedError::io("tempdir", e))?;
        assert_eq!(
            EmbedderSetting::resolve(None, data.path())?,
            EmbedderSetting::None
        );
        assert_eq!(
            EmbedderSetting::resolve(Some(" "), data.path())?,
            EmbedderSetting::None
        );
        let dir = default_model_dir(data.path());
        std::fs::create_dir_all(&dir).map_err(|e| EmbedError::io(&dir, e))?;
        std::fs::write(dir.join("config.json"), "{}").map_err(|e| EmbedError::io(&dir, e))?;
        assert_eq!(
            EmbedderSetting::resolve(None, data.path())?,
            EmbedderSetting::Local(dir)
        );
        assert_eq!(
            EmbedderSetting::resolve(Some("none"), data.path())?,
            EmbedderSetting::None
        );
        Ok(())
    }
}
