//! Reading a title or an abstract as runs of words ("segments") that phrases may not
//! cross: punctuation, formulas, LaTeX commands, numbers, URLs and possessives end a
//! run. Words are joined by hyphens ("retrieval-augmented") and, between digits, by
//! dots ("Qwen2.5").

use tantivy::tokenizer::TextAnalyzer;

use super::stopwords::{is_inner_word, is_stop_word};
use paperboy_search::keyword::schema::analyze;

/// One word as written, with its index terms (a hyphenated word has several).
#[derive(Debug, Clone)]
pub struct Word<'a> {
    /// As written.
    pub surface: &'a str,
    /// Its index terms.
    pub terms: Vec<String>,
    /// May not start or end a phrase.
    pub stop: bool,
    /// May stand inside one.
    pub inner: bool,
    /// Its capital letter may be the sentence's or the title's, not the word's.
    pub capital_may_be_positional: bool,
}

/// A run of words no punctuation interrupts.
#[derive(Debug, Clone)]
pub struct Segment<'a> {
    /// The words.
    pub words: Vec<Word<'a>>,
    /// The run is all that stands between a pair of parentheses ("(RAG)").
    pub in_parens: bool,
}

/// The runs of words of `text` that no punctuation, formula, LaTeX command or number
/// interrupts. `title_case`: every capital may be the title's, not the word's.
pub fn segments<'a>(
    analyzer: &mut TextAnalyzer,
    text: &'a str,
    title_case: bool,
) -> Vec<Segment<'a>> {
    let mut out = Segments::default();
    let mut sentence_start = true;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c.is_alphanumeric() && is_address(rest) {
            // A URL or an e-mail address: its parts are not phrases of the paper.
            rest = rest
                .find(char::is_whitespace)
                .map_or("", |end| &rest[end..]);
            out.flush(false);
            continue;
        }
        if c.is_alphanumeric() {
            let len = word_len(rest);
            let surface = &rest[..len];
            rest = &rest[len..];
            let capital_may_be_positional = sentence_start || title_case;
            sentence_start = false;
            match word(analyzer, surface, capital_may_be_positional) {
                Some(w) => out.push(w),
                None => out.flush(false),
            }
            // A possessive ends the phrase: "the model's accuracy".
            if let Some(after) = rest.strip_prefix("'s").or_else(|| rest.strip_prefix("’s")) {
                rest = after;
                out.flush(false);
            }
            continue;
        }
        rest = &rest[c.len_utf8()..];
        match c {
            c if c.is_whitespace() => {}
            // Braces of LaTeX groups (\emph{...}) are transparent.
            '{' | '}' => {}
            '$' => {
                // Inline math: skip to the closing dollar, and what is glued to it
                // ("$p$-ary").
                rest = rest.find('$').map_or("", |end| &rest[end + 1..]);
                if !rest.starts_with(char::is_whitespace) {
                    rest = rest
                        .find(char::is_whitespace)
                        .map_or("", |end| &rest[end..]);
                }
                out.flush(false);
            }
            '\\' => {
                // A LaTeX command: skip its name, and the argument of a reference.
                let name = rest
                    .char_indices()
                    .find(|(_, c)| !c.is_ascii_alphabetic())
                    .map_or(rest.len(), |(i, _)| i.max(1).min(rest.len()));
                let command = &rest[..name];
                rest = &rest[name..];
                if REFERENCE_COMMANDS.contains(&command) {
                    rest = skip_argument(rest);
                }
                out.flush(false);
            }
            '(' => {
                out.flush(false);
                out.paren_open = true;
            }
            ')' => out.flush(true),
            _ => {
                if matches!(c, '.' | '!' | '?' | ':')
                    && rest.chars().next().is_none_or(char::is_whitespace)
                {
                    sentence_start = true;
                }
                out.flush(false);
            }
        }
    }
    out.flush(false);
    out.done
}

/// LaTeX commands whose argument is a key or an address, not words of the paper
/// ("\\cite{zhang2026taming}").
const REFERENCE_COMMANDS: &[&str] = &[
    "autoref", "cite", "citealp", "citep", "citet", "cref", "Cref", "eqref", "href", "label",
    "ref", "url",
];

/// `text` after an optional `[...]` and a `{...}` argument at its start.
fn skip_argument(text: &str) -> &str {
    let mut rest = text.trim_start();
    if rest.starts_with('[') {
        rest = rest.find(']').map_or("", |end| &rest[end + 1..]);
    }
    match rest.strip_prefix('{') {
        Some(inner) => inner.find('}').map_or("", |end| &inner[end + 1..]),
        None => rest,
    }
}

/// Segments being collected.
#[derive(Default)]
struct Segments<'a> {
    done: Vec<Segment<'a>>,
    current: Vec<Word<'a>>,
    /// An opening parenthesis came after the last segment.
    paren_open: bool,
    /// The current segment began right after an opening parenthesis.
    current_in_paren: bool,
}

impl<'a> Segments<'a> {
    fn push(&mut self, word: Word<'a>) {
        if self.current.is_empty() {
            self.current_in_paren = self.paren_open;
        }
        self.current.push(word);
    }

