//! Digests: what a subscriber's digest of a period holds ([`compose`]), the email it
//! becomes ([`digest_mail`]) and the job that sends each at its reader's hour
//! ([`DigestJob`]).
//!
//! A digest of period P lists, most trending first with their upvotes, the papers on
//! P's daily lists plus those added to a daily list since the reader's previous
//! digest; then the new papers of the period that match the reader's keyword and
//! author alerts; then "for you": the new papers closest to what the reader liked
//! (upvoted, saved, imported, asked more of), each with its reason. A paper reaches
//! a reader at most once; an empty digest is recorded but not sent.

mod compose;
mod email;
mod job;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use paperboy_core::digest::{Feedback, LinkPurpose};
use paperboy_core::{ArxivId, DigestPrefs, Frequency};
use paperboy_store::secret::{signed_feedback_link, signed_link};

pub use compose::{
    ALERT_PAPERS, Alert, Digest, FOR_YOU_PAPERS, PeriodPool, Readers, TRENDING_PAPERS, VectorSpace,
    compose, for_you,
};
pub use email::digest_mail;
pub use job::{DigestJob, DigestOutcome, compose_all, deliver};

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

    /// The absolute signed link by which subscription `id` gives `feedback` on
    /// `paper` ("more like this", "not interested").
    pub fn feedback_link(&self, id: &str, paper: &ArxivId, feedback: Feedback) -> String {
        format!(
            "{}{}",
            self.base_url,
            signed_feedback_link(&self.link_key, id, paper.as_str(), feedback)
        )
    }

    fn host(&self) -> &str {
        let rest = self.base_url.split("://").nth(1).unwrap_or(&self.base_url);
        rest.split(['/', ':']).next().unwrap_or("localhost")
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
