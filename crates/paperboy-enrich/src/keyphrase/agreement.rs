//! How far extracted key phrases agree with reference keywords (Hugging Face's
//! LLM-written `ai_keywords` for the same paper): precision (the share of extracted
//! phrases that match a reference keyword) and recall (the share of reference
//! keywords some extracted phrase matches), counted over many papers.
//!
//! Two ways to match:
//! - [`Match::Exact`]: the same words once case, whitespace and hyphens are folded
//!   ("Retrieval-Augmented Generation" = "retrieval augmented generation");
//! - [`Match::Head`]: the same last word, crudely stemmed (a plural "s" dropped:
//!   "video diffusion models" and "diffusion model" share "model").
//!
//! A reference keyword with a parenthesis ("Sparse Expert Activation Pruning (SEAP)")
//! is matched by what stands before it or by what stands inside.

/// How an extracted phrase may match a reference keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// The same words, case, whitespace and hyphens folded.
    Exact,
    /// The same last word, a plural ending dropped.
    Head,
}

impl Match {
    /// True when `phrase` matches one of `reference` this way.
    pub fn matches(self, phrase: &str, reference: &[String]) -> bool {
        let keys = self.keys(phrase);
        reference
            .iter()
            .any(|r| self.keys(r).iter().any(|key| keys.contains(key)))
    }

    /// The keys `phrase` compares by: two phrases match when they share one.
    fn keys(self, phrase: &str) -> Vec<String> {
        alternatives(phrase)
            .into_iter()
            .map(fold)
            .filter(|folded| !folded.is_empty())
            .map(|folded| match self {
                Match::Exact => folded,
                Match::Head => head(&folded),
            })
            .collect()
    }
}

/// Agreement of extracted phrases with reference keywords, summed over papers, for
/// one way of matching.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Papers counted.
    pub papers: usize,
    /// Phrases extracted.
    pub extracted: usize,
    /// Reference keywords.
    pub reference: usize,
    /// Extracted phrases that match a reference keyword.
    pub extracted_matched: usize,
    /// Reference keywords that an extracted phrase matches.
    pub reference_found: usize,
}

impl Tally {
    /// Counts one paper: its `extracted` phrases against its `reference` keywords.
    pub fn add(&mut self, how: Match, extracted: &[String], reference: &[String]) {
        let extracted: Vec<Vec<String>> = extracted.iter().map(|p| how.keys(p)).collect();
        let reference: Vec<Vec<String>> = reference.iter().map(|k| how.keys(k)).collect();
        let meet = |a: &[String], b: &[String]| a.iter().any(|key| b.contains(key));
        self.papers += 1;
        self.extracted += extracted.len();
        self.reference += reference.len();
        self.extracted_matched += extracted
            .iter()
            .filter(|e| reference.iter().any(|r| meet(e, r)))
            .count();
        self.reference_found += reference
            .iter()
            .filter(|r| extracted.iter().any(|e| meet(e, r)))
            .count();
    }

    /// The share of extracted phrases that match a reference keyword (0 when none
    /// were extracted).
    pub fn precision(&self) -> f64 {
        share(self.extracted_matched, self.extracted)
    }

    /// The share of reference keywords that an extracted phrase matches (0 when
    /// there were none).
    pub fn recall(&self) -> f64 {
        share(self.reference_found, self.reference)
    }
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The phrase itself, or for "Low-Rank Adaptation (LoRA)" what stands before the
/// parenthesis and what stands inside it.
fn alternatives(phrase: &str) -> Vec<&str> {
    match phrase.split_once('(') {
        Some((before, inside)) => vec![before, inside.split(')').next().unwrap_or_default()],
        None => vec![phrase],
    }
}

/// Lower case, hyphens and underscores as spaces, one space between words.
fn fold(phrase: &str) -> String {
    let lower = phrase.to_lowercase().replace(['-', '_'], " ");
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The last word of a folded phrase, a plural ending dropped ("policies" -> "policy",
/// "models" -> "model"; "loss", "analysis", "status" stay).
fn head(folded: &str) -> String {
    let last = folded.rsplit(' ').next().unwrap_or_default();
    if let Some(stem) = last.strip_suffix("ies").filter(|s| s.len() >= 2) {
        return format!("{stem}y");
    }
    let keeps_s = last.len() <= 3 || ["ss", "us", "is"].iter().any(|end| last.ends_with(end));
    match last.strip_suffix('s') {
        Some(stem) if !keeps_s => stem.to_owned(),
        _ => last.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn folding_ignores_case_hyphens_and_spacing() {
        assert_eq!(
            fold("Retrieval-Augmented  Generation"),
            "retrieval augmented generation"
        );
        assert_eq!(fold(" multi_modal  LLMs "), "multi modal llms");
    }

    #[test]
    fn heads_are_last_words_without_a_plural_ending() {
        assert_eq!(head("video diffusion models"), "model");
        assert_eq!(head("policies"), "policy");
        assert_eq!(head("contrastive loss"), "loss");
        assert_eq!(head("sentiment analysis"), "analysis");
        assert_eq!(head("llms"), "llm");
        assert_eq!(head("gas"), "gas");
    }

    #[test]
    fn a_parenthesised_acronym_or_its_expansion_matches() {
        let reference = strings(&["Sparse Expert Activation Pruning (SEAP)"]);
        for extracted in ["SEAP", "sparse expert activation pruning"] {
            assert!(Match::Exact.matches(extracted, &reference), "{extracted}");
        }
        assert!(!Match::Exact.matches("expert activation", &reference));
        assert!(Match::Head.matches("structured pruning", &reference));
    }

    /// Real phrases of 2503.07365 ("MM-Eureka: ... Rule-based Large-scale
    /// Reinforcement Learning") against some of its HF `ai_keywords`.
    #[test]
    fn precision_and_recall_count_phrases_and_keywords_once_each() {
        let reference = strings(&[
            "multimodal reasoning",
            "rule-based reinforcement learning (RL)",
            "DeepSeek-R1",
            "reflection behaviors",
            "data efficiency",
        ]);
        let extracted = strings(&[
            "MM-Eureka",
            "multimodal reasoning",
            "Rule-Based Reinforcement Learning",
            "reflection behavior",
            "aha moment",
        ]);
        let mut exact = Tally::default();
        exact.add(Match::Exact, &extracted, &reference);
        assert_eq!((exact.extracted_matched, exact.reference_found), (2, 2));
        assert_eq!((exact.extracted, exact.reference, exact.papers), (5, 5, 1));
        assert!((exact.precision() - 0.4).abs() < 1e-9);
        assert!((exact.recall() - 0.4).abs() < 1e-9);

        let mut head = Tally::default();
        head.add(Match::Head, &extracted, &reference);
        assert_eq!(
            (head.extracted_matched, head.reference_found),
            (3, 3),
            "reasoning, learning (RL), behavior(s)"
        );

        // A second paper adds to the counts, micro-averaged.
        head.add(
            Match::Head,
            &strings(&["latent"]),
            &strings(&["latent space"]),
        );
        assert_eq!((head.papers, head.extracted, head.reference), (2, 6, 6));
        assert!((head.precision() - 3.0 / 6.0).abs() < 1e-9);
    }

    #[test]
    fn nothing_extracted_or_expected_gives_zero_not_nan() {
        let mut tally = Tally::default();
        tally.add(Match::Exact, &[], &[]);
        assert_eq!((tally.precision(), tally.recall()), (0.0, 0.0));
        assert_eq!(tally.papers, 1);
    }
}
