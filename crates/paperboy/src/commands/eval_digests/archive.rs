//! Simulated readers from the Hugging Face daily-papers archive.
//!
//! A reader is an HF user who submitted at least `min_likes` papers to the daily
//! lists (and at most `max_likes`: the few who post everything curate for others,
//! not for themselves). The papers a reader submitted are the papers they liked:
//! the earlier two thirds (by daily date) are what the reader is known to like,
//! the later third is held out and must be found. Readers fall into two halves by
//! a stable hash of their name: one to choose the model's knobs on, one to report.

use std::collections::HashMap;
use std::io::BufRead;

use anyhow::Context;
use jiff::civil::Date;
use paperboy_core::ArxivId;

use paperboy_search::eval::Half;

/// One paper on one day's list.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The list's day.
    pub day: Date,
    /// The paper.
    pub id: ArxivId,
    /// Title and abstract.
    pub text: String,
    /// Upvotes on HF.
    pub upvotes: u64,
    /// Who submitted it to the list.
    pub submitter: Option<String>,
}

/// A simulated reader: indexes into the entries.
#[derive(Debug, Clone)]
pub struct Reader {
    /// The HF user.
    pub name: String,
    /// Its half.
    pub half: Half,
    /// Papers known to be liked (earlier submissions).
    pub known: Vec<usize>,
    /// Papers held out (later submissions).
    pub held_out: Vec<usize>,
}

/// Reads the archive (JSON Lines, `{"daily_date": ..., "item": {...}}`), one
/// entry per paper (its first listing).
pub fn read(reader: impl BufRead) -> anyhow::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (n, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("reading line {}", n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(&line).with_context(|| format!("line {} is not JSON", n + 1))?;
        let paper = &value["item"]["paper"];
        let (Some(day), Some(id)) = (value["daily_date"].as_str(), paper["id"].as_str()) else {
            continue;
        };
        let day: Date = day
            .parse()
            .with_context(|| format!("line {}: daily_date", n + 1))?;
        let Ok(id) = ArxivId::parse(id) else {
            continue;
        };
        if !seen.insert(id.clone()) {
            continue;
        }
        let text = format!(
            "{} {}",
            paper["title"].as_str().unwrap_or_default(),
            paper["summary"].as_str().unwrap_or_default()
        );
        entries.push(Entry {
            day,
            id,
            text,
            upvotes: paper["upvotes"].as_u64().unwrap_or(0),
            submitter: paper["submittedOnDailyBy"]["user"]
                .as_str()
                .map(str::to_owned),
        });
    }
    entries.sort_by(|a, b| a.day.cmp(&b.day).then_with(|| a.id.cmp(&b.id)));
    Ok(entries)
}

/// The simulated readers of `entries`, by name.
pub fn readers(entries: &[Entry], min_likes: usize, max_likes: usize) -> Vec<Reader> {
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (at, entry) in entries.iter().enumerate() {
        if let Some(name) = &entry.submitter {
            by_name.entry(name).or_default().push(at);
        }
    }
    let mut readers: Vec<Reader> = by_name
        .into_iter()
        .filter(|(_, liked)| (min_likes..=max_likes).contains(&liked.len()))
        .map(|(name, liked)| {
            // Entries are in day order, so `liked` is too.
            let known = liked.len() - liked.len() / 3;
            Reader {
                name: name.to_owned(),
                half: Half::of(name),
                known: liked[..known].to_vec(),
                held_out: liked[known..].to_vec(),
            }
        })
        .collect();
    readers.sort_by(|a, b| a.name.cmp(&b.name));
    readers
}

/// The entries listed in the ISO week of `day`: the pool a held-out paper of that
/// day competes in.
pub fn week_of(entries: &[Entry], day: Date) -> Vec<usize> {
    let week = day.iso_week_date();
    entries
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            let w = e.day.iso_week_date();
            (w.year(), w.week()) == (week.year(), week.week())
        })
        .map(|(at, _)| at)
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn line(day: &str, id: &str, user: Option<&str>, upvotes: u64) -> String {
        let by = user.map_or(serde_json::Value::Null, |u| serde_json::json!({"user": u}));
        serde_json::json!({"daily_date": day, "item": {"paper": {
            "id": id, "title": format!("T{id}"), "summary": "S", "upvotes": upvotes,
            "submittedOnDailyBy": by}}})
        .to_string()
    }

    #[test]
    fn readers_are_frequent_submitters_split_by_time_and_by_name() {
        let mut lines = Vec::new();
        for i in 0..6 {
            lines.push(line(
                &format!("2025-01-0{}", i + 1),
                &format!("2501.0000{i}"),
                Some("ada"),
                i,
            ));
        }
        lines.push(line("2025-01-02", "2501.00010", Some("bob"), 3));
        lines.push(line("2025-01-03", "2501.00000", Some("bob"), 3)); // a repeat: first listing kept
        lines.push(line("2025-01-03", "2501.00011", None, 9));
        let text = lines.join("\n");
        let entries = read(text.as_bytes()).unwrap();
        assert_eq!(entries.len(), 8);
        let found = readers(&entries, 5, 100);
        assert_eq!(found.len(), 1, "bob submitted one paper");
        let ada = &found[0];
        assert_eq!((ada.known.len(), ada.held_out.len()), (4, 2));
        let last_known = entries[*ada.known.last().unwrap()].day;
        assert!(ada.held_out.iter().all(|&i| entries[i].day > last_known));
        assert!(readers(&entries, 5, 5).is_empty(), "too many likes");
        let week = week_of(&entries, "2025-01-01".parse().unwrap());
        assert!(
            week.iter()
                .all(|&i| entries[i].day.iso_week_date().week() == 1)
        );
        assert!(read("not json".as_bytes()).is_err());
    }
}
