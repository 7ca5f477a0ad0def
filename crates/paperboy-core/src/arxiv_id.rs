//! arXiv identifiers: parsing every form people paste, one canonical form inside.
//!
//! Two schemes exist. New-style ids (April 2007 on) are `YYMM.NNNN` (until 2014) or
//! `YYMM.NNNNN` (2015 on). Old-style ids are `archive/YYMMNNN`, sometimes written with
//! a subject class (`math.GT/0309136`); the subject class is not part of the
//! identifier, so the canonical form drops it (`math/0309136`), as arXiv does.
//! A version suffix (`v3`) is kept apart from the id: a paper is one id, many versions.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a string is not an arXiv identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{input}` is not an arXiv id ({reason}); expected e.g. 2401.12345, 2401.12345v2 or hep-th/9901001"
)]
pub struct ArxivIdError {
    input: String,
    reason: &'static str,
}

impl ArxivIdError {
    fn new(input: &str, reason: &'static str) -> Self {
        Self {
            input: input.chars().take(64).collect(),
            reason,
        }
    }
}

/// A canonical arXiv identifier without version, e.g. `2401.12345` or `hep-th/9901001`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ArxivId(String);

/// An arXiv identifier together with the version it named, if any (`2401.12345v3`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VersionedId {
    /// The paper.
    pub id: ArxivId,
    /// The version the input named (`v3` is `Some(3)`), `None` when it named none.
    pub version: Option<u32>,
}

const URL_PREFIXES: [&str; 4] = [
    "arxiv.org/abs/",
    "arxiv.org/pdf/",
    "arxiv.org/html/",
    "arxiv.org/papers/",
];

impl ArxivId {
    /// Parses any common spelling of an arXiv id and drops the version, if any.
    pub fn parse(input: &str) -> Result<Self, ArxivIdError> {
        VersionedId::parse(input).map(|v| v.id)
    }

    /// The canonical text form, e.g. `2401.12345`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `YYMM` the id encodes, as (year, month), e.g. `2401.12345` → (2024, 1).
    pub fn year_month(&self) -> (i16, i8) {
        let digits = match self.0.split_once('/') {
            Some((_, number)) => number,
            None => &self.0,
        };
        let yy: i16 = digits[0..2].parse().unwrap_or(0);
        let mm: i8 = digits[2..4].parse().unwrap_or(1);
        let year = if yy >= 91 { 1900 + yy } else { 2000 + yy };
        (year, mm)
    }

    /// `https://arxiv.org/abs/<id>`.
    pub fn abs_url(&self) -> String {
        format!("https://arxiv.org/abs/{}", self.0)
    }

    /// `https://arxiv.org/pdf/<id>`.
    pub fn pdf_url(&self) -> String {
        format!("https://arxiv.org/pdf/{}", self.0)
    }
}

impl VersionedId {
    /// Parses `2401.12345`, `2401.12345v3`, `arXiv:2401.12345`, `hep-th/9901001v2`,
    /// `math.GT/0309136`, and arXiv abs/pdf URLs (`https://arxiv.org/abs/2401.12345v1`,
    /// `https://arxiv.org/pdf/2401.12345.pdf`).
    pub fn parse(input: &str) -> Result<Self, ArxivIdError> {
        let mut s = input.trim();
        if s.is_empty() {
            return Err(ArxivIdError::new(input, "empty"));
        }
        if s.len() > 64 {
            return Err(ArxivIdError::new(input, "too long"));
        }
        s = strip_url(s);
        if let Some(rest) = strip_prefix_ignore_case(s, "arxiv:") {
            s = rest.trim_start();
        }
        let (body, version) =
            split_version(s).map_err(|reason| ArxivIdError::new(input, reason))?;
        let id = if let Some((archive, number)) = body.split_once('/') {
            parse_old_style(archive, number)
        } else {
            parse_new_style(body)
        }
        .map_err(|reason| ArxivIdError::new(input, reason))?;
        Ok(Self { id, version })
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Removes an arXiv URL's scheme, host and path prefix, and a trailing `.pdf` or `/`.
fn strip_url(s: &str) -> &str {
    let mut rest = s;
    // A URL pasted after a path (`/papers/https://arxiv.org/...`) may reach us with
    // its double slash merged by a proxy.
    for scheme in ["https://", "http://", "https:/", "http:/"] {
        if let Some(r) = strip_prefix_ignore_case(rest, scheme) {
            rest = r;
            break;
        }
    }
    for host in ["www.", "export."] {
        if let Some(r) = strip_prefix_ignore_case(rest, host) {
            rest = r;
            break;
        }
    }
    for prefix in URL_PREFIXES {
        if let Some(r) = strip_prefix_ignore_case(rest, prefix) {
            let r = r.split(['?', '#']).next().unwrap_or(r);
            let r = r.trim_end_matches('/');
            return r.strip_suffix(".pdf").unwrap_or(r);
        }
    }
    s
}

/// Splits a trailing `vN` off; `N` must be a positive number.
fn split_version(s: &str) -> Result<(&str, Option<u32>), &'static str> {
    let Some(pos) = s.rfind(['v', 'V']) else {
        return Ok((s, None));
    };
    let digits = &s[pos + 1..];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        // A `v` inside an archive name (e.g. `solv-int/9901001`) is not a version.
        return Ok((s, None));
    }
    if digits.len() > 4 {
        return Err("version number too large");
    }
    let version: u32 = digits.parse().map_err(|_| "bad version number")?;
    if version == 0 {
        return Err("versions start at v1");
    }
    Ok((&s[..pos], Some(version)))
}

