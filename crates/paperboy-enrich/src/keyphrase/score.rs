//! Scoring candidate phrases against the corpus and choosing a handful.
//!
//! A phrase-aware TF-IDF: how often the paper uses the phrase (title occurrences
//! weighted up), times how rare the phrase is in the corpus (its document frequency
//! as a phrase, not its words'), times how firmly its words belong together: of the
//! papers that use all of its words, the share that use them as this phrase. That
//! last factor keeps incidental neighbours out ("agents outperform baselines" is
//! rare as a phrase, but its words meet in thousands of papers), while names and
//! terms of art ("retrieval-augmented generation", "mixture of experts") keep it
//! near one.

use super::candidates::Candidate;
use crate::Result;

/// What the scoring needs to know about the corpus.
pub trait CorpusStats {
    /// Papers in the corpus.
    fn papers(&self) -> u64;
    /// Papers that have `terms` next to each other in this order (for one term: the
    /// papers that have it).
    fn phrase_papers(&self, terms: &[String]) -> Result<u64>;
    /// Papers that have every one of `terms`.
    fn cooccurrence_papers(&self, terms: &[String]) -> Result<u64>;
}

/// The keyword index's statistics of the abstracts.
impl CorpusStats for paperboy_search::keyword::IndexStats {
    fn papers(&self) -> u64 {
        paperboy_search::keyword::IndexStats::papers(self)
    }

    fn phrase_papers(&self, terms: &[String]) -> Result<u64> {
        Ok(paperboy_search::keyword::IndexStats::phrase_papers(
            self, terms,
        )?)
    }

    fn cooccurrence_papers(&self, terms: &[String]) -> Result<u64> {
        Ok(paperboy_search::keyword::IndexStats::cooccurrence_papers(
            self, terms,
        )?)
    }
}

/// Most key phrases per paper.
pub const MAX_PHRASES: usize = 5;
/// An occurrence in the title counts this many in the abstract, when the abstract
/// uses the phrase too (a title-only word is often a flourish: "Unleashing").
const TITLE_WEIGHT: f64 = 2.0;
/// How strongly cohesion (see the module docs) bends the score.
const COHESION_POWER: f64 = 1.0;
/// The weight of a plain single word ("flexible") against a phrase or a name.
const PLAIN_WORD_WEIGHT: f64 = 0.3;
/// A chosen phrase gives way to a longer one that holds at least this share of its
/// occurrences ("driving" -> "autonomous driving").
const EXPANSION_SHARE: f64 = 0.5;

/// A chosen key phrase.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyPhrase {
    /// The phrase, in the form the paper writes it most.
    pub text: String,
    /// Its score (higher is better; comparable within one paper only).
    pub score: f64,
}

/// A candidate with its score.
struct Scored {
    candidate: Candidate,
    score: f64,
}

/// Scores every candidate and keeps the best [`MAX_PHRASES`]. A candidate that
/// mostly occurs inside a longer one stands for it; any that contains, or is
/// contained in, a better one is skipped (by terms, so by stems).
pub fn choose(candidates: Vec<Candidate>, stats: &dyn CorpusStats) -> Result<Vec<KeyPhrase>> {
    let papers = stats.papers().max(1) as f64;
    let mut scored = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        let score = score(&candidate, papers, stats)?;
        if score > 0.0 {
            scored.push(Scored { candidate, score });
        }
    }
    scored.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.candidate.first.cmp(&b.candidate.first))
    });
    let mut chosen: Vec<&Scored> = Vec::with_capacity(MAX_PHRASES);
    for s in &scored {
        if chosen.len() == MAX_PHRASES {
            break;
        }
        let free = |c: &Scored| !chosen.iter().any(|k| overlaps(&k.candidate, &c.candidate));
        if !free(s) {
            continue;
        }
        let longer = scored.iter().find(|l| {
            l.candidate.terms.len() > s.candidate.terms.len()
                && contains(&l.candidate.terms, &s.candidate.terms)
                && occurrences(&l.candidate) >= EXPANSION_SHARE * occurrences(&s.candidate)
                && free(l)
        });
        chosen.push(longer.unwrap_or(s));
    }
    Ok(chosen
        .into_iter()
        .map(|s| KeyPhrase {
            text: s.candidate.text().to_owned(),
            score: s.score,
        })
        .collect())
}

