//! Corpus statistics from the keyword index, for key-phrase scoring: how many
//! abstracts have a phrase, or all of its words.
//!
//! Only abstracts are counted: titles mostly restate them, one field halves the cost
//! of a phrase query, and a single word's count is then its document frequency in
//! the term dictionary. Measured with `examples/keyphrase_eval.rs` on 2,000 papers
//! against the 80,000-paper corpus: 13.0 -> 9.6 ms per paper, agreement with Hugging
//! Face's keywords 0.56 -> 0.57.

use std::collections::HashMap;
use std::sync::Mutex;

use tantivy::collector::Count;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use crate::Result;

/// Counts remembered before the cache starts over (common phrases recur from paper
/// to paper; rare ones are cheap to count again).
const CACHE_ENTRIES: usize = 200_000;

/// What is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Phrase,
    Cooccurrence,
}

/// The statistics of one snapshot of the index (what was committed when it was
/// taken), with counts cached.
pub struct IndexStats {
    searcher: Searcher,
    field: Field,
    cache: Mutex<HashMap<(Kind, Vec<String>), u64>>,
}

impl IndexStats {
    /// Statistics of the `field` (the abstracts) of the index `searcher` reads.
    pub(super) fn new(searcher: Searcher, field: Field) -> Self {
        Self {
            searcher,
            field,
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn count(&self, kind: Kind, terms: &[String]) -> Result<u64> {
        if let [one] = terms {
            // One word: its document frequency, read from the term dictionary.
            return Ok(self.searcher.doc_freq(&self.term(one))?);
        }
        let key = (kind, terms.to_vec());
        if let Some(&n) = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(n);
        }
        let n = match kind {
            Kind::Phrase => {
                let terms = terms.iter().map(|t| self.term(t)).collect();
                self.searcher.search(&PhraseQuery::new(terms), &Count)?
            }
            Kind::Cooccurrence => {
                let all: Vec<(Occur, Box<dyn Query>)> = terms
                    .iter()
                    .map(|t| -> (Occur, Box<dyn Query>) {
                        let query = TermQuery::new(self.term(t), IndexRecordOption::Basic);
                        (Occur::Must, Box::new(query))
                    })
                    .collect();
                self.searcher.search(&BooleanQuery::new(all), &Count)?
            }
        } as u64;
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(key, n);
        Ok(n)
    }

    fn term(&self, text: &str) -> Term {
        Term::from_field_text(self.field, text)
    }
}

impl IndexStats {
    /// Papers in the corpus.
    pub fn papers(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// Abstracts that have `terms` (index terms) next to each other in this order.
    pub fn phrase_papers(&self, terms: &[String]) -> Result<u64> {
        self.count(Kind::Phrase, terms)
    }

    /// Abstracts that have every one of `terms`.
    pub fn cooccurrence_papers(&self, terms: &[String]) -> Result<u64> {
        self.count(Kind::Cooccurrence, terms)
    }
}
