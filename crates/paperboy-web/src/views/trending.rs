//! The trending list: the past week's daily lists by activity fading with age, each
//! paper with the reason it is there.

use std::collections::HashSet;

use askama::Template;
use jiff::civil::Date;
use paperboy_core::ArxivId;
use paperboy_store::DailyPage;

use super::Layout;
use super::format::{count, short_day};
use super::list::{ListItem, Pager, mark_voted, page_href, show_thumbnails};
use crate::input::PageNumber;

/// `trending.html`.
#[derive(Template)]
#[template(path = "trending.html")]
pub(crate) struct TrendingView<'a> {
    layout: Layout<'a>,
    /// `12–18 Aug 2026 · 120 papers`.
    summary: String,
    items: Vec<ListItem<'a>>,
    pager: Pager,
}

impl<'a> TrendingView<'a> {
    /// Page `page` of `list` (the entries listed from `from` to `until`, most
    /// trending first), each with why it is there.
    pub(crate) fn new(
        layout: Layout<'a>,
        (from, until): (Date, Date),
        page: PageNumber,
        page_size: u32,
        list: &'a DailyPage,
    ) -> Self {
        let offset = page.offset(page_size);
        let mut items: Vec<ListItem<'a>> = (offset + 1..)
            .zip(&list.items)
            .map(|(rank, item)| ListItem {
                why: item.trend.map(|trend| trend.explain()),
                ..ListItem::daily(item, rank, true)
            })
            .collect();
        show_thumbnails(&mut items, layout.thumbnails);
        Self {
            layout,
            summary: format!(
                "{} to {} · {}",
                short_day(from),
                short_day(until),
                count(list.total, "paper")
            ),
            items,
            pager: Pager::new(page, list.total, page_size, |n| {
                page_href("/papers/trending", &[], n)
            }),
        }
    }

    /// Marks the papers the reader upvoted (`voted`).
    pub(crate) fn with_votes(mut self, voted: &HashSet<ArxivId>) -> Self {
        mark_voted(&mut self.items, voted);
        self
    }

    /// The ids of the papers listed.
    pub(crate) fn paper_ids(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|item| item.id)
    }
}
