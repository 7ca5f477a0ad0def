//! From a [`Mail`] to an RFC 5322 message.

use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use paperboy_core::Mail;

use crate::SendError;

/// The `Message-ID` of outbox row `id` sent from `from`: stable, so a message sent
/// twice (a sender killed between sending and recording it) is recognisably one.
pub fn message_id(id: &str, from: &Mailbox) -> String {
    format!("<{id}@{}>", from.email.domain())
}

/// The message for `mail` from `from`, with `Message-ID` [`message_id`]`(id)`:
/// plain text alone, or text and HTML as `multipart/alternative`; `mail`'s extra
/// headers after the standard ones.
pub fn build_message(id: &str, from: &Mailbox, mail: &Mail) -> Result<Message, SendError> {
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|e| SendError::permanent(format!("invalid recipient `{}`: {e}", mail.to)))?;
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.as_str())
        .message_id(Some(message_id(id, from)));
    for (name, value) in &mail.headers {
        let name = HeaderName::new_from_ascii(name.clone())
            .map_err(|_| SendError::permanent(format!("invalid header name `{name}`")))?;
        builder = builder.raw_header(HeaderValue::new(name, value.clone()));
    }
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(mail.text.clone());
    let built = match &mail.html {
        Some(html) => builder.multipart(
            MultiPart::alternative().singlepart(text).singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(html.clone()),
            ),
        ),
        None => builder.singlepart(text),
    };
    built.map_err(|e| SendError::permanent(format!("cannot build the message: {e}")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn from() -> Mailbox {
        "Papers <papers@example.org>".parse().unwrap()
    }

    #[test]
    fn a_message_carries_its_stable_id_and_extra_headers() {
        let mut mail = Mail::text("ada@example.org", "Your digest", "Hello");
        mail.headers.push((
            "List-Unsubscribe".into(),
            "<https://x.org/unsubscribe/abc>".into(),
        ));
        let raw = String::from_utf8(build_message("abc123", &from(), &mail).unwrap().formatted())
            .unwrap();
        assert!(raw.contains("Message-ID: <abc123@example.org>"), "{raw}");
        assert!(
            raw.contains("List-Unsubscribe: <https://x.org/unsubscribe/abc>"),
            "{raw}"
        );
        assert!(raw.contains("Subject: Your digest"));
        assert!(raw.contains("To: ada@example.org"));
        assert!(!raw.contains("multipart"));
    }

    #[test]
    fn html_makes_it_multipart_alternative() {
        let mut mail = Mail::text("ada@example.org", "Digest", "plain");
        mail.html = Some("<p>rich</p>".into());
        let raw =
            String::from_utf8(build_message("x", &from(), &mail).unwrap().formatted()).unwrap();
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("text/plain") && raw.contains("text/html"));
    }

    #[test]
    fn header_injection_is_refused_or_folded() {
        let mail = Mail::text("ada@example.org\r\nBcc: eve@example.org", "Hi", "x");
        assert!(build_message("x", &from(), &mail).is_err_and(|e| e.permanent));
        let mut mail = Mail::text("ada@example.org", "Hi\r\nBcc: eve@example.org", "x");
        mail.headers.push(("X-Bad Name".into(), "v".into()));
        assert!(build_message("x", &from(), &mail).is_err());
        mail.headers.clear();
        let raw =
            String::from_utf8(build_message("x", &from(), &mail).unwrap().formatted()).unwrap();
        assert!(!raw.contains("\r\nBcc:"), "{raw}");
    }
}