fn valid_month(mm: &str) -> bool {
    matches!(mm.parse::<u8>(), Ok(1..=12))
}

fn parse_new_style(s: &str) -> Result<ArxivId, &'static str> {
    let Some((yymm, number)) = s.split_once('.') else {
        return Err("no `.` between YYMM and number");
    };
    if yymm.len() != 4 || !yymm.bytes().all(|b| b.is_ascii_digit()) {
        return Err("YYMM must be four digits");
    }
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the number after `.` must be digits");
    }
    if !valid_month(&yymm[2..]) {
        return Err("month out of range");
    }
    let yymm_value: u32 = yymm.parse().map_err(|_| "bad YYMM")?;
    let expected_len = match yymm_value {
        0..=703 => return Err("new-style ids start in 0704"),
        704..=1412 => 4,
        _ => 5,
    };
    if number.len() != expected_len {
        return Err(if expected_len == 4 {
            "ids from 0704 to 1412 have four digits after `.`"
        } else {
            "ids from 1501 on have five digits after `.`"
        });
    }
    Ok(ArxivId(format!("{yymm}.{number}")))
}

fn parse_old_style(archive: &str, number: &str) -> Result<ArxivId, &'static str> {
    // `math.GT` → archive `math`, subject class `GT` (dropped).
    let archive = match archive.split_once('.') {
        Some((archive, class)) => {
            if class.is_empty()
                || class.len() > 8
                || !class.bytes().all(|b| b.is_ascii_alphabetic())
            {
                return Err("bad subject class");
            }
            archive
        }
        None => archive,
    };
    if archive.is_empty()
        || archive.len() > 16
        || !archive
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b'-')
        || archive.starts_with('-')
        || archive.ends_with('-')
    {
        return Err("bad archive name");
    }
    if number.len() != 7 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err("old-style ids have seven digits after `/`");
    }
    if !valid_month(&number[2..4]) {
        return Err("month out of range");
    }
    let yy: u8 = number[..2].parse().map_err(|_| "bad year")?;
    if !(yy >= 91 || yy <= 7) {
        return Err("old-style ids run from 1991 to 2007");
    }
    Ok(ArxivId(format!(
        "{}/{number}",
        archive.to_ascii_lowercase()
    )))
}

impl fmt::Display for ArxivId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for VersionedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.version {
            Some(v) => write!(f, "{}v{v}", self.id),
            None => write!(f, "{}", self.id),
        }
    }
}

impl FromStr for ArxivId {
    type Err = ArxivIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl AsRef<str> for ArxivId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for ArxivId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ArxivId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        ArxivId::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> (String, Option<u32>) {
        let v = VersionedId::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        (v.id.to_string(), v.version)
    }

    #[test]
    fn accepts_every_common_spelling() {
        assert_eq!(ok("2401.12345"), ("2401.12345".into(), None));
        assert_eq!(ok("2401.12345v3"), ("2401.12345".into(), Some(3)));
        assert_eq!(ok(" arXiv:2401.12345 "), ("2401.12345".into(), None));
        assert_eq!(ok("ARXIV:2401.12345v2"), ("2401.12345".into(), Some(2)));
        assert_eq!(
            ok("https://arxiv.org/abs/2401.12345v1"),
            ("2401.12345".into(), Some(1))
        );
        assert_eq!(
            ok("http://arxiv.org/abs/2104.12255v1"),
            ("2104.12255".into(), Some(1))
        );
        assert_eq!(
            ok("https://arxiv.org/pdf/2401.12345.pdf"),
            ("2401.12345".into(), None)
        );
        assert_eq!(
            ok("https://export.arxiv.org/abs/1707.08567"),
            ("1707.08567".into(), None)
        );
        assert_eq!(ok("0704.0001"), ("0704.0001".into(), None));
        assert_eq!(ok("1412.9999v12"), ("1412.9999".into(), Some(12)));
        assert_eq!(ok("hep-th/9901001"), ("hep-th/9901001".into(), None));
        assert_eq!(ok("math.GT/0309136"), ("math/0309136".into(), None));
        assert_eq!(
            ok("quant-ph/0201082v1"),
            ("quant-ph/0201082".into(), Some(1))
        );
        assert_eq!(
            ok("http://arxiv.org/abs/astro-ph/0601001v1"),
            ("astro-ph/0601001".into(), Some(1))
        );
        assert_eq!(ok("solv-int/9901001"), ("solv-int/9901001".into(), None));
    }

    #[test]
    fn rejects_what_is_not_an_id() {
        for bad in [
            "",
            "abc",
            "2401",
            "2401.",
            "2401.1234",
            "2401.123456",
            "0808.05394",
            "2413.12345",
            "0703.1234",
            "2401.12345v0",
            "2401.12345v",
            "hep-th/990100",
            "hep-th/9913001",
            "hep th/9901001",
            "/9901001",
            "hep-th/0801001",
            "2401.12345v99999",
            "2401.1234x",
        ] {
            assert!(ArxivId::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn error_says_what_was_expected() {
        let err = ArxivId::parse("abc").unwrap_err().to_string();
        assert!(err.contains("`abc`") && err.contains("2401.12345"), "{err}");
    }

    #[test]
    fn year_month_of_both_schemes() {
        assert_eq!(
            ArxivId::parse("2401.12345").unwrap().year_month(),
            (2024, 1)
        );
        assert_eq!(
            ArxivId::parse("hep-th/9901001").unwrap().year_month(),
            (1999, 1)
        );
        assert_eq!(
            ArxivId::parse("cs/0112017").unwrap().year_month(),
            (2001, 12)
        );
    }
}
