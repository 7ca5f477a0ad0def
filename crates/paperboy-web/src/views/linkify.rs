//! Links in text that is already safe HTML (an abstract through `math::to_html`, a
//! comment through the Markdown sanitiser): bare `http(s)` URLs become links
//! (`rel="nofollow noopener"`), and arXiv ids (`arXiv:2401.12345`, or a bare new-style
//! id) link to the paper's page here. Nothing inside a link, code or math changes.

use paperboy_core::ArxivId;

/// Elements whose text is left alone.
const SKIPPED: [&str; 4] = ["a", "code", "pre", "math"];

/// `html` with its bare URLs and arXiv ids linked.
pub(crate) fn linkify(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut skip_depth = 0usize;
    let mut rest = html;
    while !rest.is_empty() {
        match rest.find('<') {
            Some(0) => {
                let end = rest.find('>').map_or(rest.len(), |at| at + 1);
                let tag = &rest[..end];
                skip_depth = track(tag, skip_depth);
                out.push_str(tag);
                rest = &rest[end..];
            }
            found => {
                let end = found.unwrap_or(rest.len());
                let text = &rest[..end];
                if skip_depth == 0 {
                    link_text(text, &mut out);
                } else {
                    out.push_str(text);
                }
                rest = &rest[end..];
            }
        }
    }
    out
}

/// The skip depth after `tag` (`<a href=…>`, `</code>`, …).
fn track(tag: &str, depth: usize) -> usize {
    let name_of = |s: &str| {
        s.trim_start_matches('<')
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    let name = name_of(tag);
    if !SKIPPED.contains(&name.as_str()) || tag.ends_with("/>") {
        return depth;
    }
    if tag.starts_with("</") {
        depth.saturating_sub(1)
    } else {
        depth + 1
    }
}

/// Appends escaped `text` to `out` with its URLs and arXiv ids as links.
fn link_text(text: &str, out: &mut String) {
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        if let Some(len) = url_at(rest) {
            let url = &rest[..len];
            out.push_str(&format!(
                "<a href=\"{url}\" rel=\"nofollow noopener\">{url}</a>"
            ));
            at += len;
            continue;
        }
        if let Some((len, id)) = arxiv_at(text, at) {
            out.push_str(&format!("<a href=\"/papers/{id}\">{}</a>", &rest[..len]));
            at += len;
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        at += c.len_utf8();
    }
}

/// The length of the URL that starts `text`, if one does: up to white space or an
/// escaped quote or bracket, without trailing punctuation (a closing parenthesis
/// stays when the URL opened one).
fn url_at(text: &str) -> Option<usize> {
    let lower = text.get(..8)?.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return None;
    }
    let mut end = text
        .find(|c: char| c.is_whitespace() || c == '<' || c == '"')
        .unwrap_or(text.len());
    // An entity other than `&amp;` (an escaped quote or bracket) ends it.
    let mut search = 0;
    while let Some(found) = text[search..end].find('&') {
        let amp = search + found;
        if text[amp..].starts_with("&amp;") {
            search = amp + 5;
        } else {
            end = amp;
            break;
        }
    }
    let mut url = &text[..end];
    loop {
        let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', ']']);
        let trimmed = if trimmed.ends_with(')')
            && trimmed.matches('(').count() < trimmed.matches(')').count()
        {
            &trimmed[..trimmed.len() - 1]
        } else {
            trimmed
        };
        if trimmed.len() == url.len() {
            break;
        }
        url = trimmed;
    }
    let scheme = if lower.starts_with("https://") { 8 } else { 7 };
    (url.len() > scheme + 3).then_some(url.len())
}

/// The length and id of the arXiv id starting at byte `at` of `text`: `arXiv:ID` or a
/// bare new-style id (`2401.12345`, `2401.12345v2`) standing alone.
fn arxiv_at(text: &str, at: usize) -> Option<(usize, ArxivId)> {
    let rest = &text[at..];
    let before = text[..at].chars().next_back();
    if before.is_some_and(|c| c.is_alphanumeric() || c == '.' || c == '/' || c == ':') {
        return None;
    }
    let prefix = if rest
        .get(..6)
        .is_some_and(|p| p.eq_ignore_ascii_case("arxiv:"))
    {
        6
    } else {
        0
    };
    let body = &rest[prefix..];
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    if digits(body) != 4 || body.as_bytes().get(4) != Some(&b'.') {
        return None;
    }
    let number = digits(&body[5..]);
    if !(4..=5).contains(&number) {
        return None;
    }
    let mut len = 5 + number;
    if body[len..].starts_with('v') {
        let version = digits(&body[len + 1..]);
        if version > 0 {
            len += 1 + version;
        }
    }
    let after = body[len..].chars().next();
    if after.is_some_and(|c| c.is_alphanumeric())
        || (after == Some('.') && body[len + 1..].starts_with(|c: char| c.is_ascii_digit()))
    {
        return None;
    }
    let id = ArxivId::parse(&body[..len]).ok()?;
    Some((prefix + len, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_arxiv_ids_in_text_become_links() {
        let html = linkify(
            "Code at https://github.com/a/b. See arXiv:2401.12345v2 and (2312.00001), \
             data: https://x.org/q?a=1&amp;b=2, not 1234.56789 or 3.14159.",
        );
        assert!(html.contains(
            r#"<a href="https://github.com/a/b" rel="nofollow noopener">https://github.com/a/b</a>."#
        ));
        assert!(
            html.contains(r#"<a href="/papers/2401.12345">arXiv:2401.12345v2</a>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"(<a href="/papers/2312.00001">2312.00001</a>)"#),
            "{html}"
        );
        assert!(
            html.contains(r#"href="https://x.org/q?a=1&amp;b=2""#),
            "{html}"
        );
        assert!(
            html.contains("not 1234.56789 or 3.14159."),
            "month 34 is no id: {html}"
        );
    }

    #[test]
    fn links_code_and_math_are_left_alone() {
        let html = r#"<a href="https://a.org">https://a.org</a> <code>https://b.org</code> <math><mn>2401.12345</mn></math> https://c.org"#;
        let out = linkify(html);
        assert_eq!(out.matches("<a ").count(), 2, "{out}");
        assert!(out.contains(r#"<code>https://b.org</code>"#));
        assert!(out.contains("<mn>2401.12345</mn>"));
        assert!(
            out.ends_with(r#"<a href="https://c.org" rel="nofollow noopener">https://c.org</a>"#)
        );
    }

    #[test]
    fn escaped_quotes_and_brackets_end_a_url_and_parentheses_balance() {
        let out = linkify("&quot;https://a.org/x&quot; and (https://en.wikipedia.org/wiki/A_(b))");
        assert!(out.contains(r#"href="https://a.org/x""#), "{out}");
        assert!(
            out.contains(r#"href="https://en.wikipedia.org/wiki/A_(b)""#),
            "{out}"
        );
        assert!(linkify("http:// and https://").matches("<a").count() == 0);
    }
}
