//! [`SmtpSink`]: a real SMTP server process (`scripts/smtp_sink.py`, on the
//! `aiosmtpd` Python package) that keeps every message it accepts, for tests of mail
//! delivery; it can be stopped and started again on the same port, and told to
//! refuse some recipients with 550.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::browser::decode_quoted_printable;

/// A running (or stopped) SMTP server of a test.
pub struct SmtpSink {
    port: u16,
    dir: tempfile::TempDir,
    reject: String,
    child: Option<Child>,
}

impl SmtpSink {
    /// Starts a server on a free port; recipients containing `reject` (unless
    /// empty) are refused with 550.
    pub fn start(reject: &str) -> Self {
        let port = crate::postgres::free_port().expect("a free port");
        let mut sink = Self {
            port,
            dir: tempfile::tempdir().expect("temp dir"),
            reject: reject.to_owned(),
            child: None,
        };
        sink.resume();
        sink
    }

    /// `smtp://127.0.0.1:PORT`, for `smtp_url`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The directory the messages are written to (one `.eml` file each, starting
    /// with an `X-Envelope-To` line).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Stops the server: connections are refused until [`SmtpSink::resume`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, keeping the messages received.
    pub fn resume(&mut self) {
        let script = crate::workspace_root().join("crates/paperboy-testkit/scripts/smtp_sink.py");
        let mut command = crate::python_with("aiosmtpd", "aiosmtpd");
        command
            .arg(&script)
            .arg(self.port.to_string())
            .arg(self.dir.path())
            .arg(&self.reject)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let mut child = command.spawn().expect("python3 runs the SMTP sink");
            let stdout = child.stdout.take().expect("piped stdout");
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            if line.trim() == "ready" {
                self.child = Some(child);
                return;
            }
            // The port may still be held by the process just stopped: retry.
            let _ = child.kill();
            let _ = child.wait();
            assert!(Instant::now() < deadline, "the SMTP sink did not start");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Every message received, oldest first, decoded from quoted-printable, each
    /// starting with its `X-Envelope-To` line.
    pub fn messages(&self) -> Vec<String> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        paths.sort();
        paths
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .map(|raw| decode_quoted_printable(&raw))
            .collect()
    }

    /// Waits up to 10 s until `count` messages have arrived; returns them.
    pub async fn wait_for(&self, count: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {count} messages arrived",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}
