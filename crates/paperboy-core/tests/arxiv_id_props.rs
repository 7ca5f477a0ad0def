//! Property tests: every valid arXiv id, in every spelling, parses back to itself.

use paperboy_core::{ArxivId, VersionedId};
use proptest::prelude::*;

/// A valid new-style id: `YYMM.NNNN` up to 1412, `YYMM.NNNNN` from 1501.
fn new_style() -> impl Strategy<Value = String> {
    (7u32..=99, 1u32..=12, 0u32..100_000).prop_filter_map("valid yymm", |(yy, mm, n)| {
        let yymm = yy * 100 + mm;
        match yymm {
            0..=703 => None,
            704..=1412 => Some(format!("{yymm:04}.{:04}", n % 10_000)),
            _ => Some(format!("{yymm:04}.{n:05}")),
        }
    })
}

/// A valid old-style id, e.g. `hep-th/9901001`.
fn old_style() -> impl Strategy<Value = String> {
    let archive = prop::sample::select(vec![
        "hep-th", "math", "cs", "astro-ph", "cond-mat", "quant-ph", "solv-int",
    ]);
    let year = prop::sample::select((91..=99).chain(0..=7).collect::<Vec<u32>>());
    (archive, year, 1u32..=12, 0u32..1000)
        .prop_map(|(a, y, m, n)| format!("{a}/{y:02}{m:02}{n:03}"))
}

fn any_id() -> impl Strategy<Value = String> {
    prop_oneof![new_style(), old_style()]
}

proptest! {
    #[test]
    fn canonical_ids_round_trip(id in any_id(), version in proptest::option::of(1u32..=999)) {
        let text = match version {
            Some(v) => format!("{id}v{v}"),
            None => id.clone(),
        };
        let parsed = VersionedId::parse(&text).unwrap();
        prop_assert_eq!(parsed.id.as_str(), id.as_str());
        prop_assert_eq!(parsed.version, version);
        prop_assert_eq!(parsed.to_string(), text.clone());
        prop_assert_eq!(VersionedId::parse(&parsed.to_string()).unwrap(), parsed);
    }

    #[test]
    fn every_spelling_names_the_same_paper(id in any_id(), version in 1u32..=99) {
        let canonical = ArxivId::parse(&id).unwrap();
        for spelling in [
            format!("arXiv:{id}"),
            format!("  {id}v{version}\n"),
            format!("https://arxiv.org/abs/{id}v{version}"),
            format!("http://export.arxiv.org/abs/{id}"),
            format!("https://arxiv.org/pdf/{id}v{version}.pdf"),
        ] {
            prop_assert_eq!(ArxivId::parse(&spelling).unwrap(), canonical.clone(), "{}", spelling);
        }
    }

    #[test]
    fn parsing_never_panics(input in ".{0,80}") {
        let _ = VersionedId::parse(&input);
    }

    #[test]
    fn serde_round_trips(id in any_id()) {
        let parsed = ArxivId::parse(&id).unwrap();
        let json = serde_json::to_string(&parsed).unwrap();
        prop_assert_eq!(serde_json::from_str::<ArxivId>(&json).unwrap(), parsed);
    }
}
