//! [`Browser`]: an HTTP client that keeps cookies and reads forms, as a browser
//! does, for tests of the signed-in pages; and [`Mailbox`], the `.eml` files a
//! local paperboy writes instead of sending mail.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A cookie-keeping client of one site. Redirects are not followed: tests look at
/// them.
pub struct Browser {
    base: String,
    client: reqwest::Client,
    cookies: Mutex<BTreeMap<String, String>>,
}

/// A response as a test needs it.
#[derive(Debug)]
pub struct Page {
    /// The status code.
    pub status: u16,
    /// The `Location` header, for redirects.
    pub location: Option<String>,
    /// The `Retry-After` header.
    pub retry_after: Option<String>,
    /// The body.
    pub body: String,
}

impl Page {
    /// The value of the first hidden form field `name` in the body.
    pub fn field(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')? + start;
        Some(
            self.body[start..end]
                .replace("&#x2f;", "/")
                .replace("&#x27;", "'"),
        )
    }

    /// The CSRF token of the page's forms.
    pub fn csrf(&self) -> String {
        self.field("csrf")
            .unwrap_or_else(|| panic!("no csrf field in: {}", self.body))
    }
}

impl Browser {
    /// A browser with no cookies, visiting `base` (`http://127.0.0.1:PORT`).
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .build()
                .expect("client"),
            cookies: Mutex::new(BTreeMap::new()),
        }
    }

    /// Sets cookie `name` as if the site had (a session made in the database).
    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies
            .lock()
            .expect("cookies")
            .insert(name.to_owned(), value.to_owned());
    }

    /// The value of cookie `name`, if the site set it.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().expect("cookies").get(name).cloned()
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .expect("cookies")
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&self, request: reqwest::RequestBuilder) -> Page {
        let response = request
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("request sent");
        for set in response.headers().get_all("set-cookie") {
            let set = set.to_str().expect("ascii cookie");
            let pair = set.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                let mut cookies = self.cookies.lock().expect("cookies");
                if value.is_empty() || set.contains("Max-Age=0") {
                    cookies.remove(name);
                } else {
                    cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Page {
            status: response.status().as_u16(),
            location: header("location"),
            retry_after: header("retry-after"),
            body: response.text().await.expect("body"),
        }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Page {
        self.finish(self.client.get(format!("{}{path}", self.base)))
            .await
    }

    /// `POST path` with `fields` as a form, from this site (`Origin` set).
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.finish(
            self.client
                .post(format!("{}{path}", self.base))
                .header("origin", &self.base)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded_pairs(fields)),
        )
        .await
    }

    /// `POST path` as `multipart/form-data` (a form with a file input), from this
    /// site: `fields` as text parts, then `file` as (field, file name, content).
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &str)>,
    ) -> Page {
        const BOUNDARY: &str = "paperboy-test-boundary-7d1a";
        let mut body = String::new();
        for (name, value) in fields {
            body.push_str(&format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        if let Some((name, file_name, content)) = file {
            body.push_str(&format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n{content}\r\n"
            ));
        }
        body.push_str(&format!("--{BOUNDARY}--\r\n"));
        self.finish(
            self.client
                .post(format!("{}{path}", self.base))
                .header("origin", &self.base)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(body),
        )
        .await
    }

    /// `method path` with extra `headers` and a JSON `body` (or none).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Page {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        self.finish(request).await
    }
}

/// `a=1&b=2`, percent-encoded.
fn serde_urlencoded_pairs(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `.eml` files of a local paperboy (`<data_dir>/mail`).
pub struct Mailbox {
    dir: PathBuf,
}

impl Mailbox {
    /// The mail directory of the data directory `data_dir`.
    pub fn of(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: data_dir.into().join("mail"),
        }
    }

    /// Every message written so far, decoded from quoted-printable.
    pub fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        paths
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .map(|raw| decode_quoted_printable(&raw))
            .collect()
    }

    /// Waits up to 10 s for a message to `to` that contains `needle`.
    pub async fn wait_for(&self, to: &str, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(found) = self
                .messages()
                .into_iter()
                .find(|m| m.contains(&format!("To: {to}")) && m.contains(needle))
            {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "no mail to {to} containing {needle:?} in {}",
                self.dir.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Undoes quoted-printable soft line breaks and `=XX` escapes (enough for the
/// ASCII text of paperboy's mails).
pub fn decode_quoted_printable(raw: &str) -> String {
    let unfolded = raw.replace("=\r\n", "").replace("=\n", "");
    let mut out = String::with_capacity(unfolded.len());
    let mut rest = unfolded.as_str();
    while let Some(at) = rest.find('=') {
        out.push_str(&rest[..at]);
        let hex = rest.get(at + 1..at + 3);
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) if byte.is_ascii() => {
                out.push(byte as char);
                rest = &rest[at + 3..];
            }
            _ => {
                out.push('=');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The first URL in `text` whose path starts with `path`.
pub fn link_in(text: &str, path: &str) -> Option<String> {
    text.split_whitespace()
        .filter(|word| word.starts_with("http"))
        .find(|url| {
            url.split_once("://")
                .is_some_and(|(_, rest)| rest.contains(path))
        })
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_links_are_restored() {
        let raw = "Open:\r\n\r\nhttp://127.0.0.1:1/login/abc?next=3D%2Fpa=\r\npers\r\n";
        let text = decode_quoted_printable(raw);
        assert_eq!(
            link_in(&text, "/login/").as_deref(),
            Some("http://127.0.0.1:1/login/abc?next=%2Fpapers")
        );
    }
}
