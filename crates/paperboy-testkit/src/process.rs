//! Driving the real `paperboy` binary: commands and `serve` processes, for the
//! end-to-end tests. The binary's path comes from the test
//! (`env!("CARGO_BIN_EXE_paperboy")`).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// How to run the binary: which one, on which data directory, with which settings.
#[derive(Debug, Clone)]
pub struct Paperboy {
    binary: PathBuf,
    data_dir: PathBuf,
    env: Vec<(String, String)>,
}

impl Paperboy {
    /// `binary` on `data_dir`, quiet (`PAPERBOY_LOG=warn`), keyword search only
    /// (`PAPERBOY_EMBEDDER=none`) unless [`Paperboy::env`] says otherwise.
    pub fn new(binary: impl Into<PathBuf>, data_dir: &Path) -> Self {
        Self {
            binary: binary.into(),
            data_dir: data_dir.to_owned(),
            env: vec![
                ("PAPERBOY_LOG".into(), "warn".into()),
                ("PAPERBOY_EMBEDDER".into(), "none".into()),
            ],
        }
    }

    /// Sets an environment variable of every process started from here.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// The command `paperboy --data-dir DIR ARGS…`.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(args)
            .env_remove("PAPERBOY_CONFIG")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Runs `paperboy ARGS…` to its end.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .output()
            .unwrap_or_else(|e| panic!("paperboy {args:?} runs: {e}"))
    }

    /// Runs `paperboy ARGS…` and asserts it succeeded; returns standard output.
    pub fn run_ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "paperboy {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `paperboy stats --json`.
    pub fn stats(&self) -> serde_json::Value {
        serde_json::from_str(&self.run_ok(&["stats", "--json"])).expect("stats are JSON")
    }

    /// Starts `paperboy serve --addr 127.0.0.1:0 ARGS…` and waits for the address it
    /// prints.
    pub fn serve(&self, args: &[&str]) -> Server {
        let mut child = self
            .command(&["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("paperboy serve starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the server prints its address");
        let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) else {
            let mut stderr = String::new();
            if let Some(mut err) = child.stderr.take() {
                let _ = err.read_to_string(&mut stderr);
            }
            let _ = child.kill();
            panic!("serve printed no address ({line:?}): {stderr}");
        };
        let client = reqwest::blocking::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        Server {
            url: url.to_owned(),
            child,
            client,
        }
    }
}

/// A running `paperboy serve`.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    child: Child,
    client: reqwest::blocking::Client,
}

impl Server {
    /// `GET path`: the status and body (status 0 when the request itself failed).
    pub fn get(&self, path: &str) -> (u16, String) {
        match self.client.get(format!("{}{path}", self.url)).send() {
            Ok(response) => {
                let status = response.status().as_u16();
                (status, response.text().unwrap_or_default())
            }
            Err(e) => (0, e.to_string()),
        }
    }

    /// `method path` with `headers` and a JSON `body`: the status and body.
    pub fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> (u16, String) {
        let mut request = self.client.request(method, format!("{}{path}", self.url));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        match request.send() {
            Ok(response) => {
                let status = response.status().as_u16();
                (status, response.text().unwrap_or_default())
            }
            Err(e) => (0, e.to_string()),
        }
    }

    /// `GET path`, expecting 200 and JSON.
    pub fn json(&self, path: &str) -> serde_json::Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }

    /// Waits up to `within` for `check` to hold, polling; panics saying `what`.
    pub fn wait_for(&self, what: &str, within: Duration, mut check: impl FnMut(&Self) -> bool) {
        let started = Instant::now();
        while !check(self) {
            assert!(
                started.elapsed() < within,
                "timed out after {within:?} waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends SIGTERM and returns the exit status and what the server wrote to stderr.
    pub fn terminate(mut self) -> (ExitStatus, String) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                let mut stderr = String::new();
                if let Some(mut err) = self.child.stderr.take() {
                    let _ = err.read_to_string(&mut stderr);
                }
                return (status, stderr);
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the server did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
