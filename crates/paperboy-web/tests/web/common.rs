//! What the web tests share: seed data taken from the committed real recordings
//! (`fixtures/`), the real `huggingface_hub` client, odd queries. The app itself is
//! [`paperboy_testkit::TestApp`], on either backend.

use jiff::Timestamp;
use jiff::civil::{Date, date};
use paperboy_core::text::normalize_whitespace;
use std::time::Duration;

use paperboy_core::{ArxivId, Author, DailyEntry, Email, Paper, Role, Submitter, Username};
use paperboy_store::Batch;
use paperboy_store::secret::{hash_secret, new_secret};
use paperboy_testkit::Browser;
pub use paperboy_testkit::{TestApp, TestDb};
use serde_json::Value;

/// The day of the newest recorded HF daily list.
pub const HF_DAY: Date = date(2026, 8, 21);
/// The day of the oldest recorded HF daily list.
pub const OLD_HF_DAY: Date = date(2024, 5, 27);
/// The day of the recorded arXiv listing.
pub const LISTING_DAY: Date = date(2026, 6, 29);

/// Makes an account `name` (`name@example.org`) with `role`.
async fn account(app: &TestApp, name: &str, role: Role) -> paperboy_store::User {
    let email = Email::parse(&format!("{name}@example.org")).expect("address");
    let username = Username::parse(name).expect("username");
    app.store
        .create_user(&email, Some(&username), role)
        .await
        .expect("account created")
}

/// An account `name` with `role` and a personal API token (as `paperboy user add`
/// and `paperboy token create` make them); returns `Bearer TOKEN`.
pub async fn bearer(app: &TestApp, name: &str, role: Role) -> String {
    let user = account(app, name, role).await;
    let token = new_secret("pb_").expect("random");
    app.store
        .create_api_token(&user.id, "test", &hash_secret(&token))
        .await
        .expect("token created");
    format!("Bearer {token}")
}

/// A browser signed in as a new reader `name` (its session made in the database).
pub async fn signed_in(app: &TestApp, name: &str) -> Browser {
    let user = account(app, name, Role::Reader).await;
    let cookie = new_secret("").expect("random");
    app.store
        .create_session(
            &user.id,
            &hash_secret(&cookie),
            Duration::from_secs(3600),
            None,
        )
        .await
        .expect("session created");
    let browser = Browser::new(&app.base);
    browser.set_cookie("paperboy_session", &cookie);
    browser
}

/// An app whose database holds the seed data.
pub async fn seeded(db: TestDb) -> TestApp {
    let app = TestApp::start(db).await;
    app.seed(seed_batch()).await;
    app
}

/// Runs `tests/hf_client.py` (the real `huggingface_hub` client) against `app` with
/// `args`, and returns what the client parsed; fails, saying how to install it, when
/// `huggingface_hub` is missing.
pub async fn run_client(app: &TestApp, args: &[&str]) -> Value {
    let script = paperboy_testkit::workspace_root().join("crates/paperboy-web/tests/hf_client.py");
    let output = tokio::process::Command::from(paperboy_testkit::python_with(
        "huggingface_hub",
        "huggingface_hub",
    ))
    .arg(&script)
    .arg(&app.base)
    .args(args)
    .env_remove("HF_HUB_OFFLINE")
    .env("HF_HUB_DISABLE_TELEMETRY", "1")
    .env("NO_PROXY", "127.0.0.1,localhost")
    .env("no_proxy", "127.0.0.1,localhost")
    .output()
    .await
    .unwrap_or_else(|e| {
        panic!("cannot run python3 ({e}); install Python 3 and `pip install huggingface_hub`")
    });
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{} failed: {stderr}\n(the HF compatibility test needs the real client: pip install huggingface_hub)",
        script.display()
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "client output is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// The arXiv ids of a JSON list of papers or of daily items (`{"paper": {...}}`).
pub fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .expect("array")
        .iter()
        .map(|item| {
            let id = item.get("paper").map_or(&item["id"], |paper| &paper["id"]);
            id.as_str().expect("id").to_owned()
        })
        .collect()
}

