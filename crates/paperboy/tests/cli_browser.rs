//! The end-to-end test in a real browser: headless Chromium (driven over the
//! DevTools protocol by `tests/browser_e2e.py`) against the real binary, with a
//! real SMTP server process receiving the sign-in mail. Screenshots of the daily
//! list (desktop and phone), a paper page, a paper page with math, search results
//! and the trending page are kept in `$CARGO_TARGET_TMPDIR/e2e-screenshots`.

use paperboy_testkit::SmtpSink;
use paperboy_testkit::process::Paperboy;

#[test]
fn a_new_reader_signs_in_submits_votes_comments_and_finds_it_trending() {
    let sink = SmtpSink::start("");
    let dir = tempfile::tempdir().unwrap();
    let server = Paperboy::new(env!("CARGO_BIN_EXE_paperboy"), dir.path())
        .env("PAPERBOY_EMBEDDER", "none")
        .env("PAPERBOY_KEYPHRASES", "false")
        .env("PAPERBOY_SMTP_URL", &sink.url())
        // The bundled sample is months old; the rule is tested elsewhere.
        .env("PAPERBOY_SUBMIT_MAX_AGE_DAYS", "100000")
        .serve(&[]);
    let artifacts = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-screenshots");
    let _ = std::fs::remove_dir_all(&artifacts);
    let script = paperboy_testkit::workspace_root().join("crates/paperboy/tests/browser_e2e.py");
    let output = paperboy_testkit::python_with("websocket", "websocket-client")
        .arg(&script)
        .arg(&server.url)
        .arg(sink.dir())
        .arg(&artifacts)
        .env("NO_PROXY", "127.0.0.1,localhost")
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser run failed (it needs Debian's chromium package): {stderr}"
    );
    let seen: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    eprintln!("browser saw: {seen}");
    assert_eq!(
        seen["after_request"], true,
        "the sign-in page says to check the inbox"
    );
    assert_eq!(
        seen["welcome"], true,
        "the first sign-in asks for a username"
    );
    assert_eq!(seen["signed_in_as"], true, "the header names the reader");
    let paper = seen["paper"].as_str().unwrap();
    assert!(
        seen["after_submit"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/papers/{paper}")),
        "{seen}"
    );
    assert_eq!(seen["voted"], "true", "the vote button is pressed");
    assert_eq!(seen["vote_count"], "▲ 1");
    assert_eq!(
        seen["voted_in_place"], true,
        "the script voted without a reload"
    );
    assert_eq!(seen["vote_kept"], "true", "the vote is stored");
    let comment = seen["comment_html"].as_str().unwrap();
    assert!(comment.contains("<strong>Great</strong>"), "{comment}");
    assert!(!comment.contains("<script"), "{comment}");
    assert_eq!(seen["reply_indented"], true);
    assert_eq!(seen["comments_heading"], "Comments (2)");
    assert_eq!(seen["trending_first"], format!("/papers/{paper}"));
    assert!(
        seen["trending_why"]
            .as_str()
            .unwrap()
            .starts_with("1 upvote and 2 comments"),
        "{seen}"
    );
    assert_eq!(seen["daily_has_paper"], true);
    // Math in an abstract is MathML: no dollar signs, the TeX kept as annotation,
    // and the page reports no errors.
    assert!(seen["math_elements"].as_u64().unwrap() >= 1, "{seen}");
    assert_eq!(seen["math_dollars"], false, "{seen}");
    assert!(
        seen["math_tex_kept"].as_str().unwrap().contains("\\mathbb"),
        "{seen}"
    );
    assert_eq!(seen["math_console_errors"], serde_json::json!([]), "{seen}");
    assert!(seen["search_hits"].as_u64().unwrap() >= 1, "{seen}");
    assert_eq!(
        seen["phone_overflow"], false,
        "no sideways scrolling on a phone"
    );
    for shot in [
        "daily.png",
        "paper.png",
        "trending.png",
        "paper-math.png",
        "search.png",
        "daily-phone.png",
    ] {
        let size = std::fs::metadata(artifacts.join(shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(size > 10_000, "{shot} is a real screenshot ({size} bytes)");
    }
    let (status, _) = server.terminate();
    assert!(status.success());
}
