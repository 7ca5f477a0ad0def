//! The forward pass but for the linear layers' products, as candle custom ops.
//!
//! candle's CPU softmax and erf-GELU call the scalar `exp`/`erff` of libm once per
//! element, its layer norm sums in scalar, and its broadcast adds go through a thread
//! pool of their own; on MiniLM that took as long as all the matrix products together.
//! These kernels fuse each step into one pass, use branch-free polynomial
//! approximations that the compiler vectorises (with AVX2 or AVX-512 when the CPU has
//! them, chosen at run time by `pulp`), and split rows over the current rayon pool (one
//! thread inside an embedding worker).

use candle_core::{CpuStorage, CustomOp1, CustomOp2, Layout, Shape, bail};
use rayon::prelude::*;

use super::linear::PackedWeights;

/// Rows handed to one rayon task at a time.
const ROWS_PER_TASK: usize = 16;

/// `e^x` for `x <= 0` (inputs below -87 give ~0), relative error below 3e-7.
#[inline(always)]
fn exp_nonpositive(x: f32) -> f32 {
    let x = x.max(-87.0);
    // x = n ln2 + r with |r| <= ln2 / 2; ln2 in two parts keeps r exact (Cody-Waite).
    // Round to nearest (x <= 0, and `as` truncates toward zero).
    let n = (x * std::f32::consts::LOG2_E - 0.5) as i32;
    let nf = n as f32;
    let r = (x - nf * 0.693_359_4) + nf * 2.121_944_4e-4;
    // e^r by its Taylor series to degree 6.
    let p = 1.0
        + r * (1.0
            + r * (1.0 / 2.0
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    p * f32::from_bits(((n + 127) as u32) << 23)
}

/// `erf(x)`, Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7).
#[inline(always)]
fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    (1.0 - poly * exp_nonpositive(-a * a)).copysign(x)
}

/// GELU with the exact (erf) formulation that BERT's `"gelu"` means.
#[inline(always)]
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// Sum of a slice in eight independent lanes, so that it vectorises.
#[inline(always)]
fn sum(xs: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let chunks = xs.chunks_exact(8);
    let tail: f32 = chunks.remainder().iter().sum();
    for chunk in chunks {
        for (lane, &x) in lanes.iter_mut().zip(chunk) {
            *lane += x;
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// Maximum of a slice in eight independent lanes.
#[inline(always)]
fn max(xs: &[f32]) -> f32 {
    let mut lanes = [f32::NEG_INFINITY; 8];
    let chunks = xs.chunks_exact(8);
    let tail = chunks
        .remainder()
        .iter()
        .fold(f32::NEG_INFINITY, |m, &x| m.max(x));
    for chunk in chunks {
        for (lane, &x) in lanes.iter_mut().zip(chunk) {
            *lane = lane.max(x);
        }
    }
    lanes.iter().fold(tail, |m, &x| m.max(x))
}

/// The contiguous f32 data of a tensor's storage.
fn contiguous_f32<'a>(storage: &'a CpuStorage, layout: &Layout) -> candle_core::Result<&'a [f32]> {
    let CpuStorage::F32(data) = storage else {
        bail!("expected f32 data")
    };
    let Some((start, end)) = layout.contiguous_offsets() else {
        bail!("expected a contiguous tensor")
    };
    Ok(&data[start..end])
}

/// Self-attention of one layer, from the fused query/key/value projection
/// `[batch * seq, 3 * hidden]` (before its bias) to the heads' context side by side,
/// `[batch * seq, hidden]`: bias, scores, the softmax over each sequence's real
/// tokens (padding keys get no weight) and the weighted values in one pass per
/// sequence. The rows of padding tokens are left at zero: nothing reads them (keys
/// are masked, and pooling takes the real tokens only).
pub struct Attention<'a> {
    /// The bias of the fused projection, `3 * hidden` values.
    pub bias: &'a [f32],
    /// Attention heads.
    pub heads: usize,
    /// The number of real (non-padding) tokens of each sequence in the batch.
    pub lens: &'a [usize],
}

impl CustomOp1 for Attention<'_> {
    fn name(&self) -> &'static str {
        "attention"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let src = contiguous_f32(storage, layout)?;
        let &[rows, width] = layout.shape().dims() else {
            bail!("attention expects [tokens, 3 * hidden]")
        };
        let batch = self.lens.len();
        if width != self.bias.len()
            || batch == 0
            || self.heads == 0
            || !rows.is_multiple_of(batch)
            || !width.is_multiple_of(3 * self.heads)
        {
            bail!(
                "attention of {batch} x {} heads on {:?}",
                self.heads,
                layout.shape()
            )
        }
        let (seq, hidden) = (rows / batch, width / 3);
        let mut dst = vec![0.0f32; rows * hidden];
        if seq > 0 {
            dst.par_chunks_mut(seq * hidden)
                .zip(src.par_chunks(seq * width))
                .zip(self.lens)
                .for_each(|((dst, src), &len)| {
                    pulp::Arch::new().dispatch(SequenceAttention {
                        op: self,
                        len: len.min(seq),
                        dst,
                        src,
                    })
                });
        }
        Ok((CpuStorage::F32(dst), Shape::from_dims(&[rows, hidden])))
    }
}

