//! A paper as others use it: a BibTeX entry for reference managers, and a
//! Markdown page for notes and agents. Both treat every field as text: nothing a
//! source wrote can break out of its field.

use crate::Paper;

/// Words a citation key skips when it takes the title's first word.
const KEY_STOPWORDS: &[&str] = &[
    "a", "an", "the", "on", "of", "in", "for", "towards", "toward",
];

/// `text` safe inside a BibTeX `{…}` field: braces, `%`, `&`, `#` escaped, line
/// breaks flattened.
fn bib_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '{' | '}' | '%' | '&' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    crate::text::normalize_whitespace(&out)
}

/// `Lovelace, Ada` of `Ada Lovelace` (the last word is the family name).
fn bib_author(name: &str) -> String {
    let name = bib_text(name);
    match name.rsplit_once(' ') {
        Some((given, family)) => format!("{family}, {given}"),
        None => name,
    }
}

/// The ASCII letters of `text`, lower case.
fn key_part(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A citation key: first author's family name, year, first title word
/// (`bai2026scaling`).
pub fn citation_key(paper: &Paper) -> String {
    let family = paper
        .authors
        .first()
        .and_then(|a| a.name.split_whitespace().last())
        .map(key_part)
        .unwrap_or_default();
    let year = paper
        .published_or_announced()
        .map(|t| t.strftime("%Y").to_string())
        .unwrap_or_default();
    let word = paper
        .title
        .split_whitespace()
        .map(key_part)
        .find(|w| !w.is_empty() && !KEY_STOPWORDS.contains(&w.as_str()))
        .unwrap_or_default();
    let key = format!("{family}{year}{word}");
    if key.is_empty() {
        key_part(paper.id.as_str())
    } else {
        key
    }
}

/// The paper as a BibTeX `@misc` entry, arXiv style.
pub fn bibtex(paper: &Paper) -> String {
    let mut fields = vec![
        ("title", format!("{{{}}}", bib_text(&paper.title))),
        (
            "author",
            paper
                .authors
                .iter()
                .map(|a| bib_author(&a.name))
                .collect::<Vec<_>>()
                .join(" and "),
        ),
    ];
    if let Some(published) = paper.published_or_announced() {
        fields.push(("year", published.strftime("%Y").to_string()));
        fields.push(("month", published.strftime("%b").to_string().to_lowercase()));
    }
    fields.push(("eprint", paper.id.to_string()));
    fields.push(("archivePrefix", "arXiv".into()));
    if let Some(category) = paper.primary_category() {
        fields.push(("primaryClass", bib_text(category)));
    }
    if let Some(doi) = &paper.doi {
        fields.push(("doi", bib_text(doi)));
    }
    fields.push(("url", paper.id.abs_url()));
    let body: Vec<String> = fields
        .into_iter()
        .map(|(name, value)| format!("  {name} = {{{value}}}"))
        .collect();
    format!(
        "@misc{{{},\n{}\n}}\n",
        citation_key(paper),
        body.join(",\n")
    )
}

/// `text` with the characters Markdown gives meaning to backslash-escaped, so it
/// shows as written (HTML tags and links included) in any CommonMark renderer.
fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in crate::text::normalize_whitespace(text).chars() {
        if "\\`*_{}[]<>()#+-!|~&".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The paper as a Markdown page: title, authors, links, abstract, and the TL;DR
/// and key phrases when there are some.
pub fn markdown(paper: &Paper, page_url: &str) -> String {
    let mut md = format!("# {}\n\n", md_text(&paper.title));
    let authors: Vec<String> = paper.authors.iter().map(|a| md_text(&a.name)).collect();
    if !authors.is_empty() {
        md.push_str(&format!("**Authors:** {}\n\n", authors.join(", ")));
    }
    md.push_str(&format!(
        "**arXiv:** [{}]({})",
        paper.id,
        paper.id.abs_url()
    ));
    if let Some(published) = paper.published_or_announced() {
        md.push_str(&format!(" · published {}", published.strftime("%Y-%m-%d")));
    }
    md.push_str(&format!(
        " · [PDF]({}) · [paper page]({page_url})\n\n",
        paper.id.pdf_url()
    ));
    if !paper.categories.is_empty() {
        let categories: Vec<String> = paper.categories.iter().map(|c| md_text(c)).collect();
        md.push_str(&format!("**Categories:** {}\n\n", categories.join(", ")));
    }
    for (label, link) in [
        ("Code", &paper.github_repo),
        ("Project page", &paper.project_page),
    ] {
        if let Some(url) = link
            .as_deref()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        {
            md.push_str(&format!(
                "**{label}:** <{}>\n\n",
                url.replace(['<', '>', ' '], "")
            ));
        }
    }
    md.push_str(&format!("## Abstract\n\n{}\n", md_text(&paper.summary)));
    if let Some(summary) = &paper.ai_summary {
        md.push_str(&format!("\n## TL;DR\n\n{}\n", md_text(summary)));
    }
    if !paper.ai_keywords.is_empty() {
        let keywords: Vec<String> = paper.ai_keywords.iter().map(|k| md_text(k)).collect();
        md.push_str(&format!("\n**Key phrases:** {}\n", keywords.join(", ")));
    }
    md
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::{ArxivId, Author};

    fn paper(title: &str) -> Paper {
        let mut p = Paper::new(
            ArxivId::parse("2606.30616").unwrap(),
            title.into(),
            "We scale the horizon. <script>alert(1)</script>".into(),
            vec![Author::named("Lei Bai"), Author::named("Zongsheng Cao")],
        );
        p.published = Some("2026-06-29T10:00:00Z".parse().unwrap());
        p.categories = vec!["cs.CL".into()];
        p
    }

    #[test]
    fn bibtex_names_the_arxiv_eprint_and_keeps_fields_closed() {
        let bib = bibtex(&paper("Scaling the Horizon, Not the Parameters"));
        assert!(bib.starts_with("@misc{bai2026scaling,\n"), "{bib}");
        assert!(bib.contains("  title = {{Scaling the Horizon, Not the Parameters}},"));
        assert!(bib.contains("  author = {Bai, Lei and Cao, Zongsheng},"));
        assert!(bib.contains("  eprint = {2606.30616},"));
        assert!(bib.contains("  primaryClass = {cs.CL},"));
        assert!(bib.contains("  url = {https://arxiv.org/abs/2606.30616}\n}"));
        let hostile = bibtex(&paper("Closing } early @misc{evil, % comment"));
        assert!(
            hostile.contains("Closing \\} early @misc\\{evil, \\% comment"),
            "{hostile}"
        );
        assert_eq!(
            hostile.matches('{').count() - hostile.matches("\\{").count(),
            hostile.matches('}').count() - hostile.matches("\\}").count()
        );
    }

    #[test]
    fn markdown_shows_markup_as_text() {
        let md = markdown(
            &paper("On <img src=x onerror=alert(1)> [links](javascript:x)"),
            "https://p.org/papers/2606.30616",
        );
        assert!(
            md.starts_with(
                "# On \\<img src=x onerror=alert\\(1\\)\\> \\[links\\]\\(javascript:x\\)\n"
            ),
            "{md}"
        );
        assert!(md.contains("\\<script\\>"));
        assert!(md.contains("**Authors:** Lei Bai, Zongsheng Cao"));
        assert!(md.contains("[paper page](https://p.org/papers/2606.30616)"));
        let rendered_check = md.replace("\\<", "").replace("\\>", "");
        assert!(
            !rendered_check.contains('<') || rendered_check.contains("<https://"),
            "no raw tags: {md}"
        );
    }
}
