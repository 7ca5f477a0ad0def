//! A client of an OpenAI-compatible `POST /v1/chat/completions` endpoint (vLLM,
//! llama.cpp's server, Ollama, OpenAI itself) that asks for one paper's TL;DR, with
//! timeouts and a cap on the answer's size. It says *how* a request failed, so the
//! job can tell a failing endpoint (wait, then go on) from a bad answer for one
//! paper (count it against that paper).

use std::time::Duration;

use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};

use super::sanitize::tldr;
use paperboy_core::endpoint::{error_message, snippet};

use crate::http::{self, BodyError};
use crate::{EnrichError, Result};

/// Longest part of the abstract sent, in characters (a few thousand tokens).
const ABSTRACT_CHARS: usize = 6_000;
/// Longest title sent, in characters.
const TITLE_CHARS: usize = 500;
/// Tokens the model may answer with (a sentence, and room for a reasoning model's
/// short preamble).
const MAX_TOKENS: u32 = 200;
/// Longest model name recorded.
const MODEL_CHARS: usize = 200;

/// What the model is told.
const SYSTEM_PROMPT: &str = "You write TL;DR summaries of research papers. Answer with \
     exactly one plain sentence of at most 35 words that says what the paper does and \
     finds. No preamble, no markdown, no quotes.";

/// Where and how to ask.
#[derive(Clone)]
pub struct ChatOptions {
    /// The endpoint, e.g. `http://127.0.0.1:8000/v1/chat/completions`.
    pub url: String,
    /// The model to ask for; empty: the server's default (llama.cpp, one-model servers).
    pub model: String,
    /// A bearer token, for hosted endpoints; empty: none is sent.
    pub api_key: String,
    /// The longest a whole request may take.
    pub timeout: Duration,
    /// The largest answer accepted, in bytes.
    pub max_response_bytes: usize,
}

impl std::fmt::Debug for ChatOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatOptions")
            .field("url", &self.url)
            .field("model", &self.model)
            .field(
                "api_key",
                &if self.api_key.is_empty() { "" } else { "(set)" },
            )
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl ChatOptions {
    /// Options for `url` with the defaults: no model named, no key, 60 s, 64 KiB.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            model: String::new(),
            api_key: String::new(),
            timeout: Duration::from_secs(60),
            max_response_bytes: 64 << 10,
        }
    }
}

/// A summary and the model that wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// One clean sentence.
    pub text: String,
    /// The model, as the server names it (else as asked for, else the URL).
    pub model: String,
}

/// Why asking for a summary failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatFailure {
    /// No connection, a timeout, HTTP 429 or 5xx: the endpoint is failing, not the
    /// paper. `retry_after` is what the server asked for, if anything.
    Unavailable {
        /// What happened.
        detail: String,
        /// The server's `Retry-After`, in seconds.
        retry_after: Option<Duration>,
    },
    /// Another HTTP error (4xx): the request was refused, which may be this paper's
    /// (too long) or every paper's (wrong model name, missing key).
    Refused {
        /// The status and the server's message.
        detail: String,
    },
    /// A 2xx answer that is not a usable summary: not JSON, too large, no sentence
    /// left after cleaning.
    BadAnswer {
        /// What was wrong.
        detail: String,
    },
}

impl ChatFailure {
    /// The failure as one line, for the log and the database.
    pub fn detail(&self) -> &str {
        match self {
            Self::Unavailable { detail, .. }
            | Self::Refused { detail }
            | Self::BadAnswer { detail } => detail,
        }
    }
}

/// A client of one chat endpoint.
#[derive(Debug, Clone)]
pub struct ChatClient {
    client: reqwest::Client,
    url: Url,
    options: ChatOptions,
}

#[derive(Serialize)]
struct Request<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a str>,
    messages: [Message<'a>; 2],
    max_tokens: u32,
    temperature: f32,
    stream: bool,
}

#[derive(Serialize)]
struct Message<'a> {
    role: &'a str,
    content: &'a str,
}

#[derive(Deserialize)]
struct Response {
    choices: Vec<Choice>,
    #[serde(default)]
    model: Option<String>,
}

#[derive(Deserialize)]
struct Choice {
    message: Answer,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    content: Option<String>,
}

