//! Turning a [`SearchQuery`] into a tantivy query.

use std::ops::Bound;

use paperboy_core::SearchQuery;
use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;

use super::schema::{Fields, analyze};

/// How much a title match counts against an abstract match in a short query (a few
/// words recalled from a title or a name).
pub const TITLE_BOOST: f32 = 2.0;
/// Queries of more words than this are descriptions: boosting the title there lets
/// common words in short titles outrank the abstract that matches the description
/// (measured with `paperboy eval`: description recall@10 0.67 unboosted, 0.44 at 2.0).
pub const SHORT_QUERY_WORDS: usize = 3;
/// How much a match in the author list counts against one in the abstract.
pub const AUTHOR_BOOST: f32 = 1.5;
/// Queries of at most this many words are names (`llama`, `LoRA`, `DPO`): the papers
/// that carry every one of their words in the title rank first.
pub const NAME_QUERY_WORDS: usize = 2;
/// What a title holding every word of a name query adds to its BM25 score: more than
/// any BM25 score of a two-word query reaches, so those papers form a tier above the
/// rest. Taken off again before a hit's score is reported.
pub const TITLE_TIER: f32 = 1_000.0;

/// The analyzers a query needs.
pub struct Analyzers {
    /// For titles and abstracts.
    pub text: TextAnalyzer,
    /// For names.
    pub name: TextAnalyzer,
    /// For choosing which query words to highlight: the text analyzer without stop words.
    pub highlight: TextAnalyzer,
}

/// The tantivy query for `query`, and whether it ranks by text (else by date).
pub fn build(
    query: &SearchQuery,
    fields: &Fields,
    analyzers: &mut Analyzers,
) -> (Box<dyn Query>, bool) {
    let title_boost = if query.words.len() + query.phrases.len() <= SHORT_QUERY_WORDS {
        TITLE_BOOST
    } else {
        1.0
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut ranks = false;

    if let Some(id) = &query.id {
        let term = Term::from_field_text(fields.id, id.as_str());
        clauses.push((
            Occur::Must,
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
        ));
    }

    // Each word may match title, abstract or authors; any word may match. One flat
    // union of term queries (not a union per word) so that tantivy can skip blocks
    // of documents that cannot reach the top (block-max WAND); the scores are the
    // same sums either way.
    //
    // Stop words weigh next to nothing in BM25 but have the longest posting lists, so
    // a query with other words leaves them out (phrases keep them).
    let content: Vec<&String> = query
        .words
        .iter()
        .filter(|word| !analyze(&mut analyzers.highlight, word).is_empty())
        .collect();
    let searched: Vec<&String> = if content.is_empty() {
        query.words.iter().collect()
    } else {
        content
    };
    let mut words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for word in &searched {
        for term in analyze(&mut analyzers.text, word) {
            words.push((
                Occur::Should,
                boosted(term_query(fields.title, &term), title_boost),
            ));
            words.push((Occur::Should, term_query(fields.summary, &term)));
        }
        for term in analyze(&mut analyzers.name, word) {
            words.push((
                Occur::Should,
                boosted(term_query(fields.authors, &term), AUTHOR_BOOST),
            ));
        }
    }
    if let Some(tier) = title_tier(query, &searched, fields, analyzers) {
        words.push((Occur::Should, tier));
    }
    let words = (!words.is_empty()).then(|| BooleanQuery::new(words));

    // A quoted phrase must appear, in the title or the abstract.
    for phrase in &query.phrases {
        let terms = analyze(&mut analyzers.text, phrase);
        let in_field = |field, boost| -> Option<Box<dyn Query>> {
            match terms.len() {
                0 => None,
                1 => Some(boosted(term_query(field, &terms[0]), boost)),
                _ => {
                    let terms = terms
                        .iter()
                        .map(|t| Term::from_field_text(field, t))
                        .collect();
                    Some(boosted(Box::new(PhraseQuery::new(terms)), boost))
                }
            }
        };
        if let (Some(title), Some(summary)) = (
            in_field(fields.title, title_boost),
            in_field(fields.summary, 1.0),
        ) {
            ranks = true;
            let either = BooleanQuery::new(vec![(Occur::Should, title), (Occur::Should, summary)]);
            clauses.push((Occur::Must, Box::new(either)));
        }
    }

    // Filters: every name part of an author filter, every category.
    for author in &query.authors {
        for term in analyze(&mut analyzers.name, author) {
            clauses.push((Occur::Must, term_query(fields.authors, &term)));
        }
    }
    for category in &query.categories {
        let term = Term::from_field_text(fields.categories, &category.to_lowercase());
        clauses.push((
            Occur::Must,
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
        ));
    }
    if query.after.is_some() || query.before.is_some() {
        let seconds = |d: jiff::civil::Date| {
            d.to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp().as_second())
                .unwrap_or(0)
        };
        let lower = query.after.map_or(Bound::Unbounded, |d| {
            Bound::Included(Term::from_field_i64(fields.published, seconds(d)))
        });
        let upper = query.before.map_or(Bound::Unbounded, |d| {
            Bound::Excluded(Term::from_field_i64(fields.published, seconds(d)))
        });
        clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
    }
    if query.has_code {
        let term = Term::from_field_u64(fields.has_code, 1);
        clauses.push((
            Occur::Must,
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
        ));
    }

    match (words, clauses.is_empty()) {
        (Some(words), true) => return (Box::new(words), true),
        (Some(words), false) => {
            ranks = true;
            clauses.push((Occur::Must, Box::new(words)));
        }
        (None, true) => return (Box::new(AllQuery), false),
        (None, false) => {}
    }
    if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    (Box::new(BooleanQuery::new(clauses)), ranks)
}

