//! Fuzz `VersionedId::parse`: never panics, and whatever parses round-trips through
//! its canonical form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paperboy_core::VersionedId;

fuzz_target!(|input: &str| {
    if let Ok(parsed) = VersionedId::parse(input) {
        let canonical = parsed.to_string();
        let again = VersionedId::parse(&canonical).expect("a canonical id parses");
        assert_eq!(again, parsed);
        assert_eq!(again.to_string(), canonical);
        let _ = parsed.id.year_month();
    }
});
