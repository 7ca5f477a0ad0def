//! The BERT encoder's forward pass in candle, for inference only.
//!
//! Hidden states stay two-dimensional, `[batch * seq, hidden]`, so that every linear
//! layer is one product with packed weights ([`Linear`]); the query, key and value
//! projections are one product, and the attention on it (bias, scores, the softmax
//! over real tokens, the weighted values) is one pass per sequence ([`Attention`]);
//! bias, residual and layer norm are one pass ([`ResidualNorm`]), and so are the
//! feed-forward bias and GELU ([`BiasGelu`]).

use std::collections::HashMap;
use std::path::Path;

use candle_core::{D, Device, Tensor};

use super::config::BertConfig;
use super::kernels::{Attention, BiasGelu, ResidualNorm};
use super::linear::{Linear, PackedWeights};
use crate::error::{EmbedError, Result};
use crate::normalise;

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

/// The layer norm of the embeddings (candle's; it runs once per batch).
struct Norm {
    weight: Tensor,
    bias: Tensor,
    eps: f32,
}

/// One encoder layer. Weight matrices are packed `[in, out]` ([`PackedWeights`]);
/// biases live in the fused ops that add them.
struct Layer {
    /// Query, key and value projections side by side: `[hidden, 3 * hidden]`.
    qkv: PackedWeights,
    qkv_bias: Vec<f32>,
    attention_output: PackedWeights,
    attention_norm: ResidualNorm,
    intermediate: PackedWeights,
    intermediate_bias: Tensor,
    output: PackedWeights,
    output_norm: ResidualNorm,
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
                EmbedError::model(self.dir, format!("model.safetensors has no tensor {name}"))
            })
    }

    /// A linear layer's weight matrix, transposed to `[in, out]`.
    fn matrix(&mut self, prefix: &str) -> Result<Tensor> {
        Ok(self.take(&format!("{prefix}.weight"))?.t()?.contiguous()?)
    }

    /// A linear layer's weight matrix, packed.
    fn packed(&mut self, prefix: &str) -> Result<PackedWeights> {
        pack(&self.matrix(prefix)?)
    }

    /// A linear layer's weight matrix (`[in, out]`) and bias.
    fn projection(&mut self, prefix: &str) -> Result<(Tensor, Vec<f32>)> {
        Ok((
            self.matrix(prefix)?,
            self.values(&format!("{prefix}.bias"))?,
        ))
    }

    fn values(&mut self, name: &str) -> Result<Vec<f32>> {
        Ok(self.take(name)?.to_vec1::<f32>()?)
    }

    /// A dense layer's bias with the layer norm that follows it.
    fn residual_norm(&mut self, dense: &str, norm: &str, eps: f64) -> Result<ResidualNorm> {
        Ok(ResidualNorm {
            bias: self.values(&format!("{dense}.bias"))?,
            gamma: self.values(&format!("{norm}.weight"))?,
            beta: self.values(&format!("{norm}.bias"))?,
            eps: eps as f32,
        })
    }

    fn layer(&mut self, i: usize, eps: f64) -> Result<Layer> {
        let p = format!("encoder.layer.{i}");
        let (q, q_bias) = self.projection(&format!("{p}.attention.self.query"))?;
        let (k, k_bias) = self.projection(&format!("{p}.attention.self.key"))?;
        let (v, v_bias) = self.projection(&format!("{p}.attention.self.value"))?;
        Ok(Layer {
            qkv: pack(&Tensor::cat(&[&q, &k, &v], 1)?)?,
            qkv_bias: [q_bias, k_bias, v_bias].concat(),
            attention_output: self.packed(&format!("{p}.attention.output.dense"))?,
            attention_norm: self.residual_norm(
                &format!("{p}.attention.output.dense"),
                &format!("{p}.attention.output.LayerNorm"),
                eps,
            )?,
            intermediate: self.packed(&format!("{p}.intermediate.dense"))?,
            intermediate_bias: self.take(&format!("{p}.intermediate.dense.bias"))?,
            output: self.packed(&format!("{p}.output.dense"))?,
            output_norm: self.residual_norm(
                &format!("{p}.output.dense"),
                &format!("{p}.output.LayerNorm"),
                eps,
            )?,
        })
    }
}

impl Bert {
    /// Loads `model.safetensors` from `dir` (f32 weights).
    pub fn load(dir: &Path, config: &BertConfig) -> Result<Self> {
        let path = dir.join("model.safetensors");
        if !path.exists() {
            return Err(EmbedError::model(
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
            .map(|i| w.layer(i, eps))
            .collect::<Result<Vec<_>>>()?;
        let bert = Self {
            word_embeddings: w.take("embeddings.word_embeddings.weight")?,
            position_embeddings: w.take("embeddings.position_embeddings.weight")?,
            token_type_embedding: w.take("embeddings.token_type_embeddings.weight")?.get(0)?,
            embeddings_norm: Norm {
                weight: w.take("embeddings.LayerNorm.weight")?,
                bias: w.take("embeddings.LayerNorm.bias")?,
                eps: eps as f32,
            },
            layers,
            heads: config.heads,
            hidden: config.hidden_size,
        };
        let (_, width) = bert.word_embeddings.dims2()?;
        let (positions, _) = bert.position_embeddings.dims2()?;
        if width != config.hidden_size || positions < config.max_positions {
            return Err(EmbedError::model(
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
        let norm = &self.embeddings_norm;
        let mut x = candle_nn::ops::layer_norm(&x, &norm.weight, &norm.bias, norm.eps)?;
        for layer in &self.layers {
            x = self.layer(layer, &x, lens)?;
        }
        Ok(x)
    }

    fn layer(&self, layer: &Layer, x: &Tensor, lens: &[usize]) -> candle_core::Result<Tensor> {
        let attention = Attention {
            bias: &layer.qkv_bias,
            heads: self.heads,
            lens,
        };
        let attended = x
            .apply_op1_no_bwd(&Linear(&layer.qkv))?
            .apply_op1_no_bwd(&attention)?
            .apply_op1_no_bwd(&Linear(&layer.attention_output))?
            .apply_op2_no_bwd(x, &layer.attention_norm)?;
        let inner = attended
            .apply_op1_no_bwd(&Linear(&layer.intermediate))?
            .apply_op2_no_bwd(&layer.intermediate_bias, &BiasGelu)?;
        inner
            .apply_op1_no_bwd(&Linear(&layer.output))?
            .apply_op2_no_bwd(&attended, &layer.output_norm)
    }
}

/// Packs a weight matrix `[in, out]`.
fn pack(matrix: &Tensor) -> Result<PackedWeights> {
    let (inputs, outputs) = matrix.dims2()?;
    let values = matrix.flatten_all()?.to_vec1::<f32>()?;
    Ok(PackedWeights::pack(&values, inputs, outputs))
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
