//! Digests: what a subscriber's digest of a period holds ([`compose`]) and the
//! email it becomes (multipart text and HTML, with `List-Id`, `List-Unsubscribe`
//! and RFC 8058 one-click headers).
//!
//! A digest of period P lists, most trending first with their upvotes, the papers on
//! P's daily lists plus those added to a daily list since the reader's previous
//! digest, minus every paper the reader was sent before; then the new papers of the
//! period that match the reader's keyword and author alerts. A paper reaches a
//! reader at most once; an empty digest is recorded but not sent.

use std::collections::HashSet;

use std::time::Duration;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, ToSpan};
use paperboy_core::digest::{LINK_KEY, LinkPurpose};
use paperboy_core::text::escape_markup as escape;
use paperboy_core::{DigestPrefs, Frequency, Mail};
use paperboy_jobs::{BoxFuture, Job, JobContext, JobError, JobSpec, Outcome, Progress, Scope};
use paperboy_store::secret::signed_link;
use paperboy_store::{
    DailyItem, DailyQuery, DigestRecord, FirehoseQuery, PaperRecord, Store, Subscription,
};

/// Papers in the trending section at most.
pub const TRENDING_PAPERS: usize = 15;
/// Papers in the alerts section at most.
pub const ALERT_PAPERS: usize = 10;
/// How far back a digest looks for papers added since the previous one.
const LOOKBACK_DAYS: i32 = 14;

/// A digest period: a day, or for weekly digests the seven days ending on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestPeriod {
    /// Its name: `2026-12-02`, or the ISO week of its last day, `2026-W49`.
    pub name: String,
    /// Its first day.
    pub from: Date,
    /// Its last day.
    pub until: Date,
}

impl DigestPeriod {
    /// The period of `frequency` that ends on `as_of`.
    pub fn ending(frequency: Frequency, as_of: Date) -> Self {
        match frequency {
            Frequency::Daily => Self {
                name: as_of.to_string(),
                from: as_of,
                until: as_of,
            },
            Frequency::Weekly => {
                let week = as_of.iso_week_date();
                Self {
                    name: format!("{}-W{:02}", week.year(), week.week()),
                    from: as_of.checked_sub(6.days()).unwrap_or(as_of),
                    until: as_of,
                }
            }
        }
    }
}

/// How digests present themselves.
#[derive(Debug, Clone)]
pub struct DigestSite {
    /// The site's name (`paperboy`).
    pub name: String,
    /// The absolute base URL links start with, without a trailing `/`.
    pub base_url: String,
    /// The key that signs manage and unsubscribe links.
    pub link_key: String,
}

impl DigestSite {
    /// The absolute signed link of `purpose` for subscription `id`.
    pub fn link(&self, purpose: LinkPurpose, id: &str) -> String {
        format!(
            "{}{}",
            self.base_url,
            signed_link(&self.link_key, purpose, id)
        )
    }

    fn host(&self) -> &str {
        let rest = self.base_url.split("://").nth(1).unwrap_or(&self.base_url);
        rest.split(['/', ':']).next().unwrap_or("localhost")
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
}

impl Digest {
    /// Every paper in it, trending first.
    pub fn paper_ids(&self) -> Vec<paperboy_core::ArxivId> {
        self.trending
            .iter()
            .map(|item| item.record.paper.id.clone())
            .chain(self.alerts.iter().map(|a| a.record.paper.id.clone()))
            .collect()
    }

