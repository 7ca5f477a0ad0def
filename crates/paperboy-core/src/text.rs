//! Text normalisation for titles, abstracts and author names; counted nouns.
//!
//! Sources break lines wherever they like (the arXiv API wraps abstracts at ~80
//! columns, OAI-PMH indents continuation lines). Pages and search want one canonical
//! form: runs of whitespace become one space, control characters go, LaTeX stays as-is
//! for the page to render.

/// Collapses every run of whitespace (spaces, tabs, line breaks) into one space,
/// drops other control characters, and trims both ends.
pub fn normalize_whitespace(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for c in input.chars() {
        if c.is_whitespace() {
            pending_space = true;
        } else if c.is_control() {
            continue;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    out
}

/// Like [`normalize_whitespace`], but an empty result becomes `None`.
pub fn normalize_optional(input: Option<&str>) -> Option<String> {
    input.map(normalize_whitespace).filter(|s| !s.is_empty())
}

/// Splits a free-text author list such as `A. One, B. Two and C. Three` (arXivRaw,
/// Kaggle) into names.
pub fn split_author_list(input: &str) -> Vec<String> {
    let flat = normalize_whitespace(input);
    flat.split(", ")
        .flat_map(|part| part.split(" and "))
        .map(|name| name.trim_matches(|c: char| c == ',' || c.is_whitespace()))
        .map(|name| name.strip_prefix("and ").unwrap_or(name))
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The first `max_chars` characters of `s`, with `…` appended when cut.
pub fn truncate_chars(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", s[..cut].trim_end()),
        None => s.to_owned(),
    }
}

/// `text` with the five XML/HTML specials escaped and the characters XML forbids
/// dropped: safe in an element's text and in a quoted attribute.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The first sentence of `text` (an abstract), at most `max_chars` characters
/// (cut at a word, with `…`): a sentence ends at `.`, `?` or `!` followed by a space
/// and an upper-case letter, after at least 30 characters (so `e.g. X` or `Fig. 2`
/// early on do not end it).
pub fn first_sentence(text: &str, max_chars: usize) -> String {
    let text = text.trim();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end = chars
        .windows(3)
        .enumerate()
        .find(|(i, w)| {
            *i >= 30 && matches!(w[0].1, '.' | '?' | '!') && w[1].1 == ' ' && w[2].1.is_uppercase()
        })
        .map_or(text.len(), |(_, w)| w[1].0);
    let sentence = &text[..end];
    if sentence.chars().count() <= max_chars {
        return sentence.to_owned();
    }
    let cut: String = sentence.chars().take(max_chars).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':']))
}

/// `n` with its noun in the right number: "1 record", "2 records", "0 records".
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_first_sentence_ends_at_a_full_stop_before_a_capital() {
        let abstract_ = "We study e.g. Fig. 2 of large models in depth. Then we show more. Done.";
        assert_eq!(
            first_sentence(abstract_, 200),
            "We study e.g. Fig. 2 of large models in depth."
        );
        assert_eq!(
            first_sentence("No full stop here", 200),
            "No full stop here"
        );
        let long = "word ".repeat(100);
        let cut = first_sentence(&long, 50);
        assert!(cut.ends_with('…') && cut.chars().count() <= 51, "{cut}");
    }

    use super::*;

    #[test]
    fn collapses_hard_line_breaks_and_indentation() {
        let raw = "  Attention is\n  all you\tneed:\r\n $O(n^2)$  \n";
        assert_eq!(
            normalize_whitespace(raw),
            "Attention is all you need: $O(n^2)$"
        );
    }

    #[test]
    fn drops_control_characters_but_keeps_latex_and_unicode() {
        assert_eq!(
            normalize_whitespace("a\u{0007}b \\emph{c} — é"),
            "ab \\emph{c} — é"
        );
    }

    #[test]
    fn empty_optional_is_none() {
        assert_eq!(normalize_optional(Some(" \n ")), None);
        assert_eq!(normalize_optional(Some(" x ")), Some("x".into()));
        assert_eq!(normalize_optional(None), None);
    }

    #[test]
    fn splits_author_lists() {
        assert_eq!(
            split_author_list("C. Bal\\'azs, E. L. Berger,\n  P. M. Nadolsky and C.-P. Yuan"),
            vec![
                "C. Bal\\'azs",
                "E. L. Berger",
                "P. M. Nadolsky",
                "C.-P. Yuan"
            ]
        );
        assert_eq!(
            split_author_list("Alice, Bob, and Carol"),
            vec!["Alice", "Bob", "Carol"]
        );
        assert_eq!(split_author_list("Solo Author"), vec!["Solo Author"]);
    }

    #[test]
    fn truncates_on_char_boundaries() {
        assert_eq!(truncate_chars("héllo world", 5), "héllo…");
        assert_eq!(truncate_chars("short", 10), "short");
    }

    #[test]
    fn counts_take_the_right_number() {
        assert_eq!(count(1, "record", "records"), "1 record");
        assert_eq!(count(0, "record", "records"), "0 records");
        assert_eq!(count(2, "entry", "entries"), "2 entries");
    }
}
