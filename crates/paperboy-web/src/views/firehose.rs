//! The "new" firehose: every paper arXiv announced on a day, filterable by category.

use std::collections::HashSet;

use askama::Template;
use jiff::civil::Date;
use paperboy_core::ArxivId;
use paperboy_store::FirehosePage;

use super::format::{count, long_day, short_day};
use super::list::{ListItem, Pager, mark_voted, page_href, show_thumbnails};
use super::{Layout, TextLink, aria_current};
use crate::input::PageNumber;

/// A category filter chip.
#[derive(Debug)]
pub(crate) struct Chip {
    /// The category, or `All`.
    pub label: String,
    /// Papers in it that day.
    pub count: Option<u32>,
    /// The filtered list.
    pub href: String,
    /// `page` for the active filter, `false` otherwise (`aria-current`).
    pub current: &'static str,
}

/// `firehose.html`.
#[derive(Template)]
#[template(path = "firehose.html")]
pub(crate) struct FirehoseView<'a> {
    layout: Layout<'a>,
    /// `Monday, 30 June 2026`; empty when nothing was ever announced.
    heading: String,
    /// `512 papers` (in the category, when filtered).
    summary: String,
    chips: Vec<Chip>,
    prev: Option<TextLink>,
    next: Option<TextLink>,
    items: Vec<ListItem<'a>>,
    pager: Pager,
    /// The database has no announcements at all: say how to import some.
    empty_store: bool,
    /// Nothing was announced on the day (unfiltered): say so, and link the nearest
    /// announcement.
    no_announcement: Option<NoAnnouncement>,
}

/// Why an unfiltered day has no papers, and where the nearest ones are.
#[derive(Debug)]
pub(crate) struct NoAnnouncement {
    /// The day is a Saturday or a Sunday, when arXiv does not announce.
    pub weekend: bool,
    /// The nearest announcement day (the earlier one of two as near).
    pub nearest: Option<TextLink>,
}

impl NoAnnouncement {
    /// For `day`, which has no papers, between the announcement days `neighbours`.
    fn new(day: Date, neighbours: (Option<Date>, Option<Date>)) -> Self {
        let distance = |other: Date| (other - day).get_days().abs();
        let nearest = match neighbours {
            (Some(prev), Some(next)) if distance(next) < distance(prev) => Some(next),
            (Some(prev), _) => Some(prev),
            (None, next) => next,
        };
        Self {
            weekend: matches!(
                day.weekday(),
                jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
            ),
            nearest: nearest.map(|day| TextLink {
                href: day_href(day, None, 1),
                label: long_day(day),
            }),
        }
    }
}

/// The URL of the firehose of `day`, filtered by `category`, at `page`.
fn day_href(day: Date, category: Option<&str>, page: u64) -> String {
    let path = format!("/papers/new/{day}");
    match category {
        Some(category) => page_href(&path, &[("category", category)], page),
        None => page_href(&path, &[], page),
    }
}

impl<'a> FirehoseView<'a> {
    /// Marks the papers the reader upvoted (`voted`).
    pub(crate) fn with_votes(mut self, voted: &HashSet<ArxivId>) -> Self {
        mark_voted(&mut self.items, voted);
        self
    }

    /// The ids of the papers listed.
    pub(crate) fn paper_ids(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|item| item.id)
    }

    /// Page `page` of the papers announced on `day`, `page_size` at a time, filtered by
    /// `category`, with links to the announcement days before and after.
    pub(crate) fn new(
        layout: Layout<'a>,
        day: Date,
        category: Option<&str>,
        page: PageNumber,
        page_size: u32,
        list: &'a FirehosePage,
        neighbours: (Option<Date>, Option<Date>),
    ) -> Self {
        let all = Chip {
            label: "All".into(),
            count: None,
            href: day_href(day, None, 1),
            current: aria_current(category.is_none()),
        };
        let mut chips: Vec<Chip> = std::iter::once(all)
            .chain(list.categories.iter().map(|(name, n)| Chip {
                label: name.clone(),
                count: Some(*n),
                href: day_href(day, Some(name), 1),
                current: aria_current(category == Some(name.as_str())),
            }))
            .collect();
        // A filter outside the day's largest categories still shows as active.
        if let Some(category) = category
            && !chips.iter().skip(1).any(|chip| chip.label == category)
        {
            chips.push(Chip {
                label: category.to_owned(),
                count: u32::try_from(list.total).ok(),
                href: day_href(day, Some(category), 1),
                current: "page",
            });
        }

        let link = |day: Date| TextLink {
            href: day_href(day, category, 1),
            label: short_day(day),
        };
        let summary = match category {
            Some(category) => format!("{} in {category}", count(list.total, "paper")),
            None => count(list.total, "paper"),
        };
        let mut items: Vec<ListItem<'a>> = list.papers.iter().map(ListItem::paper).collect();
        show_thumbnails(&mut items, layout.thumbnails);
        let no_announcement =
            (list.total == 0 && category.is_none()).then(|| NoAnnouncement::new(day, neighbours));
        Self {
            layout,
            heading: long_day(day),
            summary,
            chips,
            prev: neighbours.0.map(link),
            next: neighbours.1.map(link),
            items,
            pager: Pager::new(page, list.total, page_size, |n| day_href(day, category, n)),
            empty_store: false,
            no_announcement,
        }
    }

    /// The page shown before any announcement was imported.
    pub(crate) fn empty_store(layout: Layout<'a>) -> Self {
        Self {
            layout,
            heading: String::new(),
            summary: String::new(),
            chips: Vec::new(),
            prev: None,
            next: None,
            items: Vec::new(),
            pager: Pager::new(PageNumber::FIRST, 0, 1, |_| String::new()),
            empty_store: true,
            no_announcement: None,
        }
    }
}
