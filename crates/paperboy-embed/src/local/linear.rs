//! Products with a linear layer's weights, packed at load.
//!
//! A search query is some 20 tokens: its product with a weight matrix is 20 rows
//! against up to 590,000 weights. Through candle, gemm read a row-major `[in, out]`
//! matrix a few columns at a time from rows far apart, and candle read /proc/cpuinfo
//! before every product to pick a thread count. Here each matrix is stored once, at
//! load, as panels of [`PANEL`] output columns, a panel's rows one after the other: a
//! product streams every panel from start to end with the sums of up to [`TILE`]
//! input rows in registers. Queries embed in about two thirds of the time, and long
//! batches at least as fast as with gemm (docs/benchmarks.md).

use candle_core::{CpuStorage, CustomOp1, Layout, Shape, bail};
use pulp::Simd;
use rayon::prelude::*;

/// Output columns per panel (one AVX-512 register, two AVX2 ones).
const PANEL: usize = 16;
/// Input rows whose sums one pass over a panel keeps in registers.
const TILE: usize = 8;
/// The same when a row's sums take two registers (AVX2).
const WIDE_TILE: usize = 6;
/// Input rows handed to one rayon task (their panel-sized slices of output stay in
/// cache while every panel streams past).
const ROWS_PER_TASK: usize = 64;

/// A weight matrix `[inputs, outputs]` packed in panels of [`PANEL`] output columns
/// (the last panel padded with zeros).
pub struct PackedWeights {
    inputs: usize,
    outputs: usize,
    panels: Vec<f32>,
}

impl PackedWeights {
    /// Packs the row-major matrix `weights` of `inputs` rows and `outputs` columns.
    pub fn pack(weights: &[f32], inputs: usize, outputs: usize) -> Self {
        assert_eq!(weights.len(), inputs * outputs, "weights of the wrong size");
        let count = outputs.div_ceil(PANEL);
        let mut panels = vec![0.0f32; count * inputs * PANEL];
        for (p, panel) in panels.chunks_exact_mut(inputs.max(1) * PANEL).enumerate() {
            let first = p * PANEL;
            let width = (outputs - first).min(PANEL);
            for (row, packed) in panel.chunks_exact_mut(PANEL).enumerate() {
                let start = row * outputs + first;
                packed[..width].copy_from_slice(&weights[start..start + width]);
            }
        }
        Self {
            inputs,
            outputs,
            panels,
        }
    }
}

impl PackedWeights {
    /// Writes `x · W` into `out` (`[rows, outputs]`) for `x` of `[rows, inputs]`, both
    /// row-major, on the calling thread.
    pub fn multiply(&self, x: &[f32], out: &mut [f32]) {
        if self.inputs == 0 || self.outputs == 0 {
            out.fill(0.0);
            return;
        }
        pulp::Arch::new().dispatch(Product { w: self, x, out });
    }
}

/// `x · W` for `x` of shape `[rows, inputs]`, as a candle op: `[rows, outputs]`.
pub struct Linear<'a>(pub &'a PackedWeights);

impl CustomOp1 for Linear<'_> {
    fn name(&self) -> &'static str {
        "packed-linear"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let w = self.0;
        let CpuStorage::F32(data) = storage else {
            bail!("expected f32 data")
        };
        let Some((start, end)) = layout.contiguous_offsets() else {
            bail!("expected a contiguous tensor")
        };
        let &[rows, inputs] = layout.shape().dims() else {
            bail!("a linear layer expects [rows, inputs]")
        };
        if inputs != w.inputs {
            bail!("{inputs} inputs for a layer of {}", w.inputs)
        }
        let x = &data[start..end];
        let mut out = vec![0.0f32; rows * w.outputs];
        if rows > 0 && inputs > 0 && w.outputs > 0 {
            out.par_chunks_mut(ROWS_PER_TASK * w.outputs)
                .zip(x.par_chunks(ROWS_PER_TASK * inputs))
                .for_each(|(out, x)| w.multiply(x, out));
        }
        Ok((CpuStorage::F32(out), Shape::from_dims(&[rows, w.outputs])))
    }
}

/// Some rows of a [`Linear`] product, as one task.
struct Product<'a> {
    w: &'a PackedWeights,
    x: &'a [f32],
    out: &'a mut [f32],
}

