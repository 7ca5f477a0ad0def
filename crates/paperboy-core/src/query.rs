//! The search query language. It never fails: what does not parse as an operator is
//! searched as plain words.
//!
//! ```text
//! diffusion "image editing" author:lecun cat:cs.CV after:2025-06 before:2026 has:code
//! ```
//!
//! - plain words and `"quoted phrases"` (an unbalanced quote quotes to the end);
//! - `author:NAME` / `au:NAME` (quote names with spaces: `author:"Yann LeCun"`);
//! - `cat:cs.CL` / `category:cs.CL`;
//! - `after:DATE`, `before:DATE` with DATE `YYYY`, `YYYY-MM` or `YYYY-MM-DD`
//!   (`after` includes the date, `before` excludes it);
//! - `has:code` (papers with a code repository);
//! - a query that is only an arXiv id (or URL) names that paper.

use jiff::civil::Date;

use crate::{ArxivId, Paper};

/// The longest query kept, in characters; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 1_000;
/// The most words, phrases, author and category filters a query keeps, together;
/// later ones are ignored. Each becomes a few index lookups, so this bounds what a
/// query can cost.
pub const MAX_TERMS: usize = 32;
/// The longest word, phrase or filter value kept, in characters (no real word is
/// longer; a longer one is cut).
pub const MAX_TERM_CHARS: usize = 64;

/// A parsed search query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Plain words, in order.
    pub words: Vec<String>,
    /// Quoted phrases.
    pub phrases: Vec<String>,
    /// `author:` filters.
    pub authors: Vec<String>,
    /// `cat:` filters.
    pub categories: Vec<String>,
    /// Published on or after this day.
    pub after: Option<Date>,
    /// Published before this day.
    pub before: Option<Date>,
    /// Only papers with a code repository.
    pub has_code: bool,
    /// The query is this arXiv id.
    pub id: Option<ArxivId>,
    /// Input was left out to keep the query within [`MAX_QUERY_CHARS`],
    /// [`MAX_TERMS`] or [`MAX_TERM_CHARS`].
    pub shortened: bool,
}

impl SearchQuery {
    /// Parses user input. Never fails.
    pub fn parse(input: &str) -> Self {
        let cleaned: String = input
            .chars()
            .take(MAX_QUERY_CHARS)
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let mut query = SearchQuery {
            shortened: input.chars().nth(MAX_QUERY_CHARS).is_some(),
            ..SearchQuery::default()
        };
        let trimmed = cleaned.trim();
        if !trimmed.contains(' ')
            && let Ok(id) = ArxivId::parse(trimmed)
        {
            query.id = Some(id);
            return query;
        }
        for token in tokenize(&cleaned) {
            query.apply(token);
        }
        query
    }

    fn terms(&self) -> usize {
        self.words.len() + self.phrases.len() + self.authors.len() + self.categories.len()
    }

    /// Adds `value` to the list `pick` chooses, unless it is there already, cut to
    /// [`MAX_TERM_CHARS`]; nothing past [`MAX_TERMS`].
    fn push_term(&mut self, pick: fn(&mut Self) -> &mut Vec<String>, value: String) {
        let value = match value.char_indices().nth(MAX_TERM_CHARS) {
            Some((cut, _)) => {
                self.shortened = true;
                value[..cut].to_owned()
            }
            None => value,
        };
        if pick(self).contains(&value) {
            return;
        }
        if self.terms() >= MAX_TERMS {
            self.shortened = true;
            return;
        }
        pick(self).push(value);
    }

    fn apply(&mut self, token: Token) {
        match token {
            // Symbols alone (`+`, `@`, an emoji) name nothing to search for.
            Token::Phrase(p) if !p.chars().any(char::is_alphanumeric) => {}
            Token::Phrase(p) => self.push_term(|q| &mut q.phrases, p),
            Token::Word(w) => self.apply_word(w),
            Token::Field(key, value) => {
                if !self.apply_field(&key, &value) {
                    // Not an operator after all: search its parts as words.
                    for part in [key, value] {
                        self.add_words(&part);
                    }
                }
            }
        }
    }

