//! Making one clean sentence of whatever a language model answered: reasoning
//! blocks, HTML, markdown, preambles ("Here is a one-sentence summary:"), JSON
//! wrappers, invisible characters and quotes go; the first sentence stays, capped in
//! length. Answers with nothing usable left (refusals, fragments, symbol soup) are
//! refused, so the paper is tried again later instead of showing garbage.

use paperboy_core::text::normalize_whitespace;

/// Longest summary kept, in characters.
pub const MAX_CHARS: usize = 300;
/// Fewest words a summary may have.
const MIN_WORDS: usize = 5;
/// Words after which a full stop does not end the sentence.
const ABBREVIATIONS: &[&str] = &[
    "al", "approx", "cf", "dr", "e.g", "eq", "etc", "fig", "i.e", "no", "resp", "sec", "vs",
];
/// How refusals and apologies begin.
const REFUSALS: &[&str] = &[
    "as an ai",
    "i am sorry",
    "i am unable",
    "i can't",
    "i cannot",
    "i'm sorry",
    "i'm unable",
    "sorry",
];
/// Labels a model may put before the sentence.
const LABELS: &[&str] = &[
    "one-sentence summary",
    "one sentence summary",
    "summary",
    "tl;dr",
    "tldr",
];

/// One clean sentence of `raw`, or why there is none. `truncated`: the model stopped
/// at its token limit, so an unfinished sentence is a fragment.
pub fn tldr(raw: &str, truncated: bool) -> Result<String, &'static str> {
    let text = unwrap_json(raw);
    let text = drop_reasoning(&text);
    let text = drop_tags(&text);
    let text = decode_entities(&text);
    let text = drop_markdown(&text);
    let text: String = text.chars().filter(|c| !is_invisible(*c)).collect();
    let text = tighten(&normalize_whitespace(&text));
    let text = drop_labels(&text);
    let text = trim_quotes(text);
    let (sentence, complete) = first_sentence(&text);
    if !complete && truncated {
        return Err("the answer was cut off mid-sentence");
    }
    check(sentence)?;
    Ok(finish(sentence))
}

/// The first string of a JSON object answer (`{"tldr": "..."}`), else the answer.
fn unwrap_json(raw: &str) -> String {
    let trimmed = raw.trim();
    if trimmed.starts_with('{')
        && let Ok(serde_json::Value::Object(map)) = serde_json::from_str(trimmed)
        && let Some(text) = map.values().find_map(serde_json::Value::as_str)
    {
        return text.to_owned();
    }
    raw.to_owned()
}

/// Without `<think>…</think>` blocks; an unclosed one drops the rest.
fn drop_reasoning(text: &str) -> String {
    drop_blocks(text, "<think>", "</think>")
}

/// Without the blocks between `open` and `close` (ASCII, matched case-insensitively).
fn drop_blocks(text: &str, open: &str, close: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(start) = lower[at..].find(open).map(|i| at + i) {
        out.push_str(&text[at..start]);
        match lower[start..].find(close) {
            Some(end) => at = start + end + close.len(),
            None => return out,
        }
    }
    out.push_str(&text[at..]);
    out
}

