//! Exact nearest-neighbour search over normalised vectors, in memory.
//!
//! A query scans every row, so the scan is what must be fast. Each vector is kept
//! twice: as `f32` (the truth) and as 8-bit codes with a per-row scale (a quarter of
//! the memory traffic). The scan scores every row on the codes, keeps a few times
//! more candidates than asked, and re-scores those on the `f32` vectors, so the
//! answer is the exact top k unless quantisation error (about 1% of a score)
//! pushes a true neighbour below dozens of others. The dot products are compiled
//! for AVX-512, AVX2 and plain x86-64 and picked at run time (`pulp`); large indexes
//! are scanned in parts on rayon's threads.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use paperboy_core::ArxivId;
pub use paperboy_core::vector::dot;
use rayon::prelude::*;

/// Rows per part below which a scan stays in one part (on the calling thread).
const ROWS_PER_PART: usize = 32_768;
/// Candidates kept from the quantised scan per result asked for...
const RESCORE_FACTOR: usize = 4;
/// ...plus this many, before exact re-scoring.
const RESCORE_EXTRA: usize = 32;
/// Rows scored per block of the quantised scan.
const SCAN_BLOCK: usize = 256;

/// An in-memory vector index.
#[derive(Debug, Clone)]
pub struct VectorIndex {
    dim: usize,
    ids: Vec<ArxivId>,
    rows: HashMap<ArxivId, usize>,
    /// Row-major `f32` vectors.
    data: Vec<f32>,
    /// Row-major 8-bit codes: `data[i] ≈ codes[i] * scales[row]`.
    codes: Vec<i8>,
    /// Per row: the largest absolute component / 127.
    scales: Vec<f32>,
}

/// A scored row during top-k selection, ordered so the heap's top is the worst kept.
#[derive(Debug, Clone, Copy)]
struct Scored {
    score: f32,
    row: usize,
}

impl PartialEq for Scored {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Scored {}
impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scored {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: a max-heap of these keeps the lowest score on top.
        other
            .score
            .total_cmp(&self.score)
            .then_with(|| self.row.cmp(&other.row))
    }
}

/// 8-bit codes of `vector` and their scale (`vector[i] ≈ codes[i] * scale`).
fn quantise(vector: &[f32], codes: &mut Vec<i8>) -> f32 {
    let largest = vector.iter().fold(0f32, |m, x| m.max(x.abs()));
    let scale = if largest > 0.0 { largest / 127.0 } else { 1.0 };
    codes.extend(vector.iter().map(|x| (x / scale).round() as i8));
    scale
}

/// The dot product of two code rows (no overflow: 127² × dim < 2³¹ for dim < 133,000).
#[inline(always)]
fn dot_codes(a: &[i8], b: &[i8]) -> i32 {
    let mut acc = [0i32; 32];
    let whole = a.len() / 32 * 32;
    for (ca, cb) in a[..whole].chunks_exact(32).zip(b[..whole].chunks_exact(32)) {
        for lane in 0..32 {
            acc[lane] += i32::from(ca[lane]) * i32::from(cb[lane]);
        }
    }
    let mut sum: i32 = acc.iter().sum();
    for (x, y) in a[whole..].iter().zip(&b[whole..]) {
        sum += i32::from(*x) * i32::from(*y);
    }
    sum
}

/// Approximate scores of a block of rows (code dot products times row scales).
struct ScoreBlock<'a> {
    query: &'a [i8],
    codes: &'a [i8],
    scales: &'a [f32],
    out: &'a mut [f32],
}

impl pulp::WithSimd for ScoreBlock<'_> {
    type Output = ();

    // `inline(always)` with everything it calls: pulp compiles it once per
    // instruction set and the compiler vectorises each copy for its set.
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let dim = self.query.len();
        for ((out, row), scale) in self
            .out
            .iter_mut()
            .zip(self.codes.chunks_exact(dim))
            .zip(self.scales)
        {
            *out = dot_codes(self.query, row) as f32 * scale;
        }
    }
}

