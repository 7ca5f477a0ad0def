//! Marking the words a query matched: text cut into plain and marked segments, which
//! templates render (escaped, LaTeX as MathML) with `<mark>` around the marked ones,
//! and the snippet of an abstract around its first match. Neither a mark nor a
//! snippet's edge ever cuts through a formula: matches inside math are not marked,
//! and a snippet widens to take a formula at its edge whole.

use std::ops::Range;

/// Characters of an abstract shown in a search result.
pub(crate) const SNIPPET_CHARS: usize = 280;
/// Characters kept before the first match when the snippet does not start the text.
const LEAD_CHARS: usize = 60;
/// Distinct matched words named in a hit's "why" line.
const WORDS_NAMED: usize = 6;

/// A piece of text, marked when it matched the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment<'a> {
    /// The text, as written (the template escapes it).
    pub text: &'a str,
    /// Whether it matched.
    pub marked: bool,
}

/// A window of a longer text around its first match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Snippet<'a> {
    /// Text was cut before the window.
    pub cut_before: bool,
    /// The window.
    pub segments: Vec<Segment<'a>>,
    /// Text was cut after the window.
    pub cut_after: bool,
}

impl Segment<'_> {
    /// The segment as HTML: escaped, its formulas as MathML.
    pub(crate) fn html(&self) -> String {
        paperboy_core::math::to_html(self.text)
    }
}

/// `ranges` that fit `text` (in bounds, on character boundaries, non-empty, outside
/// its formulas), sorted and merged where they touch.
fn usable(text: &str, ranges: &[Range<usize>]) -> Vec<Range<usize>> {
    let formulas = paperboy_core::math::spans(text);
    let mut valid: Vec<Range<usize>> = ranges
        .iter()
        .filter(|r| r.start < r.end && text.get(r.start..r.end).is_some())
        .filter(|r| !formulas.iter().any(|f| r.start < f.end && f.start < r.end))
        .cloned()
        .collect();
    valid.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(valid.len());
    for range in valid {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// `text` cut into segments, those in `ranges` (byte ranges of matches) marked.
/// Ranges that do not fit the text are ignored.
pub(crate) fn segments<'a>(text: &'a str, ranges: &[Range<usize>]) -> Vec<Segment<'a>> {
    let mut out = Vec::new();
    let mut at = 0;
    for range in usable(text, ranges) {
        if range.start > at {
            out.push(Segment {
                text: &text[at..range.start],
                marked: false,
            });
        }
        out.push(Segment {
            text: &text[range.clone()],
            marked: true,
        });
        at = range.end;
    }
    if at < text.len() {
        out.push(Segment {
            text: &text[at..],
            marked: false,
        });
    }
    out
}

/// The byte offset `n` characters before `at` (0 when there are fewer).
fn chars_before(text: &str, at: usize, n: usize) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .take(n)
        .last()
        .map_or(at, |(i, _)| i)
}

/// The byte offset `n` characters after `from` (the end when there are fewer).
fn chars_after(text: &str, from: usize, n: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| from + i)
}

/// About `max_chars` characters of `text` around its first match in `ranges` (or its
/// start when nothing matched), cut at word boundaries where it can be, with the
/// matches inside marked.
pub(crate) fn snippet<'a>(text: &'a str, ranges: &[Range<usize>], max_chars: usize) -> Snippet<'a> {
    let ranges = usable(text, ranges);
    let first = ranges.first().map_or(0, |r| r.start);
    let mut start = chars_before(text, first, LEAD_CHARS);
    if start > 0 {
        // Start at the next word, unless the match is inside one long word.
        if let Some((i, space)) = text[start..first]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
        {
            start += i + space.len_utf8();
        }
    }
    let mut end = chars_after(text, start, max_chars);
    if end < text.len()
        && let Some(i) = text[start..end].rfind(char::is_whitespace)
        && start + i > first
    {
        end = start + i;
    }
    // Widen to whole formulas at either edge.
    let formulas = paperboy_core::math::spans(text);
    if let Some(f) = formulas.iter().find(|f| f.start < start && start < f.end) {
        start = f.start;
    }
    if let Some(f) = formulas.iter().find(|f| f.start < end && end < f.end) {
        end = f.end;
    }
    let inside: Vec<Range<usize>> = ranges
        .iter()
        .map(|r| r.start.max(start)..r.end.min(end))
        .filter(|r| r.start < r.end)
        .map(|r| r.start - start..r.end - start)
        .collect();
    Snippet {
        cut_before: start > 0,
        segments: segments(&text[start..end], &inside),
        cut_after: end < text.len(),
    }
}

