//! What one subscriber's digest of a period holds.
//!
//! Every digest of a run draws from one [`PeriodPool`] (the period's daily lists in
//! trending order, its new papers and their embeddings), read once; each reader
//! then costs a few small queries: their previous digest, their interests and which
//! of the chosen papers they were sent before.

use std::collections::{HashMap, HashSet};

use jiff::Span;
use jiff::civil::Date;
use paperboy_core::foryou::{LikedPaper, Pick, ReaderModel};
use paperboy_core::{ArxivId, Email};
use paperboy_store::{
    DailyItem, DailyQuery, FirehoseQuery, PaperRecord, Store, StoreError, Subscription,
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
        let listed_from = period
            .from
            .checked_sub(Span::new().days(LOOKBACK_DAYS))
            .unwrap_or(period.from);
        let listed = store
            .daily_page(&DailyQuery::trending(
                listed_from,
                period.until,
                0,
                LISTED_PAPERS,
            ))
            .await?
            .items;
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

/// What `subscription`'s digest of `pool`'s period holds.
pub async fn compose(
    store: &Store,
    pool: &PeriodPool,
    subscription: &Subscription,
) -> Result<Digest, StoreError> {
    let period = &pool.period;
    let from = match store.last_digest(&subscription.id).await? {
        Some(last) if last.until_day < period.from => last
            .until_day
            .tomorrow()
            .unwrap_or(period.from)
            .max(pool.listed_from),
        _ => period.from,
    };
    let wanted = |record: &PaperRecord| in_categories(&subscription.prefs.categories, record);
    let listed: Vec<&DailyItem> = pool
        .listed
        .iter()
        .filter(|item| item.entry.date >= from && wanted(&item.record))
        .collect();
    let prefs = &subscription.prefs;
    let alerts: Vec<Alert> = if prefs.keywords.is_empty() && prefs.authors.is_empty() {
        Vec::new()
    } else {
        pool.new_papers
            .iter()
            .filter(|record| wanted(record))
            .filter_map(|record| {
                alert_reason(record, &prefs.keywords, &prefs.authors).map(|reason| Alert {
                    record: record.clone(),
                    reason,
                })
            })
            .collect()
    };
    let for_you = if prefs.for_you {
        // More than the section shows, so that papers sent before can be dropped.
        let n = FOR_YOU_PAPERS * 3;
        for_you(store, pool, &subscription.email, &prefs.categories, n).await?
    } else {
        Vec::new()
    };

    // One look at what the reader was sent before, over the head of each section;
    // a section that comes up short looks further down its own list.
    let mut sent = Sent::default();
    let heads = listed
        .iter()
        .take(TRENDING_PAPERS * 2)
        .map(|i| &i.record)
        .chain(alerts.iter().take(ALERT_PAPERS * 2).map(|a| &a.record))
        .chain(for_you.iter().map(|p| &p.item));
    sent.ask(store, &subscription.id, heads).await?;
    let trending = sent
        .keep(store, &subscription.id, listed, TRENDING_PAPERS, |i| {
            &i.record
        })
        .await?
        .into_iter()
        .cloned()
        .collect();
    let alerts = sent
        .keep(store, &subscription.id, alerts, ALERT_PAPERS, |a| &a.record)
        .await?;
    let for_you = sent
        .keep(store, &subscription.id, for_you, FOR_YOU_PAPERS, |p| {
            &p.item
        })
        .await?;
    Ok(Digest {
        period: period.clone(),
        trending,
        alerts,
        for_you,
    })
}

/// What a reader was sent before, as far as asked, and what this digest took.
#[derive(Debug, Default)]
struct Sent {
    /// Ids asked about.
    asked: HashSet<String>,
    /// Ids sent before or taken by an earlier section.
    taken: HashSet<String>,
}

impl Sent {
    /// Asks the store about those of `records` not asked about yet.
    async fn ask<'r>(
        &mut self,
        store: &Store,
        subscription: &str,
        records: impl Iterator<Item = &'r PaperRecord>,
    ) -> Result<(), StoreError> {
        let new: Vec<&str> = records
            .map(|r| r.paper.id.as_str())
            .filter(|id| !self.asked.contains(*id))
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        self.taken
            .extend(store.papers_sent(subscription, &new).await?);
        self.asked.extend(new.into_iter().map(str::to_owned));
        Ok(())
    }

    /// The first `n` of `items` not sent before nor taken, in order; marks them
    /// taken. Asks the store about further items only when the head runs short.
    async fn keep<T>(
        &mut self,
        store: &Store,
        subscription: &str,
        items: Vec<T>,
        n: usize,
        record: impl Fn(&T) -> &PaperRecord,
    ) -> Result<Vec<T>, StoreError> {
        let mut kept = Vec::with_capacity(n);
        let mut rest = items.into_iter().peekable();
        while kept.len() < n && rest.peek().is_some() {
            let batch: Vec<T> = rest.by_ref().take(n * 2).collect();
            self.ask(store, subscription, batch.iter().map(&record))
                .await?;
            for item in batch {
                if kept.len() < n && self.taken.insert(record(&item).paper.id.to_string()) {
                    kept.push(item);
                }
            }
        }
        Ok(kept)
    }
}

/// The new papers of `pool` closest to what the reader at `email` liked, best
/// first, at most `n`, only those in `categories` (any, when empty); none without
/// a vector space or before the reader liked anything.
pub async fn for_you(
    store: &Store,
    pool: &PeriodPool,
    email: &Email,
    categories: &[String],
    n: usize,
) -> Result<Vec<Pick<PaperRecord>>, StoreError> {
    let Some(space) = &pool.space else {
        return Ok(Vec::new());
    };
    let Some((model, known)) = reader_model(store, space, email).await? else {
        return Ok(Vec::new());
    };
    let candidates = pool.new_papers.iter().filter_map(|record| {
        let id = &record.paper.id;
        if known.contains(id) || !in_categories(categories, record) {
            return None;
        }
        pool.vectors.get(id).map(|v| (record, v.as_slice()))
    });
    Ok(model
        .rank(candidates, n)
        .into_iter()
        .map(|pick| Pick {
            item: pick.item.clone(),
            score: pick.score,
            reason: pick.reason,
        })
        .collect())
}

/// The "for you" model of the reader at `email` and the papers they already gave
/// a word on; `None` while nothing they liked has an embedding.
pub async fn reader_model(
    store: &Store,
    space: &VectorSpace,
    email: &Email,
) -> Result<Option<(ReaderModel, HashSet<ArxivId>)>, StoreError> {
    let interests = store.reader_interests(email).await?;
    if interests.liked.is_empty() {
        return Ok(None);
    }
    let mut ids: Vec<ArxivId> = interests.liked.iter().map(|l| l.id.clone()).collect();
    ids.extend(interests.turned_down.iter().cloned());
    let mut vectors = store.embeddings_of(&space.model, space.dim, &ids).await?;
    let liked: Vec<LikedPaper> = interests
        .liked
        .iter()
        .filter_map(|l| {
            vectors.get(&l.id).map(|v| LikedPaper {
                title: l.title.clone(),
                liking: l.liking,
                vector: v.clone(),
            })
        })
        .collect();
    let disliked: Vec<Vec<f32>> = interests
        .turned_down
        .iter()
        .filter_map(|id| vectors.remove(id))
        .collect();
    let known: HashSet<ArxivId> = interests.known().into_iter().cloned().collect();
    Ok(ReaderModel::new(liked, disliked).map(|model| (model, known)))
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
