//! What one subscriber's digest of a period holds.
//!
//! Every digest of a run draws from one [`PeriodPool`] (the period's daily lists in
//! trending order, its new papers and their embeddings) and one [`Readers`] (what
//! the store knows of the readers: previous digests, papers sent, interests and
//! their vectors), each read in bulk once; composing a digest is then pure work,
//! which a run spreads over the cores.

use std::collections::{HashMap, HashSet};

use jiff::Span;
use jiff::civil::Date;
use paperboy_core::foryou::{LikedPaper, Pick, ReaderModel};
use paperboy_core::{ArxivId, Email};
use paperboy_store::{
    DailyItem, DailyQuery, FirehoseQuery, PaperRecord, ReaderInterests, Store, StoreError,
    Subscription,
};

use super::DigestPeriod;

/// Papers in the trending section at most.
pub const TRENDING_PAPERS: usize = 15;
/// Papers in the alerts section at most.
pub const ALERT_PAPERS: usize = 10;
/// Papers in the "for you" section at most.
pub const FOR_YOU_PAPERS: usize = 10;
/// How far back a digest looks for papers added since the previous one.
const LOOKBACK_DAYS: i32 = 14;
/// Daily-list entries a period's pool holds at most.
const LISTED_PAPERS: u32 = 1_000;
/// New papers read per day of a period at most.
const NEW_PAPERS_PER_DAY: u32 = 5_000;

/// The embeddings "for you" ranks with: the search model's name and dimension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VectorSpace {
    /// The model's name, as stored with the embeddings.
    pub model: String,
    /// The vectors' dimension.
    pub dim: usize,
}

impl VectorSpace {
    /// The space of an embedder that knows its model's name and dimension.
    pub fn of(model: Option<&str>, dim: Option<usize>) -> Option<Self> {
        Some(Self {
            model: model?.to_owned(),
            dim: dim?,
        })
    }
}

/// What every digest of one period draws from.
#[derive(Debug)]
pub struct PeriodPool {
    period: DigestPeriod,
    /// The first day of the daily lists the pool covers.
    listed_from: Date,
    /// Daily-list entries from `listed_from` to the period's end, most trending
    /// first.
    listed: Vec<DailyItem>,
    /// Papers first announced in the period.
    new_papers: Vec<PaperRecord>,
    /// Where the embeddings are, when "for you" can be served.
    space: Option<VectorSpace>,
    /// The embeddings of the new papers.
    vectors: HashMap<ArxivId, Vec<f32>>,
}

impl PeriodPool {
    /// Reads the pool of `period`; with `space`, the new papers' embeddings too.
    pub async fn load(
        store: &Store,
        period: DigestPeriod,
        space: Option<VectorSpace>,
    ) -> Result<Self, StoreError> {
        Self::load_with(store, period, space, true).await
    }

    /// The pool of `period` without its daily lists: enough for "for you" alone
    /// (the page and feed), which ranks new papers only.
    pub async fn new_papers(
        store: &Store,
        period: DigestPeriod,
        space: Option<VectorSpace>,
    ) -> Result<Self, StoreError> {
        Self::load_with(store, period, space, false).await
    }

    async fn load_with(
        store: &Store,
        period: DigestPeriod,
        space: Option<VectorSpace>,
        with_lists: bool,
    ) -> Result<Self, StoreError> {
        let listed_from = period
            .from
            .checked_sub(Span::new().days(LOOKBACK_DAYS))
            .unwrap_or(period.from);
        let listed = if with_lists {
            store
                .daily_page(&DailyQuery::trending(
                    listed_from,
                    period.until,
                    0,
                    LISTED_PAPERS,
                ))
                .await?
                .items
        } else {
            Vec::new()
        };
        let mut new_papers = Vec::new();
        let mut day = period.from;
        while day <= period.until {
            let page = store
                .firehose_page(&FirehoseQuery {
                    day,
                    category: None,
                    offset: 0,
                    limit: NEW_PAPERS_PER_DAY,
                })
                .await?;
            new_papers.extend(page.papers);
            let Ok(next) = day.tomorrow() else {
                break;
            };
            day = next;
        }
        let vectors = match &space {
            Some(space) => {
                let ids: Vec<ArxivId> = new_papers.iter().map(|r| r.paper.id.clone()).collect();
                store.embeddings_of(&space.model, space.dim, &ids).await?
            }
            None => HashMap::new(),
        };
        Ok(Self {
            period,
            listed_from,
            listed,
            new_papers,
            space,
            vectors,
        })
    }

