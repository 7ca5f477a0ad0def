//! A paper's page: metadata, abstract, links and the daily lists it was on.

use std::collections::HashSet;

use askama::Template;
use paperboy_core::paper::announcement_day;
use paperboy_core::{ArxivId, Author, Paper, Period, math};
use paperboy_store::{AuthorClaim, ClaimStatus, Collection, Comment, PaperDetail, PaperRecord};

use super::comments::{CommentLine, mark_authors, thread};
use super::format::{external_href, long_day, short_day, utc_day};
use super::linkify::linkify;
use super::list::{ListItem, mark_voted, page_href, show_thumbnails};
use super::{Layout, SemanticStatus, TextLink};

/// Authors shown before the rest fold into a `<details>`.
const AUTHORS_SHOWN: usize = 20;

/// The paper's entry on one daily list.
#[derive(Debug)]
pub(crate) struct Listing<'a> {
    /// The list's day, `YYYY-MM-DD`.
    pub date: String,
    /// The list's page.
    pub href: String,
    /// `Monday, 27 May 2024`.
    pub day: String,
    /// Upvotes on that list.
    pub upvotes: u32,
    /// Comments on that list.
    pub comments: u32,
    /// Who put it there.
    pub submitter: Option<&'a str>,
}

/// `paper.html`.
#[derive(Template)]
#[template(path = "paper.html")]
pub(crate) struct PaperView<'a> {
    layout: Layout<'a>,
    paper: &'a Paper,
    upvotes: u32,
    /// The first authors, shown at once.
    authors: &'a [Author],
    /// The rest, folded away.
    more_authors: &'a [Author],
    /// `v2` when a source gave the version.
    version: Option<String>,
    published: Option<String>,
    updated: Option<String>,
    abs_url: String,
    pdf_url: String,
    code: Option<&'a str>,
    project_page: Option<&'a str>,
    /// Every other web link found in the abstract and comments.
    other_links: Vec<&'a str>,
    doi: Option<&'a str>,
    /// The resolver link of a single DOI.
    doi_href: Option<String>,
    license: Option<&'a str>,
    listings: Vec<Listing<'a>>,
    /// The day arXiv announced it (its first listing, a weekend repeat folded into
    /// Friday's announcement), linked to that day's firehose.
    announced: Option<TextLink>,
    /// Whether the details section has anything to show.
    has_details: bool,
    /// Key phrases, each a link to a search for it.
    keywords: Vec<TextLink>,
    /// The nearest papers by embedding.
    similar: Vec<ListItem<'a>>,
    /// Why `similar` is empty, when it is.
    no_similar: String,
    /// The paper as its vote box sees it.
    vote: ListItem<'a>,
    /// Local upvoters' usernames.
    upvoters: Vec<String>,
    /// The comments, threads in reading order.
    comments: Vec<CommentLine>,
    /// Comments that readers see (not hidden or deleted).
    visible_comments: usize,
    /// The reader may comment (signed in, with a username).
    can_comment: bool,
    /// The reader is an admin: the curation form shows.
    admin: bool,
    /// The reader's collections, for the save form.
    collections: Vec<Collection>,
    /// What the page says of each author shown (same order as `authors`).
    author_marks: Vec<AuthorMark>,
    /// Why moderators hid the paper from the lists.
    hidden_reason: Option<String>,
    /// The reader moderates: the hide form shows.
    moderator: bool,
    /// Claims waiting for a moderator (shown to moderators): author position, name,
    /// claimant.
    pending_claims: Vec<(usize, String, String)>,
}

/// Authorship of one author entry, as the page shows it.
#[derive(Debug, Default, Clone)]
pub(crate) struct AuthorMark {
    /// The verified author's username.
    pub verified: Option<String>,
    /// The reader may claim this entry ("this is me").
    pub claimable: bool,
}