/// Occurrences in the paper, title ones weighted up when the abstract uses the
/// phrase too.
fn occurrences(candidate: &Candidate) -> f64 {
    let title = f64::from(candidate.title_count);
    let summary = f64::from(candidate.abstract_count);
    if candidate.abstract_count > 0 {
        TITLE_WEIGHT * title + summary
    } else {
        title + summary
    }
}

fn score(candidate: &Candidate, papers: f64, stats: &dyn CorpusStats) -> Result<f64> {
    let tf = occurrences(candidate);
    let df = stats.phrase_papers(&candidate.terms)?;
    if df <= 1 && candidate.terms.len() > 1 && candidate.title_count + candidate.abstract_count < 2
    {
        // A combination of words no other paper uses, used once: an accident of
        // wording more often than a term.
        return Ok(0.0);
    }
    // The paper itself is in the corpus, or about to be: count it at least once.
    let df = df.max(1) as f64;
    let idf = (1.0 + papers / df).ln();
    let cohesion = if candidate.terms.len() > 1 {
        let together = stats.cooccurrence_papers(&candidate.terms)?.max(1) as f64;
        (df / together.max(df)).powf(COHESION_POWER)
    } else if candidate.is_name() {
        1.0
    } else {
        PLAIN_WORD_WEIGHT
    };
    Ok(tf * idf * cohesion)
}

/// True when one phrase holds the other, or they overlap at their ends ("true digital
/// orthophoto" and "digital orthophoto maps"), comparing terms with an acronym's
/// plural "s" dropped ("NLMs", "NLM").
fn overlaps(a: &Candidate, b: &Candidate) -> bool {
    let (a, b) = (comparable(a), comparable(b));
    contains(&a, &b) || contains(&b, &a) || end_overlap(&a, &b) || end_overlap(&b, &a)
}

fn comparable(candidate: &Candidate) -> Vec<String> {
    let acronym = candidate.is_name();
    candidate
        .terms
        .iter()
        .map(|t| if acronym { acronym_singular(t) } else { t }.to_owned())
        .collect()
}

/// An acronym's term without its plural "s" ("llms" -> "llm"). The stemmer already
/// drops the "s" of words with a vowel, so a term with one keeps its "s" ("diffus",
/// the stem of "diffuse").
fn acronym_singular(term: &str) -> &str {
    match term.strip_suffix('s') {
        Some(stem) if stem.len() >= 2 && !stem.contains(['a', 'e', 'i', 'o', 'u', 'y']) => stem,
        _ => term,
    }
}

/// True when a suffix of `a` is a prefix of `b`.
fn end_overlap(a: &[String], b: &[String]) -> bool {
    (1..a.len().min(b.len())).any(|n| a[a.len() - n..] == b[..n])
}

/// True when `needle` occurs in `haystack` as a contiguous run.
fn contains(haystack: &[String], needle: &[String]) -> bool {
    needle.len() <= haystack.len() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containment_is_by_contiguous_terms() {
        let t = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
        assert!(contains(&t("larg languag model"), &t("languag model")));
        assert!(contains(&t("languag model"), &t("languag model")));
        assert!(!contains(&t("larg languag model"), &t("larg model")));
        assert!(!contains(&t("model"), &t("languag model")));
        assert!(end_overlap(
            &t("true digit orthophoto"),
            &t("digit orthophoto map")
        ));
        assert!(!end_overlap(&t("slow think"), &t("fast think")));
    }

    #[test]
    fn only_acronyms_lose_a_plural_s() {
        assert_eq!(acronym_singular("llms"), "llm");
        assert_eq!(acronym_singular("mllms"), "mllm");
        assert_eq!(
            acronym_singular("diffus"),
            "diffus",
            "\"RGB diffuse albedo\" holds \"diffuse albedo\""
        );
        assert_eq!(acronym_singular("s"), "s");
    }
}
