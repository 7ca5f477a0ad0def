//! The parameters of search: `/search`, `/api/papers/search` and
//! `/api/papers/{id}/similar`.

use paperboy_core::query::MAX_QUERY_CHARS;
use paperboy_core::{ArxivId, SearchQuery, VersionedId};
use paperboy_search::engine::{SearchMode, SearchRequest};
use serde::Deserialize;

use super::{DEFAULT_LIMIT, PageNumber, clip, parse_limit, parse_page_index};
use crate::WebError;

/// How deep results may be paged: hits past this many are never shown. A query whose
/// answer is further down needs more words or a filter, not more pages.
pub(crate) const MAX_SEARCH_DEPTH: u64 = 1_000;
/// Similar papers returned when the client does not say how many.
const DEFAULT_SIMILAR: u32 = 10;

/// A search as the user typed it, parsed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SearchInput {
    /// The query text as searched: control characters blanked, cut at
    /// [`MAX_QUERY_CHARS`], trimmed. Shown back in the search box and in links.
    pub text: String,
    /// The parsed query.
    pub query: SearchQuery,
    /// The rankers asked for.
    pub mode: SearchMode,
}

impl SearchInput {
    /// Parses `q` (absent: the empty query) and `mode` (absent or empty: hybrid).
    pub(crate) fn parse(q: Option<&str>, mode: Option<&str>) -> Result<Self, WebError> {
        let blanked: String = q
            .unwrap_or_default()
            .chars()
            .take(MAX_QUERY_CHARS)
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let text = blanked.trim().to_owned();
        Ok(Self {
            query: SearchQuery::parse(&text),
            text,
            mode: parse_mode(mode)?,
        })
    }

    /// The engine's request for `limit` hits after the first `offset`, with the
    /// matching words of each hit when `highlight`.
    pub(crate) fn request(&self, offset: u64, limit: u32, highlight: bool) -> SearchRequest {
        SearchRequest {
            query: self.query.clone(),
            mode: self.mode,
            offset: usize::try_from(offset).unwrap_or(usize::MAX),
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
            highlight,
        }
    }

    /// The query-string pairs that repeat this search in `mode` (left out when
    /// hybrid, the default).
    pub(crate) fn pairs(&self, mode: SearchMode) -> Vec<(&'static str, &str)> {
        let mut pairs = vec![("q", self.text.as_str())];
        if mode != SearchMode::Hybrid {
            pairs.push(("mode", mode.name()));
        }
        pairs
    }
}

fn parse_mode(mode: Option<&str>) -> Result<SearchMode, WebError> {
    let Some(mode) = mode.map(str::trim).filter(|m| !m.is_empty()) else {
        return Ok(SearchMode::Hybrid);
    };
    SearchMode::parse(&mode.to_ascii_lowercase()).ok_or_else(|| {
        WebError::BadRequest(format!(
            "`mode` must be hybrid, keyword or semantic, got `{}`",
            clip(mode)
        ))
    })
}

/// The query string of `GET /search`, as sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SearchPageParams {
    q: Option<String>,
    mode: Option<String>,
    page: Option<String>,
}

impl SearchPageParams {
    /// The search asked for.
    pub(crate) fn input(&self) -> Result<SearchInput, WebError> {
        SearchInput::parse(self.q.as_deref(), self.mode.as_deref())
    }

    /// The page asked for, `page_size` hits a page; pages past [`MAX_SEARCH_DEPTH`]
    /// do not exist.
    pub(crate) fn page(&self, page_size: u32) -> Result<PageNumber, WebError> {
        let page = PageNumber::parse(self.page.as_deref())?;
        if page.offset(page_size) >= MAX_SEARCH_DEPTH {
            return Err(WebError::NotFound(format!(
                "page {} does not exist: search results stop after {MAX_SEARCH_DEPTH} hits; \
                 add words or filters to narrow the search",
                page.get()
            )));
        }
        Ok(page)
    }
}

/// The query string of `GET /api/papers/search`, as sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SearchApiParams {
    q: Option<String>,
    mode: Option<String>,
    limit: Option<String>,
    p: Option<String>,
    offset: Option<String>,
}

/// A parsed `GET /api/papers/search` request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SearchApiRequest {
    /// The search.
    pub input: SearchInput,
    /// Hits skipped.
    pub offset: u64,
    /// Hits returned at most.
    pub limit: u32,
}