/// Without HTML tags (scripts and styles with their content) and code fences.
fn drop_tags(text: &str) -> String {
    let text = drop_blocks(text, "<script", "</script>");
    let text = drop_blocks(&text, "<style", "</style>");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let is_tag =
            tail[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!');
        match tail.find('>') {
            Some(end) if is_tag => {
                out.push(' ');
                rest = &tail[end + 1..];
            }
            _ => {
                out.push('<');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out.replace("```", " ")
}

fn decode_entities(text: &str) -> String {
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Without markdown: headings (when there is more), quotes and list markers at line
/// starts, emphasis and code marks, links reduced to their text; lines that only
/// introduce the answer ("Here is the summary:") dropped.
fn drop_markdown(text: &str) -> String {
    let body: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let has_text = body.iter().any(|l| !l.trim_start().starts_with('#'));
    let lines: Vec<&str> = body
        .into_iter()
        // Headings are labels when anything else was said.
        .filter(|line| !(has_text && line.trim_start().starts_with('#')))
        .map(|line| {
            let line = line.trim_start_matches(|c: char| c == '#' || c == '>' || c.is_whitespace());
            strip_list_marker(line)
        })
        .collect();
    let kept: Vec<&str> = match lines.split_last() {
        Some((last, rest)) if rest.iter().all(|l| l.trim_end().ends_with(':')) => vec![last],
        _ => lines,
    };
    let joined = kept.join(" ");
    let unlinked = drop_link_targets(&joined);
    unlinked
        .replace("**", "")
        .replace("__", "")
        .replace(['*', '`'], "")
}

fn strip_list_marker(line: &str) -> &str {
    for marker in ["- ", "* ", "+ ", "• "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return rest;
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0
        && let Some(rest) = line[digits..]
            .strip_prefix(". ")
            .or_else(|| line[digits..].strip_prefix(") "))
    {
        return rest;
    }
    line
}

/// `[text](target)` and `![alt](target)` become `text` and `alt`.
fn drop_link_targets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("](") {
        let Some(end) = rest[start..].find(')') else {
            break;
        };
        let before = &rest[..start];
        let label_start = before.rfind('[').unwrap_or(start);
        out.push_str(before[..label_start].trim_end_matches('!'));
        out.push_str(&before[(label_start + 1).min(start)..]);
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// Zero-width and direction-changing characters, which can hide or reorder text.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Without the spaces that dropped tags leave before punctuation ("data ." -> "data.").
fn tighten(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '.' | ',' | ';' | ':' | '!' | '?') && out.ends_with(' ') {
            out.pop();
        }
        out.push(c);
    }
    out
}

/// Without leading labels ("TL;DR:", "Summary -").
fn drop_labels(text: &str) -> String {
    let mut text = text;
    loop {
        let lower = text.to_lowercase();
        let Some(label) = LABELS.iter().find(|l| lower.starts_with(**l)) else {
            return text.to_owned();
        };
        let rest = text[label.len()..].trim_start();
        let Some(rest) = rest
            .strip_prefix(':')
            .or_else(|| rest.strip_prefix('-'))
            .or_else(|| rest.strip_prefix('—'))
        else {
            return text.to_owned();
        };
        text = rest.trim_start();
    }
}

fn trim_quotes(text: String) -> String {
    let quotes: &[char] = &['"', '\'', '“', '”', '‘', '’', '«', '»'];
    text.trim_matches(|c: char| quotes.contains(&c) || c.is_whitespace())
        .to_owned()
}

/// The first sentence, and whether it ended with its own punctuation.
fn first_sentence(text: &str) -> (&str, bool) {
    for (i, c) in text.char_indices() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let end = i + c.len_utf8();
        let after = &text[end..];
        if !(after.is_empty() || after.starts_with(char::is_whitespace)) {
            continue;
        }
        let word = text[..i]
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or_default();
        if c == '.' && ABBREVIATIONS.contains(&word.to_lowercase().as_str()) {
            continue;
        }
        return (&text[..end], true);
    }
    (text, false)
}

fn check(sentence: &str) -> Result<(), &'static str> {
    let lower = sentence.to_lowercase();
    if REFUSALS.iter().any(|r| lower.starts_with(r)) {
        return Err("the model refused");
    }
    if sentence.split_whitespace().count() < MIN_WORDS {
        return Err("no sentence of at least five words");
    }
    let visible: Vec<char> = sentence.chars().filter(|c| !c.is_whitespace()).collect();
    let letters = visible.iter().filter(|c| c.is_alphabetic()).count();
    if letters * 3 < visible.len() * 2 {
        return Err("mostly symbols, not words");
    }
    Ok(())
}

/// Capped at [`MAX_CHARS`] on a word boundary, ending with punctuation.
fn finish(sentence: &str) -> String {
    let mut out = match sentence.char_indices().nth(MAX_CHARS - 1) {
        Some((cut, _)) => {
            let head = &sentence[..cut];
            let head = head.rfind(' ').map_or(head, |space| &head[..space]);
            format!("{}…", head.trim_end_matches([',', ';', ':', ' ', '-']))
        }
        None => sentence.to_owned(),
    };
    if !out.ends_with(['.', '!', '?', '…']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> String {
        tldr(raw, false).unwrap()
    }

    #[test]
    fn a_plain_sentence_stays() {
        assert_eq!(
            ok("SpecTr speeds up LLM decoding 2.3x with tree drafts, e.g. on GSM8K."),
            "SpecTr speeds up LLM decoding 2.3x with tree drafts, e.g. on GSM8K."
        );
        assert_eq!(
            ok("The paper shows that small models can verify proofs"),
            "The paper shows that small models can verify proofs."
        );
    }

    #[test]
    fn reasoning_markdown_labels_and_extra_sentences_go() {
        assert_eq!(
            ok(
                "<think>The user wants a summary. Let me think.</think>\n\n**TL;DR:** This paper \
                proposes *SpecTr*, a `tree` drafter for LLMs. It also does more."
            ),
            "This paper proposes SpecTr, a tree drafter for LLMs."
        );
        assert_eq!(
            ok(
                "Here is a one-sentence summary:\n\n- The authors show that [RAG](https://x.org/a) \
                helps small models answer questions."
            ),
            "The authors show that RAG helps small models answer questions."
        );
        assert_eq!(
            ok(
                "## Summary\n> “A benchmark of 1,481 questions tests narrative reasoning in long Japanese videos.”"
            ),
            "A benchmark of 1,481 questions tests narrative reasoning in long Japanese videos."
        );
        assert_eq!(
            ok(r#"{"tldr": "We align numeric tokens with a smooth MMD loss and it works."}"#),
            "We align numeric tokens with a smooth MMD loss and it works."
        );
    }

    #[test]
    fn markup_and_hidden_characters_go() {
        assert_eq!(
            ok(
                "<script>alert(1)</script><b>Graph</b> networks&nbsp;learn \u{202E}physics\u{200B} from data &amp; priors."
            ),
            "Graph networks learn physics from data & priors."
        );
        assert_eq!(
            ok("Models with p < 0.05 effects and 3 < 4 comparisons are tested."),
            "Models with p < 0.05 effects and 3 < 4 comparisons are tested."
        );
    }

    #[test]
    fn garbage_is_refused() {
        assert!(tldr("", false).is_err());
        assert!(tldr("<think>I should answer", false).is_err());
        assert!(tldr("I'm sorry, but I can't summarize this paper.", false).is_err());
        assert!(tldr("Too short.", false).is_err());
        assert!(tldr("$$ {{ }} ## 1234 5678 !!! ??? ...", false).is_err());
        assert_eq!(
            tldr("The paper proposes a new method for", true),
            Err("the answer was cut off mid-sentence")
        );
    }

    #[test]
    fn long_answers_are_capped_on_a_word_boundary() {
        let long = format!(
            "This paper {} ends here.",
            "studies many things, ".repeat(40)
        );
        let capped = ok(&long);
        assert!(capped.chars().count() <= MAX_CHARS, "{capped}");
        assert!(
            capped.ends_with("things…")
                || capped.ends_with("many…")
                || capped.ends_with("studies…"),
            "{capped}"
        );
    }
}
