//! The `http` backend: any OpenAI-compatible `POST /v1/embeddings` endpoint
//! (text-embeddings-inference, Ollama, vLLM, OpenAI itself).

use std::time::Duration;

use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};

use crate::normalise;
use paperboy_core::endpoint::{error_message, snippet, with_causes};

use crate::error::{EmbedError, Result};

/// Inputs per request. text-embeddings-inference refuses more than 32 by default.
pub const MAX_INPUTS_PER_REQUEST: usize = 32;
/// How long to wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one request may take (a CPU server embedding 32 abstracts is slow).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// A client of an embedding endpoint whose model and dimension are known.
#[derive(Debug, Clone)]
pub struct HttpEmbedder {
    client: reqwest::Client,
    url: Url,
    /// The model asked for, if any.
    requested: Option<String>,
    /// The model the server says it ran.
    model: String,
    dimension: usize,
}

#[derive(Serialize)]
struct Request<'a> {
    input: &'a [&'a str],
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a str>,
}

#[derive(Deserialize)]
struct Response {
    data: Vec<Item>,
    #[serde(default)]
    model: Option<String>,
}

#[derive(Deserialize)]
struct Item {
    embedding: Vec<f32>,
    #[serde(default)]
    index: Option<usize>,
}

impl HttpEmbedder {
    /// Connects to the endpoint at `url`, asking for `model` (or none), and learns the
    /// model's name and dimension by embedding one word.
    pub async fn connect(url: Url, model: Option<String>) -> Result<Self> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("paperboy/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| EmbedError::Endpoint {
                url: url.to_string(),
                detail: format!("cannot build an HTTP client: {e}"),
            })?;
        let mut embedder = Self {
            client,
            url,
            model: model.clone().unwrap_or_default(),
            requested: model,
            dimension: 0,
        };
        let (vectors, served) = embedder.request(&["paperboy"]).await?;
        embedder.dimension = vectors.first().map_or(0, Vec::len);
        if let Some(served) = served.filter(|m| !m.is_empty()) {
            embedder.model = served;
        }
        if embedder.model.is_empty() {
            embedder.model = embedder.url.to_string();
        }
        Ok(embedder)
    }

    /// The model's name, as the server reports it.
    pub fn model_name(&self) -> &str {
        &self.model
    }

    /// The length of every vector.
    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// The endpoint.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Embeds `texts` in requests of at most [`MAX_INPUTS_PER_REQUEST`]; one
    /// L2-normalised vector per text, in order.
    pub async fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(MAX_INPUTS_PER_REQUEST) {
            let (vectors, _) = self.request(chunk).await?;
            if let Some(bad) = vectors.iter().find(|v| v.len() != self.dimension) {
                return Err(self.error(format!(
                    "returned a vector of {} dimensions where the model gave {} before; \
                     was the server's model changed?",
                    bad.len(),
                    self.dimension
                )));
            }
            out.extend(vectors);
        }
        Ok(out)
    }

    fn error(&self, detail: impl Into<String>) -> EmbedError {
        EmbedError::Endpoint {
            url: self.url.to_string(),
            detail: detail.into(),
        }
    }

    /// One request: the vectors in input order, and the model the server named.
    async fn request(&self, texts: &[&str]) -> Result<(Vec<Vec<f32>>, Option<String>)> {
        let body = Request {
            input: texts,
            model: self.requested.as_deref(),
        };
        let body = serde_json::to_vec(&body).map_err(|e| self.error(e.to_string()))?;
        let response = self
            .client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| self.error(describe_send_error(&e)))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.error(format!("the answer broke off: {}", with_causes(&e))))?;
        if !status.is_success() {
            return Err(self.error(describe_status(status, &bytes)));
        }
        let parsed: Response = serde_json::from_slice(&bytes).map_err(|e| {
            self.error(format!(
                "the answer is not an OpenAI embeddings response ({e}): {}",
                snippet(&bytes)
            ))
        })?;
        if parsed.data.len() != texts.len() {
            return Err(self.error(format!(
                "sent {} inputs, got {} vectors back",
                texts.len(),
                parsed.data.len()
            )));
        }
        let mut vectors = vec![Vec::new(); texts.len()];
        for (position, item) in parsed.data.into_iter().enumerate() {
            let index = item.index.unwrap_or(position);
            let slot = vectors
                .get_mut(index)
                .filter(|slot| slot.is_empty())
                .ok_or_else(|| {
                    self.error(format!("bad or repeated index {index} in the answer"))
                })?;
            if item.embedding.is_empty() || item.embedding.iter().any(|x| !x.is_finite()) {
                return Err(self.error("returned an empty vector or one with NaN/infinity"));
            }
            *slot = item.embedding;
            normalise(slot);
        }
        Ok((vectors, parsed.model))
    }
}

fn describe_send_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        format!(
            "no answer within {} s; is the server overloaded?",
            REQUEST_TIMEOUT.as_secs()
        )
    } else if e.is_connect() {
        format!(
            "cannot connect ({}); is the server running, and is the URL right?",
            with_causes(e)
        )
    } else {
        format!("request failed: {}", with_causes(e))
    }
}

fn describe_status(status: StatusCode, body: &[u8]) -> String {
    let hint = match status {
        StatusCode::NOT_FOUND => {
            "; the URL should be the OpenAI-compatible embeddings endpoint, such as http://host:8080/v1/embeddings, and for Ollama or vLLM name the model: http:URL#MODEL"
        }
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            "; the server wants credentials, which paperboy does not send: put it behind a proxy that adds them"
        }
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNPROCESSABLE_ENTITY => {
            "; the server refused the batch or the input length: raise its limits (text-embeddings-inference: --max-client-batch-size, --auto-truncate)"
        }
        s if s.is_server_error() => "; the server failed: see its log",
        _ => "",
    };
    format!("HTTP {status}: {}{hint}", error_message(body))
}