/// The attention of one sequence, as one task.
struct SequenceAttention<'a> {
    op: &'a Attention<'a>,
    /// Real tokens.
    len: usize,
    /// `[seq, hidden]`.
    dst: &'a mut [f32],
    /// `[seq, 3 * hidden]`.
    src: &'a [f32],
}

impl pulp::WithSimd for SequenceAttention<'_> {
    type Output = ();

    // `inline(always)`, like every function it calls: pulp compiles it once per
    // instruction set, and the compiler vectorises each copy for its set.
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let Self { op, len, dst, src } = self;
        if len == 0 {
            return;
        }
        let width = op.bias.len();
        let hidden = width / 3;
        let head_dim = hidden / op.heads;
        let scale = 1.0 / (head_dim as f32).sqrt();
        // The real tokens' projections with their bias.
        let mut qkv = src[..len * width].to_vec();
        for row in qkv.chunks_exact_mut(width) {
            for (x, &b) in row.iter_mut().zip(op.bias) {
                *x += b;
            }
        }
        let mut queries = Vec::with_capacity(len * head_dim);
        let mut keys = vec![0.0f32; head_dim * len];
        let mut values = vec![0.0f32; len * head_dim];
        let mut scores = vec![0.0f32; len * len];
        let mut context = vec![0.0f32; len * head_dim];
        for h in 0..op.heads {
            let column = h * head_dim;
            // Where this head's query, key and value start in a row.
            let (q, k, v) = (column, hidden + column, 2 * hidden + column);
            queries.clear();
            for (t, row) in qkv.chunks_exact(width).enumerate() {
                queries.extend_from_slice(&row[q..q + head_dim]);
                values[t * head_dim..(t + 1) * head_dim].copy_from_slice(&row[v..v + head_dim]);
                for (d, &key) in row[k..k + head_dim].iter().enumerate() {
                    keys[d * len + t] = key;
                }
            }
            // Scores: queries times the keys transposed; weights; their values.
            PackedWeights::pack(&keys, head_dim, len).multiply(&queries, &mut scores);
            for row in scores.chunks_exact_mut(len) {
                softmax(row, scale);
            }
            PackedWeights::pack(&values, len, head_dim).multiply(&scores, &mut context);
            for (out, row) in dst
                .chunks_exact_mut(hidden)
                .zip(context.chunks_exact(head_dim))
            {
                out[column..column + head_dim].copy_from_slice(row);
            }
        }
    }
}

/// `softmax(scale * x)` in place.
#[inline(always)]
fn softmax(xs: &mut [f32], scale: f32) {
    let top = max(xs);
    for x in xs.iter_mut() {
        *x = exp_nonpositive((*x - top) * scale);
    }
    let inverse = 1.0 / sum(xs);
    for x in xs.iter_mut() {
        *x *= inverse;
    }
}

/// `gelu(x + bias)` for `x` of shape `[rows, n]` and `bias` of shape `[n]`.
pub struct BiasGelu;

impl CustomOp2 for BiasGelu {
    fn name(&self) -> &'static str {
        "bias-gelu"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
        bias_storage: &CpuStorage,
        bias_layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let src = contiguous_f32(storage, layout)?;
        let bias = contiguous_f32(bias_storage, bias_layout)?;
        let n = bias.len();
        if n == 0 || layout.shape().dims().last() != Some(&n) {
            bail!("bias of {n} for input {:?}", layout.shape())
        }
        let mut dst = vec![0.0f32; src.len()];
        dst.par_chunks_mut(n * ROWS_PER_TASK)
            .zip(src.par_chunks(n * ROWS_PER_TASK))
            .for_each(|(dst, src)| pulp::Arch::new().dispatch(GeluRows { bias, dst, src }));
        Ok((CpuStorage::F32(dst), layout.shape().clone()))
    }
}