    /// The period.
    pub fn period(&self) -> &DigestPeriod {
        &self.period
    }
}

/// A paper in the alerts section and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// The paper.
    pub record: PaperRecord,
    /// `matches “LoRA”`, `by Ada Lovelace`.
    pub reason: String,
}

/// One subscriber's digest of one period.
#[derive(Debug, Clone)]
pub struct Digest {
    /// The period.
    pub period: DigestPeriod,
    /// Trending papers, most trending first.
    pub trending: Vec<DailyItem>,
    /// Papers matching the reader's alerts.
    pub alerts: Vec<Alert>,
    /// New papers closest to what the reader liked, best first.
    pub for_you: Vec<Pick<PaperRecord>>,
}

impl Digest {
    /// Every paper in it, section by section.
    pub fn paper_ids(&self) -> Vec<ArxivId> {
        self.trending
            .iter()
            .map(|item| &item.record)
            .chain(self.alerts.iter().map(|a| &a.record))
            .chain(self.for_you.iter().map(|p| &p.item))
            .map(|record| record.paper.id.clone())
            .collect()
    }

    /// Nothing to send.
    pub fn is_empty(&self) -> bool {
        self.trending.is_empty() && self.alerts.is_empty() && self.for_you.is_empty()
    }
}

/// What a run knows of its readers, read in bulk before any digest is composed:
/// their previous digests, which of the pool's papers each was sent, their
/// interests and the vectors of the papers those name.
#[derive(Debug, Default)]
pub struct Readers {
    last_until: HashMap<String, Date>,
    sent: HashMap<String, HashSet<String>>,
    interests: HashMap<String, ReaderInterests>,
    vectors: HashMap<ArxivId, Vec<f32>>,
}

impl Readers {
    /// What `subscriptions` need for `pool`'s digests.
    pub async fn load(
        store: &Store,
        pool: &PeriodPool,
        subscriptions: &[Subscription],
    ) -> Result<Self, StoreError> {
        let ids: Vec<&str> = subscriptions.iter().map(|s| s.id.as_str()).collect();
        let papers: Vec<&str> = pool
            .listed
            .iter()
            .map(|i| &i.record)
            .chain(&pool.new_papers)
            .map(|r| r.paper.id.as_str())
            .collect();
        let emails: Vec<Email> = subscriptions
            .iter()
            .filter(|s| s.prefs.for_you)
            .map(|s| s.email.clone())
            .collect();
        let mut readers = Self {
            last_until: store.last_digest_days(&ids).await?,
            sent: store.papers_sent_to(&ids, &papers).await?,
            ..Self::default()
        };
        readers.load_interests(store, pool, &emails).await?;
        Ok(readers)
    }

    /// Only the interests of `emails` (the "for you" page and feed).
    pub async fn of_emails(
        store: &Store,
        pool: &PeriodPool,
        emails: &[Email],
    ) -> Result<Self, StoreError> {
        let mut readers = Self::default();
        readers.load_interests(store, pool, emails).await?;
        Ok(readers)
    }

    async fn load_interests(
        &mut self,
        store: &Store,
        pool: &PeriodPool,
        emails: &[Email],
    ) -> Result<(), StoreError> {
        let Some(space) = &pool.space else {
            return Ok(());
        };
        self.interests = store.readers_interests(emails).await?;
        let named: HashSet<&ArxivId> = self
            .interests
            .values()
            .flat_map(|i| i.liked.iter().map(|l| &l.id).chain(&i.turned_down))
            .collect();
        let named: Vec<ArxivId> = named.into_iter().cloned().collect();
        self.vectors = store.embeddings_of(&space.model, space.dim, &named).await?;
        Ok(())
    }

    /// The "for you" model of the reader at `email` and every paper they gave a
    /// word on; `None` while nothing they liked has an embedding.
    fn model(&self, email: &Email) -> Option<(ReaderModel, HashSet<&ArxivId>)> {
        let interests = self.interests.get(&email.key())?;
        let liked: Vec<LikedPaper> = interests
            .liked
            .iter()
            .filter_map(|l| {
                self.vectors.get(&l.id).map(|v| LikedPaper {
                    title: l.title.clone(),
                    liking: l.liking,
                    vector: v.clone(),
                })
            })
            .collect();
        let disliked: Vec<Vec<f32>> = interests
            .turned_down
            .iter()
            .filter_map(|id| self.vectors.get(id).cloned())
            .collect();
        ReaderModel::new(liked, disliked).map(|model| (model, interests.known()))
    }
}