/// For a name query (no more than [`NAME_QUERY_WORDS`] words, no phrases): a clause
/// that adds [`TITLE_TIER`] to papers whose title holds every searched word.
fn title_tier(
    query: &SearchQuery,
    searched: &[&String],
    fields: &Fields,
    analyzers: &mut Analyzers,
) -> Option<Box<dyn Query>> {
    if !query.phrases.is_empty() || searched.is_empty() || query.words.len() > NAME_QUERY_WORDS {
        return None;
    }
    let all_in_title: Vec<(Occur, Box<dyn Query>)> = searched
        .iter()
        .flat_map(|word| analyze(&mut analyzers.text, word))
        .map(|term| (Occur::Must, term_query(fields.title, &term)))
        .collect();
    (!all_in_title.is_empty()).then(|| {
        Box::new(ConstScoreQuery::new(
            Box::new(BooleanQuery::new(all_in_title)),
            TITLE_TIER,
        )) as Box<dyn Query>
    })
}

fn term_query(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyword::schema::{highlight_analyzer, name_analyzer, text_analyzer};

    fn built(q: &str) -> String {
        let (_, fields) = Fields::schema();
        let mut analyzers = Analyzers {
            text: text_analyzer(),
            name: name_analyzer(),
            highlight: highlight_analyzer(),
        };
        format!(
            "{:?}",
            build(&SearchQuery::parse(q), &fields, &mut analyzers).0
        )
    }

    #[test]
    fn stop_words_are_left_out_unless_there_is_nothing_else() {
        let query = built("the doppler tracking of a capsule");
        assert!(query.contains("\"doppler\""), "{query}");
        assert!(
            !query.contains("\"the\"") && !query.contains("\"of\""),
            "{query}"
        );
        assert!(built("the who").contains("\"who\""));
        let only_stop_words = built("to be or not to be");
        assert!(only_stop_words.contains("\"be\""), "{only_stop_words}");
        let phrase = built("\"the doppler\" capsule");
        assert!(phrase.contains("\"the\""), "phrases keep them: {phrase}");
    }
}
