//! Candidate key phrases: runs of one to three words of a title or an abstract that
//! no punctuation, formula or number breaks, with no stop word at either edge,
//! counted by their index terms (so "LLMs" and "LLM", "retrieval-augmented
//! generation" and "Retrieval Augmented Generation" are one candidate), each with
//! the surface forms it was written in.

use std::collections::HashMap;

use tantivy::tokenizer::TextAnalyzer;

use super::acronyms::{Definition, definitions};
use super::tokens::{Word, segments};

/// Most words in a candidate phrase.
pub const MAX_WORDS: usize = 3;

/// Where a phrase was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The title.
    Title,
    /// The abstract.
    Abstract,
}

/// A candidate phrase and what the text says about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Its index terms, in order: what corpus statistics are asked about.
    pub terms: Vec<String>,
    /// Occurrences in the title.
    pub title_count: u32,
    /// Occurrences in the abstract.
    pub abstract_count: u32,
    /// Where it first occurred (title words come first), for stable ordering.
    pub first: usize,
    /// Surface forms with their votes, in order of first appearance.
    forms: Vec<(String, u32)>,
}

impl Candidate {
    /// True when the phrase looks like a name rather than a plain word: capitals after
    /// the first letter of a word or its hyphenated parts, or digits ("LoRA", "SEAP",
    /// "GPT-4o", "AI-driven"; not "Transformer", "higher-order"), and more than two
    /// characters long ("3D", "QA" say little alone).
    pub fn is_name(&self) -> bool {
        let text = self.text();
        if text.chars().count() <= 2 {
            return false;
        }
        text.chars().any(|c| c.is_ascii_digit())
            || text
                .split(['-', ' '])
                .any(|part| part.chars().skip(1).any(char::is_uppercase))
    }

    /// The surface form most occurrences used (the earliest on a tie).
    pub fn text(&self) -> &str {
        let mut best: Option<&(String, u32)> = None;
        for form in &self.forms {
            if best.is_none_or(|b| form.1 > b.1) {
                best = Some(form);
            }
        }
        best.map_or("", |(text, _)| text.as_str())
    }
}

/// The candidates of a paper, in order of first occurrence.
pub fn candidates(analyzer: &mut TextAnalyzer, title: &str, summary: &str) -> Vec<Candidate> {
    let mut found: HashMap<String, Candidate> = HashMap::new();
    let mut position = 0;
    let title_case = is_title_case(title);
    let mut defined = Vec::new();
    for (place, text) in [(Place::Title, title), (Place::Abstract, summary)] {
        let segments = segments(analyzer, text, place == Place::Title && title_case);
        defined.extend(definitions(&segments));
        for segment in &segments {
            let words = &segment.words;
            for start in 0..words.len() {
                position += 1;
                for phrase in phrases_at(&words[start..]) {
                    count(&mut found, phrase, place, position);
                }
            }
        }
    }
    for definition in defined {
        merge_acronym(&mut found, &definition);
    }
    let mut out: Vec<Candidate> = found.into_values().collect();
    out.sort_by_key(|c| (c.first, c.terms.len()));
    out
}

/// Counts a defined acronym's occurrences (its plural's or singular's too: "NLM",
/// "NLMs") as its expansion's, and drops it.
fn merge_acronym(found: &mut HashMap<String, Candidate>, definition: &Definition) {
    let expansion = definition.expansion.join(" ");
    if !found.contains_key(&expansion) {
        return;
    }
    let acronym = definition.acronym.join(" ");
    let other_number = match acronym.strip_suffix('s') {
        Some(singular) => singular.to_owned(),
        None => format!("{acronym}s"),
    };
    for key in [acronym, other_number] {
        let Some(acronym) = found.remove(&key) else {
            continue;
        };
        if let Some(phrase) = found.get_mut(&expansion) {
            phrase.title_count += acronym.title_count;
            phrase.abstract_count += acronym.abstract_count;
            phrase.first = phrase.first.min(acronym.first);
        }
    }
}

/// The phrases starting at the first word of `words`: one to [`MAX_WORDS`] words,
/// stop words only inside and only those allowed there.
fn phrases_at<'w, 'a>(words: &'w [Word<'a>]) -> impl Iterator<Item = &'w [Word<'a>]> {
    let first_ok = words.first().is_some_and(|w| !w.stop);
    let longest = if first_ok {
        words
            .iter()
            .take(MAX_WORDS)
            .skip(1)
            .take_while(|w| !w.stop || w.inner)
            .count()
            + 1
    } else {
        0
    };
    (1..=longest)
        .map(move |n| &words[..n])
        .filter(|phrase| phrase.last().is_some_and(|w| !w.stop))
}

