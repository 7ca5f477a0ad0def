//! Seeds: the papers a reader brings from elsewhere to start their "for you"
//! ranking, read from a BibTeX file, a Zotero / CSL-JSON export or a list of arXiv
//! ids. Each entry becomes a [`SeedRef`] that the store matches by arXiv id, DOI or
//! title.

use crate::ArxivId;

/// Most entries read from one upload.
pub const MAX_SEEDS: usize = 2_000;

/// One paper a reader named, as far as the file identifies it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SeedRef {
    /// Its arXiv id, when the entry names one (eprint, URL, arXiv DOI, note).
    pub arxiv: Option<ArxivId>,
    /// Its DOI, lower case, when it has one that is not an arXiv DOI.
    pub doi: Option<String>,
    /// Its title, as [`title_key`] folds it.
    pub title: Option<String>,
}

/// Why an upload was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeedError {
    /// A JSON upload that is not a CSL-JSON array of items.
    #[error("this looks like JSON but is not a CSL-JSON export (an array of items): {0}")]
    Json(String),
    /// Nothing in it names a paper.
    #[error(
        "no papers found: upload a BibTeX file (.bib), a Zotero CSL-JSON export, or arXiv ids one per line"
    )]
    Empty,
}

/// The seeds in `text`, whichever of the three forms it is, at most
/// [`MAX_SEEDS`], without repeats.
pub fn parse(text: &str) -> Result<Vec<SeedRef>, SeedError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let mut seeds = if trimmed.starts_with('[') || trimmed.starts_with('{') {
        parse_csl_json(trimmed)?
    } else if trimmed.contains('@') && trimmed.contains('{') {
        parse_bibtex(trimmed)
    } else {
        trimmed
            .split_whitespace()
            .filter_map(arxiv_in)
            .map(|id| SeedRef {
                arxiv: Some(id),
                ..SeedRef::default()
            })
            .collect()
    };
    let mut seen = std::collections::HashSet::new();
    seeds.retain(|s| {
        (s.arxiv.is_some() || s.doi.is_some() || s.title.is_some()) && seen.insert(s.clone())
    });
    seeds.truncate(MAX_SEEDS);
    if seeds.is_empty() {
        return Err(SeedError::Empty);
    }
    Ok(seeds)
}

/// A title folded for matching: lower case letters and digits, single spaces (LaTeX
/// braces, punctuation and accents' combining marks dropped).
pub fn title_key(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for word in title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// The arXiv id a token names: an id, an `arXiv:` id, an arxiv.org URL, or an arXiv
/// DOI (`10.48550/arXiv.2401.12345`).
fn arxiv_in(token: &str) -> Option<ArxivId> {
    let token = token.trim_matches(|c: char| {
        matches!(
            c,
            ',' | ';' | '"' | '\'' | '{' | '}' | '(' | ')' | '<' | '>' | '.'
        )
    });
    let lower = token.to_ascii_lowercase();
    let token = match lower.find("10.48550/arxiv.") {
        Some(at) => &token[at + "10.48550/arxiv.".len()..],
        None => token,
    };
    let token = token.strip_prefix("https://doi.org/").unwrap_or(token);
    // Bare old-style ids (`hep-th/9901001`) are too easy to confuse with paths in
    // prose; they count inside URLs and after `arXiv:` only, which `parse` handles.
    ArxivId::parse(token).ok()
}

/// The first arXiv id anywhere in `text`.
fn arxiv_in_text(text: &str) -> Option<ArxivId> {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .find_map(arxiv_in)
}

/// A DOI in `text` that is not an arXiv one, lower case.
fn doi_in(text: &str) -> Option<String> {
    let lower = text.trim().to_ascii_lowercase();
    let at = lower.find("10.")?;
    let doi = lower[at..]
        .split(|c: char| c.is_whitespace() || c == '}' || c == '"')
        .next()?
        .trim_end_matches(['.', ',']);
    (doi.contains('/') && !doi.starts_with("10.48550/")).then(|| doi.to_owned())
}

fn non_empty_title(title: &str) -> Option<String> {
    let key = title_key(title);
    (key.len() >= 8).then_some(key)
}

/// A BibTeX file's entries (`@article{key, field = {value}, ...}`); `@string`,
/// `@comment` and `@preamble` are skipped.
fn parse_bibtex(text: &str) -> Vec<SeedRef> {
    let mut seeds = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        rest = &rest[at + 1..];
        let kind_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let kind = rest[..kind_len].to_ascii_lowercase();
        let body_start = rest[kind_len..].trim_start();
        let Some(open) = body_start.chars().next().filter(|c| *c == '{' || *c == '(') else {
            continue;
        };
        let body = &body_start[open.len_utf8()..];
        let end = balanced_end(body).unwrap_or(body.len());
        let entry = &body[..end];
        rest = &body[end..];
        if matches!(kind.as_str(), "string" | "comment" | "preamble") {
            continue;
        }
        seeds.push(bibtex_entry(entry));
    }
    seeds
}

