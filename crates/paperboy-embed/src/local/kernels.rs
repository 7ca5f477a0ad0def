//! The element-wise parts of the forward pass as candle custom ops.
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

/// Softmax over the last dimension of attention scores `[batch, heads, queries, keys]`,
/// of `scale * score`, over the first `key_lens[b]` keys of sequence `b`; the scores of
/// padding keys become 0.
pub struct MaskedSoftmax {
    /// The number of real (non-padding) tokens of each sequence in the batch.
    pub key_lens: Vec<usize>,
    /// The factor applied to every score first (`1 / sqrt(head_dim)`).
    pub scale: f32,
}

impl CustomOp1 for MaskedSoftmax {
    fn name(&self) -> &'static str {
        "masked-softmax"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let src = contiguous_f32(storage, layout)?;
        let &[batch, heads, queries, keys] = layout.shape().dims() else {
            bail!("masked softmax expects [batch, heads, queries, keys]")
        };
        if self.key_lens.len() != batch {
            bail!("{} key lengths for a batch of {batch}", self.key_lens.len())
        }
        let rows_per_sequence = heads * queries;
        let mut dst = vec![0.0f32; src.len()];
        dst.par_chunks_mut(keys * ROWS_PER_TASK)
            .zip(src.par_chunks(keys * ROWS_PER_TASK))
            .enumerate()
            .for_each(|(task, (dst, src))| {
                pulp::Arch::new().dispatch(SoftmaxRows {
                    op: self,
                    first_row: task * ROWS_PER_TASK,
                    rows_per_sequence,
                    keys,
                    dst,
                    src,
                })
            });
        Ok((CpuStorage::F32(dst), layout.shape().clone()))
    }
}

/// Some rows of a [`MaskedSoftmax`], as one task.
struct SoftmaxRows<'a> {
    op: &'a MaskedSoftmax,
    first_row: usize,
    rows_per_sequence: usize,
    keys: usize,
    dst: &'a mut [f32],
    src: &'a [f32],
}

impl pulp::WithSimd for SoftmaxRows<'_> {
    type Output = ();

    // `inline(always)`, like every function it calls: pulp compiles it once per
    // instruction set, and the compiler vectorises each copy for its set.
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let rows = self
            .dst
            .chunks_mut(self.keys)
            .zip(self.src.chunks(self.keys));
        for (i, (out, row)) in rows.enumerate() {
            let sequence = (self.first_row + i) / self.rows_per_sequence;
            let len = self.op.key_lens[sequence].min(self.keys);
            softmax_row(&row[..len], &mut out[..len], self.op.scale);
        }
    }
}

#[inline(always)]
fn softmax_row(row: &[f32], out: &mut [f32], scale: f32) {
    let top = max(row);
    for (o, &x) in out.iter_mut().zip(row) {
        *o = exp_nonpositive((x - top) * scale);
    }
    let inverse = 1.0 / sum(out);
    for o in out.iter_mut() {
        *o *= inverse;
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

/// Adds the bias to the fused query/key/value projection `[batch * seq, 3 * hidden]`
/// and lays it out head-major, `[3, batch, heads, seq, head_dim]`, so that queries,
/// keys and values are contiguous `[batch, heads, seq, head_dim]` tensors.
pub struct SplitHeads<'a> {
    /// The bias of the fused projection, `3 * hidden` values.
    pub bias: &'a [f32],
    /// Sequences in the batch.
    pub batch: usize,
    /// Attention heads.
    pub heads: usize,
}

impl CustomOp1 for SplitHeads<'_> {
    fn name(&self) -> &'static str {
        "split-heads"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let src = contiguous_f32(storage, layout)?;
        let &[rows, width] = layout.shape().dims() else {
            bail!("split heads expects [tokens, 3 * hidden]")
        };
        let (batch, heads) = (self.batch, self.heads);
        if width != self.bias.len()
            || batch == 0
            || heads == 0
            || !rows.is_multiple_of(batch)
            || !width.is_multiple_of(3 * heads)
        {
            bail!("split heads of {batch} x {heads} on {:?}", layout.shape())
        }
        let seq = rows / batch;
        let head_dim = width / 3 / heads;
        let mut dst = vec![0.0f32; src.len()];
        // One block per (part, sequence, head): `seq` rows of `head_dim`.
        dst.par_chunks_mut(seq * head_dim)
            .enumerate()
            .for_each(|(block, out)| {
                let (part, b, h) = (
                    block / (batch * heads),
                    block / heads % batch,
                    block % heads,
                );
                let column = part * (width / 3) + h * head_dim;
                let bias = &self.bias[column..column + head_dim];
                for (s, out) in out.chunks_mut(head_dim).enumerate() {
                    let row = (b * seq + s) * width + column;
                    for ((o, &x), &b) in out.iter_mut().zip(&src[row..row + head_dim]).zip(bias) {
                        *o = x + b;
                    }
                }
            });
        Ok((
            CpuStorage::F32(dst),
            Shape::from_dims(&[3, batch, heads, seq, head_dim]),
        ))
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
    fn masked_softmax_ignores_padding_keys() -> candle_core::Result<()> {
        let scores = candle_core::Tensor::new(
            &[
                [[[1.0f32, 2.0, 3.0], [0.0, 0.0, 9.0]]],
                [[[1.0, 1.0, 1.0], [2.0, 0.0, 0.0]]],
            ],
            &candle_core::Device::Cpu,
        )?;
        let op = MaskedSoftmax {
            key_lens: vec![2, 3],
            scale: 1.0,
        };
        let flat = scores
            .apply_op1_no_bwd(&op)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        let e = std::f32::consts::E;
        let want = [
            1.0 / (1.0 + e),
            e / (1.0 + e),
            0.0,
            0.5,
            0.5,
            0.0,
            1.0 / 3.0,
            1.0 / 3.0,
            1.0 / 3.0,
            e * e / (e * e + 2.0),
            1.0 / (e * e + 2.0),
            1.0 / (e * e + 2.0),
        ];
        for (got, want) in flat.iter().zip(want) {
            assert!((got - want).abs() < 1e-6, "{flat:?}");
        }
        Ok(())
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
    fn split_heads_matches_reshape_and_permute() -> candle_core::Result<()> {
        let dev = &candle_core::Device::Cpu;
        let (batch, seq, heads, head_dim) = (2, 3, 2, 4);
        let width = 3 * heads * head_dim;
        let x = candle_core::Tensor::arange(0f32, (batch * seq * width) as f32, dev)?
            .reshape((batch * seq, width))?;
        let bias: Vec<f32> = (0..width).map(|i| i as f32 * 0.5).collect();
        let op = SplitHeads {
            bias: &bias,
            batch,
            heads,
        };
        let got = x.apply_op1_no_bwd(&op)?;
        let want = x
            .broadcast_add(&candle_core::Tensor::from_vec(bias.clone(), width, dev)?)?
            .reshape((batch, seq, 3, heads, head_dim))?
            .permute((2, 0, 3, 1, 4))?
            .contiguous()?;
        assert_eq!(got.dims(), want.dims());
        assert_eq!(
            got.flatten_all()?.to_vec1::<f32>()?,
            want.flatten_all()?.to_vec1::<f32>()?
        );
        Ok(())
    }
}
