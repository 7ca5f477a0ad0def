//! The search page: a query's results with their matches marked, or the help.

use askama::Template;
use paperboy_core::SearchQuery;
use paperboy_core::query::{MAX_TERM_CHARS, MAX_TERMS};
use paperboy_search::engine::{SearchHit, SearchMode, SearchPage};

use super::format::{author_line, count, external_href, utc_day};
use super::highlight::{SNIPPET_CHARS, Segment, Snippet, matched_words, segments, snippet};
use super::list::{Pager, page_href};
use super::{Layout, SemanticStatus, Tab, TextLink, aria_current};
use crate::input::{MAX_SEARCH_DEPTH, PageNumber, SearchInput};

/// One search result.
#[derive(Debug)]
pub(crate) struct HitView<'a> {
    /// The paper page.
    pub href: String,
    /// The arXiv id.
    pub id: &'a str,
    /// The title, matched words marked.
    pub title: Vec<Segment<'a>>,
    /// Part of the abstract around the first match, matched words marked.
    pub snippet: Snippet<'a>,
    /// Authors, cut with "et al." when long.
    pub authors: String,
    /// The day it was published.
    pub published: Option<String>,
    /// arXiv categories, primary first.
    pub categories: &'a [String],
    /// The code repository, when it is a web link.
    pub code: Option<&'a str>,
    /// Upvotes.
    pub upvotes: u32,
    /// Why it matched: the words, "semantic match", or both.
    pub why: String,
}

impl<'a> HitView<'a> {
    fn new(hit: &'a SearchHit, query: &SearchQuery) -> Self {
        let paper = &hit.record.paper;
        let explanation = &hit.explanation;
        Self {
            href: format!("/papers/{}", paper.id),
            id: paper.id.as_str(),
            title: segments(&paper.title, &explanation.title),
            snippet: snippet(&paper.summary, &explanation.summary, SNIPPET_CHARS),
            authors: author_line(&paper.authors),
            published: paper.published_or_announced().map(utc_day),
            categories: &paper.categories,
            code: paper.github_repo.as_deref().and_then(external_href),
            upvotes: hit.record.upvotes,
            why: why(hit, query),
        }
    }
}

/// The "why" line of a hit: what the keyword ranker matched, and whether the
/// semantic ranker found it.
fn why(hit: &SearchHit, query: &SearchQuery) -> String {
    let paper = &hit.record.paper;
    let explanation = &hit.explanation;
    let mut reasons = Vec::new();
    if explanation.provenance.keyword_rank.is_some() {
        let words = matched_words(&[
            (&paper.title, &explanation.title),
            (&paper.summary, &explanation.summary),
        ]);
        reasons.push(if !words.is_empty() {
            format!("matched {}", words.join(", "))
        } else if query.id.is_some() {
            "its arXiv id".to_owned()
        } else if query.has_text() {
            "matched in the author list".to_owned()
        } else {
            "passes the filters".to_owned()
        });
    }
    if explanation.provenance.vector_rank.is_some() {
        reasons.push("semantic match".to_owned());
    }
    reasons.join(" · ")
}

/// How the results were ranked, for the summary line.
fn ranking(mode: SearchMode, query: &SearchQuery) -> &'static str {
    match mode {
        SearchMode::Hybrid => "ranked by words and meaning",
        SearchMode::Keyword if query.has_text() => "ranked by words",
        SearchMode::Keyword => "newest first",
        SearchMode::Semantic => "ranked by meaning",
    }
}

/// The URL of page `page` of the search `input` in `mode`.
fn search_href(input: &SearchInput, mode: SearchMode, page: u64) -> String {
    page_href("/search", &input.pairs(mode), page)
}

/// The query's words and phrases without its filters, when it has both.
fn without_filters(query: &SearchQuery) -> Option<String> {
    if !(query.has_filters() && query.has_text()) {
        return None;
    }
    let phrases = query.phrases.iter().map(|p| format!("\"{p}\""));
    let parts: Vec<String> = query.words.iter().cloned().chain(phrases).collect();
    Some(parts.join(" "))
}

/// Says when the query was shortened or the keyword search cut short.
fn bounds_notice(query: &SearchQuery, results: &SearchPage) -> Option<String> {
    if query.shortened {
        Some(format!(
            "Your query was long: its first {MAX_TERMS} words (of at most {MAX_TERM_CHARS} \
             characters each) were searched."
        ))
    } else if results.cut {
        Some("This search took too long and was cut short: the results come from part of the collection.".to_owned())
    } else {
        None
    }
}

