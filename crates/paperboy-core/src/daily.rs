//! The curated daily list: papers placed on a date by a submitter, with upvotes.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ArxivId;

/// Who put a paper on a daily list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitter {
    /// Username (`name` in HF's API), the handle the `submitter` filter matches.
    pub name: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    /// Avatar URL, absolute or site-relative as the source gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

/// One paper on the curated daily list of one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyEntry {
    /// The list's date.
    pub date: Date,
    /// The paper.
    pub paper_id: ArxivId,
    /// Who submitted it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_by: Option<Submitter>,
    /// When it was submitted, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<Timestamp>,
    /// Upvotes carried over from the source (HF's count at import time).
    #[serde(default)]
    pub upvotes: u32,
    /// Comments counted by the source.
    #[serde(default)]
    pub num_comments: u32,
}

impl DailyEntry {
    /// An entry with no submitter, votes or comments.
    pub fn new(date: Date, paper_id: ArxivId) -> Self {
        Self {
            date,
            paper_id,
            submitted_by: None,
            submitted_at: None,
            upvotes: 0,
            num_comments: 0,
        }
    }

    /// Merges a later report of the same entry: counts and submitter are replaced when
    /// given. Returns whether anything changed.
    pub fn merge(&mut self, incoming: DailyEntry) -> bool {
        let before = self.clone();
        if incoming.submitted_by.is_some() {
            self.submitted_by = incoming.submitted_by;
        }
        if incoming.submitted_at.is_some() {
            self.submitted_at = incoming.submitted_at;
        }
        self.upvotes = incoming.upvotes;
        self.num_comments = incoming.num_comments;
        *self != before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_replaces_counts_and_keeps_known_submitter() {
        let id = ArxivId::parse("2401.00001").unwrap();
        let mut stored = DailyEntry::new(jiff::civil::date(2024, 5, 27), id.clone());
        stored.submitted_by = Some(Submitter {
            name: "akhaliq".into(),
            fullname: None,
            avatar_url: None,
        });
        let mut incoming = DailyEntry::new(stored.date, id);
        incoming.upvotes = 12;
        assert!(stored.merge(incoming.clone()));
        assert_eq!(stored.upvotes, 12);
        assert_eq!(
            stored.submitted_by.as_ref().map(|s| s.name.as_str()),
            Some("akhaliq")
        );
        assert!(!stored.merge(incoming));
    }
}