/// Some rows of a [`BiasGelu`], as one task.
struct GeluRows<'a> {
    bias: &'a [f32],
    dst: &'a mut [f32],
    src: &'a [f32],
}

impl pulp::WithSimd for GeluRows<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let n = self.bias.len();
        for (out, row) in self.dst.chunks_mut(n).zip(self.src.chunks(n)) {
            for ((o, &x), &b) in out.iter_mut().zip(row).zip(self.bias) {
                *o = gelu(x + b);
            }
        }
    }
}

/// `layer_norm(x + bias + residual)` row by row, for `x` and `residual` of shape
/// `[rows, n]`: a linear layer's bias, the residual connection and the norm in one pass.
pub struct ResidualNorm {
    /// The linear layer's bias, `n` values.
    pub bias: Vec<f32>,
    /// The norm's scale, `n` values.
    pub gamma: Vec<f32>,
    /// The norm's shift, `n` values.
    pub beta: Vec<f32>,
    /// Added to the variance.
    pub eps: f32,
}

impl CustomOp2 for ResidualNorm {
    fn name(&self) -> &'static str {
        "residual-norm"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
        residual_storage: &CpuStorage,
        residual_layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let src = contiguous_f32(storage, layout)?;
        let residual = contiguous_f32(residual_storage, residual_layout)?;
        let n = self.bias.len();
        if n == 0
            || layout.shape() != residual_layout.shape()
            || layout.shape().dims().last() != Some(&n)
        {
            bail!("residual norm of width {n} on {:?}", layout.shape())
        }
        let mut dst = vec![0.0f32; src.len()];
        dst.par_chunks_mut(n * ROWS_PER_TASK)
            .zip(src.par_chunks(n * ROWS_PER_TASK))
            .zip(residual.par_chunks(n * ROWS_PER_TASK))
            .for_each(|((dst, src), residual)| {
                pulp::Arch::new().dispatch(NormRows {
                    op: self,
                    dst,
                    src,
                    residual,
                })
            });
        Ok((CpuStorage::F32(dst), layout.shape().clone()))
    }
}

/// Some rows of a [`ResidualNorm`], as one task.
struct NormRows<'a> {
    op: &'a ResidualNorm,
    dst: &'a mut [f32],
    src: &'a [f32],
    residual: &'a [f32],
}

impl pulp::WithSimd for NormRows<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let n = self.op.bias.len();
        let rows = self.dst.chunks_mut(n).zip(self.src.chunks(n));
        for ((out, x), r) in rows.zip(self.residual.chunks(n)) {
            self.op.row(out, x, r);
        }
    }
}

