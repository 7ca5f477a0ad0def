//! paperboy's domain: arXiv ids, papers, daily entries, periods, and pure logic on
//! them. No I/O happens here.

pub mod account;
pub mod arxiv_id;
pub mod cite;
pub mod clock;
pub mod daily;
pub mod digest;
pub mod endpoint;
pub mod foryou;
pub mod links;
pub mod mail;
pub mod math;
pub mod paper;
pub mod period;
pub mod query;
pub mod record;
pub mod seeds;
pub mod submit;
pub mod text;
pub mod thumbnail;
pub mod trending;
pub mod vector;

pub use account::{AccountError, Email, Role, Username};
pub use arxiv_id::{ArxivId, ArxivIdError, VersionedId};
pub use clock::{Clock, FixedClock, SystemClock};
pub use daily::{DailyEntry, Submitter};
pub use digest::{DigestPrefs, Frequency};
pub use mail::Mail;
pub use paper::{Author, Paper, PaperError, Source};
pub use period::{Period, PeriodError, parse_day};
pub use query::SearchQuery;
pub use submit::{BoundaryError, DayBoundary, SubmitRefusal, SubmitRules};