/// A search for exactly `phrase`: quoted when it has several words.
fn phrase_search(phrase: &str) -> TextLink {
    let phrase = phrase.replace('"', " ");
    let phrase = phrase.trim();
    let query = if phrase.contains(char::is_whitespace) {
        format!("\"{phrase}\"")
    } else {
        phrase.to_owned()
    };
    TextLink {
        href: page_href("/search", &[("q", &query)], 1),
        label: phrase.to_owned(),
    }
}

impl<'a> PaperView<'a> {
    /// The title as HTML (escaped, its formulas as MathML).
    pub(crate) fn title_html(&self) -> String {
        math::to_html(&self.paper.title)
    }

    /// The title as plain text (formulas in Unicode), for the window title.
    pub(crate) fn title_text(&self) -> String {
        math::to_unicode(&self.paper.title)
    }

    /// The abstract as HTML, its URLs and arXiv ids linked.
    pub(crate) fn summary_html(&self) -> String {
        linkify(&math::to_html(&self.paper.summary))
    }

    /// arXiv's comments field as HTML, its URLs and arXiv ids linked.
    pub(crate) fn comments_html(&self) -> Option<String> {
        self.paper
            .comments
            .as_deref()
            .map(|c| linkify(&math::to_html(c)))
    }

    /// The one-sentence summary as HTML.
    pub(crate) fn ai_summary_html(&self) -> Option<String> {
        self.paper.ai_summary.as_deref().map(math::to_html)
    }

    /// The page of `detail`, with the `similar` papers (and their similarity) that
    /// semantic search in `status` found.
    pub(crate) fn new(
        layout: Layout<'a>,
        detail: &'a PaperDetail,
        similar: &'a [(PaperRecord, f32)],
        status: SemanticStatus,
    ) -> Self {
        let paper = &detail.record.paper;
        let (authors, more_authors) = paper
            .authors
            .split_at(paper.authors.len().min(AUTHORS_SHOWN));
        let mut vote = ListItem::paper(&detail.record);
        show_thumbnails(std::slice::from_mut(&mut vote), layout.thumbnails);
        let code = paper.github_repo.as_deref().and_then(external_href);
        let project_page = paper.project_page.as_deref().and_then(external_href);
        let other_links: Vec<&str> = paper
            .links
            .iter()
            .filter_map(|url| external_href(url))
            .filter(|url| Some(*url) != code && Some(*url) != project_page)
            .collect();
        let doi = paper.doi.as_deref();
        // One DOI links to its resolver; a list of them stays text.
        let doi_href = doi
            .filter(|doi| !doi.contains(|c: char| c.is_whitespace() || c == ','))
            .map(|doi| format!("https://doi.org/{doi}"));
        let published = paper.published_or_announced();
        let license = paper.license.as_deref().and_then(external_href);
        let has_details = paper.comments.is_some()
            || paper.journal_ref.is_some()
            || doi.is_some()
            || license.is_some()
            || !paper.announced.is_empty()
            || !other_links.is_empty();
        Self {
            layout,
            paper,
            upvotes: detail.record.upvotes,
            authors,
            more_authors,
            version: paper.version.map(|v| format!("v{v}")),
            published: published.map(utc_day),
            updated: paper
                .updated
                .filter(|updated| Some(*updated) != published)
                .map(utc_day),
            abs_url: paper.id.abs_url(),
            pdf_url: paper.id.pdf_url(),
            code,
            project_page,
            other_links,
            doi,
            doi_href,
            license,
            listings: detail
                .entries
                .iter()
                .map(|entry| Listing {
                    date: entry.date.to_string(),
                    href: Period::Day(entry.date).path(),
                    day: long_day(entry.date),
                    upvotes: entry.upvotes,
                    comments: entry.num_comments,
                    submitter: entry.submitted_by.as_ref().map(|s| s.name.as_str()),
                })
                .collect(),
            announced: paper
                .announced
                .first()
                .map(|&listed| announcement_day(listed))
                .map(|day| TextLink {
                    href: format!("/papers/new/{day}"),
                    label: short_day(day),
                }),
            has_details,
            keywords: paper
                .ai_keywords
                .iter()
                .filter(|k| !k.trim().is_empty())
                .map(|k| phrase_search(k))
                .collect(),
            similar: similar
                .iter()
                .map(|(record, _)| ListItem::paper(record))
                .collect(),
            no_similar: status.no_similar_papers(),
            vote,
            upvoters: Vec::new(),
            comments: Vec::new(),
            visible_comments: 0,
            can_comment: false,
            admin: false,
            collections: Vec::new(),
            author_marks: vec![AuthorMark::default(); authors.len()],
            pending_claims: Vec::new(),
            hidden_reason: None,
            moderator: false,
        }
    }

