//! Acronyms a paper defines: "retrieval-augmented generation (RAG)", "Theory of Mind
//! (ToM)". The acronym and its expansion are one key phrase, counted together and
//! shown spelled out.

use super::candidates::MAX_WORDS;
use super::tokens::{Segment, Word};

/// A defined acronym: its index terms and those of the phrase it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// The acronym's terms.
    pub acronym: Vec<String>,
    /// The expansion's terms.
    pub expansion: Vec<String>,
}

/// The acronyms defined in `segments`: a parenthesised word whose capitals are the
/// initials of the words before the parenthesis (at most [`MAX_WORDS`] of them).
pub fn definitions(segments: &[Segment]) -> Vec<Definition> {
    segments
        .windows(2)
        .filter_map(|pair| {
            let [before, inside] = pair else { return None };
            let [acronym] = inside.words.as_slice() else {
                return None;
            };
            if !inside.in_parens {
                return None;
            }
            let expansion = expansion(&before.words, acronym.surface)?;
            Some(Definition {
                acronym: acronym.terms.clone(),
                expansion: expansion.iter().flat_map(|w| w.terms.clone()).collect(),
            })
        })
        .collect()
}

/// The last words of `before` whose initials (of each hyphenated part; "of" skipped)
/// spell the capitals of `acronym`.
fn expansion<'w, 'a>(before: &'w [Word<'a>], acronym: &str) -> Option<&'w [Word<'a>]> {
    let letters = capitals(acronym)?;
    let mut initials: Vec<char> = Vec::new();
    for start in (0..before.len()).rev() {
        let word = &before[start];
        if word.stop {
            if word.inner && start + 1 < before.len() {
                continue;
            }
            return None;
        }
        let mut parts: Vec<char> = word
            .surface
            .split('-')
            .filter_map(|part| part.chars().next())
            .flat_map(char::to_lowercase)
            .collect();
        parts.append(&mut initials);
        initials = parts;
        if initials.len() >= letters.len() {
            let spelled = initials == letters && before.len() - start <= MAX_WORDS;
            return spelled.then(|| &before[start..]);
        }
    }
    None
}

/// The lower-cased capitals of an acronym-like word ("LVLMs" -> "lvlm", "ToM" ->
/// "tm"), or `None` when the word does not look like an acronym.
fn capitals(word: &str) -> Option<Vec<char>> {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    let capitals: Vec<char> = word
        .chars()
        .filter(|c| c.is_uppercase())
        .flat_map(char::to_lowercase)
        .collect();
    (capitals.len() >= 2 && capitals.len() * 2 >= letters).then_some(capitals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyphrase::tokens::segments;
    use paperboy_search::keyword::schema::text_analyzer;

    fn defined(text: &str) -> Vec<(String, String)> {
        definitions(&segments(&mut text_analyzer(), text, false))
            .into_iter()
            .map(|d| (d.acronym.join(" "), d.expansion.join(" ")))
            .collect()
    }

    #[test]
    fn acronyms_spell_the_initials_before_them() {
        assert_eq!(
            defined(
                "We study Retrieval-Augmented Generation (RAG), theory of mind (ToM) and \
                 Large Vision-Language Models (LVLMs) with reinforcement learning (RL)."
            ),
            [
                ("rag".into(), "retriev augment generat".into()),
                ("tom".into(), "theori of mind".into()),
                ("lvlms".into(), "larg vision languag model".into()),
                ("rl".into(), "reinforc learn".into()),
            ]
        );
    }

    #[test]
    fn other_parentheses_define_nothing() {
        assert!(
            defined(
                "a model (GPT) and the results (see Table) of large language models (LLMs, 2024)"
            )
            .is_empty()
        );
        assert!(
            defined("multimodal large language models (MLLMs)").is_empty(),
            "four words"
        );
        assert!(defined("(RAG) first").is_empty());
    }
}
