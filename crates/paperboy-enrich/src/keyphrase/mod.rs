//! Key phrases of a paper, found statistically against the corpus, for papers no
//! source gave `ai_keywords`: candidate phrases of its title and abstract
//! ([`candidates`]), scored by a phrase-aware TF-IDF over the keyword index's
//! document frequencies and de-duplicated by stems ([`score`]). [`job`] runs it over
//! the backlog; [`agreement`] measures it against reference keywords.

mod acronyms;
pub mod agreement;
mod candidates;
pub mod job;
mod score;
mod shape;
mod stopwords;
mod tokens;

use tantivy::tokenizer::TextAnalyzer;

pub use score::{CorpusStats, KeyPhrase, MAX_PHRASES};

use crate::Result;
use paperboy_search::keyword::schema::text_analyzer;

/// Extracts key phrases; holds the analyzer that maps words to index terms.
pub struct Extractor {
    analyzer: TextAnalyzer,
}

impl Default for Extractor {
    fn default() -> Self {
        Self {
            analyzer: text_analyzer(),
        }
    }
}

impl Extractor {
    /// The best few (at most [`MAX_PHRASES`]) key phrases of a paper, best first.
    pub fn extract(
        &mut self,
        title: &str,
        summary: &str,
        stats: &dyn CorpusStats,
    ) -> Result<Vec<KeyPhrase>> {
        let candidates = candidates::candidates(&mut self.analyzer, title, summary)
            .into_iter()
            .filter(|c| {
                let words: Vec<&str> = c.text().split(' ').collect();
                shape::fits(&words, c.is_name())
            })
            .collect();
        score::choose(candidates, stats)
    }
}

#[cfg(test)]
mod tests {
    use paperboy_core::{ArxivId, Paper};
    use paperboy_store::ChangeCursor;
    use paperboy_testkit::fixture;

    use super::*;
    use paperboy_search::keyword::KeywordIndex;
    use paperboy_search::keyword::schema::analyze;

    /// The real cs papers of one arXiv listing day, with their abstracts.
    fn listing() -> Vec<Paper> {
        #[derive(serde::Deserialize)]
        struct Line {
            id: String,
            title: String,
            summary: String,
        }
        let mut seen = std::collections::HashSet::new();
        fixture("arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl")
            .lines()
            .map(|line| serde_json::from_str::<Line>(line).unwrap())
            .filter(|l| seen.insert(l.id.clone()))
            .map(|l| {
                Paper::new(
                    ArxivId::parse(&l.id).unwrap(),
                    l.title,
                    l.summary,
                    Vec::new(),
                )
            })
            .collect()
    }

    /// The key phrases of every listed paper, against an index of them all.
    fn extracted() -> Vec<(Paper, Vec<String>)> {
        let papers = listing();
        let index = KeywordIndex::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        for paper in &papers {
            writer.upsert(paper).unwrap();
        }
        writer.commit(&ChangeCursor::default()).unwrap();
        index.reload().unwrap();
        let stats = index.stats();
        let mut extractor = Extractor::default();
        papers
            .into_iter()
            .map(|p| {
                let phrases = extractor.extract(&p.title, &p.summary, &stats).unwrap();
                (p, phrases.into_iter().map(|k| k.text).collect())
            })
            .collect()
    }

    fn phrases_of<'a>(all: &'a [(Paper, Vec<String>)], id: &str) -> &'a [String] {
        &all.iter().find(|(p, _)| p.id.as_str() == id).unwrap().1
    }

    #[test]
    fn real_abstracts_give_a_handful_of_distinct_phrases() {
        let all = extracted();
        let mut analyzer = paperboy_search::keyword::schema::text_analyzer();
        for (paper, phrases) in &all {
            println!("{}  {}\n  {}", paper.id, paper.title, phrases.join(" | "));
            assert!((3..=MAX_PHRASES).contains(&phrases.len()), "{phrases:?}");
            for phrase in phrases {
                let words: Vec<&str> = phrase.split(' ').collect();
                assert!((1..=3).contains(&words.len()), "{phrase}");
                assert!(phrase.chars().any(char::is_alphabetic), "{phrase}");
                for edge in [words[0], words[words.len() - 1]] {
                    assert!(!stopwords::is_stop_word(&edge.to_lowercase()), "{phrase}");
                }
            }
            let stems: Vec<String> = phrases
                .iter()
                .map(|p| format!(" {} ", analyze(&mut analyzer, p).join(" ")))
                .collect();
            for (i, a) in stems.iter().enumerate() {
                for b in &stems[i + 1..] {
                    assert!(
                        !a.contains(b.as_str()) && !b.contains(a.as_str()),
                        "{phrases:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn names_and_terms_of_art_come_first() {
        let all = extracted();
        let doppler = phrases_of(&all, "2606.27531");
        assert!(
            doppler.contains(&"Orion spacecraft".to_owned()),
            "{doppler:?}"
        );
        let crypto = phrases_of(&all, "2606.27670");
        assert!(crypto.contains(&"CryptoGAT".to_owned()), "{crypto:?}");
        let unlearning = phrases_of(&all, "2606.27379");
        assert!(
            unlearning.contains(&"machine unlearning".to_owned()),
            "{unlearning:?}"
        );
    }
}