    fn apply_word(&mut self, word: String) {
        let stripped = word.trim_matches(|c: char| c == ':' || c == '"');
        if !stripped.chars().any(char::is_alphanumeric) {
            return;
        }
        self.push_term(|q| &mut q.words, stripped.to_owned());
    }

    fn add_words(&mut self, text: &str) {
        for word in text.split_whitespace() {
            self.apply_word(word.to_owned());
        }
    }

    /// Applies `key:value`; false when it is not a known operator with a valid value.
    fn apply_field(&mut self, key: &str, value: &str) -> bool {
        let value = value.trim();
        if value.is_empty() {
            return false;
        }
        match key.to_ascii_lowercase().as_str() {
            "author" | "au" => self.push_term(|q| &mut q.authors, value.to_owned()),
            "cat" | "category" => self.push_term(|q| &mut q.categories, value.to_owned()),
            "after" | "since" => match parse_loose_date(value) {
                Some(d) => self.after = Some(d),
                None => return false,
            },
            "before" | "until" => match parse_loose_date(value) {
                Some(d) => self.before = Some(d),
                None => return false,
            },
            "has"
                if matches!(
                    value.to_ascii_lowercase().as_str(),
                    "code" | "github" | "repo"
                ) =>
            {
                self.has_code = true
            }
            "id" | "arxiv" => match ArxivId::parse(value) {
                Ok(id) => self.id = Some(id),
                Err(_) => return false,
            },
            _ => return false,
        }
        true
    }

    /// The free text to rank by (words and phrases), e.g. for a semantic embedding.
    pub fn text(&self) -> String {
        let mut parts: Vec<&str> = self.words.iter().map(String::as_str).collect();
        parts.extend(self.phrases.iter().map(String::as_str));
        parts.join(" ")
    }

    /// True when there is free text to rank by.
    pub fn has_text(&self) -> bool {
        !self.words.is_empty() || !self.phrases.is_empty()
    }

    /// True when nothing at all was asked.
    pub fn is_empty(&self) -> bool {
        *self == SearchQuery::default()
    }

    /// True when `paper` passes every filter of this query (authors, categories,
    /// dates, code). Free text is not checked: ranking decides about that.
    pub fn filters_match(&self, paper: &Paper) -> bool {
        let name_words = |s: &str| -> Vec<String> {
            s.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(fold)
                .collect()
        };
        let authors_ok = self.authors.iter().all(|wanted| {
            let wanted = name_words(wanted);
            paper.authors.iter().any(|a| {
                let have = name_words(&a.name);
                wanted.iter().all(|w| have.contains(w))
            })
        });
        let categories_ok = self.categories.iter().all(|c| {
            paper
                .categories
                .iter()
                .any(|have| have.eq_ignore_ascii_case(c))
        });
        let published = paper.published_or_announced();
        let day = published.map(|t| t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date());
        let after_ok = self
            .after
            .is_none_or(|after| day.is_some_and(|d| d >= after));
        let before_ok = self
            .before
            .is_none_or(|before| day.is_some_and(|d| d < before));
        let code_ok = !self.has_code || paper.github_repo.is_some();
        authors_ok && categories_ok && after_ok && before_ok && code_ok
    }

    /// True when any filter narrows the results.
    pub fn has_filters(&self) -> bool {
        !self.authors.is_empty()
            || !self.categories.is_empty()
            || self.after.is_some()
            || self.before.is_some()
            || self.has_code
    }
}

/// Lower case without accents, for comparing names.
fn fold(word: &str) -> String {
    word.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            other => other,
        })
        .collect()
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Phrase(String),
    Field(String, String),
}