/// Where the group that `text` is inside of closes: the byte offset of the
/// unbalanced `}` (or `)`), if any.
fn balanced_end(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (at, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' | ')' if depth == 0 => return Some(at),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The seed of one BibTeX entry's body (`key, field = value, ...`).
fn bibtex_entry(entry: &str) -> SeedRef {
    let mut seed = SeedRef::default();
    let fields = entry.split_once(',').map_or("", |(_, fields)| fields);
    for (name, value) in bibtex_fields(fields) {
        match name.as_str() {
            "eprint" | "arxivid" | "url" | "journal" | "note" | "howpublished"
                if seed.arxiv.is_none() =>
            {
                seed.arxiv = arxiv_in_text(&value);
            }
            "doi" => {
                if seed.arxiv.is_none() {
                    seed.arxiv = arxiv_in(value.trim());
                }
                seed.doi = seed.doi.take().or_else(|| doi_in(&value));
            }
            "title" => seed.title = non_empty_title(&value),
            _ => {}
        }
    }
    seed
}

/// `name = {value}`, `name = "value"` and `name = 2024` pairs; names lower case.
fn bibtex_fields(mut text: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    while let Some(eq) = text.find('=') {
        let name = text[..eq]
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = text[eq + 1..].trim_start();
        let (value, rest) = if let Some(inner) = after.strip_prefix('{') {
            let end = balanced_end(inner).unwrap_or(inner.len());
            (&inner[..end], inner.get(end + 1..).unwrap_or(""))
        } else if let Some(inner) = after.strip_prefix('"') {
            let end = closing_quote(inner).unwrap_or(inner.len());
            (&inner[..end], inner.get(end + 1..).unwrap_or(""))
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        fields.push((name, value.replace(['{', '}'], "")));
        text = rest.trim_start().trim_start_matches(',');
    }
    fields
}

/// Where a `"`-quoted BibTeX value ends: the first `"` outside braces (`{\"U}ber`
/// keeps its quote).
fn closing_quote(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (at, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '"' if depth == 0 => return Some(at),
            _ => {}
        }
    }
    None
}

/// A CSL-JSON export (Zotero's "CSL JSON"): an array of items, or one item.
fn parse_csl_json(text: &str) -> Result<Vec<SeedRef>, SeedError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| SeedError::Json(e.to_string()))?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        item @ serde_json::Value::Object(_) => vec![item],
        _ => return Err(SeedError::Json("neither an array nor an object".into())),
    };
    Ok(items.iter().map(csl_item).collect())
}

/// The seed of one CSL-JSON item: arXiv ids hide in `number` (`arXiv:2401.12345`),
/// `URL`, `DOI`, `note` or `archive_location`.
fn csl_item(item: &serde_json::Value) -> SeedRef {
    let field = |name: &str| item.get(name).and_then(serde_json::Value::as_str);
    let arxiv = ["number", "URL", "DOI", "archive_location", "note", "id"]
        .iter()
        .filter_map(|name| field(name))
        .find_map(arxiv_in_text);
    SeedRef {
        arxiv,
        doi: field("DOI").and_then(doi_in),
        title: field("title").and_then(non_empty_title),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn id(text: &str) -> Option<ArxivId> {
        Some(ArxivId::parse(text).unwrap())
    }

    #[test]
    fn a_list_of_ids_urls_and_dois_is_read_and_noise_skipped() {
        let seeds = parse(
            "2401.12345\nhttps://arxiv.org/abs/2312.00001v2, arXiv:2205.01068\n\
             10.48550/arXiv.1706.03762 not-an-id 2401.12345",
        )
        .unwrap();
        let ids: Vec<Option<ArxivId>> = seeds.into_iter().map(|s| s.arxiv).collect();
        assert_eq!(
            ids,
            [
                id("2401.12345"),
                id("2312.00001"),
                id("2205.01068"),
                id("1706.03762")
            ]
        );
    }

    #[test]
    fn bibtex_entries_give_ids_dois_and_titles() {
        let bib = r#"
@string{neurips = "NeurIPS"}
@article{vaswani2017attention,
  title   = {Attention Is {All} You Need},
  author  = {Vaswani, Ashish and others},
  journal = {arXiv preprint arXiv:1706.03762},
  year    = 2017,
}
@inproceedings{other,
  title = "A Paper {\"U}ber Graphs",
  doi = {10.1145/3292500.3330701},
}
@misc{eprinted, title={Short}, eprint={2401.00001}, archivePrefix={arXiv}}
@comment{ nothing here }
"#;
        let seeds = parse(bib).unwrap();
        assert_eq!(seeds.len(), 3);
        assert_eq!(seeds[0].arxiv, id("1706.03762"));
        assert_eq!(seeds[0].title.as_deref(), Some("attention is all you need"));
        assert_eq!(seeds[1].arxiv, None);
        assert_eq!(seeds[1].doi.as_deref(), Some("10.1145/3292500.3330701"));
        assert_eq!(seeds[1].title.as_deref(), Some("a paper uber graphs"));
        assert_eq!(seeds[2].arxiv, id("2401.00001"));
        assert_eq!(seeds[2].title, None, "too short to match by");
    }

    #[test]
    fn csl_json_exports_are_read_and_broken_json_says_so() {
        let csl = r#"[
          {"id": "http://zotero.org/users/1/items/ABC", "type": "article",
           "title": "Denoising Diffusion Probabilistic Models", "number": "arXiv:2006.11239",
           "URL": "http://arxiv.org/abs/2006.11239"},
          {"type": "article-journal", "title": "Deep Residual Learning for Image Recognition",
           "DOI": "10.1109/CVPR.2016.90"}
        ]"#;
        let seeds = parse(csl).unwrap();
        assert_eq!(seeds[0].arxiv, id("2006.11239"));
        assert_eq!(seeds[1].doi.as_deref(), Some("10.1109/cvpr.2016.90"));
        assert_eq!(
            seeds[1].title.as_deref(),
            Some("deep residual learning for image recognition")
        );
        assert!(matches!(parse("[{\"title\": "), Err(SeedError::Json(_))));
        assert_eq!(parse("hello world"), Err(SeedError::Empty));
        assert_eq!(parse(""), Err(SeedError::Empty));
    }

    #[test]
    fn hostile_bibtex_does_not_panic() {
        for text in [
            "@",
            "@{",
            "@article{",
            "@article{k, title = {",
            "@a(k, t = \"x",
            "@@@{{{}}}",
        ] {
            let _ = parse(text);
        }
    }
}
