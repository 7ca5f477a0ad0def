//! "For you": new papers ranked for one reader by how close their embeddings are to
//! the papers the reader liked (upvoted, saved, imported as seeds, asked for more
//! of) and how far from the ones the reader marked "not interested".
//!
//! The model is a nearest-neighbour one, not a per-reader classifier: a reader with
//! two interests (say retrieval and robotics) is served on both, where one direction
//! (a centroid or a linear model over few positives) would sit between them and match
//! neither. A candidate's score is the mean similarity to its closest liked papers,
//! less a penalty when it is close to a paper the reader turned down; the closest
//! liked paper names the reason ("close to X, which you upvoted").

use crate::math::to_unicode;
use crate::text::truncate_chars;
use crate::vector::dot;

/// How a paper came to count as liked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Liking {
    /// The reader upvoted it.
    Upvoted,
    /// The reader saved it to a collection.
    Saved,
    /// The reader imported it (BibTeX, CSL-JSON, arXiv ids).
    Seeded,
    /// The reader asked for more like it.
    MoreLikeThis,
}

impl Liking {
    /// The column value (`upvote`, `save`, `seed`, `more`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upvoted => "upvote",
            Self::Saved => "save",
            Self::Seeded => "seed",
            Self::MoreLikeThis => "more",
        }
    }

    /// The liking a column value names.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "upvote" => Some(Self::Upvoted),
            "save" => Some(Self::Saved),
            "seed" => Some(Self::Seeded),
            "more" => Some(Self::MoreLikeThis),
            _ => None,
        }
    }

    /// The end of a reason: `which you upvoted`.
    fn clause(self) -> &'static str {
        match self {
            Self::Upvoted => "which you upvoted",
            Self::Saved => "which you saved",
            Self::Seeded => "from your library",
            Self::MoreLikeThis => "which you asked more of",
        }
    }
}

/// A paper the reader liked.
#[derive(Debug, Clone, PartialEq)]
pub struct LikedPaper {
    /// Its title, for reasons.
    pub title: String,
    /// How it came to be liked.
    pub liking: Liking,
    /// Its embedding (unit length).
    pub vector: Vec<f32>,
}

/// The knobs of the model, chosen on the tuning half of the digest evaluation
/// (`paperboy eval-digests`, docs/digests.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelParams {
    /// Liked papers whose similarities are averaged into a score.
    pub neighbours: usize,
    /// How much similarity to a turned-down paper counts against a candidate.
    pub dislike_weight: f32,
    /// Papers less similar than this to every liked paper are not recommended at
    /// all (unrelated papers are noise), however the averaged score ranks them.
    pub floor: f32,
}

impl Default for ModelParams {
    fn default() -> Self {
        Self {
            neighbours: 3,
            dislike_weight: 2.0,
            floor: 0.3,
        }
    }
}

/// One reader's model.
#[derive(Debug, Clone)]
pub struct ReaderModel {
    liked: Vec<LikedPaper>,
    disliked: Vec<Vec<f32>>,
    params: ModelParams,
}

/// A recommended paper.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick<T> {
    /// What was ranked (an id, a record).
    pub item: T,
    /// Its score (higher is closer).
    pub score: f32,
    /// `close to “X”, which you upvoted`.
    pub reason: String,
}

/// A candidate's score, how close it is to the liked paper closest to it (what
/// the floor applies to), and which paper that is.
struct Scored {
    score: f32,
    relevance: f32,
    closest: usize,
}

impl ReaderModel {
    /// The model of a reader who liked `liked` and turned down `disliked`; `None`
    /// when nothing is liked yet (there is nothing to be close to).
    pub fn new(liked: Vec<LikedPaper>, disliked: Vec<Vec<f32>>) -> Option<Self> {
        Self::with_params(liked, disliked, ModelParams::default())
    }

    /// [`ReaderModel::new`] with other knobs (the evaluation tries several).
    pub fn with_params(
        liked: Vec<LikedPaper>,
        disliked: Vec<Vec<f32>>,
        params: ModelParams,
    ) -> Option<Self> {
        (!liked.is_empty()).then_some(Self {
            liked,
            disliked,
            params,
        })
    }

    /// How many liked papers the model knows.
    pub fn liked_count(&self) -> usize {
        self.liked.len()
    }

