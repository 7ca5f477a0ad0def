//! The BERT encoder's forward pass in candle, for inference only.
//!
//! Hidden states stay two-dimensional, `[batch * seq, hidden]`, so that every linear
//! layer is one matrix product; the query, key and value projections are fused into
//! one; attention masks padding keys inside the softmax ([`MaskedSoftmax`]) and the
//! feed-forward bias and GELU are one pass ([`BiasGelu`]).

use std::collections::HashMap;
use std::path::Path;

use candle_core::{D, Device, Tensor};

use super::config::BertConfig;
use super::kernels::{BiasGelu, MaskedSoftmax};
use crate::embed::normalise;
use crate::error::{Result, SearchError};

/// A BERT encoder with its weights.
pub struct Bert {
    word_embeddings: Tensor,
    position_embeddings: Tensor,
    token_type_embedding: Tensor,
    embeddings_norm: Norm,
    layers: Vec<Layer>,
    heads: usize,
    hidden: usize,
}

struct Linear {
    /// `[in, out]`, so that `x.matmul(weight)` needs no transposed view.
    weight: Tensor,
    bias: Tensor,
}

impl Linear {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.matmul(&self.weight)?.broadcast_add(&self.bias)
    }
}

struct Norm {
    weight: Tensor,
    bias: Tensor,
    eps: f32,
}

impl Norm {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        candle_nn::ops::layer_norm(x, &self.weight, &self.bias, self.eps)
    }
}

struct Layer {
    qkv: Linear,
    attention_output: Linear,
    attention_norm: Norm,
    intermediate: Linear,
    output: Linear,
    output_norm: Norm,
}

/// The tensors of a safetensors file, taken out by name.
struct Weights<'a> {
    tensors: HashMap<String, Tensor>,
    dir: &'a Path,
}

impl Weights<'_> {
    /// Takes a tensor, with or without the `bert.` prefix some checkpoints carry.
    fn take(&mut self, name: &str) -> Result<Tensor> {
        self.tensors
            .remove(name)
            .or_else(|| self.tensors.remove(&format!("bert.{name}")))
            .ok_or_else(|| {
                SearchError::model(self.dir, format!("model.safetensors has no tensor {name}"))
            })
    }

    fn linear(&mut self, prefix: &str) -> Result<Linear> {
        Ok(Linear {
            weight: self.take(&format!("{prefix}.weight"))?.t()?.contiguous()?,
            bias: self.take(&format!("{prefix}.bias"))?,
        })
    }

    fn norm(&mut self, prefix: &str, eps: f64) -> Result<Norm> {
        Ok(Norm {
            weight: self.take(&format!("{prefix}.weight"))?,
            bias: self.take(&format!("{prefix}.bias"))?,
            eps: eps as f32,
        })
    }

    /// The query, key and value projections as one `[hidden, 3 * hidden]` layer.
    fn qkv(&mut self, prefix: &str) -> Result<Linear> {
        let parts = ["query", "key", "value"].map(|p| self.linear(&format!("{prefix}.{p}")));
        let [q, k, v] = parts;
        let (q, k, v) = (q?, k?, v?);
        Ok(Linear {
            weight: Tensor::cat(&[&q.weight, &k.weight, &v.weight], 1)?,
            bias: Tensor::cat(&[&q.bias, &k.bias, &v.bias], 0)?,
        })
    }
}