    /// Whether (and why) moderators hid the paper from the lists.
    pub(crate) fn with_moderation(mut self, hidden_reason: Option<String>) -> Self {
        self.moderator = self.layout.viewer.is_some_and(|r| r.user.role.moderates());
        self.hidden_reason = hidden_reason;
        self
    }

    /// The authorship claims on the paper, as the reader may see and act on them.
    pub(crate) fn with_claims(mut self, claims: &[AuthorClaim]) -> Self {
        let reader = self.layout.viewer;
        let named = reader.is_some_and(|r| r.user.username.is_some());
        let claimed_one = reader.is_some_and(|r| {
            claims
                .iter()
                .any(|c| c.user_id == r.user.id && c.status != ClaimStatus::Rejected)
        });
        for (index, mark) in self.author_marks.iter_mut().enumerate() {
            let claim = claims.iter().find(|c| c.author_index == index);
            mark.verified = claim
                .filter(|c| c.status == ClaimStatus::Verified)
                .and_then(|c| c.username.clone());
            mark.claimable =
                named && !claimed_one && claim.is_none_or(|c| c.status == ClaimStatus::Rejected);
        }
        if reader.is_some_and(|r| r.user.role.moderates()) {
            self.pending_claims = claims
                .iter()
                .filter(|c| c.status == ClaimStatus::Pending)
                .map(|c| {
                    let name = self
                        .paper
                        .authors
                        .get(c.author_index)
                        .map(|a| a.name.clone())
                        .unwrap_or_default();
                    (c.author_index, name, c.username.clone().unwrap_or_default())
                })
                .collect();
        }
        let authors: Vec<String> = claims
            .iter()
            .filter(|c| c.status == ClaimStatus::Verified)
            .map(|c| c.user_id.clone())
            .collect();
        mark_authors(&mut self.comments, &authors);
        self
    }

    /// The reader's collections, offered in the save form.
    pub(crate) fn with_collections(mut self, collections: Vec<Collection>) -> Self {
        self.collections = collections;
        self
    }

    /// The comments on the paper, with what the page's reader may do with them.
    pub(crate) fn with_comments(mut self, comments: &[Comment]) -> Self {
        let reader = self.layout.viewer;
        self.comments = thread(comments, reader);
        self.visible_comments = comments.iter().filter(|c| c.is_visible()).count();
        self.can_comment = reader.is_some_and(|r| r.user.username.is_some());
        self.admin = reader.is_some_and(|r| r.user.role == paperboy_core::Role::Admin);
        self
    }

    /// The reader's own vote (`voted`), who upvoted it, and which `similar` papers
    /// the reader upvoted.
    pub(crate) fn with_votes(mut self, voted: &HashSet<ArxivId>, upvoters: Vec<String>) -> Self {
        mark_voted(std::slice::from_mut(&mut self.vote), voted);
        mark_voted(&mut self.similar, voted);
        self.upvoters = upvoters;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_phrases_link_to_a_search_for_the_exact_phrase() {
        let chip = phrase_search("LLM agents");
        assert_eq!(chip.label, "LLM agents");
        assert_eq!(chip.href, "/search?q=%22LLM+agents%22");
        assert_eq!(phrase_search("RLHF").href, "/search?q=RLHF");
        assert_eq!(
            phrase_search(" \"odd\" one").href,
            "/search?q=%22odd++one%22"
        );
    }
}
