//! Accounts from the command line, through the real binary: `paperboy user add`
//! makes an account that works through the API at once with a token from `paperboy
//! token create`; bad input is refused with a message saying what to do.

use paperboy_testkit::process::Paperboy;
use reqwest::Method;

#[test]
fn an_account_made_on_the_command_line_votes_and_comments_through_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let paperboy =
        Paperboy::new(env!("CARGO_BIN_EXE_paperboy"), dir.path()).env("PAPERBOY_EMBEDDER", "none");

    let added = paperboy.run(&["user", "add", "Ada.Lovelace@Example.org", "--admin"]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(String::from_utf8_lossy(&added.stderr).contains("created Ada-Lovelace"));
    let again = paperboy.run(&["user", "add", "ada.lovelace@example.org"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let bad = paperboy.run(&["user", "add", "not-an-address"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not an email address"));
    let nobody = paperboy.run(&["token", "create", "nobody@example.org"]);
    assert!(!nobody.status.success());
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("paperboy user add"));

    let token = paperboy.run_ok(&["token", "create", "ada.lovelace@example.org"]);
    let token = token.trim();
    assert!(
        token.starts_with("pb_") && token.len() == 67 && !token.contains(char::is_whitespace),
        "only the token: {token:?}"
    );

    let server = paperboy.serve(&[]);
    let list = server.json("/api/daily_papers?limit=1");
    let id = list[0]["paper"]["id"].as_str().unwrap().to_owned();
    let before = list[0]["paper"]["upvotes"].as_u64().unwrap();
    let bearer = format!("Bearer {token}");
    let (status, body) = server.send(
        Method::POST,
        &format!("/api/papers/{id}/upvote"),
        &[("authorization", &bearer)],
        None,
    );
    assert_eq!(status, 200, "{body}");
    let vote: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(vote["upvotes"].as_u64(), Some(before + 1));
    let comment = serde_json::json!({"comment": "From the command line."});
    let (status, body) = server.send(
        Method::POST,
        &format!("/api/papers/{id}/comment"),
        &[("authorization", &bearer)],
        Some(&comment),
    );
    assert_eq!(status, 200, "{body}");
    let (status, _) = server.send(
        Method::POST,
        &format!("/api/papers/{id}/upvote"),
        &[("authorization", "Bearer pb_wrong")],
        None,
    );
    assert_eq!(status, 401);
    let (status, _) = server.terminate();
    assert!(status.success());
}
