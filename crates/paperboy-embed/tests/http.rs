//! The `http` backend against a local OpenAI-compatible server (axum on 127.0.0.1:0)
//! that serves vectors computed by the local backend on the real model; and `none`.

use paperboy_testkit::model as common;

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use paperboy_embed::EmbedError;
use paperboy_embed::{Embedder, EmbedderSetting, LocalEmbedder};
use serde_json::{Value, json};

/// Like text-embeddings-inference: at most 32 inputs, answers in shuffled order with
/// an `index` on each item.
async fn embeddings(State(local): State<Arc<LocalEmbedder>>, Json(body): Json<Value>) -> Response {
    let Some(inputs) = body["input"].as_array() else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": "input must be a list"})),
        )
            .into_response();
    };
    if inputs.len() > 32 {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            Json(json!({"error": "batch size 40 > maximum allowed batch size 32", "error_type": "validation"})),
        )
            .into_response();
    }
    let texts: Vec<String> = inputs
        .iter()
        .map(|t| t.as_str().unwrap_or("").to_owned())
        .collect();
    let vectors = tokio::task::spawn_blocking(move || {
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        local.embed(&texts)
    })
    .await
    .expect("join")
    .expect("embeds");
    let mut data: Vec<Value> = vectors
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            // Unnormalised, as some servers answer: the client normalises.
            let v: Vec<f32> = v.into_iter().map(|x| x * 3.0).collect();
            json!({"object": "embedding", "index": i, "embedding": v})
        })
        .collect();
    data.reverse();
    Json(
        json!({"object": "list", "data": data, "model": "sentence-transformers/all-MiniLM-L6-v2",
                "usage": {"prompt_tokens": 0, "total_tokens": 0}}),
    )
    .into_response()
}

async fn broken() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({"error": "model crashed", "error_type": "backend"})),
    )
        .into_response()
}

async fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})),
    )
        .into_response()
}

async fn one_short(Json(body): Json<Value>) -> Response {
    let n = body["input"].as_array().map_or(0, Vec::len);
    let data: Vec<Value> = (1..n)
        .map(|i| json!({"index": i, "embedding": [1.0, 0.0]}))
        .collect();
    Json(json!({"data": data})).into_response()
}

async fn not_json() -> Response {
    (StatusCode::OK, "<html>proxy login</html>").into_response()
}

/// Starts the server; returns its base URL.
async fn server() -> String {
    let app = Router::new()
        .route("/v1/embeddings", post(embeddings))
        .route("/broken/v1/embeddings", post(broken))
        .route("/auth/v1/embeddings", post(unauthorized))
        .route("/short/v1/embeddings", post(one_short))
        .route("/html/v1/embeddings", post(not_json))
        .with_state(common::local());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

async fn open(setting: &str) -> Result<Embedder, EmbedError> {
    Embedder::open(&EmbedderSetting::parse(setting)?).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_backend_returns_the_local_vectors_in_order() {
    let base = server().await;
    // The base URL alone: /v1/embeddings is added.
    let embedder = open(&format!("http:{base}")).await.expect("connects");
    assert_eq!(
        embedder.model_name(),
        Some("sentence-transformers/all-MiniLM-L6-v2")
    );
    assert_eq!(embedder.dimension(), Some(384));
    assert!(
        embedder.to_string().contains("384 dimensions"),
        "{embedder}"
    );

    let papers = common::papers();
    let texts: Vec<&str> = papers.iter().take(40).map(|p| p.title.as_str()).collect();
    let remote = embedder
        .embed(&texts)
        .await
        .expect("two requests of at most 32");
    let local = common::local().embed(&texts).expect("embeds");
    assert_eq!(remote.len(), 40);
    for (r, l) in remote.iter().zip(&local) {
        assert!(common::cosine(r, l) > 0.99999);
        let norm: f32 = r.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_errors_say_what_went_wrong() {
    let base = server().await;
    let cases = [
        (format!("http:{base}/nowhere"), "HTTP 404"),
        (format!("http:{base}/nowhere"), "/v1/embeddings"),
        (
            format!("http:{base}/broken/v1/embeddings"),
            "HTTP 500 Internal Server Error: model crashed",
        ),
        (
            format!("http:{base}/auth/v1/embeddings"),
            "Incorrect API key provided",
        ),
        (format!("http:{base}/auth/v1/embeddings"), "credentials"),
        (
            format!("http:{base}/short/v1/embeddings"),
            "sent 1 inputs, got 0 vectors back",
        ),
        (
            format!("http:{base}/html/v1/embeddings"),
            "not an OpenAI embeddings response",
        ),
        (
            format!("http:{base}/html/v1/embeddings"),
            "<html>proxy login</html>",
        ),
    ];
    for (setting, expected) in cases {
        let err = open(&setting).await.expect_err(&setting).to_string();
        assert!(err.contains(expected), "{setting}: {err}");
    }
}

#[tokio::test]
async fn http_to_a_closed_port_says_cannot_connect() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let err = open(&format!("http:http://{addr}"))
        .await
        .expect_err("closed")
        .to_string();
    assert!(err.contains("cannot connect"), "{err}");
    assert!(err.contains("is the server running"), "{err}");
}

#[tokio::test]
async fn none_says_search_is_keyword_only() {
    let embedder = open("none").await.expect("none opens");
    assert_eq!(embedder.model_name(), None);
    assert_eq!(embedder.dimension(), None);
    assert_eq!(embedder.to_string(), "none (keyword search only)");
    let err = embedder
        .embed(&["anything"])
        .await
        .expect_err("none embeds nothing");
    assert!(matches!(err, EmbedError::NoEmbedder));
    assert!(err.to_string().contains("keyword-only"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_setting_opens_the_model() {
    let dir = common::model_dir();
    let embedder = open(&format!("local:{}", dir.display()))
        .await
        .expect("loads");
    assert_eq!(embedder.model_name(), Some("all-MiniLM-L6-v2"));
    let v = embedder.embed(&["llama"]).await.expect("embeds");
    let reference = common::references()
        .into_iter()
        .find(|r| r.text == "llama")
        .expect("ref");
    assert!(common::cosine(&v[0], &reference.vector) > 0.999);
}
