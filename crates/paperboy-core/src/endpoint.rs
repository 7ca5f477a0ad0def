//! Messages about failed requests to HTTP endpoints (embedding servers, chat
//! models, model hubs): an error with its causes on one line, and what an error body
//! says. Pure text work; the requests themselves happen elsewhere.

/// An error and its causes, as one line: reqwest's own message leaves out why
/// ("error sending request" without "dns error: ...").
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

/// `url` with the password of its user info replaced by `***`, for logs, messages and
/// `config show`. The last `@` ends the user info, so a password with an unescaped
/// `/` or `@` is hidden too.
pub fn hide_password(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let Some(at) = url.rfind('@').filter(|&at| at > start) else {
        return url.to_owned();
    };
    match url[start..at].find(':') {
        Some(colon) => format!("{}***{}", &url[..start + colon + 1], &url[at..]),
        None => url.to_owned(),
    }
}

/// The message of an OpenAI (`{"error": {"message"}}`) or text-embeddings-inference
/// (`{"error": "..."}`) error body, else the start of the body.
pub fn error_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum ErrorBody {
        OpenAi { error: OpenAiError },
        Plain { error: String },
    }
    #[derive(serde::Deserialize)]
    struct OpenAiError {
        message: String,
    }
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody::OpenAi { error }) => error.message,
        Ok(ErrorBody::Plain { error }) => error,
        Err(_) => snippet(body),
    }
}

/// The start of a body, for an error message.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None if text.is_empty() => "(empty body)".into(),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_of_both_dialects_are_read() {
        assert_eq!(
            error_message(br#"{"error": {"message": "model not found", "type": "x"}}"#),
            "model not found"
        );
        assert_eq!(
            error_message(br#"{"error": "Input validation error"}"#),
            "Input validation error"
        );
        assert_eq!(
            error_message(b"  <html>Bad gateway</html> "),
            "<html>Bad gateway</html>"
        );
        assert_eq!(error_message(b""), "(empty body)");
        assert!(snippet("é".repeat(300).as_bytes()).ends_with('…'));
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            hide_password("postgres://pb:s3cret@db:5432/papers"),
            "postgres://pb:***@db:5432/papers"
        );
        assert_eq!(
            hide_password("smtps://ada:pa/s@s@mail.example.org"),
            "smtps://ada:***@mail.example.org"
        );
        for kept in ["smtp://relay:25", "http://user@host/x", "sqlite:/tmp/a:b@c"] {
            assert_eq!(hide_password(kept), kept);
        }
    }
}
