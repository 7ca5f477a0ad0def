//! Comments' Markdown to HTML that is safe to put in a page: pulldown-cmark renders,
//! ammonia keeps only an allow-list of tags and attributes (no script, no event
//! handlers, no styles, no images), links only to http(s) and mailto, each with
//! `rel="nofollow ugc noopener"`. Bare URLs and arXiv ids become links.

use std::collections::HashSet;

use pulldown_cmark::{Options, Parser, html};

/// `markdown` as sanitised HTML.
pub(crate) fn render(markdown: &str) -> String {
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES;
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    // Bare URLs and arXiv ids become links before the sanitiser sees them: it
    // checks and marks those links like the others.
    let raw = super::linkify::linkify(&raw);
    ammonia::Builder::default()
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("nofollow ugc noopener"))
        .rm_tags(["img"])
        .clean(&raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_urls_and_arxiv_ids_in_comments_become_safe_links() {
        let html = render("Compare with arXiv:2401.12345 and https://example.org/x.");
        assert!(
            html.contains(
                r#"<a href="/papers/2401.12345" rel="nofollow ugc noopener">arXiv:2401.12345</a>"#
            ),
            "{html}"
        );
        assert!(html.contains(r#"<a href="https://example.org/x" rel="nofollow ugc noopener">https://example.org/x</a>."#), "{html}");
        let code = render("`https://example.org/y`");
        assert!(!code.contains("<a "), "{code}");
    }

    #[test]
    fn markdown_renders_and_links_are_marked_user_content() {
        let html = render("**Nice** result, see [the code](https://github.com/x/y) and `f(x)`.");
        assert!(html.contains("<strong>Nice</strong>"), "{html}");
        assert!(html.contains("<code>f(x)</code>"));
        assert!(
            html.contains(
                "<a href=\"https://github.com/x/y\" rel=\"nofollow ugc noopener\">the code</a>"
            ),
            "{html}"
        );
    }

    #[test]
    fn hostile_markup_is_inert() {
        for hostile in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<div onclick=\"alert(1)\">x</div>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "<style>body{display:none}</style>",
            "<svg><script>alert(1)</script></svg>",
            "<a href=\"&#106;avascript:alert(1)\">x</a>",
        ] {
            let html = render(hostile).to_ascii_lowercase();
            for bad in [
                "<script",
                "onerror",
                "onclick",
                "javascript:",
                "<iframe",
                "data:",
                "<style",
                "<img",
                "<svg",
            ] {
                assert!(!html.contains(bad), "{hostile:?} -> {html}");
            }
        }
    }
}