/// Queries that try the parser and the engine, percent-encoded: 10 KB, control
/// characters, unbalanced quotes, every operator alone, non-Latin scripts, emoji,
/// other engines' syntax.
fn odd_queries() -> Vec<String> {
    let long = "a".repeat(10_240);
    let words = "transformer ".repeat(900);
    let mut queries: Vec<String> = vec![
        long,
        urlencode(&words),
        "%00%01%07%1B%7F".into(),
        "%22unbalanced+quote".into(),
        "%22".into(),
        "%22%22%22".into(),
        "%FF%FE".into(),
        "%E6%A3%80%E7%B4%A2%E5%A2%9E%E5%BC%BA%E7%94%9F%E6%88%90".into(),
        "%D0%BF%D0%BE%D0%B8%D1%81%D0%BA+%D9%85%D9%82%D8%A7%D9%84%D8%A9".into(),
        "%F0%9F%A6%80%F0%9F%93%84".into(),
        "after%3A9999-99-99".into(),
        "before%3A0000".into(),
        "after%3A2026+before%3A2020".into(),
        "*".into(),
        "AND+OR+NOT+(+)+%5B+%5D+%7B%7D+~+%5E+-".into(),
        "title%3A%28%29".into(),
    ];
    for operator in [
        "author:",
        "au:",
        "cat:",
        "category:",
        "after:",
        "before:",
        "since:",
        "until:",
        "has:",
        "has:code",
        "id:",
        "arxiv:",
        ":",
    ] {
        queries.push(urlencode(operator));
        queries.push(urlencode(&format!("{operator}\"")));
    }
    queries
}

/// Asserts that the search page and the search API answer every odd query in
/// every mode with a page or JSON, never a server error.
pub async fn assert_odd_queries_answered(app: &TestApp) {
    let queries = odd_queries();
    for q in &queries {
        for path in [
            format!("/search?q={q}"),
            format!("/search?q={q}&mode=semantic&page=2"),
            format!("/api/papers/search?q={q}"),
            format!("/api/papers/search?q={q}&mode=keyword&p=3&limit=100"),
        ] {
            let response = app.get(&path).await;
            let status = response.status().as_u16();
            let shown: String = path.chars().take(80).collect();
            assert!(
                matches!(status, 200 | 303 | 400 | 404),
                "{shown}: {status} {}",
                response.text().await.unwrap_or_default()
            );
        }
    }
}

/// `text` percent-encoded for a query string.
pub fn urlencode(text: &str) -> String {
    let encoded = serde_urlencoded::to_string([("q", text)]).expect("encodes");
    encoded.trim_start_matches("q=").to_owned()
}

/// The body of `response` as JSON.
pub async fn body_json(response: reqwest::Response) -> Value {
    let body = response.text().await.expect("body");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// The response's content type without parameters.
pub fn content_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .to_owned()
}

pub fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

pub fn id(s: &str) -> ArxivId {
    ArxivId::parse(s).expect("arXiv id")
}

fn text(value: &Value) -> Option<String> {
    value
        .as_str()
        .map(normalize_whitespace)
        .filter(|s| !s.is_empty())
}

