//! The arxiv-sanity baseline: tf-idf vectors of title and abstract (words and word
//! pairs, sublinear term frequency, unit length) and, per reader, a linear SVM
//! trained on the reader's liked papers against everything else they could have
//! liked, which scores new papers by its decision value.

use std::collections::HashMap;

/// Terms kept at most (the most frequent across documents).
const MAX_TERMS: usize = 20_000;

/// A sparse unit vector: (term, weight), sorted by term.
pub type Sparse = Vec<(u32, f32)>;

/// Turns texts into tf-idf vectors over a vocabulary fitted on a corpus.
#[derive(Debug)]
pub struct TfIdf {
    terms: HashMap<String, u32>,
    idf: Vec<f32>,
}

/// Lower-case words of two or more letters or digits, and adjacent pairs.
fn terms(text: &str) -> Vec<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_lowercase)
        .collect();
    let pairs = words.windows(2).map(|w| format!("{} {}", w[0], w[1]));
    words.iter().cloned().chain(pairs).collect()
}

impl TfIdf {
    /// Fits the vocabulary and inverse document frequencies on `texts`.
    pub fn fit<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut document_frequency: HashMap<String, u32> = HashMap::new();
        let mut documents = 0u32;
        for text in texts {
            documents += 1;
            let mut unique = terms(text);
            unique.sort();
            unique.dedup();
            for term in unique {
                *document_frequency.entry(term).or_default() += 1;
            }
        }
        let mut ranked: Vec<(String, u32)> = document_frequency
            .into_iter()
            .filter(|(_, df)| *df >= 2)
            .collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ranked.truncate(MAX_TERMS);
        let idf = ranked
            .iter()
            .map(|(_, df)| ((1.0 + documents as f32) / (1.0 + *df as f32)).ln() + 1.0)
            .collect();
        let terms = ranked
            .into_iter()
            .enumerate()
            .map(|(at, (term, _))| (term, at as u32))
            .collect();
        Self { terms, idf }
    }

    /// The unit tf-idf vector of `text`.
    pub fn vector(&self, text: &str) -> Sparse {
        let mut counts: HashMap<u32, f32> = HashMap::new();
        for term in terms(text) {
            if let Some(&at) = self.terms.get(&term) {
                *counts.entry(at).or_default() += 1.0;
            }
        }
        let mut vector: Sparse = counts
            .into_iter()
            .map(|(at, tf)| (at, (1.0 + tf.ln()) * self.idf[at as usize]))
            .collect();
        vector.sort_by_key(|(at, _)| *at);
        let norm = vector.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, w) in &mut vector {
                *w /= norm;
            }
        }
        vector
    }

    /// How many terms the vocabulary holds.
    pub fn len(&self) -> usize {
        self.idf.len()
    }
}

/// A linear SVM: weights over the vocabulary and a bias.
#[derive(Debug)]
pub struct LinearSvm {
    weights: Vec<f32>,
    bias: f32,
}

impl LinearSvm {
    /// Trains on `positives` (label +1) and `negatives` (-1) by stochastic
    /// sub-gradient descent on the hinge loss with L2 regularisation `lambda`
    /// (Pegasos), classes weighted to count equally; deterministic order.
    pub fn train(dim: usize, positives: &[&Sparse], negatives: &[&Sparse], lambda: f32) -> Self {
        let mut weights = vec![0f32; dim];
        let mut bias = 0f32;
        let positive_weight = negatives.len().max(1) as f32 / positives.len().max(1) as f32;
        let examples: Vec<(&Sparse, f32, f32)> = positives
            .iter()
            .map(|x| (*x, 1.0, positive_weight))
            .chain(negatives.iter().map(|x| (*x, -1.0, 1.0)))
            .collect();
        let epochs = 10;
        let mut step = 1usize;
        // The weights are `scale * weights`, so that shrinking them is one multiply.
        let mut scale = 1f32;
        // Visit examples in a fixed scrambled order (a stride coprime to their
        // count), so that no epoch sees one class first.
        let stride = coprime_stride(examples.len());
        for _ in 0..epochs {
            for k in 0..examples.len() {
                let (x, y, class_weight) = examples[(k * stride) % examples.len()];
                let rate = 1.0 / (lambda * (step as f32 + 100.0));
                step += 1;
                let margin = y * (scale * dot(&weights, x) + bias);
                scale *= 1.0 - rate * lambda;
                if scale < 1e-6 {
                    for w in &mut weights {
                        *w *= scale;
                    }
                    scale = 1.0;
                }
                if margin < 1.0 {
                    for (at, value) in x {
                        weights[*at as usize] += rate * class_weight * y * value / scale;
                    }
                    bias += rate * class_weight * y * 0.01;
                }
            }
        }
        for w in &mut weights {
            *w *= scale;
        }
        Self { weights, bias }
    }

    /// The decision value of `x` (higher: more like the positives).
    pub fn score(&self, x: &Sparse) -> f32 {
        dot(&self.weights, x) + self.bias
    }
}

/// A step near 0.618 × `len` that shares no factor with `len`: stepping by it
/// modulo `len` visits every index once, well mixed.
fn coprime_stride(len: usize) -> usize {
    let gcd = |mut a: usize, mut b: usize| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let mut stride = (len as f64 * 0.618) as usize | 1;
    while len > 1 && gcd(stride, len) != 1 {
        stride += 2;
    }
    stride.max(1)
}

fn dot(weights: &[f32], x: &Sparse) -> f32 {
    x.iter().map(|(at, v)| weights[*at as usize] * v).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stride_visits_every_example_once() {
        for len in [1, 2, 3, 10, 64, 1001] {
            let stride = coprime_stride(len);
            let mut seen: Vec<usize> = (0..len).map(|k| (k * stride) % len).collect();
            seen.sort_unstable();
            assert_eq!(seen, (0..len).collect::<Vec<_>>(), "len {len}");
        }
    }

    #[test]
    fn vectors_are_unit_length_and_share_terms_with_like_texts() {
        let texts = [
            "diffusion models for image generation",
            "diffusion models for video generation",
            "reinforcement learning for robot control",
            "reinforcement learning for language models",
        ];
        let tfidf = TfIdf::fit(texts);
        assert!(tfidf.len() > 4);
        let v = tfidf.vector(texts[0]);
        let norm: f32 = v.iter().map(|(_, w)| w * w).sum();
        assert!((norm - 1.0).abs() < 1e-4);
        assert!(tfidf.vector("").is_empty());
    }

    #[test]
    fn the_svm_ranks_texts_like_the_positives_first() {
        let texts = [
            "diffusion models for image generation",
            "diffusion models for video generation",
            "latent diffusion image synthesis",
            "reinforcement learning for robot control",
            "reinforcement learning for language models",
            "policy gradient robot learning",
            "graph neural networks for molecules",
        ];
        let tfidf = TfIdf::fit(texts);
        let vectors: Vec<Sparse> = texts.iter().map(|t| tfidf.vector(t)).collect();
        let svm = LinearSvm::train(
            tfidf.len(),
            &[&vectors[0], &vectors[1]],
            &[&vectors[3], &vectors[4], &vectors[6]],
            0.01,
        );
        let diffusion = svm.score(&tfidf.vector("diffusion models for audio generation"));
        let robots = svm.score(&tfidf.vector("reinforcement learning for robot grasping"));
        assert!(diffusion > robots, "{diffusion} vs {robots}");
    }
}
