//! The curated daily lists: one day, an ISO week or a month, most upvoted first.

use std::collections::HashSet;

use askama::Template;
use paperboy_core::{ArxivId, Period};
use paperboy_store::DailyPage;

use super::format::{count, long_day, period_label};
use super::list::{ListItem, Pager, mark_voted, page_href, show_thumbnails};
use super::{Layout, Tab, TextLink, aria_current};
use crate::input::PageNumber;

/// A link to the list of `period`, named e.g. `Week 21 of 2024`.
fn period_link(period: Period) -> TextLink {
    TextLink {
        href: period.path(),
        label: period_label(period),
    }
}

/// `daily.html`.
#[derive(Template)]
#[template(path = "daily.html")]
pub(crate) struct DailyView<'a> {
    layout: Layout<'a>,
    /// The `<title>`.
    title: String,
    /// What the list covers, e.g. `Monday, 27 May 2024`.
    heading: String,
    /// `13 papers`.
    summary: String,
    tabs: Vec<Tab>,
    prev: Option<TextLink>,
    next: Option<TextLink>,
    items: Vec<ListItem<'a>>,
    pager: Pager,
    /// The database has no daily lists at all: say how to import some.
    empty_store: bool,
    /// The day the date picker starts on (`YYYY-MM-DD`): the period's first.
    picker_day: String,
}

impl<'a> DailyView<'a> {
    /// Marks the papers the reader upvoted (`voted`).
    pub(crate) fn with_votes(mut self, voted: &HashSet<ArxivId>) -> Self {
        mark_voted(&mut self.items, voted);
        self
    }

    /// The ids of the papers listed.
    pub(crate) fn paper_ids(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|item| item.id)
    }

    /// Page `page` of `list`, the entries of `period`, shown `page_size` at a time, with
    /// links to the lists before and after.
    pub(crate) fn new(
        layout: Layout<'a>,
        period: Period,
        page: PageNumber,
        page_size: u32,
        list: &'a DailyPage,
        neighbours: (Option<Period>, Option<Period>),
    ) -> Self {
        let (first_day, _) = period.bounds();
        let heading = match period {
            Period::Day(day) => long_day(day),
            Period::Week { .. } => {
                let (from, until) = period.bounds();
                format!(
                    "{}: {} to {}",
                    period_label(period),
                    from.strftime("%-d %b"),
                    until.strftime("%-d %b %Y")
                )
            }
            Period::Month { .. } => period_label(period),
        };
        let tabs = [
            ("Day", Period::Day(first_day)),
            ("Week", Period::week_of(first_day)),
            ("Month", Period::month_of(first_day)),
        ]
        .into_iter()
        .map(|(label, target)| Tab {
            label,
            href: target.path(),
            current: aria_current(
                std::mem::discriminant(&target) == std::mem::discriminant(&period),
            ),
        })
        .collect();
        let offset = page.offset(page_size);
        let spans_days = !matches!(period, Period::Day(_));
        let path = period.path();
        let mut items: Vec<ListItem<'a>> = (offset + 1..)
            .zip(&list.items)
            .map(|(rank, item)| ListItem::daily(item, rank, spans_days))
            .collect();
        show_thumbnails(&mut items, layout.thumbnails);
        Self {
            layout,
            title: format!("Daily papers: {}", period_label(period)),
            heading,
            summary: count(list.total, "paper"),
            tabs,
            prev: neighbours.0.map(period_link),
            next: neighbours.1.map(period_link),
            items,
            pager: Pager::new(page, list.total, page_size, |n| page_href(&path, &[], n)),
            empty_store: false,
            picker_day: first_day.to_string(),
        }
    }

    /// The page shown before any daily list was imported.
    pub(crate) fn empty_store(layout: Layout<'a>) -> Self {
        Self {
            layout,
            title: "Daily papers".into(),
            heading: "No papers yet".into(),
            summary: String::new(),
            tabs: Vec::new(),
            prev: None,
            next: None,
            items: Vec::new(),
            pager: Pager::new(PageNumber::FIRST, 0, 1, |_| String::new()),
            empty_store: true,
            picker_day: String::new(),
        }
    }
}
