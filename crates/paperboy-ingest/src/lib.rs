//! Getting papers into paperboy: parsers for every source format, the import
//! pipeline, and (with the network) OAI-PMH harvesting and arXiv API fetching.

pub mod detect;
pub mod formats;
pub mod import;
pub mod input;
pub mod progress;

pub use detect::Format;
pub use import::{FileReport, ImportOptions, import_file, import_input};
