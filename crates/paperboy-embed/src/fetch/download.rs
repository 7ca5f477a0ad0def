//! Downloading one file: resumable (`Range`), SHA-256 checked, with a progress bar on
//! a terminal.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use reqwest::header::{CONTENT_RANGE, RANGE};
use reqwest::{Client, StatusCode};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use paperboy_core::endpoint::with_causes;

use crate::error::{EmbedError, Result};

/// An HTTP client for downloads: the OS certificate store (through rustls' platform
/// verifier), a User-Agent, and timeouts that fail a dead connection but not a slow one.
pub fn client() -> Result<Client> {
    Client::builder()
        .user_agent(concat!("paperboy/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(15))
        .read_timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| EmbedError::Download {
            url: String::new(),
            detail: format!("cannot build an HTTP client: {e}"),
        })
}

/// GETs `url` as JSON.
pub async fn get_json<T: serde::de::DeserializeOwned>(client: &Client, url: &str) -> Result<T> {
    let failed = |detail: String| EmbedError::Download {
        url: url.to_owned(),
        detail,
    };
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| failed(with_causes(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(failed(format!("HTTP {status}")));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| failed(with_causes(&e)))?;
    serde_json::from_slice(&body).map_err(|e| failed(format!("unexpected answer: {e}")))
}

/// The partial file a download of `dest` writes to until it is complete.
fn partial_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    dest.with_file_name(name)
}

/// Downloads `url` to `dest`, continuing a partial download left by an earlier run,
/// and checks the SHA-256 when `sha256` is given. `dest` appears only when complete
/// and checked; a damaged download is deleted so that the next run starts afresh.
pub async fn download(client: &Client, url: &str, dest: &Path, sha256: Option<&str>) -> Result<()> {
    let failed = |detail: String| EmbedError::Download {
        url: url.to_owned(),
        detail,
    };
    let part = partial_path(dest);
    let mut hasher = Sha256::new();
    let mut have = hash_existing(&part, &mut hasher).await?;
    let mut request = client.get(url);
    if have > 0 {
        request = request.header(RANGE, format!("bytes={have}-"));
    }
    let mut response = request.send().await.map_err(|e| failed(with_causes(&e)))?;
    let resumed = response.status() == StatusCode::PARTIAL_CONTENT
        && response
            .headers()
            .get(CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(&format!("bytes {have}-")));
    if !resumed {
        if response.status() == StatusCode::RANGE_NOT_SATISFIABLE {
            // The partial file is as long as the file or longer: start over.
            tokio::fs::remove_file(&part)
                .await
                .map_err(|e| EmbedError::io(&part, e))?;
            return Box::pin(download(client, url, dest, sha256)).await;
        }
        if !response.status().is_success() {
            return Err(failed(format!("HTTP {}", response.status())));
        }
        have = 0;
        hasher = Sha256::new();
    }
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(resumed)
        .truncate(!resumed)
        .open(&part)
        .await
        .map_err(|e| EmbedError::io(&part, e))?;
    let progress = progress_bar(
        dest.file_name().map(|n| n.to_string_lossy().into_owned()),
        response.content_length().map(|n| n + have),
        have,
    );
    while let Some(chunk) = response.chunk().await.map_err(|e| {
        failed(format!(
            "{}; run the same command again to continue",
            with_causes(&e)
        ))
    })? {
        file.write_all(&chunk)
            .await
            .map_err(|e| EmbedError::io(&part, e))?;
        hasher.update(&chunk);
        progress.inc(chunk.len() as u64);
    }
    file.sync_all()
        .await
        .map_err(|e| EmbedError::io(&part, e))?;
    drop(file);
    progress.finish_and_clear();
    let actual = hex(&hasher.finalize());
    if let Some(expected) = sha256.filter(|e| !e.eq_ignore_ascii_case(&actual)) {
        // Ignore a failed delete: the checksum error is the one to report.
        let _ = tokio::fs::remove_file(&part).await;
        return Err(EmbedError::Checksum {
            what: url.to_owned(),
            expected: expected.to_owned(),
            actual,
        });
    }
    tokio::fs::rename(&part, dest)
        .await
        .map_err(|e| EmbedError::io(dest, e))
}

/// Feeds an existing partial file to `hasher`; returns its length (0 when absent).
async fn hash_existing(part: &Path, hasher: &mut Sha256) -> Result<u64> {
    let mut file = match tokio::fs::File::open(part).await {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(EmbedError::io(part, e)),
    };
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .await
            .map_err(|e| EmbedError::io(part, e))?;
        if n == 0 {
            return Ok(total);
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
}

/// A byte progress bar on stderr when stderr is a terminal; hidden otherwise.
fn progress_bar(name: Option<String>, total: Option<u64>, done: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(total) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template(
                "{msg:24} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        ),
        None => ProgressBar::new_spinner(),
    };
    bar.set_message(name.unwrap_or_default());
    bar.set_position(done);
    bar
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a file.
pub async fn sha256_file(path: &Path) -> Result<String> {
    let mut hasher = Sha256::new();
    hash_existing(path, &mut hasher).await?;
    Ok(hex(&hasher.finalize()))
}