/// Splits input into words, quoted phrases and `key:value` pairs (value may be quoted).
fn tokenize(input: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '"' {
            chars.next();
            let phrase = take_quoted(&mut chars);
            let phrase = phrase.split_whitespace().collect::<Vec<_>>().join(" ");
            if !phrase.is_empty() {
                tokens.push(if phrase.contains(' ') {
                    Token::Phrase(phrase)
                } else {
                    Token::Word(phrase)
                });
            }
            continue;
        }
        let mut word = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            if c == ':' && !word.is_empty() && word.chars().all(|c| c.is_ascii_alphabetic()) {
                let value = if chars.peek() == Some(&'"') {
                    chars.next();
                    take_quoted(&mut chars)
                } else {
                    let mut value = String::new();
                    while let Some(&c) = chars.peek() {
                        if c.is_whitespace() {
                            break;
                        }
                        value.push(c);
                        chars.next();
                    }
                    value
                };
                tokens.push(Token::Field(std::mem::take(&mut word), value));
                break;
            }
            word.push(c);
        }
        if !word.is_empty() {
            tokens.push(Token::Word(word));
        }
    }
    tokens
}

fn take_quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut out = String::new();
    for c in chars.by_ref() {
        if c == '"' {
            break;
        }
        out.push(c);
    }
    out
}

