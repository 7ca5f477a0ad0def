//! Where a paper's thumbnail lives: each instance keeps a small JPEG copy of the
//! image a source gave ([`crate::Paper::thumbnail`]) in its data dir, under
//! [`DIR`], and serves it as `/thumbnails/{file}`, so readers' browsers never call
//! a third party.

use std::path::{Path, PathBuf};

use crate::ArxivId;

/// The data dir's folder of thumbnails.
pub const DIR: &str = "thumbnails";

/// The file name of `id`'s thumbnail: the id (`/` of old-style ids as `_`) and `.jpg`.
pub fn file_name(id: &ArxivId) -> String {
    format!("{}.jpg", id.as_str().replace('/', "_"))
}

/// Whether `name` could be a thumbnail's file name: what the route agrees to open.
pub fn is_file_name(name: &str) -> bool {
    name.strip_suffix(".jpg").is_some_and(|stem| {
        !stem.is_empty()
            && !stem.starts_with('.')
            && stem
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    })
}

/// `id`'s thumbnail file under `dir` (the data dir's [`DIR`]), if it is there.
pub fn existing(dir: &Path, id: &ArxivId) -> Option<PathBuf> {
    let path = dir.join(file_name(id));
    path.is_file().then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_makes_a_name_the_route_accepts_and_nothing_else_gets_through() {
        for id in ["2505.24863", "hep-th/9901001", "math.AG/0101001"] {
            let name = file_name(&ArxivId::parse(id).unwrap());
            assert!(is_file_name(&name), "{name}");
        }
        for bad in [
            "../x.jpg", ".jpg", "..jpg", "a/b.jpg", "x.png", "x.jpg/", "%2e.jpg",
        ] {
            assert!(!is_file_name(bad), "{bad}");
        }
    }
}
