//! Text to token ids, the way sentence-transformers does it: the model's own tokenizer,
//! truncated at `max_seq_length`, never padded (the batcher pads to the longest input).

use std::path::Path;

use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::processors::bert::BertProcessing;
use tokenizers::{Tokenizer, TruncationParams};

use super::config::read_json;
use crate::error::{EmbedError, Result};

/// A BERT tokenizer with sentence-transformers' truncation.
pub struct TextTokenizer {
    inner: Tokenizer,
}

#[derive(serde::Deserialize)]
struct TokenizerConfig {
    #[serde(default = "yes")]
    do_lower_case: bool,
}

fn yes() -> bool {
    true
}

impl TextTokenizer {
    /// Loads `tokenizer.json` from `dir`, or builds a BERT WordPiece tokenizer on
    /// `vocab.txt` (lower-casing as `tokenizer_config.json` says) when there is none.
    ///
    /// `tokenizer.json` files carry truncation and padding of their own (all-MiniLM-L6-v2's
    /// truncates *and pads* to 128); both are replaced: truncation at `max_len` tokens,
    /// no padding.
    pub fn load(dir: &Path, max_len: usize) -> Result<Self> {
        let json = dir.join("tokenizer.json");
        let mut inner = if json.exists() {
            Tokenizer::from_file(&json).map_err(|e| {
                EmbedError::model(dir, format!("tokenizer.json cannot be loaded: {e}"))
            })?
        } else {
            from_vocab(dir)?
        };
        inner
            .with_truncation(Some(TruncationParams {
                max_length: max_len,
                ..TruncationParams::default()
            }))
            .map_err(|e| EmbedError::model(dir, format!("tokenizer truncation: {e}")))?;
        inner.with_padding(None);
        Ok(Self { inner })
    }

    /// The token ids of each text, with `[CLS]` and `[SEP]`.
    pub fn encode(&self, texts: &[&str]) -> Result<Vec<Vec<u32>>> {
        let encodings = self
            .inner
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
        Ok(encodings
            .into_iter()
            .map(|e| e.get_ids().to_vec())
            .collect())
    }
}

fn from_vocab(dir: &Path) -> Result<Tokenizer> {
    let vocab = dir.join("vocab.txt");
    if !vocab.exists() {
        return Err(EmbedError::model(
            dir,
            "neither tokenizer.json nor vocab.txt is there",
        ));
    }
    let vocab = vocab
        .to_str()
        .ok_or_else(|| EmbedError::model(dir, "the path of vocab.txt is not UTF-8"))?;
    let lowercase =
        read_json::<TokenizerConfig>(dir, "tokenizer_config.json")?.is_none_or(|c| c.do_lower_case);
    let model = WordPiece::from_file(vocab)
        .unk_token("[UNK]".into())
        .build()
        .map_err(|e| EmbedError::model(dir, format!("vocab.txt cannot be loaded: {e}")))?;
    let mut tokenizer = Tokenizer::new(model);
    let special = |token: &str| {
        tokenizer
            .token_to_id(token)
            .map(|id| (token.to_owned(), id))
            .ok_or_else(|| EmbedError::model(dir, format!("vocab.txt has no {token} token")))
    };
    let (cls, sep) = (special("[CLS]")?, special("[SEP]")?);
    tokenizer
        .with_normalizer(Some(BertNormalizer::new(true, true, None, lowercase)))
        .map_err(|e| EmbedError::model(dir, format!("tokenizer normalizer: {e}")))?;
    tokenizer
        .with_pre_tokenizer(Some(BertPreTokenizer))
        .with_post_processor(Some(BertProcessing::new(sep, cls)));
    Ok(tokenizer)
}