impl VectorIndex {
    /// An empty index of `dim`-dimensional vectors.
    pub fn new(dim: usize) -> Self {
        Self {
            dim,
            ids: Vec::new(),
            rows: HashMap::new(),
            data: Vec::new(),
            codes: Vec::new(),
            scales: Vec::new(),
        }
    }

    /// Vector dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of vectors.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Adds or replaces the vector of `id`. Vectors of another dimension are ignored
    /// (returns false).
    pub fn upsert(&mut self, id: ArxivId, vector: &[f32]) -> bool {
        if vector.len() != self.dim {
            return false;
        }
        match self.rows.get(&id) {
            Some(&row) => {
                let span = row * self.dim..(row + 1) * self.dim;
                self.data[span.clone()].copy_from_slice(vector);
                let mut codes = Vec::with_capacity(self.dim);
                self.scales[row] = quantise(vector, &mut codes);
                self.codes[span].copy_from_slice(&codes);
            }
            None => {
                self.rows.insert(id.clone(), self.ids.len());
                self.ids.push(id);
                self.data.extend_from_slice(vector);
                let scale = quantise(vector, &mut self.codes);
                self.scales.push(scale);
            }
        }
        true
    }

    /// The vector of `id`.
    pub fn get(&self, id: &ArxivId) -> Option<&[f32]> {
        self.rows.get(id).map(|&row| self.row(row))
    }

    fn row(&self, row: usize) -> &[f32] {
        &self.data[row * self.dim..(row + 1) * self.dim]
    }

