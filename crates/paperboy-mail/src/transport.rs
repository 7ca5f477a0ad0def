//! Where messages go: an SMTP server, `.eml` files, or memory.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use lettre::message::Mailbox;
use lettre::transport::smtp::Error as SmtpError;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use paperboy_core::endpoint::hide_password;

use crate::{MailError, SendError};

/// Messages a [`Transport::Memory`] received, for tests to read.
#[derive(Debug, Clone, Default)]
pub struct MemoryOutbox(Arc<Mutex<Vec<Message>>>);

impl MemoryOutbox {
    /// Every message received so far, formatted (RFC 5322 text).
    pub fn messages(&self) -> Vec<String> {
        self.0
            .lock()
            .map(|messages| {
                messages
                    .iter()
                    .map(|m| String::from_utf8_lossy(&m.formatted()).into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A way to deliver messages.
#[derive(Clone)]
pub enum Transport {
    /// An SMTP server.
    Smtp {
        /// The client.
        client: AsyncSmtpTransport<Tokio1Executor>,
        /// The server, password hidden, for messages.
        server: String,
    },
    /// One `.eml` file per message in a directory: a local instance without a mail
    /// server (sign-in links are in the files and the log).
    File(PathBuf),
    /// Kept in memory (unit tests).
    Memory(MemoryOutbox),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Transport {
    /// The transport `smtp_url` names: empty means `.eml` files in `mail_dir`.
    pub fn from_setting(smtp_url: &str, mail_dir: &Path) -> Result<Self, MailError> {
        let url = smtp_url.trim();
        if url.is_empty() {
            return Ok(Self::File(mail_dir.to_owned()));
        }
        let server = hide_password(url);
        let invalid = |reason: String| MailError::SmtpUrl {
            url: server.clone(),
            reason,
        };
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            return Err(invalid("it must start with smtp:// or smtps://".into()));
        }
        let client = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| invalid(e.to_string()))?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        Ok(Self::Smtp { client, server })
    }

    /// Says where messages go, for the log.
    pub fn describe(&self) -> String {
        match self {
            Self::Smtp { server, .. } => format!("SMTP server {server}"),
            Self::File(dir) => format!(".eml files in {}", dir.display()),
            Self::Memory(_) => "memory".to_owned(),
        }
    }

    /// True when messages stay on this machine (files or memory): nobody receives
    /// them by mail, so sign-in links are logged too.
    pub fn is_local(&self) -> bool {
        !matches!(self, Self::Smtp { .. })
    }

    /// Delivers `message` (with `id` naming its file in a directory).
    pub async fn send(&self, id: &str, message: Message) -> Result<(), SendError> {
        match self {
            Self::Smtp { client, .. } => client
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| smtp_failure(&e)),
            Self::File(dir) => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| {
                    SendError::transient(format!("cannot create {}: {e}", dir.display()))
                })?;
                let path = dir.join(format!("{id}.eml"));
                tokio::fs::write(&path, message.formatted())
                    .await
                    .map_err(|e| {
                        SendError::transient(format!("cannot write {}: {e}", path.display()))
                    })?;
                tracing::info!(path = %path.display(), "mail written");
                Ok(())
            }
            Self::Memory(outbox) => {
                outbox
                    .0
                    .lock()
                    .map_err(|_| SendError::transient("memory outbox poisoned"))?
                    .push(message);
                Ok(())
            }
        }
    }
}

/// Whether an SMTP failure may pass: a 5xx reply (unknown recipient, refused
/// message) will not; connection failures, timeouts and 4xx replies may.
fn smtp_failure(error: &SmtpError) -> SendError {
    if error.is_permanent() {
        SendError::permanent(format!("the mail server refused the message: {error}"))
    } else {
        SendError::transient(format!("cannot deliver through the mail server: {error}"))
    }
}

/// The sender mailbox of `mail_from`.
pub(crate) fn parse_from(mail_from: &str) -> Result<Mailbox, MailError> {
    mail_from
        .trim()
        .parse()
        .map_err(|_| MailError::From(mail_from.chars().take(100).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_are_checked_and_passwords_hidden() {
        let dir = Path::new("/tmp/mail");
        assert!(matches!(Transport::from_setting("", dir), Ok(Transport::File(d)) if d == dir));
        assert!(matches!(
            Transport::from_setting("smtp://127.0.0.1:2525", dir),
            Ok(Transport::Smtp { .. })
        ));
        let err = Transport::from_setting("http://user:secret@host", dir)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("smtp_url") && !err.contains("secret"), "{err}");
        assert_eq!(
            hide_password("smtps://ada:pw@mail.example.org"),
            "smtps://ada:***@mail.example.org"
        );
    }

    #[test]
    fn mail_from_must_be_a_mailbox() {
        assert!(parse_from("Papers <papers@example.org>").is_ok());
        assert!(parse_from("not an address").is_err());
    }
}