impl ResidualNorm {
    #[inline(always)]
    fn row(&self, out: &mut [f32], x: &[f32], residual: &[f32]) {
        for (((o, &x), &r), &b) in out.iter_mut().zip(x).zip(residual).zip(&self.bias) {
            *o = x + r + b;
        }
        let inverse_n = 1.0 / out.len() as f32;
        let mean = sum(out) * inverse_n;
        let mut lanes = [0.0f32; 8];
        for chunk in out.chunks_exact(8) {
            for (lane, &v) in lanes.iter_mut().zip(chunk) {
                *lane += (v - mean) * (v - mean);
            }
        }
        let tail: f32 = out
            .chunks_exact(8)
            .remainder()
            .iter()
            .map(|v| (v - mean) * (v - mean))
            .sum();
        let variance = (lanes.iter().sum::<f32>() + tail) * inverse_n;
        let scale = 1.0 / (variance + self.eps).sqrt();
        for ((o, &g), &b) in out.iter_mut().zip(&self.gamma).zip(&self.beta) {
            *o = (*o - mean) * scale * g + b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_accurate_on_its_range() {
        let mut x = -87.0f32;
        while x <= 0.0 {
            let (got, want) = (exp_nonpositive(x), x.exp());
            assert!(
                (got - want).abs() <= 3e-7 * want + 1e-37,
                "exp({x}) = {got}, want {want}"
            );
            x += 0.0137;
        }
        assert!(exp_nonpositive(-1000.0) < 1e-37);
    }

    #[test]
    fn gelu_matches_the_erf_definition() {
        let mut x = -10.0f32;
        while x <= 10.0 {
            let want = 0.5 * f64::from(x) * (1.0 + erf_f64(f64::from(x) / 2f64.sqrt()));
            assert!(
                (f64::from(gelu(x)) - want).abs() < 2e-6,
                "gelu({x}) = {}, want {want}",
                gelu(x)
            );
            x += 0.01;
        }
    }

    /// erf by Simpson's rule on its integral, in f64, as an independent reference.
    fn erf_f64(x: f64) -> f64 {
        let steps = 20_000;
        let h = x / f64::from(steps);
        let f = |t: f64| (-t * t).exp();
        let inner: f64 = (1..steps)
            .map(|i| f(f64::from(i) * h) * if i % 2 == 1 { 4.0 } else { 2.0 })
            .sum();
        (f(0.0) + inner + f(x)) * h / 3.0 * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn reductions_match_the_obvious_ones() {
        let xs: Vec<f32> = (0..37).map(|i| ((i * 7919) % 101) as f32 - 50.0).collect();
        assert_eq!(max(&xs), xs.iter().cloned().fold(f32::MIN, f32::max));
        assert!((sum(&xs) - xs.iter().sum::<f32>()).abs() < 1e-3);
    }

    #[test]
    fn residual_norm_matches_candle() -> candle_core::Result<()> {
        let dev = &candle_core::Device::Cpu;
        let n = 19;
        let x = candle_core::Tensor::arange(0f32, 3.0 * n as f32, dev)?
            .reshape((3, n))?
            .sin()?;
        let r = candle_core::Tensor::arange(0f32, 3.0 * n as f32, dev)?
            .reshape((3, n))?
            .cos()?;
        let values = |k: f32| {
            (0..n)
                .map(|i| (i as f32 * k).sin() + 1.0)
                .collect::<Vec<f32>>()
        };
        let (bias, gamma, beta) = (values(0.3), values(0.7), values(1.3));
        let op = ResidualNorm {
            bias: bias.clone(),
            gamma: gamma.clone(),
            beta: beta.clone(),
            eps: 1e-12,
        };
        let got = x
            .apply_op2_no_bwd(&r, &op)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        let t = |v: Vec<f32>| candle_core::Tensor::from_vec(v, n, dev);
        let sum = (x + r)?.broadcast_add(&t(bias)?)?;
        let want = candle_nn::ops::layer_norm(&sum, &t(gamma)?, &t(beta)?, 1e-12)?;
        for (g, w) in got.iter().zip(want.flatten_all()?.to_vec1::<f32>()?) {
            assert!((g - w).abs() < 1e-5, "{g} vs {w}");
        }
        Ok(())
    }

    #[test]
    fn attention_matches_the_definition_and_ignores_padding() -> candle_core::Result<()> {
        let (seq, heads, head_dim) = (3, 2, 4);
        let (hidden, lens) = (heads * head_dim, [2usize, 3]);
        let width = 3 * hidden;
        let rows = lens.len() * seq;
        let src: Vec<f32> = (0..rows * width)
            .map(|i| ((i * 7919) % 23) as f32 / 11.0 - 1.0)
            .collect();
        let bias: Vec<f32> = (0..width).map(|i| (i % 5) as f32 * 0.1).collect();
        let x =
            candle_core::Tensor::from_vec(src.clone(), (rows, width), &candle_core::Device::Cpu)?;
        let op = Attention {
            bias: &bias,
            heads,
            lens: &lens,
        };
        let got = x.apply_op1_no_bwd(&op)?;
        assert_eq!(got.dims(), [rows, hidden]);
        let got = got.flatten_all()?.to_vec1::<f32>()?;
        // In f64, straight from the definition.
        let at = |row: usize, part: usize, h: usize, d: usize| {
            let c = part * hidden + h * head_dim + d;
            f64::from(src[row * width + c] + bias[c])
        };
        for (b, &len) in lens.iter().enumerate() {
            for h in 0..heads {
                for s in 0..seq {
                    let row = b * seq + s;
                    let out = &got[row * hidden + h * head_dim..][..head_dim];
                    if s >= len {
                        assert!(out.iter().all(|&v| v == 0.0), "padding row {row}: {out:?}");
                        continue;
                    }
                    let scores: Vec<f64> = (0..len)
                        .map(|t| {
                            let q_k: f64 = (0..head_dim)
                                .map(|d| at(row, 0, h, d) * at(b * seq + t, 1, h, d))
                                .sum();
                            (q_k / (head_dim as f64).sqrt()).exp()
                        })
                        .collect();
                    let total: f64 = scores.iter().sum();
                    for (d, &value) in out.iter().enumerate() {
                        let want: f64 = (0..len)
                            .map(|t| scores[t] / total * at(b * seq + t, 2, h, d))
                            .sum();
                        assert!((f64::from(value) - want).abs() < 1e-5, "{value} vs {want}");
                    }
                }
            }
        }
        Ok(())
    }
}
