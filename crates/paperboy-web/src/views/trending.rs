//! The trending list: the past week's daily lists by activity fading with age, each
//! paper with the reason it is there.

use std::collections::HashSet;

use askama::Template;
use jiff::Timestamp;
use jiff::civil::Date;
use paperboy_core::ArxivId;
use paperboy_core::trending::Trend;
use paperboy_store::DailyPage;

use super::Layout;
use super::format::{count, short_day};
use super::list::{ListItem, Pager, mark_voted, page_href};
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
    /// trending first) as seen at `now`.
    pub(crate) fn new(
        layout: Layout<'a>,
        (from, until): (Date, Date),
        page: PageNumber,
        page_size: u32,
        list: &'a DailyPage,
        now: Timestamp,
    ) -> Self {
        let offset = page.offset(page_size);
        Self {
            layout,
            summary: format!(
                "{} to {} · {}",
                short_day(from),
                short_day(until),
                count(list.total, "paper")
            ),
            items: (offset + 1..)
                .zip(&list.items)
                .map(|(rank, item)| {
                    let listed_at = item.entry.submitted_at.unwrap_or(item.record.first_seen);
                    let trend =
                        Trend::new(item.entry.upvotes, item.entry.num_comments, listed_at, now);
                    ListItem {
                        why: Some(trend.explain()),
                        ..ListItem::daily(item, rank, true)
                    }
                })
                .collect(),
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