impl Bert {
    /// Loads `model.safetensors` from `dir` (f32 weights).
    pub fn load(dir: &Path, config: &BertConfig) -> Result<Self> {
        let path = dir.join("model.safetensors");
        if !path.exists() {
            return Err(SearchError::model(
                dir,
                "model.safetensors is missing (pytorch_model.bin alone is not supported: \
                 convert it to safetensors)",
            ));
        }
        let tensors = candle_core::safetensors::load(&path, &Device::Cpu)?
            .into_iter()
            .map(|(name, t)| Ok((name, t.to_dtype(candle_core::DType::F32)?)))
            .collect::<candle_core::Result<HashMap<_, _>>>()?;
        let mut w = Weights { tensors, dir };
        let eps = config.layer_norm_eps;
        let layers = (0..config.layers)
            .map(|i| {
                let p = format!("encoder.layer.{i}");
                Ok(Layer {
                    qkv: w.qkv(&format!("{p}.attention.self"))?,
                    attention_output: w.linear(&format!("{p}.attention.output.dense"))?,
                    attention_norm: w.norm(&format!("{p}.attention.output.LayerNorm"), eps)?,
                    intermediate: w.linear(&format!("{p}.intermediate.dense"))?,
                    output: w.linear(&format!("{p}.output.dense"))?,
                    output_norm: w.norm(&format!("{p}.output.LayerNorm"), eps)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let bert = Self {
            word_embeddings: w.take("embeddings.word_embeddings.weight")?,
            position_embeddings: w.take("embeddings.position_embeddings.weight")?,
            token_type_embedding: w.take("embeddings.token_type_embeddings.weight")?.get(0)?,
            embeddings_norm: w.norm("embeddings.LayerNorm", eps)?,
            layers,
            heads: config.heads,
            hidden: config.hidden_size,
        };
        let (_, width) = bert.word_embeddings.dims2()?;
        let (positions, _) = bert.position_embeddings.dims2()?;
        if width != config.hidden_size || positions < config.max_positions {
            return Err(SearchError::model(
                dir,
                "model.safetensors does not match config.json",
            ));
        }
        Ok(bert)
    }

    /// The width of the hidden states (the embedding dimension).
    pub fn hidden_size(&self) -> usize {
        self.hidden
    }

    /// Runs the encoder on `ids` (`[batch, seq]`, padded with anything) of which sequence
    /// `b` has `lens[b]` real tokens; returns the last hidden states, `[batch * seq, hidden]`.
    pub fn forward(&self, ids: &Tensor, lens: &[usize]) -> candle_core::Result<Tensor> {
        let (batch, seq) = ids.dims2()?;
        let words = self
            .word_embeddings
            .index_select(&ids.flatten_all()?, 0)?
            .reshape((batch, seq, self.hidden))?;
        let positions = self.position_embeddings.narrow(0, 0, seq)?;
        let x = words
            .broadcast_add(&positions)?
            .broadcast_add(&self.token_type_embedding)?
            .reshape((batch * seq, self.hidden))?;
        let mut x = self.embeddings_norm.forward(&x)?;
        for layer in &self.layers {
            x = self.layer(layer, &x, batch, seq, lens)?;
        }
        Ok(x)
    }

    fn layer(
        &self,
        layer: &Layer,
        x: &Tensor,
        batch: usize,
        seq: usize,
        lens: &[usize],
    ) -> candle_core::Result<Tensor> {
        let head_dim = self.hidden / self.heads;
        // [batch * seq, 3 * hidden] -> [3, batch, heads, seq, head_dim]
        let qkv = layer
            .qkv
            .forward(x)?
            .reshape((batch, seq, 3, self.heads, head_dim))?
            .permute((2, 0, 3, 1, 4))?;
        let q = qkv.get(0)?.contiguous()?;
        let k = qkv.get(1)?.contiguous()?;
        let v = qkv.get(2)?.contiguous()?;
        let softmax = MaskedSoftmax {
            key_lens: lens.to_vec(),
            scale: 1.0 / (head_dim as f32).sqrt(),
        };
        let probs = q.matmul(&k.t()?)?.apply_op1_no_bwd(&softmax)?;
        let context = probs
            .matmul(&v)?
            .transpose(1, 2)?
            .contiguous()?
            .reshape((batch * seq, self.hidden))?;
        let attended = layer
            .attention_norm
            .forward(&(layer.attention_output.forward(&context)? + x)?)?;
        let inner = attended
            .matmul(&layer.intermediate.weight)?
            .apply_op2_no_bwd(&layer.intermediate.bias, &BiasGelu)?;
        layer
            .output_norm
            .forward(&(layer.output.forward(&inner)? + &attended)?)
    }
}

/// Mean of each sequence's real-token rows of `hidden` (`[batch * seq, width]`),
/// L2-normalised.
pub fn mean_pool_normalised(
    hidden: &Tensor,
    seq: usize,
    lens: &[usize],
) -> candle_core::Result<Vec<Vec<f32>>> {
    let width = hidden.dim(D::Minus1)?;
    let data = hidden.flatten_all()?.to_vec1::<f32>()?;
    Ok(lens
        .iter()
        .enumerate()
        .map(|(b, &len)| {
            let mut mean = vec![0.0f32; width];
            let rows = data[b * seq * width..].chunks_exact(width).take(len.max(1));
            for row in rows {
                for (m, &x) in mean.iter_mut().zip(row) {
                    *m += x;
                }
            }
            normalise(&mut mean);
            mean
        })
        .collect())
}