impl SearchApiParams {
    /// Parses and checks every parameter.
    pub(crate) fn parse(self) -> Result<SearchApiRequest, WebError> {
        let input = SearchInput::parse(self.q.as_deref(), self.mode.as_deref())?;
        let limit = parse_limit(self.limit.as_deref(), DEFAULT_LIMIT)?;
        let offset = match (self.p.as_deref(), self.offset.as_deref()) {
            (Some(_), Some(_)) => {
                return Err(WebError::BadRequest(
                    "give `p` (a page number) or `offset` (hits to skip), not both".into(),
                ));
            }
            (p, None) => parse_page_index(p)?.saturating_mul(u64::from(limit)),
            (None, Some(offset)) => offset.trim().parse().map_err(|_| {
                WebError::BadRequest(format!(
                    "`offset` must be a number of hits to skip (0, 1, 2, ...), got `{}`",
                    clip(offset)
                ))
            })?,
        };
        if offset >= MAX_SEARCH_DEPTH {
            return Err(WebError::BadRequest(format!(
                "search results stop after {MAX_SEARCH_DEPTH} hits, and `p`/`offset` asks for \
                 hits from {offset} on; add words or filters to narrow the search"
            )));
        }
        Ok(SearchApiRequest {
            input,
            offset,
            limit,
        })
    }
}

impl SearchApiRequest {
    /// The query string of the next page, or `None` when `total` hits (as many as are
    /// reachable) end before it.
    pub(crate) fn next_query_string(&self, total: u64) -> Option<String> {
        let next = self.offset.saturating_add(u64::from(self.limit));
        if next >= total.min(MAX_SEARCH_DEPTH) {
            return None;
        }
        let (next, limit) = (next.to_string(), self.limit.to_string());
        let mut pairs = self.input.pairs(self.input.mode);
        pairs.push(("offset", &next));
        pairs.push(("limit", &limit));
        serde_urlencoded::to_string(pairs).ok()
    }
}

/// What `/api/papers/{*path}` names: old-style ids hold a slash, so the path is
/// matched as a whole and its last segment decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PaperPath {
    /// `/api/papers/{id}`: the paper (a versioned id names it too).
    Paper(ArxivId),
    /// `/api/papers/{id}/similar`: the papers nearest to it.
    Similar(ArxivId),
    /// `/api/papers/{id}/comments`: its comments, threaded.
    Comments(ArxivId),
}

impl PaperPath {
    /// Parses the path after `/api/papers/`.
    pub(crate) fn parse(path: &str) -> Result<Self, WebError> {
        Ok(if let Some(id) = path.strip_suffix("/similar") {
            Self::Similar(VersionedId::parse(id)?.id)
        } else if let Some(id) = path.strip_suffix("/comments") {
            Self::Comments(VersionedId::parse(id)?.id)
        } else {
            Self::Paper(VersionedId::parse(path)?.id)
        })
    }
}

/// The query string of `GET /api/papers/{id}` (`field=comments` adds the comments)
/// and `/api/papers/{id}/similar` (`limit`), as sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SimilarParams {
    limit: Option<String>,
    /// `comments`: the paper object with its comments.
    pub field: Option<String>,
}