impl pulp::WithSimd for Product<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let Self { w, x, out } = self;
        let rows = x.len() / w.inputs;
        // AVX2 registers hold half a panel: a tile then covers the whole panel (two
        // registers a row, each input value loaded once for both) with fewer rows,
        // so that its sums still fit in the 16 registers.
        let (registers, tile_rows) = if S::F32_LANES == PANEL / 2 {
            (2, WIDE_TILE)
        } else {
            (1, TILE)
        };
        // Each tile's rows, transposed: the tile's values of input k side by side.
        let tiles: Vec<(usize, Vec<f32>)> = (0..rows)
            .step_by(tile_rows)
            .map(|first| {
                let n = (rows - first).min(tile_rows);
                let mut transposed = vec![0.0f32; w.inputs * n];
                for (i, row) in x[first * w.inputs..]
                    .chunks_exact(w.inputs)
                    .take(n)
                    .enumerate()
                {
                    for (k, &value) in row.iter().enumerate() {
                        transposed[k * n + i] = value;
                    }
                }
                (first, transposed)
            })
            .collect();
        for (p, panel) in w.panels.chunks_exact(w.inputs * PANEL).enumerate() {
            let width = (w.outputs - p * PANEL).min(PANEL);
            for lane in (0..width).step_by(S::F32_LANES * registers) {
                let column = p * PANEL + lane;
                for (first, transposed) in &tiles {
                    let tile = Tile {
                        panel,
                        lane,
                        x: transposed,
                        out: &mut out[first * w.outputs + column..],
                        stride: w.outputs,
                        width: width - lane,
                    };
                    match (registers, transposed.len() / w.inputs) {
                        (2, 6) => tile.run::<S, 6, 2>(simd),
                        (2, 5) => tile.run::<S, 5, 2>(simd),
                        (2, 4) => tile.run::<S, 4, 2>(simd),
                        (2, 3) => tile.run::<S, 3, 2>(simd),
                        (2, 2) => tile.run::<S, 2, 2>(simd),
                        (2, _) => tile.run::<S, 1, 2>(simd),
                        (_, 8) => tile.run::<S, 8, 1>(simd),
                        (_, 7) => tile.run::<S, 7, 1>(simd),
                        (_, 6) => tile.run::<S, 6, 1>(simd),
                        (_, 5) => tile.run::<S, 5, 1>(simd),
                        (_, 4) => tile.run::<S, 4, 1>(simd),
                        (_, 3) => tile.run::<S, 3, 1>(simd),
                        (_, 2) => tile.run::<S, 2, 1>(simd),
                        _ => tile.run::<S, 1, 1>(simd),
                    }
                }
            }
        }
    }
}

/// One or two registers' worth of a panel's columns, for a few input rows.
struct Tile<'a> {
    panel: &'a [f32],
    /// The first column of the panel this tile computes.
    lane: usize,
    /// The tile's rows transposed: input k of every row, then input k + 1.
    x: &'a [f32],
    /// The tile's first output onwards (row `i`'s at `i * stride`).
    out: &'a mut [f32],
    stride: usize,
    /// Columns left in the panel from `lane` (a tile writes at most its registers').
    width: usize,
}