/// What `subscription`'s digest of `pool`'s period holds (no I/O: `readers` holds
/// what the store knows of the reader).
pub fn compose(pool: &PeriodPool, readers: &Readers, subscription: &Subscription) -> Digest {
    let period = &pool.period;
    let from = match readers.last_until.get(&subscription.id) {
        Some(last) if *last < period.from => {
            last.tomorrow().unwrap_or(period.from).max(pool.listed_from)
        }
        _ => period.from,
    };
    let prefs = &subscription.prefs;
    let no_papers = HashSet::new();
    let sent = readers.sent.get(&subscription.id).unwrap_or(&no_papers);
    let mut taken: HashSet<String> = HashSet::new();
    let mut fresh = |record: &PaperRecord| {
        let id = record.paper.id.as_str();
        in_categories(&prefs.categories, record)
            && !sent.contains(id)
            && taken.insert(id.to_owned())
    };
    let trending: Vec<DailyItem> = pool
        .listed
        .iter()
        .filter(|item| item.entry.date >= from)
        .filter(|item| fresh(&item.record))
        .take(TRENDING_PAPERS)
        .cloned()
        .collect();
    let alerts: Vec<Alert> = if prefs.keywords.is_empty() && prefs.authors.is_empty() {
        Vec::new()
    } else {
        pool.new_papers
            .iter()
            .filter_map(|record| {
                alert_reason(record, &prefs.keywords, &prefs.authors).map(|reason| (record, reason))
            })
            .filter(|(record, _)| fresh(record))
            .take(ALERT_PAPERS)
            .map(|(record, reason)| Alert {
                record: record.clone(),
                reason,
            })
            .collect()
    };
    let for_you = if prefs.for_you {
        // Ranked among the papers no earlier section took and the reader was not sent.
        let open: Vec<&PaperRecord> = pool
            .new_papers
            .iter()
            .filter(|record| fresh(record))
            .collect();
        rank(pool, readers, &subscription.email, open, FOR_YOU_PAPERS)
    } else {
        Vec::new()
    };
    Digest {
        period: period.clone(),
        trending,
        alerts,
        for_you,
    }
}

/// The new papers of `pool` closest to what the reader at `email` liked, best
/// first, at most `n`, only those in `categories` (any, when empty); none without
/// a vector space or before the reader liked anything.
pub fn for_you(
    pool: &PeriodPool,
    readers: &Readers,
    email: &Email,
    categories: &[String],
    n: usize,
) -> Vec<Pick<PaperRecord>> {
    let open = pool
        .new_papers
        .iter()
        .filter(|record| in_categories(categories, record))
        .collect();
    rank(pool, readers, email, open, n)
}

/// The best `n` of `open` for the reader at `email`, leaving out what they gave a
/// word on already.
fn rank(
    pool: &PeriodPool,
    readers: &Readers,
    email: &Email,
    open: Vec<&PaperRecord>,
    n: usize,
) -> Vec<Pick<PaperRecord>> {
    let Some((model, known)) = readers.model(email) else {
        return Vec::new();
    };
    let candidates = open.into_iter().filter_map(|record| {
        let id = &record.paper.id;
        if known.contains(id) {
            return None;
        }
        pool.vectors.get(id).map(|v| (record, v.as_slice()))
    });
    model
        .rank(candidates, n)
        .into_iter()
        .map(|pick| Pick {
            item: pick.item.clone(),
            score: pick.score,
            reason: pick.reason,
        })
        .collect()
}

/// Whether `record` is in one of `categories` (any, when there are none).
fn in_categories(categories: &[String], record: &PaperRecord) -> bool {
    categories.is_empty()
        || record.paper.categories.iter().any(|c| {
            categories
                .iter()
                .any(|wanted| wanted.eq_ignore_ascii_case(c))
        })
}

/// Why `record` matches the alerts, if it does: a keyword in its title or abstract
/// (whole words, any case), or a followed author.
fn alert_reason(record: &PaperRecord, keywords: &[String], authors: &[String]) -> Option<String> {
    let text = format!("{} {}", record.paper.title, record.paper.summary).to_lowercase();
    let has_word = |needle: &str| {
        let needle = needle.to_lowercase();
        text.match_indices(&needle).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + needle.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    };
    if let Some(keyword) = keywords.iter().find(|k| has_word(k)) {
        return Some(format!("matches “{keyword}”"));
    }
    authors
        .iter()
        .find(|wanted| {
            record
                .paper
                .authors
                .iter()
                .any(|a| a.name.eq_ignore_ascii_case(wanted.trim()))
        })
        .map(|author| format!("by {author}"))
}
