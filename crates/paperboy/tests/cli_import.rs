//! End-to-end tests of the data commands through the real `paperboy` binary:
//! import (every JSON format, bad input, kill -9 mid-import), export round trip,
//! backup, stats, config.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use paperboy_testkit::{fixture_path, shared_data};
use serde_json::Value;

fn paperboy(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("PAPERBOY_LOG", "warn")
        .output()
        .expect("paperboy runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stats(data_dir: &Path) -> Value {
    let out = paperboy(data_dir, &["stats", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("stats --json prints one JSON object")
}

fn import_json(data_dir: &Path, files: &[&Path]) -> (Output, Value) {
    let mut args = vec!["import".to_owned(), "--json".to_owned()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = paperboy(data_dir, &args);
    let summary = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("--json summary ({e}): {}\n{}", stdout(&out), stderr(&out)));
    (out, summary)
}

#[test]
fn imports_every_json_format_and_a_second_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = [
        "arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl",
        "kaggle_snapshot/arxiv-metadata-oai-snapshot.sample-200.jsonl",
        "hf_api/daily_papers_date_2025-06-02.json",
        "hf_api/daily_papers_date_2026-08-21.json",
    ]
    .iter()
    .map(|f| fixture_path(f))
    .collect();
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let (out, summary) = import_json(dir.path(), &paths);
    assert!(out.status.success(), "{}", stderr(&out));
    let formats: Vec<&str> = summary["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["format"].as_str().unwrap())
        .collect();
    assert_eq!(
        formats,
        [
            "arxiv-listing",
            "kaggle-snapshot",
            "hf-daily-papers",
            "hf-daily-papers"
        ]
    );
    // 166 distinct listing ids + 200 Kaggle + 20 + 17 HF papers (none shared).
    let papers = 166 + 200 + 20 + 17;
    assert_eq!(stats(dir.path())["papers"], papers);
    assert_eq!(stats(dir.path())["daily_entries"], 37);

    let (out, again) = import_json(dir.path(), &paths);
    assert!(out.status.success());
    assert_eq!(again["papers_inserted"], 0);
    assert_eq!(again["papers_updated"], 0);
    assert_eq!(again["entries_inserted"], 0);
    assert_eq!(again["entries_updated"], 0);
    assert_eq!(stats(dir.path())["papers"], papers);
}

#[test]
fn daily_papers_without_dates_needs_daily_date() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture_path("hf_api/daily_papers_date_2024-05-27.json");
    let out = paperboy(dir.path(), &["import", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--daily-date"), "{}", stderr(&out));
    let out = paperboy(
        dir.path(),
        &[
            "import",
            "--daily-date",
            "2024-05-27",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stats(dir.path())["daily_entries"], 13);
    assert_eq!(stats(dir.path())["latest_daily_day"], "2024-05-27");
}

#[test]
fn malformed_lines_are_reported_with_file_and_line_and_the_rest_goes_in() {
    let dir = tempfile::tempdir().unwrap();
    let real = std::fs::read_to_string(fixture_path(
        "arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl",
    ))
    .unwrap();
    let mut lines: Vec<String> = real.lines().take(6).map(str::to_owned).collect();
    lines.insert(2, "{\"id\": \"2606.99999\", \"title\": ".to_owned()); // truncated JSON: line 3
    lines.insert(4, "\u{0}\u{1}garbage".to_owned()); // line 5
    lines.insert(5, lines[0].replace("\"id\": \"", "\"id\": \"x")); // bad id: line 6
    let file = dir.path().join("mixed.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let data = dir.path().join("data");
    let out = paperboy(&data, &["import", file.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "anything skipped means a non-zero exit"
    );
    let err = stderr(&out);
    let name = file.display().to_string();
    for line in [3, 5, 6] {
        assert!(
            err.contains(&format!("{name}:{line}: ")),
            "line {line} reported:\n{err}"
        );
    }
    assert!(err.contains("is not an arXiv id"), "{err}");
    assert!(
        stdout(&out).contains("; 3 skipped (reasons above)"),
        "{}",
        stdout(&out)
    );
    let good: std::collections::BTreeSet<&str> = real.lines().take(6).map(|l| &l[8..18]).collect();
    assert_eq!(stats(&data)["papers"], good.len());
}

#[test]
fn hopeless_inputs_end_quickly_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let garbage = dir.path().join("garbage.bin");
    let bytes: Vec<u8> = (0..5_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(&garbage, bytes).unwrap();
    let html = dir.path().join("blocked.xml");
    std::fs::write(
        &html,
        "<!DOCTYPE html><html><body>Access denied</body></html>",
    )
    .unwrap();
    let unknown = dir.path().join("other.jsonl");
    std::fs::write(&unknown, "{\"name\": \"x\"}\n".repeat(1000)).unwrap();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    for (file, expected) in [
        (&garbage, "not text"),
        (&html, "HTML page"),
        (&unknown, "unrecognised fields (name)"),
        (&empty, "empty"),
    ] {
        let started = Instant::now();
        let out = paperboy(&data, &["import", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains(expected),
            "{}: {}",
            file.display(),
            stderr(&out)
        );
        assert!(started.elapsed() < Duration::from_secs(20));
    }
    let out = paperboy(&data, &["import", "/nonexistent/file.jsonl"]);
    assert!(stderr(&out).contains("cannot open"), "{}", stderr(&out));
    assert_eq!(stats(&data)["papers"], 0);
}

#[test]
fn truncated_gzip_keeps_the_records_before_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let real = std::fs::read(fixture_path(
        "kaggle_snapshot/arxiv-metadata-oai-snapshot.sample-200.jsonl",
    ))
    .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&real).unwrap();
    let bytes = gz.finish().unwrap();
    let file = dir.path().join("cut.jsonl.gz");
    std::fs::write(&file, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let data = dir.path().join("data");
    let out = paperboy(&data, &["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("truncated gzip"), "{}", stderr(&out));
    let papers = stats(&data)["papers"].as_u64().unwrap();
    assert!(
        papers > 50 && papers < 200,
        "records before the cut are kept: {papers}"
    );
}

#[test]
fn export_then_import_elsewhere_is_lossless() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    let files = [
        fixture_path("arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl"),
        fixture_path("kaggle_snapshot/arxiv-metadata-oai-snapshot.sample-200.jsonl"),
        fixture_path("hf_api/daily_papers_date_2026-08-21.json"),
    ];
    for file in &files {
        let out = paperboy(&first, &["import", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}: {}", file.display(), stderr(&out));
    }
    let export1 = dir.path().join("one.jsonl.gz");
    let out = paperboy(&first, &["export", "--out", export1.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let second = dir.path().join("second");
    let out = paperboy(&second, &["import", export1.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let export2 = paperboy(&second, &["export"]);
    assert!(export2.status.success(), "{}", stderr(&export2));
    let export1_again = paperboy(&first, &["export"]);
    assert!(export1_again.status.success(), "{}", stderr(&export1_again));
    let body = |o: &Output| {
        stdout(o)
            .lines()
            .skip(1)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        body(&export2),
        body(&export1_again),
        "a second generation export is identical"
    );
    assert_eq!(body(&export2).len(), 166 + 200 + 17 + 17);
    let mut a = stats(&first);
    let mut b = stats(&second);
    for s in [&mut a, &mut b] {
        s.as_object_mut().unwrap().remove("change_seq");
    }
    assert_eq!(a, b);
}

#[test]
fn killed_mid_import_then_rerun_holds_every_paper_once() {
    let Some(corpus) = shared_data("arxiv_cs_daily_listings_2025-03-18_2026-07-01.jsonl.gz") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["import", "--batch-size", "500"])
        .arg(&corpus)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until some batches are committed, then SIGKILL.
    let started = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(50));
        // `stats` refuses to create the database the import is about to create.
        let started_writing = dir.path().join("paperboy.db").exists();
        let papers = if started_writing {
            stats(dir.path())["papers"].as_u64().unwrap_or(0)
        } else {
            0
        };
        if papers > 0 || started.elapsed() > Duration::from_secs(60) {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let partial = stats(dir.path())["papers"].as_u64().unwrap();
    assert!(partial > 0, "some batches were committed before the kill");
    let out = paperboy(dir.path(), &["import", corpus.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stats(dir.path())["papers"], 74_728);
    let (_, again) = import_json(dir.path(), &[corpus.as_path()]);
    assert_eq!(again["papers_unchanged"], 74_728);
    assert_eq!(stats(dir.path())["papers"], 74_728);
}

#[test]
fn backup_copies_a_live_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = fixture_path("kaggle_snapshot/arxiv-metadata-oai-snapshot.sample-200.jsonl");
    assert!(
        paperboy(&data, &["import", file.to_str().unwrap()])
            .status
            .success()
    );
    let copy = dir.path().join("copy.db");
    let out = paperboy(&data, &["backup", copy.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let restored = dir.path().join("restored");
    std::fs::create_dir_all(&restored).unwrap();
    std::fs::copy(&copy, restored.join("paperboy.db")).unwrap();
    assert_eq!(stats(&restored)["papers"], 200);
    let out = paperboy(&data, &["backup", copy.to_str().unwrap()]);
    assert!(
        !out.status.success() && stderr(&out).contains("choose a new file name"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn config_default_prints_every_setting_as_valid_toml() {
    let dir = tempfile::tempdir().unwrap();
    let out = paperboy(dir.path(), &["config", "default"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let table: toml::Table = text.parse().expect("valid TOML");
    for key in [
        "data_dir",
        "addr",
        "public_url",
        "contact_email",
        "arxiv_api_url",
        "arxiv_oai_url",
        "harvest_sets",
    ] {
        assert!(table.contains_key(key), "{key} missing:\n{text}");
    }
    assert!(text.contains("# env: PAPERBOY_ARXIV_API_URL"));
    assert!(stderr(&out).is_empty(), "stdout only: {}", stderr(&out));
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["config", "default"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader went away before reading anything
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Every record of a file's `--json` report is accounted for once: a paper (new,
/// updated, unchanged, or a duplicate in the file), or skipped. (In these formats a
/// daily entry always comes with its paper.)
fn assert_every_record_explained(file: &Value) {
    let n = |key: &str| file[key].as_u64().unwrap_or(0);
    assert_eq!(
        n("records"),
        n("papers_inserted")
            + n("papers_updated")
            + n("papers_unchanged")
            + n("papers_duplicate")
            + n("skipped"),
        "{file}"
    );
}

#[test]
fn importing_a_directory_takes_every_known_file_and_says_why_it_left_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("papers");
    let nested = tree.join("nested/deeper");
    std::fs::create_dir_all(&nested).unwrap();
    let copy = |fixture: &str, to: &Path| {
        std::fs::copy(fixture_path(fixture), to).unwrap();
    };
    copy(
        "arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl",
        &tree.join("listing.jsonl"),
    );
    copy(
        "arxiv_listing/long_line_2507.06261.jsonl",
        &tree.join("nested/long_line.jsonl"),
    );
    copy(
        "hf_api/daily_papers_date_2025-06-02.json",
        &nested.join("daily_papers.json"),
    );
    copy(
        "arxiv_api/legacy_2016/search_au_del_maestro_AND_ti_checkerboard.xml",
        &nested.join("one_entry.xml"),
    );
    copy(
        "oai_pmh/arxivraw_2015/ListRecordsResponse.xml",
        &tree.join("nested/oai.xml"),
    );
    copy("SOURCES.md", &tree.join("SOURCES.md")); // not data: passed over
    // Damaged: a real Kaggle snapshot, gzip cut short.
    let kaggle = std::fs::read(fixture_path(
        "kaggle_snapshot/arxiv-metadata-oai-snapshot.sample-200.jsonl",
    ))
    .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&kaggle).unwrap();
    let bytes = gz.finish().unwrap();
    std::fs::write(nested.join("cut.jsonl.gz"), &bytes[..bytes.len() * 2 / 3]).unwrap();
    // Unreadable: a link to nothing.
    std::os::unix::fs::symlink(dir.path().join("gone.jsonl"), tree.join("broken.jsonl")).unwrap();

    let data = dir.path().join("data");
    let out = paperboy(&data, &["import", tree.to_str().unwrap()]);
    let (text, err) = (stdout(&out), stderr(&out));
    assert_eq!(
        out.status.code(),
        Some(1),
        "a damaged file fails the import\n{text}{err}"
    );
    // Each problem once, on stderr; the summary refers to it without repeating it.
    for (file, problem) in [
        ("cut.jsonl.gz", "truncated gzip"),
        ("broken.jsonl", "cannot read"),
        ("SOURCES.md", "passed over: unrecognised content"),
    ] {
        let lines: Vec<&str> = err.lines().filter(|l| l.contains(file)).collect();
        assert_eq!(lines.len(), 1, "{file} once:\n{err}");
        assert!(lines[0].contains(problem), "{file}: {problem}:\n{err}");
        assert!(
            !text.contains(problem),
            "not repeated in the summary:\n{text}"
        );
    }
    let line_of = |file: &str| {
        text.lines()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("{file} in the summary:\n{text}"))
    };
    assert!(
        line_of("listing.jsonl").contains("230 records")
            && line_of("listing.jsonl").contains("papers: 166 new, 64 duplicates in the file"),
        "{text}"
    );
    assert!(
        line_of("one_entry.xml").contains("(arxiv-atom): 1 record in"),
        "{text}"
    );
    assert!(
        line_of("long_line.jsonl").contains("(arxiv-listing): 1 record"),
        "{text}"
    );
    assert!(
        line_of("cut.jsonl.gz").contains("then stopped (see the error above)"),
        "{text}"
    );
    assert!(
        line_of("SOURCES.md").ends_with(": passed over (the reason is above)"),
        "{text}"
    );
    assert!(
        line_of("broken.jsonl").ends_with(": not imported (see the error above)"),
        "{text}"
    );
    let total = text.lines().last().unwrap();
    assert!(
        total.starts_with("in all: 8 files")
            && total.contains("2 files stopped by an error")
            && total.contains("; 1 file passed over"),
        "{text}"
    );

    // Again, as JSON: nothing changes, and every record of every file is explained.
    let (out, summary) = import_json(&data, &[tree.as_path()]);
    assert_eq!(out.status.code(), Some(1));
    let files = summary["files"].as_array().unwrap();
    let formats: Vec<(&str, Option<&str>)> = files
        .iter()
        .map(|f| {
            let name = f["file"].as_str().unwrap();
            (
                &name[tree.to_str().unwrap().len() + 1..],
                f["format"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        formats,
        [
            ("SOURCES.md", None),
            ("broken.jsonl", None),
            ("listing.jsonl", Some("arxiv-listing")),
            ("nested/deeper/cut.jsonl.gz", Some("kaggle-snapshot")),
            ("nested/deeper/daily_papers.json", Some("hf-daily-papers")),
            ("nested/deeper/one_entry.xml", Some("arxiv-atom")),
            ("nested/long_line.jsonl", Some("arxiv-listing")),
            ("nested/oai.xml", Some("oai-pmh")),
        ],
        "every file under the directory, in name order"
    );
    for file in files {
        assert_every_record_explained(file);
    }
    assert_eq!(summary["papers_inserted"], 0, "{summary}");
    assert_eq!(summary["papers_duplicate"], 64);
    assert_eq!(summary["passed_over_files"], 1);
    assert_eq!(summary["failed_files"], 2);
    assert_eq!(stats(&data)["papers"], summary["papers_unchanged"]);
}

#[test]
fn a_first_line_longer_than_the_look_ahead_is_still_detected() {
    // A real record of 52,902 bytes (3,303 authors), then more records.
    let dir = tempfile::tempdir().unwrap();
    let long =
        std::fs::read_to_string(fixture_path("arxiv_listing/long_line_2507.06261.jsonl")).unwrap();
    assert!(long.len() > paperboy_ingest::input::HEAD_BYTES);
    let listing = std::fs::read_to_string(fixture_path(
        "arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl",
    ))
    .unwrap();
    let file = dir.path().join("long_first.jsonl");
    std::fs::write(&file, format!("{long}{listing}")).unwrap();
    let (out, summary) = import_json(&dir.path().join("data"), &[file.as_path()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(summary["files"][0]["format"], "arxiv-listing");
    assert_eq!(summary["papers_inserted"], 1 + 166);
}

#[test]
fn stats_without_a_database_says_so_and_creates_none() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let out = paperboy(&data, &["stats"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("there is no database here")
            && err.contains("paperboy.db does not exist")
            && err.contains("--data-dir")
            && err.contains("paperboy import"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(&data).unwrap().count(),
        0,
        "nothing created"
    );
}

#[test]
fn config_show_prints_the_settings_in_effect_and_where_each_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("paperboy.toml");
    std::fs::write(
        &file,
        "addr = \"0.0.0.0:9000\"\ngithub_token = \"ghp_not_for_printing\"\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let show = |env: &[(&str, &str)]| {
        Command::new(env!("CARGO_BIN_EXE_paperboy"))
            .arg("--data-dir")
            .arg(&data)
            .arg("--config")
            .arg(&file)
            .args(["config", "show"])
            .env("PAPERBOY_LOG", "warn")
            .env("PAPERBOY_CONTACT_EMAIL", "ops@example.org")
            .envs(env.iter().copied())
            .output()
            .unwrap()
    };
    let out = show(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let table: toml::Table = text.parse().expect("valid TOML");
    assert_eq!(table["addr"].as_str(), Some("0.0.0.0:9000"));
    assert_eq!(table["data_dir"].as_str(), data.to_str());
    let origin = |key: &str| {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("{key}:\n{text}"));
        line.rsplit_once("  # ").map(|(_, o)| o.to_owned()).unwrap()
    };
    assert_eq!(origin("addr"), format!("file {}", file.display()));
    assert_eq!(origin("contact_email"), "env PAPERBOY_CONTACT_EMAIL");
    assert_eq!(origin("data_dir"), "flag --data-dir");
    assert_eq!(origin("harvest_interval_hours"), "default");
    assert!(!text.contains("ghp_not_for_printing"), "{text}");
    assert_eq!(table.len(), paperboy_app::DOCS.len(), "every setting");
    assert!(!data.exists(), "showing settings touches no data");

    // An unusable value: still shown (that is when it is needed), and named.
    let out = show(&[("PAPERBOY_DATABASE_POOL_SIZE", "0")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("database_pool_size = 0"));
    assert!(
        stderr(&out).contains("database_pool_size"),
        "{}",
        stderr(&out)
    );
}
