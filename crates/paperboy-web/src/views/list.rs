//! One line of a paper list, and the pager under a list.

use std::collections::HashSet;
use std::path::Path;

use paperboy_core::text::first_sentence;
use paperboy_core::thumbnail::file_name;
use paperboy_core::{ArxivId, math};

/// Longest TL;DR made from an abstract's first sentence, in characters.
pub(crate) const TLDR_CHARS: usize = 240;
use paperboy_store::{DailyItem, PaperRecord};

use super::format::{author_line, external_href, short_day};
use super::linkify::linkify;
use crate::input::PageNumber;

/// A paper in a list (`_item.html`).
#[derive(Debug)]
pub(crate) struct ListItem<'a> {
    /// Place in the list, from 1; `None` for unranked lists.
    pub rank: Option<u64>,
    /// Upvotes; `None` hides the count (unvoted papers in the firehose).
    pub upvotes: Option<u32>,
    /// The paper page.
    pub href: String,
    /// The arXiv id.
    pub id: &'a str,
    /// Title, LaTeX as written.
    pub title: &'a str,
    /// Authors, cut with "et al." when long.
    pub authors: String,
    /// The daily list's day, in lists that span several days.
    pub day: Option<String>,
    /// Who put it on the list.
    pub submitter: Option<&'a str>,
    /// Comments on the daily entry; `None` outside daily lists.
    pub comments: Option<u32>,
    /// The code repository, when it is a web link.
    pub code: Option<&'a str>,
    /// The repository's GitHub stars, when a source gave them.
    pub stars: Option<u64>,
    /// The primary arXiv category.
    pub category: Option<&'a str>,
    /// The signed-in reader upvoted it.
    pub voted: bool,
    /// Why it ranks where it does (the trending list).
    pub why: Option<String>,
    /// The thumbnail's file name under `/thumbnails/`: set for papers a source gave
    /// an image for, kept by [`show_thumbnails`] only when this instance has it.
    pub thumbnail: Option<String>,
    /// The one-line TL;DR: the `ai_summary`, else the abstract's first sentence.
    pub tldr: Option<String>,
    /// The abstract, unfolded on demand.
    pub summary: &'a str,
    /// The CSRF token of "more like this" / "not interested" buttons, on lists
    /// that offer them ("for you").
    pub feedback: Option<String>,
}

impl<'a> ListItem<'a> {
    /// The title as HTML (escaped, its formulas as MathML).
    pub(crate) fn title_html(&self) -> String {
        math::to_html(self.title)
    }

    /// The TL;DR as HTML.
    pub(crate) fn tldr_html(&self) -> Option<String> {
        self.tldr.as_deref().map(math::to_html)
    }

    /// The abstract as HTML, its URLs and arXiv ids linked.
    pub(crate) fn summary_html(&self) -> String {
        linkify(&math::to_html(self.summary))
    }

    /// A firehose line: the paper alone.
    pub(crate) fn paper(record: &'a PaperRecord) -> Self {
        let paper = &record.paper;
        Self {
            rank: None,
            upvotes: Some(record.upvotes).filter(|n| *n > 0),
            href: format!("/papers/{}", paper.id),
            id: paper.id.as_str(),
            title: &paper.title,
            authors: author_line(&paper.authors),
            day: None,
            submitter: None,
            comments: None,
            code: paper.github_repo.as_deref().and_then(external_href),
            stars: paper.github_stars,
            category: paper.primary_category(),
            voted: false,
            why: None,
            thumbnail: paper.thumbnail.as_ref().map(|_| file_name(&paper.id)),
            tldr: paper
                .ai_summary
                .clone()
                .or_else(|| Some(first_sentence(&paper.summary, TLDR_CHARS)))
                .filter(|s| !s.is_empty()),
            summary: &paper.summary,
            feedback: None,
        }
    }

    /// A daily-list line at `rank`; `show_day` for lists spanning several days.
    pub(crate) fn daily(item: &'a DailyItem, rank: u64, show_day: bool) -> Self {
        let entry = &item.entry;
        Self {
            rank: Some(rank),
            upvotes: Some(entry.upvotes),
            day: show_day.then(|| short_day(entry.date)),
            submitter: entry.submitted_by.as_ref().map(|s| s.name.as_str()),
            comments: Some(entry.num_comments),
            ..Self::paper(&item.record)
        }
    }
}

/// Marks the items of `items` that the reader upvoted (`voted` holds their ids).
pub(crate) fn mark_voted(items: &mut [ListItem<'_>], voted: &HashSet<ArxivId>) {
    for item in items {
        item.voted = voted.iter().any(|id| id.as_str() == item.id);
    }
}

/// Keeps the thumbnails of `items` that are in `dir`, and no others.
pub(crate) fn show_thumbnails(items: &mut [ListItem<'_>], dir: Option<&Path>) {
    for item in items {
        item.thumbnail = item
            .thumbnail
            .take()
            .filter(|file| dir.is_some_and(|dir| dir.join(file).is_file()));
    }
}

/// Links to the neighbouring pages of a paginated list (`_pager.html`).
#[derive(Debug)]
pub(crate) struct Pager {
    /// This page, from 1.
    pub page: u64,
    /// Pages in the list (at least 1).
    pub pages: u64,
    /// The previous page's URL.
    pub prev: Option<String>,
    /// The next page's URL.
    pub next: Option<String>,
}

impl Pager {
    /// The pager of `page` in a list of `total` items shown `page_size` at a time;
    /// `href` makes the URL of a page number.
    pub(crate) fn new(
        page: PageNumber,
        total: u64,
        page_size: u32,
        href: impl Fn(u64) -> String,
    ) -> Self {
        let n = page.get();
        let pages = total.div_ceil(u64::from(page_size)).max(1);
        Self {
            page: n,
            pages,
            prev: (n > 1).then(|| href(n - 1)),
            next: (n < pages).then(|| href(n + 1)),
        }
    }
}

/// `path`, with `pairs` and `page` (left out for page 1) as its query string.
pub(crate) fn page_href(path: &str, pairs: &[(&str, &str)], page: u64) -> String {
    let page = page.to_string();
    let mut query: Vec<(&str, &str)> = pairs.to_vec();
    if page != "1" {
        query.push(("page", &page));
    }
    let query = serde_urlencoded::to_string(query).unwrap_or_default();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_encode_their_filters() {
        assert_eq!(page_href("/papers/new", &[], 1), "/papers/new");
        assert_eq!(
            page_href("/papers/new/2026-06-29", &[("category", "68T07, 68T45")], 2),
            "/papers/new/2026-06-29?category=68T07%2C+68T45&page=2"
        );
    }
}
