//! Exact nearest-neighbour search over normalised vectors, in memory.
//!
//! Vectors live in one contiguous `f32` array (row per paper), so a query is a
//! straight scan of dot products that the compiler vectorises; large indexes are
//! scanned by several threads. Exact first: an approximate index is only worth its
//! recall loss where the benchmark shows the scan is too slow.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use paperboy_core::ArxivId;

/// Rows per thread below which a scan stays on one thread.
const ROWS_PER_THREAD: usize = 32_768;

/// An in-memory exact vector index.
#[derive(Debug, Clone)]
pub struct VectorIndex {
    dim: usize,
    ids: Vec<ArxivId>,
    rows: HashMap<ArxivId, usize>,
    data: Vec<f32>,
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

/// The dot product, written so the compiler vectorises it (eight accumulators).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let chunks = a.len() / 8;
    for i in 0..chunks {
        for lane in 0..8 {
            acc[lane] += a[i * 8 + lane] * b[i * 8 + lane];
        }
    }
    let mut sum: f32 = acc.iter().sum();
    for i in chunks * 8..a.len() {
        sum += a[i] * b[i];
    }
    sum
}

impl VectorIndex {
    /// An empty index of `dim`-dimensional vectors.
    pub fn new(dim: usize) -> Self {
        Self {
            dim,
            ids: Vec::new(),
            rows: HashMap::new(),
            data: Vec::new(),
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

    /// Memory held by the vectors, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.data.capacity() * 4
    }

    /// Adds or replaces the vector of `id`. Vectors of another dimension are ignored
    /// (returns false).
    pub fn upsert(&mut self, id: ArxivId, vector: &[f32]) -> bool {
        if vector.len() != self.dim {
            return false;
        }
        match self.rows.get(&id) {
            Some(&row) => self.data[row * self.dim..(row + 1) * self.dim].copy_from_slice(vector),
            None => {
                self.rows.insert(id.clone(), self.ids.len());
                self.ids.push(id);
                self.data.extend_from_slice(vector);
            }
        }
        true
    }

    /// The vector of `id`.
    pub fn get(&self, id: &ArxivId) -> Option<&[f32]> {
        self.rows
            .get(id)
            .map(|&row| &self.data[row * self.dim..(row + 1) * self.dim])
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
        let want = k + usize::from(skip.is_some());
        let rows = self.ids.len();
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(rows.div_ceil(ROWS_PER_THREAD))
            .max(1);
        let mut best: Vec<Scored> = if threads == 1 {
            self.top_in(query, 0..rows, want)
        } else {
            let per = rows.div_ceil(threads);
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let range = t * per..((t + 1) * per).min(rows);
                        scope.spawn(move || self.top_in(query, range, want))
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap_or_default())
                    .collect()
            })
        };
        best.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.row.cmp(&b.row)));
        best.into_iter()
            .filter(|s| Some(s.row) != skip)
            .take(k)
            .map(|s| (self.ids[s.row].clone(), s.score))
            .collect()
    }

    fn top_in(&self, query: &[f32], range: std::ops::Range<usize>, k: usize) -> Vec<Scored> {
        let mut heap: BinaryHeap<Scored> = BinaryHeap::with_capacity(k + 1);
        for row in range {
            let score = dot(query, &self.data[row * self.dim..(row + 1) * self.dim]);
            if heap.len() < k {
                heap.push(Scored { score, row });
            } else if heap.peek().is_some_and(|worst| score > worst.score) {
                heap.pop();
                heap.push(Scored { score, row });
            }
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
    fn multi_threaded_scan_equals_a_sort_of_all_scores() {
        let dim = 16;
        let mut index = VectorIndex::new(dim);
        let mut state = 0x9E3779B97F4A7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        };
        for n in 0..100_000 {
            let v: Vec<f32> = (0..dim).map(|_| next()).collect();
            index.upsert(id(n), &unit(&v));
        }
        let query = unit(&(0..dim).map(|_| next()).collect::<Vec<_>>());
        let hits = index.search(&query, 10, None);
        let mut all: Vec<(f32, usize)> = (0..index.len())
            .map(|r| (dot(&query, &index.data[r * dim..(r + 1) * dim]), r))
            .collect();
        all.sort_by(|a, b| b.0.total_cmp(&a.0));
        let expected: Vec<ArxivId> = all[..10]
            .iter()
            .map(|(_, r)| index.ids[*r].clone())
            .collect();
        assert_eq!(hits.into_iter().map(|h| h.0).collect::<Vec<_>>(), expected);
    }
}