    /// The `k` vectors most similar to `query` (cosine, as vectors are normalised),
    /// best first, leaving out `exclude`.
    pub fn search(
        &self,
        query: &[f32],
        k: usize,
        exclude: Option<&ArxivId>,
    ) -> Vec<(ArxivId, f32)> {
        if query.len() != self.dim || k == 0 || self.is_empty() {
            return Vec::new();
        }
        let skip = exclude.and_then(|id| self.rows.get(id)).copied();
        let want = (k + usize::from(skip.is_some())) * RESCORE_FACTOR + RESCORE_EXTRA;
        let mut query_codes = Vec::with_capacity(self.dim);
        quantise(query, &mut query_codes);
        let rows = self.ids.len();
        // Large indexes are scanned in parts on rayon's threads (started once, one per
        // core), not on threads started for the query.
        let parts = rayon::current_num_threads()
            .min(rows.div_ceil(ROWS_PER_PART))
            .max(1);
        let candidates: Vec<Scored> = if parts == 1 {
            self.top_in(&query_codes, 0..rows, want)
        } else {
            let per = rows.div_ceil(parts);
            (0..parts)
                .into_par_iter()
                .flat_map_iter(|part| {
                    let range = part * per..((part + 1) * per).min(rows);
                    self.top_in(&query_codes, range, want)
                })
                .collect()
        };
        let mut exact: Vec<Scored> = candidates
            .into_iter()
            .filter(|s| Some(s.row) != skip)
            .map(|s| Scored {
                score: dot(query, self.row(s.row)),
                row: s.row,
            })
            .collect();
        exact.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.row.cmp(&b.row)));
        exact
            .into_iter()
            .take(k)
            .map(|s| (self.ids[s.row].clone(), s.score))
            .collect()
    }

    /// The `k` best rows of `range` by approximate (quantised) score.
    fn top_in(&self, query: &[i8], range: std::ops::Range<usize>, k: usize) -> Vec<Scored> {
        let mut heap: BinaryHeap<Scored> = BinaryHeap::with_capacity(k + 1);
        let mut scores = [0f32; SCAN_BLOCK];
        let arch = pulp::Arch::new();
        let mut start = range.start;
        while start < range.end {
            let end = (start + SCAN_BLOCK).min(range.end);
            let out = &mut scores[..end - start];
            arch.dispatch(ScoreBlock {
                query,
                codes: &self.codes[start * self.dim..end * self.dim],
                scales: &self.scales[start..end],
                out,
            });
            for (offset, &score) in scores[..end - start].iter().enumerate() {
                let row = start + offset;
                if heap.len() < k {
                    heap.push(Scored { score, row });
                } else if heap.peek().is_some_and(|worst| score > worst.score) {
                    heap.pop();
                    heap.push(Scored { score, row });
                }
            }
            start = end;
        }
        heap.into_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u32) -> ArxivId {
        ArxivId::parse(&format!("2501.{n:05}")).unwrap()
    }

    fn unit(v: &[f32]) -> Vec<f32> {
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / norm).collect()
    }

    #[test]
    fn finds_the_nearest_and_excludes_the_query_paper() {
        let mut index = VectorIndex::new(3);
        index.upsert(id(1), &unit(&[1.0, 0.0, 0.0]));
        index.upsert(id(2), &unit(&[0.9, 0.1, 0.0]));
        index.upsert(id(3), &unit(&[0.0, 1.0, 0.0]));
        assert!(
            !index.upsert(id(4), &[1.0, 0.0]),
            "wrong dimension is refused"
        );
        let hits = index.search(&unit(&[1.0, 0.05, 0.0]), 2, None);
        assert_eq!(
            hits.iter().map(|h| h.0.clone()).collect::<Vec<_>>(),
            [id(1), id(2)]
        );
        let similar = index.search(index.get(&id(1)).unwrap(), 2, Some(&id(1)));
        assert_eq!(similar[0].0, id(2));
        assert_eq!(similar.len(), 2);
        index.upsert(id(3), &unit(&[1.0, 0.0, 0.0]));
        assert_eq!(index.len(), 3, "replacing keeps one row");
        assert!((index.search(&unit(&[1.0, 0.0, 0.0]), 3, None)[1].1 - 1.0).abs() < 1e-6);
    }

    #[test]
    fn multi_threaded_quantised_scan_equals_a_sort_of_exact_scores() {
        // Random unit vectors are the hard case for quantisation: in 384 dimensions
        // their scores crowd together near zero.
        let dim = 384;
        let mut index = VectorIndex::new(dim);
        let mut state = 0x9E3779B97F4A7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        };
        for n in 0..40_000 {
            let v: Vec<f32> = (0..dim).map(|_| next()).collect();
            index.upsert(id(n), &unit(&v));
        }
        for _ in 0..5 {
            let query = unit(&(0..dim).map(|_| next()).collect::<Vec<_>>());
            let hits = index.search(&query, 10, None);
            let mut all: Vec<(f32, usize)> = (0..index.len())
                .map(|r| (dot(&query, index.row(r)), r))
                .collect();
            all.sort_by(|a, b| b.0.total_cmp(&a.0));
            let expected: Vec<(ArxivId, f32)> = all[..10]
                .iter()
                .map(|(score, r)| (index.ids[*r].clone(), *score))
                .collect();
            assert_eq!(hits, expected, "exact ids and exact scores");
        }
    }

    #[test]
    fn codes_follow_replaced_vectors() {
        // More rows than the scan re-scores, so stale codes would lose the paper.
        let mut index = VectorIndex::new(4);
        for n in 0..200 {
            index.upsert(id(n), &unit(&[1.0, 0.0, 0.0, n as f32 / 1000.0]));
        }
        index.upsert(id(7), &unit(&[0.0, 0.0, 1.0, 0.0]));
        let hits = index.search(&unit(&[0.0, 0.0, 1.0, 0.1]), 1, None);
        assert_eq!(hits[0].0, id(7));
        assert_eq!(index.len(), 200);
        assert_eq!(
            index.search(&[0.0; 4], 2, None).len(),
            2,
            "a zero query scores 0"
        );
    }
}
