//! How the web server presents itself.

use axum::http::Uri;
use paperboy_core::SubmitRules;

use crate::WebError;

/// Settings of the web server.
#[derive(Debug, Clone, PartialEq)]
pub struct WebConfig {
    /// The site's external base URL, e.g. `https://papers.example.org`, for absolute
    /// links (the API's `Link: rel="next"` headers) when paperboy runs behind a reverse
    /// proxy. `None`: absolute links are built from the request's `Host` header, over
    /// `http`. A trailing `/` is ignored.
    pub public_url: Option<String>,
    /// The name in every page's header and title.
    pub site_name: String,
    /// Write sign-in links to the log too: mail stays on this machine (`.eml` files),
    /// so a local instance's owner can sign in without a mail server.
    pub log_sign_in_links: bool,
    /// The rules of submitting papers to the daily list.
    pub submit: SubmitRules,
    /// Where the thumbnails are (`paperboy_core::thumbnail`); `None`: lists show none.
    pub thumbnails_dir: Option<std::path::PathBuf>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            public_url: None,
            site_name: "paperboy".to_owned(),
            log_sign_in_links: false,
            submit: SubmitRules::default(),
            thumbnails_dir: None,
        }
    }
}

impl WebConfig {
    /// Checks the settings: `public_url` must be an absolute `http` or `https` URL
    /// without query or fragment. Call it at startup to fail early; [`crate::router`]
    /// ignores an invalid `public_url` (with a warning) and falls back to `Host`.
    pub fn validate(&self) -> Result<(), WebError> {
        self.public_base().map(|_| ())
    }

    /// `public_url` without its trailing `/`, checked.
    pub(crate) fn public_base(&self) -> Result<Option<String>, WebError> {
        let Some(url) = &self.public_url else {
            return Ok(None);
        };
        let invalid = |reason: &'static str| WebError::PublicUrl {
            url: url.chars().take(200).collect(),
            reason,
        };
        let uri: Uri = url.trim().parse().map_err(|_| invalid("not a URL"))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) {
            return Err(invalid("it must start with http:// or https://"));
        }
        if uri.authority().is_none_or(|a| a.host().is_empty()) {
            return Err(invalid("it has no host"));
        }
        if uri.query().is_some() || url.contains('#') {
            return Err(invalid("it must not have a query or fragment"));
        }
        Ok(Some(url.trim().trim_end_matches('/').to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(url: &str) -> Result<Option<String>, WebError> {
        WebConfig {
            public_url: Some(url.to_owned()),
            ..WebConfig::default()
        }
        .public_base()
    }

    #[test]
    fn public_url_loses_its_trailing_slash() {
        assert_eq!(
            base("https://papers.example.org/")
                .ok()
                .flatten()
                .as_deref(),
            Some("https://papers.example.org")
        );
        assert_eq!(
            base("http://127.0.0.1:8080/hub").ok().flatten().as_deref(),
            Some("http://127.0.0.1:8080/hub")
        );
        assert_eq!(WebConfig::default().public_base().ok().flatten(), None);
    }

    #[test]
    fn public_url_must_be_absolute_http() {
        for bad in [
            "papers.example.org",
            "ftp://x.org",
            "https://x.org/?a=b",
            "https://x.org/#top",
            "",
        ] {
            let err = base(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains("public_url"), "{bad:?}: {err}");
        }
    }
}
