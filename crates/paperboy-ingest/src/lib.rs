//! Getting papers into paperboy: parsers for every source format, the import
//! pipeline, and (with the network) OAI-PMH harvesting and arXiv API fetching.

pub mod detect;
pub mod error;
pub mod fetch;
pub mod formats;
pub mod harvest;
pub mod http;
pub mod import;
pub mod input;
pub mod progress;

pub use detect::Format;
pub use error::IngestError;
pub use fetch::{FetchReport, fetch_papers};
pub use harvest::{HarvestOptions, HarvestReport, MetadataPrefix, harvest};
pub use http::{HttpOptions, PoliteClient};
pub use import::{FileReport, ImportOptions, import_file, import_input};
