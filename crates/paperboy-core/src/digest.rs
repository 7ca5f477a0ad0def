//! What a digest subscriber chose: how often, when, and what to hear about.

use serde::{Deserialize, Serialize};

/// Most categories, keywords or followed authors one subscription keeps.
pub const MAX_INTERESTS: usize = 50;
/// Longest keyword or author name kept, in characters.
pub const MAX_INTEREST_CHARS: usize = 100;

/// How often a digest goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    /// Every day (or every weekday).
    #[default]
    Daily,
    /// Once a week, on Mondays.
    Weekly,
}

impl Frequency {
    /// `daily` or `weekly`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
        }
    }

    /// The frequency `text` names.
    pub fn parse(text: &str) -> Result<Self, PrefsError> {
        match text.trim() {
            "daily" => Ok(Self::Daily),
            "weekly" => Ok(Self::Weekly),
            other => Err(PrefsError::Frequency(other.chars().take(20).collect())),
        }
    }
}

/// A subscriber's choices. A new subscription gets [`DigestPrefs::default`]: daily,
/// every day, at 08:00 UTC, everything trending, "for you" on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestPrefs {
    /// Daily or weekly.
    pub frequency: Frequency,
    /// Daily digests only Monday to Friday.
    pub weekdays_only: bool,
    /// The hour (0-23, in `timezone`) the digest goes out.
    pub hour: u8,
    /// An IANA time zone (`Europe/Paris`) or `UTC`.
    pub timezone: String,
    /// arXiv categories to hear about (`cs.CL`); empty: all.
    pub categories: Vec<String>,
    /// Words or phrases whose new papers rank in.
    pub keywords: Vec<String>,
    /// Authors whose new papers rank in.
    pub authors: Vec<String>,
    /// Whether the digest has a "for you" section.
    pub for_you: bool,
}

impl Default for DigestPrefs {
    fn default() -> Self {
        Self {
            frequency: Frequency::Daily,
            weekdays_only: false,
            hour: 8,
            timezone: "UTC".to_owned(),
            categories: Vec::new(),
            keywords: Vec::new(),
            authors: Vec::new(),
            for_you: true,
        }
    }
}

/// Why preferences were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrefsError {
    /// Not `daily` or `weekly`.
    #[error("{0:?} is not a frequency: choose daily or weekly")]
    Frequency(String),
    /// Not an hour of the day.
    #[error("{0} is not an hour: choose 0 to 23")]
    Hour(u32),
    /// Not a time zone.
    #[error("{0:?} is not a time zone: use a name like Europe/Paris, or UTC")]
    Timezone(String),
    /// Too many entries in a list.
    #[error("at most {MAX_INTERESTS} {0}, please")]
    TooMany(&'static str),
}

impl DigestPrefs {
    /// Checks the hour and time zone and tidies the lists (trimmed, no empties or
    /// repeats, each entry at most [`MAX_INTEREST_CHARS`]).
    pub fn checked(mut self) -> Result<Self, PrefsError> {
        if self.hour > 23 {
            return Err(PrefsError::Hour(u32::from(self.hour)));
        }
        let zone = self.timezone.trim();
        if jiff::tz::TimeZone::get(zone).is_err() {
            return Err(PrefsError::Timezone(zone.chars().take(60).collect()));
        }
        self.timezone = zone.to_owned();
        for (name, list) in [
            ("categories", &mut self.categories),
            ("keywords", &mut self.keywords),
            ("authors", &mut self.authors),
        ] {
            *list = tidy(list);
            if list.len() > MAX_INTERESTS {
                return Err(PrefsError::TooMany(name));
            }
        }
        Ok(self)
    }
}

/// `items` trimmed and cut to [`MAX_INTEREST_CHARS`], without empties or repeats
/// (case-insensitive), in their order.
fn tidy(items: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items
        .iter()
        .map(|item| {
            item.trim()
                .chars()
                .filter(|c| !c.is_control())
                .take(MAX_INTEREST_CHARS)
                .collect::<String>()
        })
        .filter(|item| !item.is_empty() && seen.insert(item.to_lowercase()))
        .collect()
}

/// The name of the site key that signs subscription links (`Store::site_key`).
pub const LINK_KEY: &str = "subscription-links";