/// `2025`, `2025-06` or `2025-06-15` → the first day it names.
fn parse_loose_date(value: &str) -> Option<Date> {
    let mut parts = value.splitn(3, '-');
    let year: i16 = parts.next().filter(|y| y.len() == 4)?.parse().ok()?;
    let month: i8 = match parts.next() {
        Some(m) if m.len() <= 2 => m.parse().ok()?,
        Some(_) => return None,
        None => 1,
    };
    let day: i8 = match parts.next() {
        Some(d) if d.len() <= 2 => d.parse().ok()?,
        Some(_) => return None,
        None => 1,
    };
    Date::new(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn symbols_alone_ask_for_nothing() {
        for input in ["+", "-", "*", "@", "🙂", "+ - * @", "\"+\"", "-- !!"] {
            assert!(SearchQuery::parse(input).is_empty(), "{input:?}");
        }
        assert_eq!(SearchQuery::parse("C++ @ lora").words, ["C++", "lora"]);
    }

    use super::*;
    use jiff::civil::date;

    #[test]
    fn parses_every_operator() {
        let q = SearchQuery::parse(
            r#"diffusion "image  editing" author:"Yann LeCun" au:hinton cat:cs.CV after:2025-06 before:2026 has:code"#,
        );
        assert_eq!(q.words, ["diffusion"]);
        assert_eq!(q.phrases, ["image editing"]);
        assert_eq!(q.authors, ["Yann LeCun", "hinton"]);
        assert_eq!(q.categories, ["cs.CV"]);
        assert_eq!(q.after, Some(date(2025, 6, 1)));
        assert_eq!(q.before, Some(date(2026, 1, 1)));
        assert!(q.has_code);
        assert_eq!(q.text(), "diffusion image editing");
    }

    #[test]
    fn what_does_not_parse_is_plain_words() {
        let q = SearchQuery::parse("after:soon has:cats author: llama");
        assert_eq!(q.words, ["after", "soon", "has", "cats", "author", "llama"]);
        assert!(!q.has_filters());
        let q = SearchQuery::parse(r#"unbalanced "quote runs to the end"#);
        assert_eq!(q.words, ["unbalanced"]);
        assert_eq!(q.phrases, ["quote runs to the end"]);
        assert_eq!(SearchQuery::parse(r#"""#), SearchQuery::default());
        assert_eq!(
            SearchQuery::parse("http://x.org/a:b").words,
            ["http", "//x.org/a:b"]
        );
    }

    #[test]
    fn every_operator_alone_is_harmless() {
        for op in [
            "author:", "au:", "cat:", "after:", "before:", "has:", "id:", ":", "::", "\"", "\"\"",
            "a:\"",
        ] {
            let q = SearchQuery::parse(op);
            assert!(!q.has_filters(), "{op}: {q:?}");
        }
    }

    #[test]
    fn an_arxiv_id_names_the_paper() {
        assert_eq!(
            SearchQuery::parse(" 2401.12345v2 ").id.unwrap().as_str(),
            "2401.12345"
        );
        assert_eq!(
            SearchQuery::parse("https://arxiv.org/abs/hep-th/9901001")
                .id
                .unwrap()
                .as_str(),
            "hep-th/9901001"
        );
        assert_eq!(
            SearchQuery::parse("id:2401.12345 llama")
                .id
                .unwrap()
                .as_str(),
            "2401.12345"
        );
        assert!(SearchQuery::parse("2401.12345 llama").id.is_none());
    }

    #[test]
    fn filters_match_papers_like_the_index_does() {
        let mut paper = Paper::new(
            ArxivId::parse("2506.00001").unwrap(),
            "T".into(),
            "S".into(),
            vec![
                crate::Author::named("Csaba Balázs"),
                crate::Author::named("Yann LeCun"),
            ],
        );
        paper.categories = vec!["cs.CV".into(), "cs.AI".into()];
        paper.published = Some("2025-06-10T12:00:00Z".parse().unwrap());
        let matches_in = |paper: &Paper, q: &str| SearchQuery::parse(q).filters_match(paper);
        let matches = |q: &str| matches_in(&paper, q);
        assert!(matches(
            "author:balazs cat:cs.cv after:2025-06 before:2025-07 anything"
        ));
        assert!(matches(r#"author:"yann lecun""#));
        assert!(
            !matches(r#"author:"yann balazs""#),
            "both words must name one author"
        );
        assert!(!matches("cat:cs.CL"));
        assert!(!matches("after:2025-06-11"));
        assert!(!matches("before:2025-06-10"));
        assert!(!matches("has:code"));
        let mut with_code = paper.clone();
        with_code.github_repo = Some("https://github.com/a/b".into());
        assert!(matches_in(&with_code, "has:code"));
        with_code.published = None;
        assert!(
            !matches_in(&with_code, "after:2000"),
            "undated papers fail date filters"
        );
    }

    #[test]
    fn hostile_input_is_bounded_and_cleaned() {
        let long = "word ".repeat(5_000);
        let q = SearchQuery::parse(&long);
        assert_eq!(q.words, ["word"], "duplicates collapse");
        let q = SearchQuery::parse("a\u{0}b\u{7}c 中文 검색 بحث");
        assert_eq!(q.words, ["a", "b", "c", "中文", "검색", "بحث"]);
        let q = SearchQuery::parse(&"x".repeat(20_000));
        assert_eq!(q.words[0].len(), MAX_TERM_CHARS);
        assert!(q.shortened);
    }

    #[test]
    fn queries_over_the_caps_are_cut_and_say_so() {
        let many: String = (0..100).map(|i| format!("w{i} ")).collect();
        let q = SearchQuery::parse(&many);
        assert_eq!(q.words.len(), MAX_TERMS);
        assert_eq!(q.words[MAX_TERMS - 1], format!("w{}", MAX_TERMS - 1));
        assert!(q.shortened);

        let accents = format!("a{}", "\u{301}".repeat(500));
        let q = SearchQuery::parse(&accents);
        assert_eq!(q.words.len(), 1);
        assert_eq!(q.words[0].chars().count(), MAX_TERM_CHARS);
        assert!(q.shortened);

        let long = "x".repeat(MAX_QUERY_CHARS + 1);
        assert!(SearchQuery::parse(&long).shortened);
        let q = SearchQuery::parse("author:\"Yann LeCun\" cat:cs.CV \"image editing\" diffusion");
        assert!(!q.shortened);
        assert_eq!(q.terms(), 4);
    }
}