impl Tile<'_> {
    /// Sums for `ROWS` rows in `REGISTERS` registers each.
    #[inline(always)]
    fn run<S: Simd, const ROWS: usize, const REGISTERS: usize>(self, simd: S) {
        let lanes = S::F32_LANES;
        let mut sums = [[simd.splat_f32s(0.0); REGISTERS]; ROWS];
        let (inputs, _) = self.x.as_chunks::<ROWS>();
        for (weights, values) in self.panel.chunks_exact(PANEL).zip(inputs) {
            // Whole registers: PANEL is a multiple of every instruction set's width.
            let weights: [S::f32s; REGISTERS] = std::array::from_fn(|r| {
                let start = self.lane + r * lanes;
                S::as_simd_f32s(&weights[start..start + lanes]).0[0]
            });
            for (row, &value) in sums.iter_mut().zip(values) {
                let value = simd.splat_f32s(value);
                for (sum, &weights) in row.iter_mut().zip(&weights) {
                    *sum = simd.mul_add_f32s(value, weights, *sum);
                }
            }
        }
        for (i, row) in sums.into_iter().enumerate() {
            for (r, sum) in row.into_iter().enumerate() {
                let (column, at) = (r * lanes, i * self.stride + r * lanes);
                if self.width >= column + lanes {
                    S::as_mut_simd_f32s(&mut self.out[at..at + lanes]).0[0] = sum;
                } else if self.width > column {
                    simd.partial_store_f32s(&mut self.out[at..at + self.width - column], sum);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Tensor};

    /// Deterministic values in [-1, 1).
    fn values(n: usize, seed: u32) -> Vec<f32> {
        (0..n as u32)
            .map(|i| {
                let h = (i ^ seed).wrapping_mul(2_654_435_761).rotate_left(13);
                (h % 2000) as f32 / 1000.0 - 1.0
            })
            .collect()
    }

    /// `x · w` in f64, straight from the definition.
    fn plain(x: &[f32], w: &[f32], rows: usize, inputs: usize, outputs: usize) -> Vec<f64> {
        (0..rows * outputs)
            .map(|at| {
                let (r, c) = (at / outputs, at % outputs);
                (0..inputs)
                    .map(|k| f64::from(x[r * inputs + k]) * f64::from(w[k * outputs + c]))
                    .sum()
            })
            .collect()
    }

    fn assert_close(got: &[f32], want: &[f64], what: &str) {
        assert_eq!(got.len(), want.len(), "{what}");
        for (at, (&g, &w)) in got.iter().zip(want).enumerate() {
            let g = f64::from(g);
            assert!(
                (g - w).abs() < 1e-4 * (1.0 + w.abs()),
                "{what} at {at}: {g} vs {w}"
            );
        }
    }

    #[test]
    fn every_instruction_set_gives_the_same_products() {
        // The AVX2 tiles (two registers a row) and the plain fallback, whatever this
        // machine would pick; rows and outputs around their tile and panel sizes.
        for (rows, inputs, outputs) in [(13, 9, 40), (6, 33, 16), (1, 5, 7)] {
            let (x, w) = (values(rows * inputs, 6), values(inputs * outputs, 7));
            let packed = PackedWeights::pack(&w, inputs, outputs);
            let want = plain(&x, &w, rows, inputs, outputs);
            let mut out = vec![0.0f32; rows * outputs];
            let (w, x) = (&packed, x.as_slice());
            pulp::Scalar::new().vectorize(Product {
                w,
                x,
                out: &mut out,
            });
            assert_close(&out, &want, "scalar");
            #[cfg(target_arch = "x86_64")]
            if let Some(simd) = pulp::x86::V3::try_new() {
                out.fill(0.0);
                Simd::vectorize(
                    simd,
                    Product {
                        w,
                        x,
                        out: &mut out,
                    },
                );
                assert_close(&out, &want, "AVX2");
            }
        }
    }

    #[test]
    fn packed_products_match_the_plain_ones() -> candle_core::Result<()> {
        // Row counts around the tile and task sizes; outputs around the panel width.
        for (rows, inputs, outputs) in [
            (1, 3, 1),
            (3, 5, 16),
            (8, 7, 17),
            (9, 33, 40),
            (19, 384, 1152),
            (70, 20, 5),
            (130, 16, 48),
        ] {
            let x = values(rows * inputs, 1);
            let w = values(inputs * outputs, 2);
            let packed = PackedWeights::pack(&w, inputs, outputs);
            let got = Tensor::from_vec(x.clone(), (rows, inputs), &Device::Cpu)?
                .apply_op1_no_bwd(&Linear(&packed))?;
            assert_eq!(got.dims(), [rows, outputs]);
            let got = got.flatten_all()?.to_vec1::<f32>()?;
            let what = format!("{rows}x{inputs}x{outputs}");
            assert_close(&got, &plain(&x, &w, rows, inputs, outputs), &what);
        }
        Ok(())
    }

    #[test]
    fn empty_products_are_zeros() {
        let mut out = vec![1.0f32; 6];
        PackedWeights::pack(&[], 0, 3).multiply(&[], &mut out[..6]);
        assert_eq!(out, [0.0; 6]);
        let mut none: Vec<f32> = Vec::new();
        PackedWeights::pack(&[], 4, 0).multiply(&values(8, 5), &mut none);
        assert!(none.is_empty());
    }

    #[test]
    fn a_product_with_the_wrong_width_is_an_error() {
        let packed = PackedWeights::pack(&values(12, 3), 3, 4);
        let x = Tensor::from_vec(values(8, 4), (2, 4), &Device::Cpu).unwrap();
        assert!(x.apply_op1_no_bwd(&Linear(&packed)).is_err());
    }
}