    fn score(&self, vector: &[f32], similarities: &mut Vec<f32>) -> Scored {
        similarities.clear();
        similarities.extend(self.liked.iter().map(|liked| dot(vector, &liked.vector)));
        let closest = similarities
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |(at, _)| at);
        let take = self.params.neighbours.clamp(1, similarities.len());
        let closest_similarity = similarities.get(closest).copied().unwrap_or(0.0);
        if take < similarities.len() {
            similarities.select_nth_unstable_by(take - 1, |a, b| b.total_cmp(a));
        }
        let mut score = similarities[..take].iter().sum::<f32>() / take as f32;
        // A paper closer to one the reader turned down than to anything they liked
        // loses the difference: a "not interested" sharpens the picks around it
        // without emptying the neighbourhood the reader does like.
        let turned_down = self
            .disliked
            .iter()
            .map(|v| dot(vector, v))
            .fold(f32::NEG_INFINITY, f32::max);
        let penalty = if turned_down > closest_similarity {
            self.params.dislike_weight * (turned_down - closest_similarity)
        } else {
            0.0
        };
        score -= penalty;
        Scored {
            score,
            relevance: closest_similarity - penalty,
            closest,
        }
    }

    /// The `n` best of `candidates` (each with its embedding), best first, those
    /// under the floor left out, each with its reason. Ties keep candidate order.
    pub fn rank<'v, T>(
        &self,
        candidates: impl IntoIterator<Item = (T, &'v [f32])>,
        n: usize,
    ) -> Vec<Pick<T>> {
        let mut similarities = Vec::with_capacity(self.liked.len());
        let mut scored: Vec<(T, Scored)> = candidates
            .into_iter()
            .map(|(item, vector)| {
                let scored = self.score(vector, &mut similarities);
                (item, scored)
            })
            .filter(|(_, s)| s.relevance >= self.params.floor)
            .collect();
        if n < scored.len() {
            scored.select_nth_unstable_by(n, |a, b| b.1.score.total_cmp(&a.1.score));
            scored.truncate(n);
        }
        scored.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
        scored
            .into_iter()
            .map(|(item, s)| Pick {
                item,
                score: s.score,
                reason: self.reason(s.closest),
            })
            .collect()
    }

    /// `close to “X”, which you upvoted`.
    fn reason(&self, closest: usize) -> String {
        let liked = &self.liked[closest];
        format!(
            "close to “{}”, {}",
            truncate_chars(&to_unicode(&liked.title), 70),
            liked.liking.clause()
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A unit vector pointing mostly along `axis` of 4, tilted by `tilt` towards
    /// the next axis.
    fn unit(axis: usize, tilt: f32) -> Vec<f32> {
        let mut v = [0.0f32; 4];
        v[axis] = 1.0;
        v[(axis + 1) % 4] = tilt;
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / norm).collect()
    }

    fn liked(title: &str, liking: Liking, vector: Vec<f32>) -> LikedPaper {
        LikedPaper {
            title: title.into(),
            liking,
            vector,
        }
    }

    #[test]
    fn nothing_liked_means_no_model() {
        assert!(ReaderModel::new(Vec::new(), vec![unit(0, 0.0)]).is_none());
    }

    #[test]
    fn a_reader_with_two_interests_is_served_on_both_with_the_closest_as_reason() {
        // Averaging two neighbours halves every score here (each candidate is near
        // one interest only); the floor looks at the closest one and keeps them.
        let model = ReaderModel::new(
            vec![
                liked("Dense retrieval", Liking::Upvoted, unit(0, 0.0)),
                liked("Robot grasping", Liking::Seeded, unit(2, 0.0)),
            ],
            Vec::new(),
        )
        .unwrap();
        let candidates = [
            ("retrieval-ish", unit(0, 0.2)),
            ("unrelated", unit(1, 0.0)),
            ("robotics-ish", unit(2, 0.3)),
        ];
        let picks = model.rank(candidates.iter().map(|(id, v)| (*id, v.as_slice())), 10);
        let ids: Vec<&str> = picks.iter().map(|p| p.item).collect();
        assert_eq!(
            ids,
            ["retrieval-ish", "robotics-ish"],
            "the unrelated one is under the floor"
        );
        assert_eq!(
            picks[0].reason,
            "close to “Dense retrieval”, which you upvoted"
        );
        assert_eq!(
            picks[1].reason,
            "close to “Robot grasping”, from your library"
        );
        assert!(picks[0].score > picks[1].score);
    }

    #[test]
    fn turning_a_paper_down_pushes_its_neighbours_below_others() {
        let liked_papers = vec![liked("A", Liking::Saved, unit(0, 0.0))];
        let candidates = [
            ("near the dislike", unit(0, 0.5)),
            ("other side", unit(3, 1.6)),
        ];
        let as_pairs = || candidates.iter().map(|(id, v)| (*id, v.as_slice()));
        let before = ReaderModel::new(liked_papers.clone(), Vec::new()).unwrap();
        assert_eq!(before.rank(as_pairs(), 1)[0].item, "near the dislike");
        // Turned down: a paper right beside the first candidate.
        let after = ReaderModel::new(liked_papers, vec![unit(0, 0.6)]).unwrap();
        assert_eq!(after.rank(as_pairs(), 1)[0].item, "other side");
    }

    #[test]
    fn rank_keeps_the_best_n_in_order() {
        let model = ReaderModel::new(
            vec![liked("A", Liking::MoreLikeThis, unit(0, 0.0))],
            Vec::new(),
        )
        .unwrap();
        let candidates: Vec<(usize, Vec<f32>)> =
            (0..20).map(|i| (i, unit(0, i as f32 * 0.1))).collect();
        let picks = model.rank(candidates.iter().map(|(i, v)| (*i, v.as_slice())), 3);
        assert_eq!(picks.iter().map(|p| p.item).collect::<Vec<_>>(), [0, 1, 2]);
        assert!(picks.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(picks[0].reason.ends_with("which you asked more of"));
    }

    #[test]
    fn likings_round_trip_through_their_column_values() {
        for liking in [
            Liking::Upvoted,
            Liking::Saved,
            Liking::Seeded,
            Liking::MoreLikeThis,
        ] {
            assert_eq!(Liking::parse(liking.as_str()), Some(liking));
        }
        assert_eq!(Liking::parse("hate"), None);
    }
}
