//! Where the math is: `$…$`, `$$…$$`, `\(…\)`, `\[…\]`.
//!
//! Abstracts are prose that sometimes mentions money, so a `$` pair only counts
//! when what lies between looks like math: `costs $5 and $10 more` is prose.

use std::ops::Range;

/// The longest span, delimiters included, in bytes.
const MAX_SPAN: usize = 400;

/// A math span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Span {
    /// The span, delimiters included.
    pub whole: Range<usize>,
    /// The source between the delimiters.
    pub inner: Range<usize>,
    /// Display math (`$$`, `\[`) rather than inline.
    pub display: bool,
}

/// The math spans of `text`, in order, not overlapping.
pub(super) fn find(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(span) = span_at(text, i) {
            i = span.whole.end;
            found.push(span);
        } else {
            i += match (bytes[i], bytes.get(i + 1)) {
                (b'\\', _) | (b'$', Some(b'$')) => 2,
                _ => 1,
            };
        }
    }
    found
}

/// The span that opens at byte `i`, if one does.
fn span_at(text: &str, i: usize) -> Option<Span> {
    let bytes = text.as_bytes();
    let (open, close, display) = match (bytes[i], bytes.get(i + 1)) {
        (b'\\', Some(b'(')) => ("\\(", "\\)", false),
        (b'\\', Some(b'[')) => ("\\[", "\\]", true),
        (b'$', Some(b'$')) => ("$$", "$$", true),
        (b'$', _) => ("$", "$", false),
        _ => return None,
    };
    let start = i + open.len();
    let end = closing(bytes, start, close, (i + MAX_SPAN).min(bytes.len()))?;
    let inner = &text[start..end];
    let prose = open.starts_with('$') && looks_like_prose(inner);
    let is_math = !inner.trim().is_empty() && !prose;
    is_math.then(|| Span {
        whole: i..end + close.len(),
        inner: start..end,
        display,
    })
}

/// Where `close` first occurs from `from` on, outside braces (as MathJax reads
/// `$\text{M$^3$}$`), escaped characters skipped, if it ends by `limit`.
fn closing(bytes: &[u8], from: usize, close: &str, limit: usize) -> Option<usize> {
    let close = close.as_bytes();
    let (mut j, mut depth) = (from, 0usize);
    while j + close.len() <= limit {
        if depth == 0 && bytes[j..].starts_with(close) {
            return Some(j);
        }
        match bytes[j] {
            b'\\' => j += 1,
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        j += 1;
    }
    None
}

/// Whether what lies between two dollars reads as prose: it hugs a space and has
/// words (`$5 and $`, `$ of the $`) or only words (`$ and $`), or it has several
/// words and starts like the middle of a sentence (`$0.08) also cut costs by $`).
fn looks_like_prose(inner: &str) -> bool {
    let words = plain_words(inner);
    let padded = inner.starts_with(char::is_whitespace) || inner.ends_with(char::is_whitespace);
    let money = inner.starts_with(|c: char| c.is_ascii_digit());
    let only_words = inner
        .chars()
        .all(|c| c.is_alphabetic() || c.is_whitespace() || matches!(c, ',' | '.' | ';' | '\''));
    let mid_sentence = money || inner.starts_with([')', ',', '.', ';']);
    let wordy_padding = words >= if money || only_words { 1 } else { 2 };
    (padded && wordy_padding) || (mid_sentence && words >= 4)
}

/// How many words of two or more letters stand outside braces and are not
/// command names.
fn plain_words(inner: &str) -> usize {
    let bytes = inner.as_bytes();
    let (mut depth, mut words, mut i) = (0usize, 0, 0);
    while i < bytes.len() {
        let letters = bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        match bytes[i] {
            b'\\' => {
                let name = bytes[i + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
                i += 1 + name.max(1);
                continue;
            }
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            _ if letters > 0 => {
                words += usize::from(depth == 0 && letters >= 2);
                i += letters;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wholes(text: &str) -> Vec<&str> {
        find(text).into_iter().map(|s| &text[s.whole]).collect()
    }

    #[test]
    fn all_four_delimiters_are_found_with_their_kind() {
        let text = r"a $x$ b $$y$$ c \(z\) d \[w\] e";
        let spans = find(text);
        let found: Vec<(&str, &str, bool)> = spans
            .iter()
            .map(|s| (&text[s.whole.clone()], &text[s.inner.clone()], s.display))
            .collect();
        assert_eq!(
            found,
            [
                ("$x$", "x", false),
                ("$$y$$", "y", true),
                (r"\(z\)", "z", false),
                (r"\[w\]", "w", true),
            ]
        );
    }

    #[test]
    fn escaped_and_lone_dollars_are_not_delimiters() {
        assert!(wholes(r"costs \$5 and \$10").is_empty());
        assert!(wholes("just one $ here").is_empty());
        assert_eq!(wholes(r"$a\$b$"), [r"$a\$b$"]);
        assert_eq!(wholes(r"\\$x$"), ["$x$"]);
        assert!(wholes("$$").is_empty());
        assert!(wholes("$ $").is_empty());
    }

    #[test]
    fn money_in_prose_is_not_math() {
        assert!(wholes("it costs $5 and $10 more").is_empty());
        assert!(wholes("from $18/hour versus $6 before").is_empty());
        assert_eq!(
            wholes("saves $5 per run, with $\\alpha$ fixed"),
            ["$\\alpha$"]
        );
        assert!(wholes("$ over vanilla decoding and improves by up to $").is_empty());
    }

    #[test]
    fn math_with_words_is_still_math() {
        let formula = r"$Acc_t = Upp - \alpha^t(Upp - Acc_0),$";
        assert_eq!(wholes(formula), [formula]);
        assert_eq!(wholes("$CNN<ViT<Hybrid<Capsule$").len(), 1);
        assert!(wholes("($0.08) also reduced costs by 98.1% compared to ($").is_empty());
    }

    #[test]
    fn math_with_spaces_inside_is_still_math() {
        assert_eq!(wholes(r"$ r \geq s-1$"), [r"$ r \geq s-1$"]);
        assert_eq!(wholes(r"$4.7 \times $"), [r"$4.7 \times $"]);
        assert_eq!(wholes(r"$ \mathbb{F}_q $"), [r"$ \mathbb{F}_q $"]);
        assert_eq!(wholes(r"by $\sim$2.5$\times$"), [r"$\sim$", r"$\times$"]);
    }

    #[test]
    fn dollars_inside_braces_do_not_close_a_span() {
        assert_eq!(
            wholes(r"$\texttt{M$^3$Bench}$ is"),
            [r"$\texttt{M$^3$Bench}$"]
        );
        assert_eq!(wholes(r"$\frac{$ and $x$"), ["$x$"]);
    }

    #[test]
    fn spans_are_capped_in_length() {
        let long = format!("${}$", "x".repeat(MAX_SPAN));
        assert!(wholes(&long).is_empty());
        let fits = format!("${}$", "x".repeat(MAX_SPAN - 2));
        assert_eq!(wholes(&fits).len(), 1);
    }

    #[test]
    fn words_inside_braces_and_command_names_are_not_prose() {
        assert_eq!(plain_words(r"\mathrm{decode}(\mathrm{encode}(w))"), 0);
        assert_eq!(plain_words(r"18/hour versus "), 2);
        assert_eq!(plain_words(r"NP\cap coNP"), 2);
    }
}
