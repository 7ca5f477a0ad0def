//! End-to-end tests of `paperboy serve` through the real binary: the printed URL,
//! the first-run sample, pages and API over HTTP, `--no-sample`, and a clean exit on
//! SIGTERM.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `paperboy serve` and its base URL.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(data_dir: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_paperboy"))
            .arg("--data-dir")
            .arg(data_dir)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .env("PAPERBOY_LOG", "warn")
            .env("PAPERBOY_EMBEDDER", "none")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("paperboy starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the server prints its address");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("a http:// URL")
            .to_owned();
        Server { child, url }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let response = reqwest::blocking::get(format!("{}{path}", self.url)).expect("request");
        (response.status().as_u16(), response.text().expect("body"))
    }

    /// Sends SIGTERM and returns the exit status and what the server wrote to stderr.
    fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                let mut stderr = String::new();
                if let Some(mut err) = self.child.stderr.take() {
                    std::io::Read::read_to_string(&mut err, &mut stderr).ok();
                }
                return (status, stderr);
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "server did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn first_start_serves_the_bundled_sample_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
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
    let server = Server::start(dir.path(), &[]);
    let (_, stderr) = server.terminate();
    assert!(!stderr.contains("loaded the bundled sample"), "{stderr}");
}

#[test]
fn no_sample_starts_empty() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--no-sample"]);
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