impl SimilarParams {
    /// How many similar papers to return: 1 to 100, 10 when absent.
    pub(crate) fn limit(&self) -> Result<u32, WebError> {
        parse_limit(self.limit.as_deref(), DEFAULT_SIMILAR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(query: &str) -> Result<SearchApiRequest, WebError> {
        serde_urlencoded::from_str::<SearchApiParams>(query)
            .expect("query parses")
            .parse()
    }

    fn page(query: &str) -> SearchPageParams {
        serde_urlencoded::from_str(query).expect("query parses")
    }

    #[test]
    fn queries_are_cleaned_and_cut_but_never_rejected() {
        let input = SearchInput::parse(Some("  diffusion\u{0}\u{7}models\n"), None).expect("ok");
        assert_eq!(input.text, "diffusion  models");
        assert_eq!(input.query.words, ["diffusion", "models"]);
        assert_eq!(input.mode, SearchMode::Hybrid);

        let long = "é".repeat(10_000);
        let input = SearchInput::parse(Some(&long), None).expect("ok");
        assert_eq!(input.text.chars().count(), MAX_QUERY_CHARS);

        for odd in [
            "\"",
            "author:",
            "cat:",
            "after:",
            "has:",
            ":::",
            "«»",
            "检索增强生成",
        ] {
            assert!(SearchInput::parse(Some(odd), None).is_ok(), "{odd}");
        }
        assert!(SearchInput::parse(None, None).expect("ok").query.is_empty());
    }

    #[test]
    fn modes_are_named_and_anything_else_is_a_clear_400() {
        for (mode, expected) in [
            ("", SearchMode::Hybrid),
            ("keyword", SearchMode::Keyword),
            (" Semantic ", SearchMode::Semantic),
            ("hybrid", SearchMode::Hybrid),
        ] {
            let input = SearchInput::parse(Some("x"), Some(mode)).expect(mode);
            assert_eq!(input.mode, expected, "{mode}");
        }
        let err = SearchInput::parse(Some("x"), Some("fuzzy")).expect_err("bad mode");
        assert_eq!(
            err.to_string(),
            "`mode` must be hybrid, keyword or semantic, got `fuzzy`"
        );
    }

    #[test]
    fn api_pages_by_p_or_offset_and_links_the_next_page() {
        let request = api("q=llama&limit=10&p=2").expect("valid");
        assert_eq!((request.offset, request.limit), (20, 10));
        assert_eq!(
            request.next_query_string(100).as_deref(),
            Some("q=llama&offset=30&limit=10")
        );
        assert_eq!(request.next_query_string(30), None);

        let request = api("q=a+b&mode=keyword&offset=5&limit=5").expect("valid");
        assert_eq!(request.offset, 5);
        assert_eq!(
            request.next_query_string(70_000).as_deref(),
            Some("q=a+b&mode=keyword&offset=10&limit=5")
        );
        assert_eq!(api("q=x").expect("valid").limit, DEFAULT_LIMIT);

        let deep = api("q=x&offset=990&limit=10").expect("valid");
        assert_eq!(
            deep.next_query_string(70_000),
            None,
            "no page past the depth"
        );
    }

    #[test]
    fn api_rejects_bad_numbers_with_what_was_expected() {
        for (query, expected) in [
            ("q=x&p=1&offset=1", "not both"),
            ("q=x&offset=-1", "`offset` must be a number"),
            (
                "q=x&p=18446744073709551615",
                "search results stop after 1000",
            ),
            ("q=x&offset=1000", "search results stop after 1000"),
            ("q=x&limit=0", "`limit` must be a number from 1 to 100"),
            ("q=x&mode=vectors", "`mode` must be"),
        ] {
            let err = api(query).expect_err(query);
            assert!(err.to_string().contains(expected), "{query}: {err}");
        }
    }

    #[test]
    fn html_pages_stop_at_the_search_depth() {
        assert_eq!(page("").page(20).expect("first").get(), 1);
        assert_eq!(page("page=50").page(20).expect("last").get(), 50);
        let err = page("page=51").page(20).expect_err("too deep");
        assert!(err.to_string().contains("page 51 does not exist"), "{err}");
        assert!(page("page=18446744073709551615").page(20).is_err());
        assert!(page("page=0").page(20).is_err());
    }

    #[test]
    fn paper_paths_name_a_paper_or_its_similar_papers() {
        let id = |s: &str| ArxivId::parse(s).expect("id");
        assert_eq!(
            PaperPath::parse("2401.12345v2").expect("ok"),
            PaperPath::Paper(id("2401.12345"))
        );
        assert_eq!(
            PaperPath::parse("hep-th/9901001").expect("ok"),
            PaperPath::Paper(id("hep-th/9901001"))
        );
        assert_eq!(
            PaperPath::parse("hep-th/9901001/similar").expect("ok"),
            PaperPath::Similar(id("hep-th/9901001"))
        );
        assert_eq!(
            PaperPath::parse("2401.12345/similar").expect("ok"),
            PaperPath::Similar(id("2401.12345"))
        );
        for bad in [
            "similar",
            "/similar",
            "2401.12345/similar/",
            "2401.12345/other",
        ] {
            assert!(PaperPath::parse(bad).is_err(), "{bad}");
        }
    }
}