/// What a signed link may do; its name is part of what is signed, so a manage
/// link's signature does not unsubscribe and the other way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Open the preferences page (and change them).
    Manage,
    /// Unsubscribe with one click (RFC 8058).
    Unsubscribe,
    /// Read an account's private "for you" feed (the id is the account's).
    ForYouFeed,
}

impl LinkPurpose {
    /// What is signed for subscription `id`: `manage:ID` or `unsubscribe:ID`.
    pub fn message(self, id: &str) -> String {
        let purpose = match self {
            Self::Manage => "manage",
            Self::Unsubscribe => "unsubscribe",
            Self::ForYouFeed => "for-you-feed",
        };
        format!("{purpose}:{id}")
    }

    /// The site path of the link for subscription `id` with `signature`.
    pub fn path(self, id: &str, signature: &str) -> String {
        match self {
            Self::Manage => format!("/subscriptions/{id}?sig={signature}"),
            Self::Unsubscribe => format!("/subscriptions/{id}/unsubscribe?sig={signature}"),
            Self::ForYouFeed => format!("/feeds/for-you/{id}.atom?sig={signature}"),
        }
    }
}

/// What a reader says about a paper through a digest's link or the "for you" page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feedback {
    /// "More like this": the paper counts as liked.
    More,
    /// "Not interested": papers like it rank lower.
    NotInterested,
}

impl Feedback {
    /// Its name in paths and forms: `more`, `not-interested`.
    pub fn slug(self) -> &'static str {
        match self {
            Self::More => "more",
            Self::NotInterested => "not-interested",
        }
    }

    /// The feedback a path or form names.
    pub fn parse(slug: &str) -> Option<Self> {
        match slug {
            "more" => Some(Self::More),
            "not-interested" => Some(Self::NotInterested),
            _ => None,
        }
    }

    /// What is signed for feedback by subscription `id` on `paper`: one signature
    /// serves both kinds, so the reader can change their mind on the page it opens.
    pub fn message(id: &str, paper: &str) -> String {
        format!("feedback:{id}:{paper}")
    }

    /// The site path of this feedback's link for subscription `id` on `paper`.
    pub fn path(self, id: &str, paper: &str, signature: &str) -> String {
        format!(
            "/subscriptions/{id}/papers/{paper}/{}?sig={signature}",
            self.slug()
        )
    }
}

/// Splits a form field of comma- or line-separated entries.
pub fn split_list(text: &str) -> Vec<String> {
    text.split([',', '\n', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_daily_at_eight_utc_and_check_out() {
        let prefs = DigestPrefs::default().checked().unwrap();
        assert_eq!(prefs.frequency, Frequency::Daily);
        assert_eq!((prefs.hour, prefs.timezone.as_str()), (8, "UTC"));
        assert!(prefs.for_you && !prefs.weekdays_only);
    }

    #[test]
    fn bad_hours_and_zones_are_refused_and_lists_are_tidied() {
        let bad_hour = DigestPrefs {
            hour: 24,
            ..DigestPrefs::default()
        };
        assert_eq!(bad_hour.checked(), Err(PrefsError::Hour(24)));
        let bad_zone = DigestPrefs {
            timezone: "Mars/Olympus".into(),
            ..DigestPrefs::default()
        };
        assert!(matches!(bad_zone.checked(), Err(PrefsError::Timezone(_))));
        let prefs = DigestPrefs {
            timezone: " Europe/Paris ".into(),
            keywords: split_list("LoRA, lora ,, diffusion\nRLHF"),
            ..DigestPrefs::default()
        }
        .checked()
        .unwrap();
        assert_eq!(prefs.timezone, "Europe/Paris");
        assert_eq!(prefs.keywords, ["LoRA", "diffusion", "RLHF"]);
        let many = DigestPrefs {
            authors: (0..=MAX_INTERESTS).map(|i| format!("Author {i}")).collect(),
            ..DigestPrefs::default()
        };
        assert_eq!(many.checked(), Err(PrefsError::TooMany("authors")));
        assert_eq!(Frequency::parse("weekly"), Ok(Frequency::Weekly));
        assert!(Frequency::parse("hourly").is_err());
    }
}