/// The distinct words `ranges` mark in `texts`, lower-cased, in order of first
/// appearance, at most a handful.
pub(crate) fn matched_words(texts: &[(&str, &[Range<usize>])]) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for (text, ranges) in texts {
        for range in usable(text, ranges) {
            let word = text[range].to_lowercase();
            if !words.contains(&word) {
                words.push(word);
            }
        }
    }
    words.truncate(WORDS_NAMED);
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One match (a one-range array literal reads as a mistake to clippy).
    fn one(range: Range<usize>) -> [Range<usize>; 1] {
        [range]
    }

    fn render(segments: &[Segment]) -> String {
        segments
            .iter()
            .map(|s| {
                if s.marked {
                    format!("[{}]", s.text)
                } else {
                    s.text.to_owned()
                }
            })
            .collect()
    }

    fn render_snippet(s: &Snippet) -> String {
        format!(
            "{}{}{}",
            if s.cut_before { "…" } else { "" },
            render(&s.segments),
            if s.cut_after { "…" } else { "" }
        )
    }

    #[test]
    fn formulas_are_never_cut_by_a_mark_or_a_snippet_edge() {
        let text =
            "We bound the error by $O(n \\log n)$ and the error rate by $\\epsilon < 0.1$ overall.";
        let log = text.find("log").unwrap();
        let error = text.find("error").unwrap();
        // "log" inside the formula is not marked; "error" outside is.
        let marked = render(&segments(text, &[log..log + 3, error..error + 5]));
        assert!(marked.contains("$O(n \\log n)$"), "{marked}");
        assert!(marked.contains("[error]"));
        // A snippet whose window would end inside the second formula takes it whole.
        let inside = text.find("0.1").unwrap();
        let cut = snippet(text, &one(error..error + 5), inside - 2);
        let shown = render_snippet(&cut);
        assert!(
            shown.contains("$\\epsilon < 0.1$") || !shown.contains("epsilon"),
            "{shown}"
        );
        let html: String = cut.segments.iter().map(Segment::html).collect();
        assert!(
            !html.contains('$'),
            "every formula shown is rendered: {html}"
        );
    }

    #[test]
    fn matches_are_marked_in_order_and_overlaps_merge() {
        let text = "Large language models model language";
        assert_eq!(
            render(&segments(text, &[22..27, 6..14, 0..5, 3..5])),
            "[Large] [language] models [model] language"
        );
        assert_eq!(render(&segments(text, &[])), text);
        assert_eq!(render(&segments("", &one(0..1))), "");
        assert_eq!(render(&segments("ab", &one(0..2))), "[ab]");
    }

    #[test]
    fn ranges_that_do_not_fit_are_ignored_never_a_panic() {
        let text = "naïve Bayes";
        // 3..4 splits the two-byte ï; 5..2 is reversed; 20..30 is past the end.
        let reversed = Range { start: 5, end: 2 };
        let bad = [3..4, reversed, 20..30, 0..0];
        assert_eq!(render(&segments(text, &bad)), text);
        assert_eq!(render(&segments(text, &one(0..6))), "[naïve] Bayes");
        assert_eq!(render_snippet(&snippet(text, &bad, 5)), "naïve…");
    }

    #[test]
    fn a_snippet_is_the_start_of_the_text_when_nothing_matched() {
        let text = "one two three four five six";
        assert_eq!(render_snippet(&snippet(text, &[], 100)), text);
        assert_eq!(render_snippet(&snippet(text, &[], 10)), "one two…");
    }

    #[test]
    fn a_snippet_centres_on_the_first_match_at_word_boundaries() {
        let words: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
        let text = words.join(" ");
        let at = text.find("w50").expect("present");
        let shown = render_snippet(&snippet(&text, &one(at..at + 3), 60));
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert!(shown.contains("[w50]"), "{shown}");
        // Whole words only: the window starts and ends between words.
        let inner = shown.trim_matches('…');
        assert!(inner.starts_with('w'), "{shown}");
        assert!(
            inner
                .split(' ')
                .all(|w| words.contains(&w.replace(['[', ']'], ""))),
            "{shown}"
        );
    }

    #[test]
    fn a_match_cut_by_the_window_is_marked_where_shown() {
        let text = "abcdefghij";
        let s = snippet(text, &one(2..8), 4);
        assert_eq!(render_snippet(&s), "ab[cd]…");
    }

    #[test]
    fn non_latin_text_is_cut_on_character_boundaries() {
        let text = "大型语言模型的检索增强生成方法研究".repeat(20);
        let at = text.find("检索").expect("present");
        let s = snippet(&text, &one(at..at + "检索".len()), 30);
        assert!(render_snippet(&s).contains("[检索]"));
    }

    #[test]
    fn matched_words_are_distinct_and_few() {
        let title = "Attention Is All You Need";
        let summary = "attention attention transformers";
        let words = matched_words(&[(title, &one(0..9)[..]), (summary, &[0..9, 10..19, 20..32])]);
        assert_eq!(words, ["attention", "transformers"]);
    }
}
