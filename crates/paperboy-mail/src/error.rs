//! The crate's errors: setting a transport up, and one delivery failing.

/// A transport could not be set up from its settings.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// `smtp_url` is not an SMTP URL lettre understands.
    #[error(
        "invalid smtp_url `{url}`: {reason} (expected smtp://HOST:PORT, smtp://USER:PASSWORD@HOST:587?tls=required or smtps://USER:PASSWORD@HOST)"
    )]
    SmtpUrl {
        /// The URL, password hidden.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `mail_from` is not a mailbox.
    #[error(
        "invalid mail_from `{0}`: expected an address such as paperboy@example.org or \"Papers <papers@example.org>\""
    )]
    From(String),
    /// The directory for `.eml` files cannot be created.
    #[error("cannot create the mail directory {path}: {source}")]
    Directory {
        /// The directory.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// One delivery attempt failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// What happened.
    pub message: String,
    /// True when trying again cannot help (the server refused the recipient or the
    /// message with a 5xx reply; the message cannot be built).
    pub permanent: bool,
}

impl SendError {
    /// A failure that may pass (connection refused, timeout, 4xx).
    pub fn transient(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: false,
        }
    }

    /// A failure that retrying cannot fix.
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: true,
        }
    }
}