impl ChatClient {
    /// A client for `options.url`, which must be an http(s) URL.
    pub fn new(options: ChatOptions) -> Result<Self> {
        let invalid = |detail: String| EnrichError::SummaryEndpoint {
            url: options.url.clone(),
            detail,
        };
        let url = Url::parse(options.url.trim()).map_err(|e| {
            invalid(format!(
                "not a URL ({e}); use e.g. http://127.0.0.1:8000/v1/chat/completions"
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("only http and https URLs are supported".into()));
        }
        let client = http::client(options.timeout).map_err(invalid)?;
        Ok(Self {
            client,
            url,
            options,
        })
    }

    /// The endpoint.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The model asked for, else the endpoint: what a failure is recorded against.
    pub fn model_label(&self) -> &str {
        if self.options.model.is_empty() {
            self.url.as_str()
        } else {
            &self.options.model
        }
    }

    /// Asks for the TL;DR of one paper.
    pub async fn summarize(&self, title: &str, summary: &str) -> Result<Summary, ChatFailure> {
        let prompt = format!(
            "Title: {}\n\nAbstract: {}",
            truncate(title, TITLE_CHARS),
            truncate(summary, ABSTRACT_CHARS)
        );
        let body = Request {
            model: Some(self.options.model.as_str()).filter(|m| !m.is_empty()),
            messages: [
                Message {
                    role: "system",
                    content: SYSTEM_PROMPT,
                },
                Message {
                    role: "user",
                    content: &prompt,
                },
            ],
            max_tokens: MAX_TOKENS,
            temperature: 0.2,
            stream: false,
        };
        let body = serde_json::to_vec(&body).map_err(|e| ChatFailure::Refused {
            detail: format!("cannot encode the request: {e}"),
        })?;
        let mut request = self
            .client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        if !self.options.api_key.is_empty() {
            request = request.bearer_auth(&self.options.api_key);
        }
        let response = request.send().await.map_err(|e| unavailable(&e))?;
        let status = response.status();
        let retry_after = http::retry_after(&response);
        let limit = self.options.max_response_bytes;
        let bytes = http::read_capped(response, limit)
            .await
            .map_err(|e| match e {
                BodyError::TooLarge(limit) => ChatFailure::BadAnswer {
                    detail: format!("the answer is larger than {limit} bytes"),
                },
                BodyError::Transport(e) => unavailable(&e),
            })?;
        if !status.is_success() {
            let detail = format!("HTTP {status}: {}", error_message(&bytes));
            return Err(
                if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                    ChatFailure::Unavailable {
                        detail,
                        retry_after,
                    }
                } else {
                    ChatFailure::Refused { detail }
                },
            );
        }
        self.parse(&bytes)
    }

    fn parse(&self, bytes: &[u8]) -> Result<Summary, ChatFailure> {
        let bad = |detail: String| ChatFailure::BadAnswer { detail };
        let parsed: Response = serde_json::from_slice(bytes).map_err(|e| {
            bad(format!(
                "not an OpenAI chat completion ({e}): {}",
                snippet(bytes)
            ))
        })?;
        let choice = parsed
            .choices
            .into_iter()
            .next()
            .ok_or_else(|| bad("the answer has no choices".into()))?;
        let content = choice.message.content.unwrap_or_default();
        let truncated = choice.finish_reason.as_deref() == Some("length");
        let text = tldr(&content, truncated)
            .map_err(|reason| bad(format!("{reason}: {}", snippet(content.as_bytes()))))?;
        let model = parsed
            .model
            .map(|m| {
                m.chars()
                    .filter(|c| !c.is_control())
                    .take(MODEL_CHARS)
                    .collect::<String>()
            })
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| self.model_label().to_owned());
        Ok(Summary { text, model })
    }
}

fn unavailable(e: &reqwest::Error) -> ChatFailure {
    ChatFailure::Unavailable {
        detail: http::failure(e),
        retry_after: None,
    }
}

fn truncate(text: &str, chars: usize) -> &str {
    text.char_indices()
        .nth(chars)
        .map_or(text, |(cut, _)| &text[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_key_stays_out_of_debug_output() {
        let options = ChatOptions {
            api_key: "sk-secret".into(),
            ..ChatOptions::new("http://127.0.0.1:1/v1/chat/completions")
        };
        let client = ChatClient::new(options).unwrap();
        let shown = format!("{client:?}");
        assert!(
            !shown.contains("sk-secret") && shown.contains("(set)"),
            "{shown}"
        );
    }

    #[test]
    fn only_http_urls_are_accepted() {
        for bad in ["", "not a url", "ftp://host/v1/chat/completions"] {
            assert!(ChatClient::new(ChatOptions::new(bad)).is_err(), "{bad}");
        }
    }
}
