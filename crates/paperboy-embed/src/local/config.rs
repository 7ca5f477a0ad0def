//! Reading a sentence-transformers model directory's settings: the BERT architecture
//! (`config.json`), the sequence limit (`sentence_bert_config.json`) and the pooling
//! (`1_Pooling/config.json`).

use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{EmbedError, Result};

/// What the forward pass needs to know about a BERT model (absolute positions, erf GELU).
#[derive(Debug, Clone)]
pub struct BertConfig {
    /// Width of the hidden states.
    pub hidden_size: usize,
    /// Number of encoder layers.
    pub layers: usize,
    /// Number of attention heads.
    pub heads: usize,
    /// Epsilon of every layer norm.
    pub layer_norm_eps: f64,
    /// Number of position embeddings: the longest input the model takes.
    pub max_positions: usize,
}

#[derive(Deserialize)]
struct RawBertConfig {
    model_type: Option<String>,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    hidden_act: String,
    layer_norm_eps: f64,
    max_position_embeddings: usize,
    #[serde(default = "absolute")]
    position_embedding_type: String,
}

fn absolute() -> String {
    "absolute".into()
}

#[derive(Deserialize)]
struct SentenceBertConfig {
    max_seq_length: Option<usize>,
}

#[derive(Deserialize)]
struct PoolingConfig {
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_max_tokens: bool,
    #[serde(default)]
    pooling_mode_mean_sqrt_len_tokens: bool,
}

/// Everything read from a model directory's JSON files.
#[derive(Debug, Clone)]
pub struct ModelConfig {
    /// The BERT architecture.
    pub bert: BertConfig,
    /// Inputs are truncated to this many tokens, `[CLS]` and `[SEP]` included.
    pub max_seq_length: usize,
}

impl ModelConfig {
    /// Reads and checks the settings in `dir`.
    pub fn read(dir: &Path) -> Result<Self> {
        let raw: RawBertConfig = read_json(dir, "config.json")?
            .ok_or_else(|| EmbedError::model(dir, "config.json is missing"))?;
        if let Some(kind) = raw.model_type.as_deref().filter(|k| *k != "bert") {
            return Err(EmbedError::model(
                dir,
                format!(
                    "model_type {kind:?} is not supported; only BERT models (such as all-MiniLM-L6-v2) run locally"
                ),
            ));
        }
        if raw.position_embedding_type != "absolute" {
            return Err(EmbedError::model(
                dir,
                format!(
                    "position_embedding_type {:?} is not supported, only \"absolute\"",
                    raw.position_embedding_type
                ),
            ));
        }
        if raw.hidden_act != "gelu" {
            return Err(EmbedError::model(
                dir,
                format!(
                    "hidden_act {:?} is not supported, only \"gelu\"",
                    raw.hidden_act
                ),
            ));
        }
        if raw.num_attention_heads == 0 || !raw.hidden_size.is_multiple_of(raw.num_attention_heads)
        {
            return Err(EmbedError::model(
                dir,
                format!(
                    "hidden_size {} is not a multiple of num_attention_heads {}",
                    raw.hidden_size, raw.num_attention_heads
                ),
            ));
        }
        let bert = BertConfig {
            hidden_size: raw.hidden_size,
            layers: raw.num_hidden_layers,
            heads: raw.num_attention_heads,
            layer_norm_eps: raw.layer_norm_eps,
            max_positions: raw.max_position_embeddings,
        };
        let sbert: Option<SentenceBertConfig> = read_json(dir, "sentence_bert_config.json")?;
        let max_seq_length = sbert
            .and_then(|c| c.max_seq_length)
            .unwrap_or(bert.max_positions)
            .min(bert.max_positions);
        if max_seq_length < 2 {
            return Err(EmbedError::model(dir, "max_seq_length is below 2"));
        }
        if let Some(pooling) = read_json::<PoolingConfig>(dir, "1_Pooling/config.json")? {
            let others = pooling.pooling_mode_cls_token
                || pooling.pooling_mode_max_tokens
                || pooling.pooling_mode_mean_sqrt_len_tokens;
            if !pooling.pooling_mode_mean_tokens || others {
                return Err(EmbedError::model(
                    dir,
                    "1_Pooling/config.json asks for a pooling other than mean pooling alone, which is the only one supported",
                ));
            }
        }
        Ok(Self {
            bert,
            max_seq_length,
        })
    }
}

/// Reads `dir/name` as JSON; `None` when the file does not exist.
pub(crate) fn read_json<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<Option<T>> {
    let path = dir.join(name);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(EmbedError::io(path, e)),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| EmbedError::model(dir, format!("{name} is not valid: {e}")))
}
