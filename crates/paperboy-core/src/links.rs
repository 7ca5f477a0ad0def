//! Finding code and project links in abstracts and comments.
//!
//! Authors write `Code: https://github.com/org/repo.`, `\url{https://x.github.io/}`,
//! `Project page: https://...`. We pull every URL out, then pick the code repository
//! and the project page the paper page should show.

use serde::{Deserialize, Serialize};

/// Links found in a paper's text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundLinks {
    /// The first GitHub repository, as `https://github.com/owner/repo`.
    pub github_repo: Option<String>,
    /// The first URL that looks like a project page.
    pub project_page: Option<String>,
    /// Every distinct URL, in order of appearance.
    pub urls: Vec<String>,
}

const PROJECT_HINTS: [&str; 6] = [
    "project page",
    "project website",
    "homepage",
    "project:",
    "website",
    "demo",
];
const GITHUB_NON_REPO_OWNERS: [&str; 8] = [
    "orgs",
    "topics",
    "features",
    "sponsors",
    "marketplace",
    "settings",
    "about",
    "collections",
];

/// Extracts links from any number of texts (abstract, comments).
pub fn find_links<'a>(texts: impl IntoIterator<Item = &'a str>) -> FoundLinks {
    let mut found = FoundLinks::default();
    for text in texts {
        for (start, url) in scan_urls(text) {
            if found.github_repo.is_none() {
                found.github_repo = github_repo(&url);
            }
            if found.project_page.is_none() && is_project_page(text, start, &url) {
                found.project_page = Some(url.clone());
            }
            if !found.urls.contains(&url) {
                found.urls.push(url);
            }
        }
    }
    found
}

/// Yields `(byte offset, url)` for every http(s) URL and every scheme-less
/// `github.com/...` reference in `text`.
fn scan_urls(text: &str) -> Vec<(usize, String)> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let next = ["https://", "http://", "github.com/"]
            .iter()
            .filter_map(|needle| lower[pos..].find(needle).map(|i| (pos + i, *needle)))
            .min_by_key(|(i, _)| *i);
        let Some((start, needle)) = next else { break };
        let end = url_end(text, start);
        let raw = trim_trailing_punctuation(&text[start..end]);
        let url = if needle == "github.com/" {
            // Part of an http(s) URL we already took, or a bare reference.
            let preceded_by_slash = start >= 2 && &text[start - 2..start] == "//";
            let preceded_by_www = lower[..start].ends_with("www.");
            if preceded_by_slash || preceded_by_www {
                pos = end.max(start + 1);
                continue;
            }
            format!("https://{raw}")
        } else {
            raw.to_owned()
        };
        if url.len() > needle.len() + 3 {
            out.push((start, url));
        }
        pos = end.max(start + 1);
    }
    out
}

fn url_end(text: &str, start: usize) -> usize {
    text[start..]
        .char_indices()
        .find(|(_, c)| {
            c.is_whitespace()
                || matches!(
                    c,
                    '<' | '>' | '"' | '\'' | '{' | '}' | '|' | '\\' | '^' | '`'
                )
        })
        .map_or(text.len(), |(i, _)| start + i)
}

fn trim_trailing_punctuation(url: &str) -> &str {
    let mut url = url;
    loop {
        let before = url.len();
        url = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '*']);
        if url.ends_with(')') && url.matches('(').count() < url.matches(')').count() {
            url = &url[..url.len() - 1];
        }
        if url.ends_with(']') && url.matches('[').count() < url.matches(']').count() {
            url = &url[..url.len() - 1];
        }
        if url.len() == before {
            return url;
        }
    }
}

fn host_and_path(url: &str) -> Option<(String, &str)> {
    let rest = url.split_once("://")?.1;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    Some((host.to_ascii_lowercase(), path))
}

/// `https://github.com/owner/repo[/...]` → `https://github.com/owner/repo`.
pub fn github_repo(url: &str) -> Option<String> {
    let (host, path) = host_and_path(url)?;
    if host != "github.com" && host != "www.github.com" {
        return None;
    }
    let mut segments = path.split(['/', '?', '#']).filter(|s| !s.is_empty());
    let owner = segments.next()?;
    let repo = segments.next()?;
    let repo = repo.strip_suffix(".git").unwrap_or(repo);
    let valid = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    };
    if !valid(owner)
        || !valid(repo)
        || GITHUB_NON_REPO_OWNERS.contains(&owner.to_ascii_lowercase().as_str())
    {
        return None;
    }
    Some(format!("https://github.com/{owner}/{repo}"))
}

fn is_project_page(text: &str, start: usize, url: &str) -> bool {
    let Some((host, _)) = host_and_path(url) else {
        return false;
    };
    if host.ends_with("github.com") || host.ends_with("arxiv.org") || host.ends_with("doi.org") {
        return false;
    }
    if host.ends_with(".github.io") {
        return true;
    }
    let window_start = text[..start]
        .char_indices()
        .rev()
        .nth(47)
        .map_or(0, |(i, _)| i);
    let before = text[window_start..start].to_lowercase();
    PROJECT_HINTS.iter().any(|hint| before.contains(hint))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_repo_and_project_page_in_real_style_text() {
        let abs = "We release code at https://github.com/infinimind-inc/naru_benchmark. \
                   Project page: https://ma-labo.github.io/naru/.";
        let found = find_links([abs]);
        assert_eq!(
            found.github_repo.as_deref(),
            Some("https://github.com/infinimind-inc/naru_benchmark")
        );
        assert_eq!(
            found.project_page.as_deref(),
            Some("https://ma-labo.github.io/naru/")
        );
        assert_eq!(found.urls.len(), 2);
    }

    #[test]
    fn handles_latex_url_and_bare_github() {
        let found = find_links([
            "Code is available at \\url{https://github.com/a/b.git}",
            "see github.com/c/d)",
        ]);
        assert_eq!(found.github_repo.as_deref(), Some("https://github.com/a/b"));
        assert_eq!(
            found.urls,
            vec!["https://github.com/a/b.git", "https://github.com/c/d"]
        );
    }

    #[test]
    fn project_hint_needed_for_other_hosts() {
        assert_eq!(
            find_links(["Data: https://example.org/x"]).project_page,
            None
        );
        assert_eq!(
            find_links(["Project website: https://example.org/x"])
                .project_page
                .as_deref(),
            Some("https://example.org/x")
        );
    }

    #[test]
    fn github_non_repo_urls_are_not_repos() {
        assert_eq!(github_repo("https://github.com/orgs/foo"), None);
        assert_eq!(github_repo("https://github.com/onlyowner"), None);
        assert_eq!(github_repo("https://example.com/a/b"), None);
        assert_eq!(
            github_repo("https://github.com/a/b/tree/main"),
            Some("https://github.com/a/b".into())
        );
    }

    #[test]
    fn balanced_parentheses_survive() {
        let found = find_links(["(see https://en.wikipedia.org/wiki/Foo_(bar))"]);
        assert_eq!(found.urls, vec!["https://en.wikipedia.org/wiki/Foo_(bar)"]);
    }
}
