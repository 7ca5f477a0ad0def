//! Reciprocal rank fusion of keyword and vector results.
//!
//! Each list contributes `weight / (k + rank)` for every paper in it (rank from 1).
//! Papers both lists agree on rise; a paper found by one list only keeps its place
//! relative to that list. Weights let a precise keyword query keep its exact matches
//! on top of vague semantic neighbours.

use std::collections::HashMap;

use paperboy_core::ArxivId;

/// The usual RRF constant: how much the first ranks dominate.
pub const DEFAULT_K: f32 = 60.0;

/// Why a fused hit is there.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Provenance {
    /// Rank (from 1) in the keyword list.
    pub keyword_rank: Option<usize>,
    /// Rank (from 1) in the vector list.
    pub vector_rank: Option<usize>,
}

/// One fused hit.
#[derive(Debug, Clone, PartialEq)]
pub struct Fused {
    /// The paper.
    pub id: ArxivId,
    /// Fused score.
    pub score: f32,
    /// Where it ranked in each list.
    pub provenance: Provenance,
}

/// How the two lists are weighed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FusionWeights {
    /// RRF constant.
    pub k: f32,
    /// Weight of the keyword list.
    pub keyword: f32,
    /// Weight of the vector list.
    pub vector: f32,
}

impl Default for FusionWeights {
    fn default() -> Self {
        Self {
            k: DEFAULT_K,
            keyword: 1.0,
            vector: 1.0,
        }
    }
}

/// Fuses two ranked lists (best first) into one, best first.
pub fn fuse(keyword: &[ArxivId], vector: &[ArxivId], weights: FusionWeights) -> Vec<Fused> {
    let mut fused: HashMap<&ArxivId, (f32, Provenance)> = HashMap::new();
    for (i, id) in keyword.iter().enumerate() {
        let entry = fused.entry(id).or_default();
        entry.0 += weights.keyword / (weights.k + (i + 1) as f32);
        entry.1.keyword_rank.get_or_insert(i + 1);
    }
    for (i, id) in vector.iter().enumerate() {
        let entry = fused.entry(id).or_default();
        entry.0 += weights.vector / (weights.k + (i + 1) as f32);
        entry.1.vector_rank.get_or_insert(i + 1);
    }
    let mut out: Vec<Fused> = fused
        .into_iter()
        .map(|(id, (score, provenance))| Fused {
            id: id.clone(),
            score,
            provenance,
        })
        .collect();
    out.sort_by(|a, b| {
        b.score.total_cmp(&a.score).then_with(|| {
            let best = |p: &Provenance| {
                p.keyword_rank
                    .unwrap_or(usize::MAX)
                    .min(p.vector_rank.unwrap_or(usize::MAX))
            };
            best(&a.provenance)
                .cmp(&best(&b.provenance))
                .then_with(|| a.id.cmp(&b.id))
        })
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<ArxivId> {
        list.iter().map(|s| ArxivId::parse(s).unwrap()).collect()
    }

    #[test]
    fn agreement_rises_and_provenance_is_kept() {
        let keyword = ids(&["2501.00001", "2501.00002", "2501.00003"]);
        let vector = ids(&["2501.00003", "2501.00004", "2501.00001"]);
        let fused = fuse(&keyword, &vector, FusionWeights::default());
        assert_eq!(fused[0].id.as_str(), "2501.00001");
        assert_eq!(fused[1].id.as_str(), "2501.00003");
        assert_eq!(
            fused[0].provenance,
            Provenance {
                keyword_rank: Some(1),
                vector_rank: Some(3)
            }
        );
        assert_eq!(fused.len(), 4);
        let only_vector = fused
            .iter()
            .find(|f| f.id.as_str() == "2501.00004")
            .unwrap();
        assert_eq!(only_vector.provenance.keyword_rank, None);
    }

    #[test]
    fn keyword_weight_keeps_exact_matches_on_top() {
        let keyword = ids(&["2501.00001"]);
        let vector = ids(&["2501.00002", "2501.00003", "2501.00001"]);
        let even = fuse(&keyword, &vector, FusionWeights::default());
        assert_eq!(even[0].id.as_str(), "2501.00001", "found by both");
        let weighted = fuse(
            &keyword,
            &vector[..2],
            FusionWeights {
                keyword: 2.0,
                ..FusionWeights::default()
            },
        );
        assert_eq!(
            weighted[0].id.as_str(),
            "2501.00001",
            "the keyword hit outranks the vector-only hits"
        );
    }
}