    /// Nothing to send.
    pub fn is_empty(&self) -> bool {
        self.trending.is_empty() && self.alerts.is_empty()
    }
}

/// What `subscription`'s digest of `period` holds.
pub async fn compose(
    store: &Store,
    subscription: &Subscription,
    period: DigestPeriod,
) -> Result<Digest, paperboy_store::StoreError> {
    let earliest = period
        .from
        .checked_sub(Span::new().days(LOOKBACK_DAYS))
        .unwrap_or(period.from);
    let from = match store.last_digest(&subscription.id).await? {
        Some(last) if last.until_day < period.from => last
            .until_day
            .tomorrow()
            .unwrap_or(period.from)
            .max(earliest),
        _ => period.from,
    };
    let prefs = &subscription.prefs;
    let in_categories = |record: &PaperRecord| {
        prefs.categories.is_empty()
            || record.paper.categories.iter().any(|c| {
                prefs
                    .categories
                    .iter()
                    .any(|wanted| wanted.eq_ignore_ascii_case(c))
            })
    };
    let listed = store
        .daily_page(&DailyQuery::trending(from, period.until, 0, 1_000))
        .await?
        .items;
    let ids: Vec<&str> = listed.iter().map(|i| i.record.paper.id.as_str()).collect();
    let sent = store.papers_sent(&subscription.id, &ids).await?;
    let trending: Vec<DailyItem> = listed
        .into_iter()
        .filter(|item| in_categories(&item.record) && !sent.contains(item.record.paper.id.as_str()))
        .take(TRENDING_PAPERS)
        .collect();

    let mut alerts = Vec::new();
    if !prefs.keywords.is_empty() || !prefs.authors.is_empty() {
        let taken: HashSet<String> = trending
            .iter()
            .map(|i| i.record.paper.id.to_string())
            .collect();
        let mut day = period.from;
        while day <= period.until && alerts.len() < ALERT_PAPERS {
            let page = store
                .firehose_page(&FirehoseQuery {
                    day,
                    category: None,
                    offset: 0,
                    limit: 5_000,
                })
                .await?;
            let ids: Vec<&str> = page.papers.iter().map(|r| r.paper.id.as_str()).collect();
            let sent = store.papers_sent(&subscription.id, &ids).await?;
            for record in page.papers {
                let id = record.paper.id.to_string();
                if alerts.len() >= ALERT_PAPERS || sent.contains(&id) || taken.contains(&id) {
                    continue;
                }
                if let Some(reason) = alert_reason(&record, &prefs.keywords, &prefs.authors)
                    && in_categories(&record)
                {
                    alerts.push(Alert { record, reason });
                }
            }
            let Some(next) = day.tomorrow().ok() else {
                break;
            };
            day = next;
        }
    }
    Ok(Digest {
        period,
        trending,
        alerts,
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

/// The email of `digest` for `subscription`.
pub fn digest_mail(site: &DigestSite, subscription: &Subscription, digest: &Digest) -> Mail {
    let paper_url = |id: &str| format!("{}/papers/{id}", site.base_url);
    let manage = site.link(LinkPurpose::Manage, &subscription.id);
    let unsubscribe = site.link(LinkPurpose::Unsubscribe, &subscription.id);
    let count = digest.trending.len() + digest.alerts.len();
    let subject = match digest.trending.first() {
        Some(top) => format!(
            "{}: {} and {} more",
            site.name,
            shorten(&top.record.paper.title, 70),
            count - 1
        ),
        None => format!("{}: {count} papers matching your alerts", site.name),
    };

    let mut text = format!("Trending papers, {}\n\n", digest.period.name);
    let mut html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <meta name=\"color-scheme\" content=\"light dark\"><title>{}</title></head>\
         <body style=\"margin:0;padding:16px;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;line-height:1.45\">\
         <div style=\"max-width:640px;margin:0 auto\">\
         <h1 style=\"font-size:20px;margin:0 0 4px\">Trending papers</h1>\
         <p style=\"margin:0 0 16px;opacity:.7\">{}</p>",
        escape(&subject),
        escape(&digest.period.name)
    );
    for (rank, item) in digest.trending.iter().enumerate() {
        let paper = &item.record.paper;
        let url = paper_url(paper.id.as_str());
        text.push_str(&format!(
            "{}. {} ({} upvotes)\n   {url}\n",
            rank + 1,
            paper.title,
            item.entry.upvotes
        ));
        html.push_str(&format!(
            "<div style=\"padding:10px 0;border-top:1px solid rgba(127,127,127,.3)\">\
             <a href=\"{}\" style=\"font-weight:600;font-size:16px;color:#2563eb;text-decoration:none\">{}</a>\
             <div style=\"font-size:14px;opacity:.75\">▲ {} · {}</div>",
            escape(&url),
            escape(&paper.title),
            item.entry.upvotes,
            escape(&authors(paper))
        ));
        if let Some(tldr) = &paper.ai_summary {
            text.push_str(&format!("   {tldr}\n"));
            html.push_str(&format!(
                "<div style=\"font-size:14px;margin-top:2px\">{}</div>",
                escape(tldr)
            ));
        }
        html.push_str("</div>");
    }
    if !digest.alerts.is_empty() {
        text.push_str("\nMatching your alerts\n\n");
        html.push_str("<h2 style=\"font-size:17px;margin:20px 0 4px\">Matching your alerts</h2>");
        for alert in &digest.alerts {
            let paper = &alert.record.paper;
            let url = paper_url(paper.id.as_str());
            text.push_str(&format!("- {} ({})\n  {url}\n", paper.title, alert.reason));
            html.push_str(&format!(
                "<div style=\"padding:8px 0;border-top:1px solid rgba(127,127,127,.3)\">\
                 <a href=\"{}\" style=\"font-weight:600;color:#2563eb;text-decoration:none\">{}</a>\
                 <div style=\"font-size:14px;opacity:.75\">{} · {}</div></div>",
                escape(&url),
                escape(&paper.title),
                escape(&alert.reason),
                escape(&authors(paper))
            ));
        }
    }
    text.push_str(&format!(
        "\nChange topics, time or frequency: {manage}\nUnsubscribe: {unsubscribe}\n"
    ));
    html.push_str(&format!(
        "<p style=\"margin-top:24px;font-size:13px;opacity:.7\">You get this because {} subscribed to {}'s digest. \
         <a href=\"{}\" style=\"color:inherit\">Change topics, time or frequency</a> · \
         <a href=\"{}\" style=\"color:inherit\">Unsubscribe</a></p></div></body></html>",
        escape(subscription.email.as_str()),
        escape(&site.name),
        escape(&manage),
        escape(&unsubscribe)
    ));
    Mail {
        to: subscription.email.as_str().to_owned(),
        subject,
        text,
        html: Some(html),
        headers: vec![
            (
                "List-Id".into(),
                format!("{} digest <digest.{}>", site.name, site.host()),
            ),
            ("List-Unsubscribe".into(), format!("<{unsubscribe}>")),
            (
                "List-Unsubscribe-Post".into(),
                "List-Unsubscribe=One-Click".into(),
            ),
        ],
    }
}

/// `Ada Lovelace, Charles Babbage et al.`
fn authors(paper: &paperboy_core::Paper) -> String {
    let names: Vec<&str> = paper
        .authors
        .iter()
        .take(3)
        .map(|a| a.name.as_str())
        .collect();
    let more = if paper.authors.len() > 3 {
        " et al."
    } else {
        ""
    };
    format!("{}{more}", names.join(", "))
}

/// `text` cut to `chars` characters, with `…` when cut.
fn shorten(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_owned(),
    }
}

/// When `prefs` wants its digest, seen at `now`: the local day whose digest is due
/// (the delivery hour has come; for weekly digests it is Monday; weekdays only
/// skips Saturday and Sunday), else `None`.
pub fn due_day(prefs: &DigestPrefs, now: Timestamp) -> Option<Date> {
    let zone = TimeZone::get(&prefs.timezone).unwrap_or(TimeZone::UTC);
    let local = now.to_zoned_datetime(zone);
    if local.hour() < i8::try_from(prefs.hour).unwrap_or(i8::MAX) {
        return None;
    }
    let weekday = local.weekday();
    let weekend = matches!(weekday, Weekday::Saturday | Weekday::Sunday);
    let wanted = match prefs.frequency {
        Frequency::Daily => !(prefs.weekdays_only && weekend),
        Frequency::Weekly => weekday == Weekday::Monday,
    };
    wanted.then(|| local.date())
}

/// Sends each confirmed subscriber's digest at their hour: every few minutes it
/// composes and queues the digests that came due (the outbox job sends them). Runs
/// once per cluster; the one-row-per-period record keeps a digest from being made
/// twice even by a hand run at the same time.
#[derive(Debug)]
pub struct DigestJob {
    store: Store,
    name: String,
    base_url: String,
}

impl DigestJob {
    /// A job for the site `name` whose links start with `base_url`.
    pub fn new(store: Store, name: &str, base_url: &str) -> Self {
        Self {
            store,
            name: name.to_owned(),
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// One round: queues every digest due now; returns how many.
    pub async fn run_round(&self, ctx: &JobContext) -> Result<u64, paperboy_store::StoreError> {
        let site = DigestSite {
            name: self.name.clone(),
            base_url: self.base_url.clone(),
            link_key: self.store.site_key(LINK_KEY).await?,
        };
        let now = self.store.clock().now();
        let mut queued = 0;
        for frequency in [Frequency::Daily, Frequency::Weekly] {
            for subscription in self.store.active_subscriptions(frequency).await? {
                if ctx.is_cancelled() {
                    return Ok(queued);
                }
                let Some(day) = due_day(&subscription.prefs, now) else {
                    continue;
                };
                let period = DigestPeriod::ending(frequency, day);
                if self
                    .store
                    .had_digest(&subscription.id, &period.name)
                    .await?
                {
                    continue;
                }
                let digest = compose(&self.store, &subscription, period).await?;
                let mail = (!digest.is_empty()).then(|| digest_mail(&site, &subscription, &digest));
                let ids = digest.paper_ids();
                let record = DigestRecord {
                    subscription_id: &subscription.id,
                    period: &digest.period.name,
                    until_day: digest.period.until,
                    papers: &ids,
                    mail: mail.as_ref(),
                };
                if self.store.record_digest(&record).await? && mail.is_some() {
                    queued += 1;
                }
            }
        }
        ctx.report(Progress {
            done: queued,
            ..Progress::default()
        });
        Ok(queued)
    }
}

impl Job for DigestJob {
    fn spec(&self) -> JobSpec {
        JobSpec::new("digests", Scope::Cluster, Duration::from_secs(300))
    }

    fn run<'a>(&'a self, ctx: &'a JobContext) -> BoxFuture<'a, Result<Outcome, JobError>> {
        Box::pin(async move {
            self.run_round(ctx).await?;
            Ok(Outcome::Idle)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_periods_are_the_seven_days_ending_on_a_day_named_by_its_iso_week() {
        let day = jiff::civil::date(2026, 12, 2);
        let week = DigestPeriod::ending(Frequency::Weekly, day);
        assert_eq!(week.name, "2026-W49");
        assert_eq!(
            (week.from, week.until),
            (jiff::civil::date(2026, 11, 26), day)
        );
        let daily = DigestPeriod::ending(Frequency::Daily, day);
        assert_eq!((daily.name.as_str(), daily.from), ("2026-12-02", day));
    }

    #[test]
    fn a_digest_is_due_from_its_local_hour_on_its_days() {
        let at = |text: &str| text.parse::<Timestamp>().unwrap();
        let paris = DigestPrefs {
            hour: 7,
            timezone: "Europe/Paris".into(),
            ..DigestPrefs::default()
        };
        // 05:30 UTC is 06:30 in Paris in winter: not yet; 06:30 UTC is 07:30.
        assert_eq!(due_day(&paris, at("2026-12-02T05:30:00Z")), None);
        assert_eq!(
            due_day(&paris, at("2026-12-02T06:30:00Z")),
            Some(jiff::civil::date(2026, 12, 2))
        );
        // 23:30 UTC on Tuesday is already Wednesday in Tokyo.
        let tokyo = DigestPrefs {
            timezone: "Asia/Tokyo".into(),
            ..DigestPrefs::default()
        };
        assert_eq!(
            due_day(&tokyo, at("2026-12-01T23:30:00Z")),
            Some(jiff::civil::date(2026, 12, 2))
        );
        let weekdays = DigestPrefs {
            weekdays_only: true,
            ..DigestPrefs::default()
        };
        assert_eq!(
            due_day(&weekdays, at("2026-12-05T09:00:00Z")),
            None,
            "Saturday"
        );
        let weekly = DigestPrefs {
            frequency: Frequency::Weekly,
            ..DigestPrefs::default()
        };
        assert_eq!(
            due_day(&weekly, at("2026-12-02T09:00:00Z")),
            None,
            "a Wednesday"
        );
        assert!(
            due_day(&weekly, at("2026-11-30T09:00:00Z")).is_some(),
            "a Monday"
        );
    }

    #[test]
    fn signed_links_are_absolute_and_differ_by_purpose() {
        let site = DigestSite {
            name: "paperboy".into(),
            base_url: "https://papers.example.org".into(),
            link_key: "k".into(),
        };
        let manage = site.link(LinkPurpose::Manage, "abc");
        let leave = site.link(LinkPurpose::Unsubscribe, "abc");
        assert!(manage.starts_with("https://papers.example.org/subscriptions/abc?sig="));
        assert!(leave.starts_with("https://papers.example.org/subscriptions/abc/unsubscribe?sig="));
        assert_ne!(manage.rsplit('=').next(), leave.rsplit('=').next());
        assert_eq!(site.host(), "papers.example.org");
    }
}
