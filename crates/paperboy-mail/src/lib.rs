//! paperboy's mail. Nothing sends mail straight from a request: every message is a
//! row of the store's outbox first ([`paperboy_store::Store::enqueue_mail`]), and the
//! [`OutboxSender`] job delivers the rows through a [`Transport`]: SMTP, `.eml`
//! files in the data directory (a local instance without a mail server), or memory
//! (unit tests).

pub mod digest;
mod error;
mod message;
mod sender;
mod transport;

pub use error::{MailError, SendError};
pub use message::{build_message, message_id};
pub use sender::{OutboxSender, SendReport, SenderOptions};
pub use transport::{MemoryOutbox, Transport};
