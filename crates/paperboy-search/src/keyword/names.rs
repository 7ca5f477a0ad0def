//! Telling whether a keyword hit was found by one of its authors' names.

use paperboy_core::SearchQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, Term};

use super::query::Analyzers;
use super::schema::{self, analyze};
use crate::{Result, SearchError};

/// Which query words could be a person's name, to tell whether a hit was found by
/// its authors: a word (not a stop word, two letters or more) that is one of the
/// hit's author names and does not occur in its title or abstract.
pub(super) struct NameProbe {
    /// Per word: its terms in the authors field, and in the title and abstract fields.
    words: Vec<(Vec<Term>, Vec<Term>)>,
}

impl NameProbe {
    pub(super) fn new(
        query: &SearchQuery,
        fields: &schema::Fields,
        analyzers: &mut Analyzers,
    ) -> Self {
        let words = query
            .words
            .iter()
            .filter(|word| word.chars().count() >= 2)
            .filter_map(|word| {
                let text = analyze(&mut analyzers.highlight, word);
                if text.is_empty() {
                    return None;
                }
                let names = analyze(&mut analyzers.name, word)
                    .iter()
                    .map(|name| Term::from_field_text(fields.authors, name))
                    .collect();
                let in_text = text
                    .iter()
                    .flat_map(|t| {
                        [
                            Term::from_field_text(fields.title, t),
                            Term::from_field_text(fields.summary, t),
                        ]
                    })
                    .collect();
                Some((names, in_text))
            })
            .collect();
        Self { words }
    }

    /// True when a word names an author of the document at `address`.
    pub(super) fn matches(&self, searcher: &Searcher, address: DocAddress) -> Result<bool> {
        for (names, in_text) in &self.words {
            if has_any_term(searcher, address, names)? && !has_any_term(searcher, address, in_text)?
            {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// True when the document at `address` holds one of `terms`.
fn has_any_term(searcher: &Searcher, address: DocAddress, terms: &[Term]) -> Result<bool> {
    let segment = searcher.segment_reader(address.segment_ord);
    for term in terms {
        let postings = segment
            .inverted_index(term.field())?
            .read_postings(term, IndexRecordOption::Basic)
            .map_err(|e| SearchError::Index(e.into()))?;
        // Postings start on their first document; seeking backwards is not allowed.
        let holds = |mut p: tantivy::postings::SegmentPostings| {
            p.doc() <= address.doc_id && p.seek(address.doc_id) == address.doc_id
        };
        if postings.is_some_and(holds) {
            return Ok(true);
        }
    }
    Ok(false)
}