/// The papers and entries of a recorded `/api/daily_papers` response, as the store
/// holds them after an import (mapped here with the few fields the tests need).
pub fn hf_daily(file: &str, day: Date) -> Batch {
    let items: Vec<Value> =
        serde_json::from_str(&paperboy_testkit::fixture(&format!("hf_api/{file}")))
            .expect("fixture is JSON");
    let mut batch = Batch::default();
    for item in items {
        let p = &item["paper"];
        let paper_id = id(p["id"].as_str().expect("id"));
        let authors = p["authors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| text(&a["name"]))
            .map(Author::named)
            .collect();
        let mut paper = Paper::new(
            paper_id.clone(),
            text(&p["title"]).expect("title"),
            text(&p["summary"]).unwrap_or_default(),
            authors,
        );
        paper.published = p["publishedAt"].as_str().map(ts);
        paper.github_repo = text(&p["githubRepo"]);
        paper.project_page = text(&p["projectPage"]);
        paper.github_stars = p["githubStars"].as_u64();
        paper.ai_summary = text(&p["ai_summary"]);
        paper.ai_keywords = p["ai_keywords"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(text)
            .collect();
        let mut entry = DailyEntry::new(day, paper_id);
        entry.upvotes = p["upvotes"].as_u64().unwrap_or(0) as u32;
        entry.num_comments = item["numComments"].as_u64().unwrap_or(0) as u32;
        entry.submitted_at = p["submittedOnDailyAt"].as_str().map(ts);
        entry.submitted_by = item["submittedBy"]["name"].as_str().map(|name| Submitter {
            name: name.to_owned(),
            fullname: text(&item["submittedBy"]["fullname"]),
            avatar_url: text(&item["submittedBy"]["avatarUrl"]),
        });
        batch.papers.push(paper);
        batch.entries.push(entry);
    }
    batch
}

/// The papers of the recorded arXiv listing of 2026-06-29 (166 papers).
pub fn arxiv_listing() -> Vec<Paper> {
    let text_of =
        paperboy_testkit::fixture("arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl");
    let mut papers: Vec<Paper> = Vec::new();
    for line in text_of.lines() {
        let record: Value = serde_json::from_str(line).expect("listing line is JSON");
        let paper_id = id(record["id"].as_str().expect("id"));
        if papers.iter().any(|p| p.id == paper_id) {
            continue;
        }
        let authors = record["authors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(text)
            .map(Author::named)
            .collect();
        let mut paper = Paper::new(
            paper_id,
            text(&record["title"]).expect("title"),
            text(&record["summary"]).unwrap_or_default(),
            authors,
        );
        paper.categories = record["categories"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(text)
            .collect();
        paper.comments = text(&record["comment"]);
        paper.announced.insert(LISTING_DAY);
        paper.extract_links();
        papers.push(paper);
    }
    papers
}

/// An old-style paper with every optional field, announced on Friday 2026-06-26
/// (and listed again on the weekend).
pub fn old_style_paper() -> Paper {
    let mut paper = Paper::new(
        id("hep-th/9901001"),
        "Old-style identifiers still work".into(),
        "An abstract with $\\alpha < \\beta$ and \\emph{LaTeX} left as written.".into(),
        vec![Author {
            name: "Ada Lovelace".into(),
            affiliation: Some("Analytical Engines Ltd".into()),
        }],
    );
    paper.version = Some(2);
    paper.categories = vec!["hep-th".into(), "cs.CL".into()];
    paper.comments = Some("12 pages, 3 figures".into());
    paper.journal_ref = Some("J. Old Phys. 1 (1999) 1".into());
    paper.doi = Some("10.1000/xyz123".into());
    paper.published = Some(ts("1999-01-04T12:00:00Z"));
    paper.updated = Some(ts("1999-02-01T12:00:00Z"));
    // Listed Friday, Saturday and Sunday, as arXiv's listings repeat Friday's
    // announcement over the weekend.
    for day in [26, 27, 28] {
        paper.announced.insert(date(2026, 6, day));
    }
    paper.github_repo = Some("https://github.com/ada/engine".into());
    paper.project_page = Some("https://engine.example.org".into());
    paper.links = vec![
        "https://github.com/ada/engine".into(),
        "https://data.example.org/notes".into(),
    ];
    paper
}

/// Every seed: two recorded HF days, the recorded arXiv listing, an old-style paper.
pub fn seed_batch() -> Batch {
    let mut batch = hf_daily("daily_papers_date_2026-08-21.json", HF_DAY);
    let old = hf_daily("daily_papers_date_2024-05-27.json", OLD_HF_DAY);
    batch.papers.extend(old.papers);
    batch.entries.extend(old.entries);
    batch.papers.extend(arxiv_listing());
    batch.papers.push(old_style_paper());
    batch
}

/// `n` synthetic papers on the daily list of `day`, upvoted `n`, `n-1`, ... 1.
pub fn many_on_day(day: Date, n: u32) -> Batch {
    let mut batch = Batch::default();
    for i in 0..n {
        let paper_id = id(&format!("2501.{:05}", 10_000 + i));
        let mut paper = Paper::new(
            paper_id.clone(),
            format!("Synthetic paper number {i}"),
            "Abstract.".into(),
            vec![Author::named("Test Author")],
        );
        paper.published = Some(ts("2025-01-02T00:00:00Z"));
        let mut entry = DailyEntry::new(day, paper_id);
        entry.upvotes = n - i;
        batch.papers.push(paper);
        batch.entries.push(entry);
    }
    batch
}

/// A paper whose every text field tries to inject markup, listed on `day`.
pub fn hostile(day: Date) -> Batch {
    let paper_id = id("2502.00666");
    let mut paper = Paper::new(
        paper_id.clone(),
        "<script>alert(1)</script> \"quoted\" & 'single'".into(),
        "Abstract </p><img src=x onerror=alert(2)>".into(),
        vec![Author::named("<b>Mallory</b>")],
    );
    paper.categories = vec!["cs.CR\"><script>alert(3)</script>".into()];
    paper.project_page = Some("javascript:alert(4)".into());
    paper.github_repo = Some("https://github.com/m/x\"onmouseover=\"alert(5)".into());
    paper.published = Some(ts("2025-02-01T00:00:00Z"));
    paper.announced.insert(day);
    let mut entry = DailyEntry::new(day, paper_id);
    entry.upvotes = 1;
    entry.submitted_by = Some(Submitter {
        name: "<i>eve</i>".into(),
        fullname: None,
        avatar_url: None,
    });
    Batch {
        papers: vec![paper],
        entries: vec![entry],
    }
}
