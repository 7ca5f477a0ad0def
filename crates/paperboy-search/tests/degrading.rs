//! Search when the embedding server fails after paperboy started: the engine answers
//! with keywords alone instead of an error.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use paperboy_core::SearchQuery;
use paperboy_embed::{Embedder, EmbedderSetting};
use paperboy_search::engine::{SearchEngine, SearchMode, SearchRequest, Semantic};
use paperboy_search::vector::VectorIndex;
use paperboy_store::Backend;
use paperboy_testkit::TestDb;
use paperboy_testkit::corpus::indexed_corpus;
use serde_json::{Value, json};

/// Answers the first request (the client's probe when it connects) with a unit
/// vector, then fails: a server that went away after paperboy started.
async fn flaky(Json(_): Json<Value>) -> Response {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    if CALLS.fetch_add(1, Ordering::SeqCst) == 0 {
        let vector = vec![1.0 / (384f32).sqrt(); 384];
        Json(json!({"data": [{"index": 0, "embedding": vector}], "model": "flaky"})).into_response()
    } else {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": "model crashed"})),
        )
            .into_response()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_embedding_server_degrades_search_to_keywords() {
    let app = Router::new().route("/v1/embeddings", post(flaky));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let setting = EmbedderSetting::resolve(
        Some(&format!("http:http://{addr}/v1/embeddings")),
        std::path::Path::new("."),
    )
    .expect("setting");
    let embedder = Embedder::open(&setting).await.expect("connects");

    let db = TestDb::new(Backend::Sqlite).await.expect("sqlite");
    let store = db.open().await;
    let keyword = indexed_corpus(&store, &db.dir.path().join("index"))
        .await
        .index()
        .clone();
    let mut vectors = VectorIndex::new(384);
    let id = paperboy_core::ArxivId::parse("2606.27531").expect("id");
    vectors.upsert(id, &[1.0 / (384f32).sqrt(); 384]);
    let semantic = Arc::new(Semantic::new(embedder, vectors));
    let engine = SearchEngine::new(store, keyword, Some(semantic));
    let request = SearchRequest {
        query: SearchQuery::parse("doppler tracking spacecraft"),
        mode: SearchMode::Hybrid,
        offset: 0,
        limit: 5,
        highlight: false,
    };
    let page = engine
        .search(&request)
        .await
        .expect("answered despite the embedder");
    assert_eq!(page.mode, SearchMode::Keyword);
    assert_eq!(page.hits[0].record.paper.id.as_str(), "2606.27531");
}
