//! Papers for the behaviour tests.

use jiff::civil::Date;
use paperboy_core::{ArxivId, Author, Paper};

/// A paper with two authors and two categories, announced on `day`.
pub fn paper(id: &str, version: Option<u32>, title: &str, day: Date) -> Paper {
    let mut p = Paper::new(
        ArxivId::parse(id).unwrap(),
        title.into(),
        format!("Abstract of {title}."),
        vec![Author::named("Ada Lovelace"), Author::named("Alan Turing")],
    );
    p.version = version;
    p.categories = vec!["cs.CL".into(), "cs.AI".into()];
    p.announced.insert(day);
    p
}
