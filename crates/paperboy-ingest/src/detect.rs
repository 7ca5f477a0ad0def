//! Recognising an input's format from its first bytes.

use std::fmt;

use serde_json::{Map, Value};

use crate::input::MAX_LINE_BYTES;

/// Every input format `paperboy import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// arXiv daily-listing JSON Lines (`id`, `title`, `summary`, `listing_dates`, ...).
    ArxivListing,
    /// HF daily-papers archive JSON Lines (`{"daily_date", "item"}`).
    HfArchive,
    /// HF `/api/daily_papers` JSON array.
    HfDailyPapers,
    /// Kaggle `arxiv-metadata-oai-snapshot` JSON Lines.
    KaggleSnapshot,
    /// paperboy's own export JSON Lines.
    PaperboyExport,
    /// arXiv API Atom XML.
    ArxivAtom,
    /// OAI-PMH XML (`arXiv` or `arXivRaw` metadata).
    OaiPmh,
}

impl Format {
    /// Every format, for help texts.
    pub const ALL: [Format; 7] = [
        Format::ArxivListing,
        Format::HfArchive,
        Format::HfDailyPapers,
        Format::KaggleSnapshot,
        Format::PaperboyExport,
        Format::ArxivAtom,
        Format::OaiPmh,
    ];

    /// The name used on the command line (`--format`) and in summaries.
    pub fn name(self) -> &'static str {
        match self {
            Format::ArxivListing => "arxiv-listing",
            Format::HfArchive => "hf-archive",
            Format::HfDailyPapers => "hf-daily-papers",
            Format::KaggleSnapshot => "kaggle-snapshot",
            Format::PaperboyExport => "paperboy-export",
            Format::ArxivAtom => "arxiv-atom",
            Format::OaiPmh => "oai-pmh",
        }
    }

    /// The format named `name` (see [`Format::name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const EXPECTED: &str = "expected arXiv listing / HF archive / Kaggle / paperboy JSON Lines, \
                        an HF /api/daily_papers JSON array, arXiv API Atom or OAI-PMH XML";

/// Recognises the format from the start of the decompressed content, which must hold
/// the whole first line of JSON Lines ([`crate::input::peek_head`] reads that much).
pub fn detect(head: &[u8]) -> Result<Format, String> {
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // The head may end inside a multi-byte character.
        Err(e) if e.error_len().is_none() && e.valid_up_to() > 0 => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => {
            return Err(format!(
                "not text (binary data or an unknown compression); {EXPECTED}"
            ));
        }
    };
    let text = text.trim_start_matches('\u{feff}').trim_start();
    match text.chars().next() {
        None => Err("the file is empty".into()),
        Some('[') => Ok(Format::HfDailyPapers),
        Some('{') => detect_json_lines(text),
        Some('<') => detect_xml(text),
        Some(_) => Err(format!("unrecognised content; {EXPECTED}")),
    }
}

fn detect_json_lines(text: &str) -> Result<Format, String> {
    let first_line = text.lines().next().unwrap_or_default();
    let object: Map<String, Value> = serde_json::from_str(first_line).map_err(|e| {
        if first_line.len() == text.len() && text.len() >= MAX_LINE_BYTES {
            format!(
                "the first line is longer than {} MiB; not JSON Lines",
                MAX_LINE_BYTES >> 20
            )
        } else {
            format!("line 1 is not a JSON object ({e}); {EXPECTED}")
        }
    })?;
    let has = |key: &str| object.contains_key(key);
    if matches!(
        object.get("type").and_then(Value::as_str),
        Some("paperboy_export" | "paper" | "daily_entry")
    ) {
        return Ok(Format::PaperboyExport);
    }
    if has("daily_date") && has("item") {
        return Ok(Format::HfArchive);
    }
    if has("authors_parsed") || (has("versions") && has("update_date")) {
        return Ok(Format::KaggleSnapshot);
    }
    if has("id") && has("summary") && (has("listing_dates") || has("abs") || has("pdf")) {
        return Ok(Format::ArxivListing);
    }
    if has("paper") {
        return Err(
            "line 1 looks like a bare HF daily-papers item: wrap items in a JSON array, \
                    or use the archive's {\"daily_date\", \"item\"} lines"
                .into(),
        );
    }
    let keys: Vec<&str> = object.keys().map(String::as_str).take(12).collect();
    Err(format!(
        "JSON Lines with unrecognised fields ({}); {EXPECTED}",
        keys.join(", ")
    ))
}

fn detect_xml(text: &str) -> Result<Format, String> {
    let head: String = text
        .chars()
        .take(4096)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.contains("<oai-pmh") {
        Ok(Format::OaiPmh)
    } else if head.contains("<feed") {
        Ok(Format::ArxivAtom)
    } else if head.contains("<html") || head.contains("<!doctype html") {
        Err("an HTML page, not data (was a download blocked or redirected to a login page?)".into())
    } else {
        Err(format!(
            "XML, but neither an Atom feed nor an OAI-PMH response; {EXPECTED}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paperboy_testkit::fixture;

    #[test]
    fn recognises_every_committed_fixture() {
        for (file, format) in [
            (
                "arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl",
                Format::ArxivListing,
            ),
            (
                "hf_api/daily_papers_date_2025-06-02.json",
                Format::HfDailyPapers,
            ),
            (
                "kaggle_snapshot/arxiv-metadata-oai-snapshot.sample-200.jsonl",
                Format::KaggleSnapshot,
            ),
            (
                "arxiv_api/recorded_2026/id_1707.08567_s0_m100_6a1afebfc6a3.xml",
                Format::ArxivAtom,
            ),
            (
                "arxiv_api/legacy_2016/search_au_del_maestro.xml",
                Format::ArxivAtom,
            ),
            (
                "oai_pmh/arxivraw_2015/ListRecordsResponse.xml",
                Format::OaiPmh,
            ),
            (
                "oai_pmh/arxivraw_2015/ErrorResponseBadVerb.xml",
                Format::OaiPmh,
            ),
        ] {
            assert_eq!(detect(fixture(file).as_bytes()), Ok(format), "{file}");
        }
        let archive_line = r#"{"daily_date":"2025-01-01","item":{"paper":{}}}"#;
        assert_eq!(detect(archive_line.as_bytes()), Ok(Format::HfArchive));
        assert_eq!(
            detect(br#"{"type":"paperboy_export","version":1}"#),
            Ok(Format::PaperboyExport)
        );
    }

    #[test]
    fn explains_what_it_cannot_read() {
        assert!(detect(b"").unwrap_err().contains("empty"));
        assert!(
            detect(&[0u8, 159, 146, 150, 1, 2])
                .unwrap_err()
                .contains("not text")
        );
        assert!(
            detect(b"<!DOCTYPE html><html>")
                .unwrap_err()
                .contains("HTML page")
        );
        assert!(
            detect(b"{\"foo\": 1}\n")
                .unwrap_err()
                .contains("unrecognised fields (foo)")
        );
        assert!(
            detect(b"id,title\n1,x")
                .unwrap_err()
                .contains("unrecognised content")
        );
        assert!(
            detect(b"{\"paper\": {}}")
                .unwrap_err()
                .contains("JSON array")
        );
        assert_eq!(Format::from_name("oai-pmh"), Some(Format::OaiPmh));
    }
}