fn count(found: &mut HashMap<String, Candidate>, phrase: &[Word], place: Place, position: usize) {
    let terms: Vec<String> = phrase.iter().flat_map(|w| w.terms.clone()).collect();
    let key = terms.join(" ");
    let candidate = found.entry(key).or_insert_with(|| Candidate {
        terms,
        title_count: 0,
        abstract_count: 0,
        first: position,
        forms: Vec::new(),
    });
    match place {
        Place::Title => candidate.title_count += 1,
        Place::Abstract => candidate.abstract_count += 1,
    }
    let form = surface_form(phrase);
    // The abstract writes words as they are; a title-cased title capitalises them all.
    let votes = if place == Place::Abstract { 2 } else { 1 };
    match candidate.forms.iter_mut().find(|(text, _)| *text == form) {
        Some((_, n)) => *n += votes,
        None => candidate.forms.push((form, votes)),
    }
}

/// The phrase as written, with capitals that only the sentence or a title-cased
/// title put there lowered ("Speculative Decoding" -> "speculative decoding"; "LLaMA",
/// "BERT" and mid-sentence "Transformer" stay).
/// A phrase whose every word is capitalised is kept as it is when the sentence only
/// explains the first capital ("Federated Learning (FL) is ...").
fn surface_form(phrase: &[Word]) -> String {
    let named = phrase.len() > 1
        && phrase.iter().all(|w| w.stop || is_capitalised(w.surface))
        && phrase.iter().skip(1).any(|w| !w.capital_may_be_positional);
    let words: Vec<String> = phrase
        .iter()
        .map(|w| {
            if !named && w.capital_may_be_positional && is_capitalised(w.surface) {
                w.surface.to_lowercase()
            } else {
                w.surface.to_owned()
            }
        })
        .collect();
    words.join(" ")
}

/// One capital letter followed by lower-case letters only (hyphenated parts too:
/// "Retrieval-Augmented").
fn is_capitalised(word: &str) -> bool {
    word.split('-').all(|part| {
        let mut chars = part.chars();
        chars.next().is_some_and(char::is_uppercase) && chars.all(|c| !c.is_uppercase())
    })
}

/// True when most of the title's longer words start with a capital ("Attention Is
/// All You Need"), so capitals there say nothing about the words.
fn is_title_case(title: &str) -> bool {
    let words: Vec<&str> = title
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| w.chars().count() > 3)
        .collect();
    let capitalised = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    !words.is_empty() && capitalised * 3 >= words.len() * 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use paperboy_search::keyword::schema::text_analyzer;

    fn texts(title: &str, summary: &str) -> Vec<String> {
        candidates(&mut text_analyzer(), title, summary)
            .iter()
            .map(|c| c.text().to_owned())
            .collect()
    }

    #[test]
    fn phrases_stop_at_punctuation_numbers_formulas_and_stop_words() {
        let found = candidates(
            &mut text_analyzer(),
            "",
            "We propose retrieval-augmented generation (RAG) with 128 experts, $O(n^2)$ memory \
             and a mixture of experts. RAG scales, RAGs too.",
        );
        let texts: Vec<&str> = found.iter().map(Candidate::text).collect();
        assert_eq!(
            texts,
            [
                "retrieval-augmented",
                "retrieval-augmented generation",
                "generation",
                "experts",
                "memory",
                "mixture",
                "mixture of experts",
                "RAG scales",
                "scales",
            ]
        );
        assert_eq!(
            found[1].abstract_count, 4,
            "RAG and RAGs count as the expansion"
        );
    }

    #[test]
    fn forms_are_counted_by_terms_and_keep_meaningful_capitals() {
        let found = candidates(
            &mut text_analyzer(),
            "Speculative Decoding for LLaMA Models",
            "Speculative decoding speeds up LLaMA. We study speculative decoding in Transformers.",
        );
        let sd = found
            .iter()
            .find(|c| c.terms == ["specul", "decod"])
            .unwrap();
        assert_eq!((sd.title_count, sd.abstract_count), (1, 2));
        assert_eq!(sd.text(), "speculative decoding");
        let llama = found.iter().find(|c| c.terms == ["llama"]).unwrap();
        assert_eq!(llama.text(), "LLaMA");
        let transformers = found.iter().find(|c| c.terms == ["transform"]).unwrap();
        assert_eq!(
            transformers.text(),
            "Transformers",
            "mid-sentence capital kept"
        );
    }

    #[test]
    fn a_capitalised_name_keeps_its_capitals_at_a_sentence_start() {
        assert_eq!(
            texts("", "Federated Learning (FL) trains models."),
            [
                "federated",
                "Federated Learning",
                "Learning",
                "trains",
                "trains models",
                "models"
            ],
            "FL counts as federated learning"
        );
    }
}