    /// Ends the current segment; `closing_paren`: at a closing parenthesis.
    fn flush(&mut self, closing_paren: bool) {
        if !self.current.is_empty() {
            self.done.push(Segment {
                words: std::mem::take(&mut self.current),
                in_parens: closing_paren && self.current_in_paren,
            });
        }
        self.paren_open = false;
    }
}

/// True when the text up to the next space is a URL or an e-mail address.
fn is_address(text: &str) -> bool {
    let chunk = text.split(char::is_whitespace).next().unwrap_or_default();
    let lower = chunk.to_ascii_lowercase();
    lower.contains("://")
        || lower.starts_with("www.")
        || lower.starts_with("github.com/")
        || lower.starts_with("huggingface.co/")
        || (chunk.contains('@') && chunk.contains('.'))
}

/// The byte length of the word at the start of `text`: letters and digits, joined by
/// hyphens ("retrieval-augmented", "GPT-4o") and, between digits, by dots ("Qwen2.5").
fn word_len(text: &str) -> usize {
    let chars: Vec<(usize, char)> = text.char_indices().take(200).collect();
    let mut end = 0;
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c.is_alphanumeric() {
            end = at + c.len_utf8();
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).map(|&(_, n)| n);
        let prev = i.checked_sub(1).map(|p| chars[p].1);
        let joins = match c {
            '-' => next.is_some_and(char::is_alphanumeric),
            '.' => {
                prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit())
            }
            _ => false,
        };
        if !joins {
            break;
        }
        i += 1;
    }
    end.max(text.chars().next().map_or(0, char::len_utf8))
}

/// Digits alone, or with units, factors or sizes: "2024", "24x", "7B", "100k",
/// "000ms", "9-fold", "512x512", "1024times1024" (a lost `\times`); not "3D".
fn is_number(word: &str) -> bool {
    const UNITS: &[&str] = &[
        "b", "fold", "fps", "gb", "h", "k", "m", "mb", "ms", "p", "px", "s", "t", "tb", "times",
        "x",
    ];
    if !word.starts_with(|c: char| c.is_ascii_digit()) {
        return !word.chars().any(char::is_alphabetic);
    }
    word.split(|c: char| !c.is_alphabetic())
        .filter(|run| !run.is_empty())
        .all(|run| UNITS.contains(&run.to_lowercase().as_str()))
}

/// A word, or `None` when it must break phrases: a number, or nothing the index keeps.
fn word<'a>(
    analyzer: &mut TextAnalyzer,
    surface: &'a str,
    capital_may_be_positional: bool,
) -> Option<Word<'a>> {
    if is_number(surface) {
        return None;
    }
    let terms = analyze(analyzer, surface);
    if terms.is_empty() {
        return None;
    }
    let lower = surface.to_lowercase();
    Some(Word {
        surface,
        terms,
        stop: is_stop_word(&lower) || surface.chars().count() < 2,
        inner: is_inner_word(&lower),
        capital_may_be_positional,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use paperboy_search::keyword::schema::text_analyzer;

    fn runs(text: &str) -> Vec<String> {
        segments(&mut text_analyzer(), text, false)
            .iter()
            .map(|s| {
                let words: Vec<&str> = s.words.iter().map(|w| w.surface).collect();
                words.join(" ")
            })
            .collect()
    }

    #[test]
    fn addresses_are_skipped() {
        assert_eq!(
            runs("Code: https://github.com/ADaM-BJTU/AutoCoA and github.com/x/y-z, mail a.b@c.org"),
            ["Code", "and", "mail"]
        );
    }

    #[test]
    fn numbers_and_what_is_glued_to_formulas_end_runs() {
        assert_eq!(
            runs("a 24x speedup of 7B models in 3D scenes of $p$-ary codes"),
            ["a", "speedup of", "models in 3D scenes of", "codes"]
        );
        assert_eq!(
            runs("at 1024times1024 and 540x540p in 000ms, a 9-fold gain"),
            ["at", "and", "in", "a", "gain"]
        );
    }

    #[test]
    fn latex_commands_end_runs_and_braces_are_transparent() {
        assert_eq!(
            runs("the \\emph{zero-shot} setting"),
            ["the", "zero-shot setting"]
        );
        assert_eq!(runs("unclosed $x + y"), ["unclosed"]);
        assert!(runs("\\").is_empty());
    }

    #[test]
    fn references_are_skipped_with_their_keys() {
        assert_eq!(
            runs(
                "coded caching \\cite{ji2016fundamental, zhang2026taming} and Fig.~\\ref{fig:x} shows"
            ),
            ["coded caching", "and Fig", "shows"]
        );
    }

    #[test]
    fn runs_between_parentheses_are_marked() {
        let segments = segments(
            &mut text_analyzer(),
            "generation (RAG) and (a b) c (d, e)",
            false,
        );
        let marks: Vec<bool> = segments.iter().map(|s| s.in_parens).collect();
        assert_eq!(marks, [false, true, false, true, false, false, false]);
    }

    #[test]
    fn words_join_by_hyphens_and_version_dots() {
        assert_eq!(word_len("GPT-4o is"), 6);
        assert_eq!(word_len("Qwen2.5-VL."), 10);
        assert_eq!(word_len("end. Next"), 3);
        assert_eq!(word_len("a-"), 1);
        assert_eq!(word_len("é"), 2);
    }
}
