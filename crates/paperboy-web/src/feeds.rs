//! RSS 2.0 and Atom 1.0 feeds of paper lists, with absolute links (from
//! `public_url`, else the request's host). Every text is XML-escaped; titles and
//! abstracts go in as plain text, their LaTeX as Unicode (`$\alpha$` as α).

use paperboy_core::math;
use paperboy_core::text::escape_markup as escape;
use std::fmt::Write;

use jiff::Timestamp;
use paperboy_store::PaperRecord;

/// Which flavour of feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FeedFormat {
    /// RSS 2.0 (`.rss`).
    Rss,
    /// Atom 1.0 (`.atom`).
    Atom,
}

impl FeedFormat {
    /// The format a file name's extension names: `daily.rss` or `daily.atom`.
    pub(crate) fn of(name: &str) -> Option<(&str, Self)> {
        if let Some(stem) = name.strip_suffix(".rss") {
            Some((stem, Self::Rss))
        } else {
            name.strip_suffix(".atom").map(|stem| (stem, Self::Atom))
        }
    }

    /// The `Content-Type` of this format.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::Rss => "application/rss+xml; charset=utf-8",
            Self::Atom => "application/atom+xml; charset=utf-8",
        }
    }
}

/// One entry of a feed.
#[derive(Debug)]
pub(crate) struct FeedItem<'a> {
    /// The paper.
    pub record: &'a PaperRecord,
    /// When it joined the list the feed shows (its publication when unknown).
    pub at: Option<Timestamp>,
    /// A line to put before the abstract (`42 upvotes · submitted by ada`).
    pub note: Option<String>,
}

/// A feed: its title, the page it mirrors, and its entries in list order.
#[derive(Debug)]
pub(crate) struct Feed<'a> {
    /// The feed's title.
    pub title: String,
    /// What it lists.
    pub description: String,
    /// The absolute URL of the page it mirrors.
    pub page_url: String,
    /// Its own absolute URL.
    pub self_url: String,
    /// The site's absolute base URL, for paper links.
    pub base: String,
    /// The entries, in the list's order.
    pub items: Vec<FeedItem<'a>>,
}

impl Feed<'_> {
    fn paper_url(&self, item: &FeedItem<'_>) -> String {
        format!("{}/papers/{}", self.base, item.record.paper.id)
    }

    fn body(item: &FeedItem<'_>) -> String {
        let summary = math::to_unicode(&item.record.paper.summary);
        match &item.note {
            Some(note) => format!("{note}\n\n{summary}"),
            None => summary,
        }
    }

    fn when(item: &FeedItem<'_>) -> Timestamp {
        item.at
            .or_else(|| item.record.paper.published_or_announced())
            .unwrap_or(item.record.first_seen)
    }

    /// The feed as `format`.
    pub(crate) fn render(&self, format: FeedFormat) -> String {
        match format {
            FeedFormat::Rss => self.rss(),
            FeedFormat::Atom => self.atom(),
        }
    }

    fn rss(&self) -> String {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" \
             xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n",
        );
        let _ = write!(
            xml,
            "<title>{}</title>\n<link>{}</link>\n<description>{}</description>\n\
             <atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
            escape(&self.title),
            escape(&self.page_url),
            escape(&self.description),
            escape(&self.self_url),
        );
        for item in &self.items {
            let paper = &item.record.paper;
            let url = self.paper_url(item);
            let _ = write!(
                xml,
                "<item>\n<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"true\">{}</guid>\n\
                 <pubDate>{}</pubDate>\n<description>{}</description>\n",
                escape(&math::to_unicode(&paper.title)),
                escape(&url),
                escape(&url),
                Self::when(item).strftime("%a, %d %b %Y %H:%M:%S +0000"),
                escape(&Self::body(item)),
            );
            for author in paper.authors.iter().take(20) {
                let _ = writeln!(xml, "<dc:creator>{}</dc:creator>", escape(&author.name));
            }
            for category in &paper.categories {
                let _ = writeln!(xml, "<category>{}</category>", escape(category));
            }
            xml.push_str("</item>\n");
        }
        xml.push_str("</channel>\n</rss>\n");
        xml
    }

    fn atom(&self) -> String {
        let updated = self
            .items
            .iter()
            .map(Self::when)
            .max()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
        );
        let _ = write!(
            xml,
            "<title>{}</title>\n<subtitle>{}</subtitle>\n<id>{}</id>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n\
             <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n<updated>{}</updated>\n",
            escape(&self.title),
            escape(&self.description),
            escape(&self.self_url),
            escape(&self.page_url),
            escape(&self.self_url),
            updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
        );
        for item in &self.items {
            let paper = &item.record.paper;
            let url = self.paper_url(item);
            let _ = write!(
                xml,
                "<entry>\n<title>{}</title>\n<id>{}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n\
                 <updated>{}</updated>\n<summary type=\"text\">{}</summary>\n",
                escape(&math::to_unicode(&paper.title)),
                escape(&url),
                escape(&url),
                Self::when(item).strftime("%Y-%m-%dT%H:%M:%SZ"),
                escape(&Self::body(item)),
            );
            for author in paper.authors.iter().take(20) {
                let _ = writeln!(
                    xml,
                    "<author><name>{}</name></author>",
                    escape(&author.name)
                );
            }
            if paper.authors.is_empty() {
                xml.push_str("<author><name>unknown</name></author>\n");
            }
            for category in &paper.categories {
                let _ = writeln!(xml, "<category term=\"{}\"/>", escape(category));
            }
            xml.push_str("</entry>\n");
        }
        xml.push_str("</feed>\n");
        xml
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_specials_are_escaped_and_forbidden_characters_dropped() {
        assert_eq!(
            escape("<script>\"a\" & 'b'\u{1}</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &apos;b&apos;&lt;/script&gt;"
        );
    }

    #[test]
    fn feed_files_name_their_format() {
        assert_eq!(
            FeedFormat::of("daily.rss"),
            Some(("daily", FeedFormat::Rss))
        );
        assert_eq!(FeedFormat::of("ada.atom"), Some(("ada", FeedFormat::Atom)));
        assert_eq!(FeedFormat::of("daily.xml"), None);
    }
}