/// `search.html`.
#[derive(Template)]
#[template(path = "search.html")]
pub(crate) struct SearchView<'a> {
    layout: Layout<'a>,
    /// The query as searched.
    query: &'a str,
    /// Hybrid / keyword / semantic.
    tabs: Vec<Tab>,
    /// What is wrong with semantic search, when something is.
    notice: Option<String>,
    /// `12 results, ranked by words and meaning`.
    summary: String,
    hits: Vec<HitView<'a>>,
    pager: Pager,
    /// The query named an arXiv id this database lacks: its arXiv page.
    missing_id: Option<TextLink>,
    /// Nothing matched a query with filters: the same search without them.
    without_filters: Option<TextLink>,
    /// Nothing was asked: the page is the help, unfolded.
    empty_query: bool,
}

impl<'a> SearchView<'a> {
    /// The page of an empty query: the help, and the state of semantic search.
    pub(crate) fn help(layout: Layout<'a>, input: &'a SearchInput, status: SemanticStatus) -> Self {
        Self {
            layout,
            query: &input.text,
            tabs: Vec::new(),
            notice: status.search_notice(),
            summary: String::new(),
            hits: Vec::new(),
            pager: Pager::new(PageNumber::FIRST, 0, 1, |_| String::new()),
            missing_id: None,
            without_filters: None,
            empty_query: true,
        }
    }

    /// Page `page` of the `results` of `input`, `page_size` hits a page.
    pub(crate) fn results(
        layout: Layout<'a>,
        input: &'a SearchInput,
        page: PageNumber,
        page_size: u32,
        results: &'a SearchPage,
        status: SemanticStatus,
    ) -> Self {
        let query = &input.query;
        let tabs = [
            SearchMode::Hybrid,
            SearchMode::Keyword,
            SearchMode::Semantic,
        ]
        .into_iter()
        .map(|mode| Tab {
            label: match mode {
                SearchMode::Hybrid => "Hybrid",
                SearchMode::Keyword => "Keyword",
                SearchMode::Semantic => "Semantic",
            },
            href: search_href(input, mode, 1),
            current: aria_current(mode == input.mode),
        })
        .collect();
        let total = results.total as u64;
        let nothing = results.hits.is_empty();
        Self {
            layout,
            query: &input.text,
            tabs,
            notice: (input.mode != SearchMode::Keyword)
                .then(|| status.search_notice())
                .flatten()
                .or_else(|| bounds_notice(query, results)),
            summary: format!(
                "{}, {}",
                count(total, "result"),
                ranking(results.mode, query)
            ),
            hits: results
                .hits
                .iter()
                .map(|hit| HitView::new(hit, query))
                .collect(),
            pager: Pager::new(page, total.min(MAX_SEARCH_DEPTH), page_size, |n| {
                search_href(input, input.mode, n)
            }),
            missing_id: query.id.as_ref().filter(|_| nothing).map(|id| TextLink {
                href: id.abs_url(),
                label: id.to_string(),
            }),
            without_filters: without_filters(query)
                .filter(|_| nothing)
                .map(|text| TextLink {
                    href: page_href("/search", &[("q", &text)], 1),
                    label: text,
                }),
            empty_query: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_can_be_dropped_from_a_query_with_words() {
        let query = SearchQuery::parse(r#"diffusion "image editing" cat:cs.CV after:2025-06"#);
        assert_eq!(
            without_filters(&query).as_deref(),
            Some(r#"diffusion "image editing""#)
        );
        assert_eq!(without_filters(&SearchQuery::parse("diffusion")), None);
        assert_eq!(without_filters(&SearchQuery::parse("cat:cs.CV")), None);
    }

    #[test]
    fn search_links_keep_query_and_mode() {
        let input = SearchInput::parse(Some("a&b \"c\""), Some("keyword")).expect("valid");
        assert_eq!(
            search_href(&input, input.mode, 2),
            "/search?q=a%26b+%22c%22&mode=keyword&page=2"
        );
        assert_eq!(
            search_href(&input, SearchMode::Hybrid, 1),
            "/search?q=a%26b+%22c%22"
        );
    }
}
