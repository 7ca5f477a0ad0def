//! Comments through the API and the paper page, on both backends: threads, Markdown
//! rendered inert, counts everywhere, and who may change what.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use paperboy_core::Role;
use paperboy_testkit::{Browser, on_both_backends};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{HF_DAY, TestApp, TestDb, bearer, seeded, signed_in};

on_both_backends!(
    comments_thread_render_inert_and_count_everywhere,
    only_authors_edit_and_moderators_hide,
    the_comment_forms_work_without_script,
);

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    auth: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let headers: Vec<(&str, &str)> = if auth.is_empty() {
        vec![]
    } else {
        vec![("authorization", auth)]
    };
    let page = Browser::new(&app.base)
        .send(method, path, &headers, body.as_ref())
        .await;
    (
        page.status,
        serde_json::from_str(&page.body).unwrap_or(Value::Null),
    )
}

/// The first paper of the newest HF list and its comment count there.
async fn listed_paper(app: &TestApp) -> (String, u64) {
    let list = app
        .json(&format!("/api/daily_papers?date={HF_DAY}"), 200)
        .await;
    let item = &list[0];
    (
        item["paper"]["id"].as_str().unwrap().to_owned(),
        item["numComments"].as_u64().unwrap(),
    )
}

async fn comment_count(app: &TestApp, id: &str) -> u64 {
    let list = app
        .json(&format!("/api/daily_papers?date={HF_DAY}"), 200)
        .await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|i| i["paper"]["id"] == id)
        .map(|i| i["numComments"].as_u64().unwrap())
        .unwrap()
}

const HOSTILE: &str = "**Great** work <script>alert(1)</script> \
    <img src=x onerror=alert(1)> [site](javascript:alert(1)) [code](https://github.com/a/b)";

async fn comments_thread_render_inert_and_count_everywhere(db: TestDb) {
    let app = seeded(db).await;
    let ada = bearer(&app, "ada", Role::Reader).await;
    let bob = bearer(&app, "bob", Role::Reader).await;
    let (paper, imported) = listed_paper(&app).await;
    let _ = app.text(&format!("/papers/date/{HF_DAY}"), 200).await; // cached from here on

    let (status, first) = call(
        &app,
        Method::POST,
        &format!("/api/papers/{paper}/comment"),
        &ada,
        Some(json!({"comment": HOSTILE})),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    let html = first["html"].as_str().unwrap();
    assert!(html.contains("<strong>Great</strong>"), "{html}");
    for bad in ["<script", "onerror", "javascript:", "<img"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(html.contains("rel=\"nofollow ugc noopener\""));
    assert_eq!(first["author"]["name"], "ada");
    let cid = first["id"].as_str().unwrap().to_owned();
    let (status, reply) = call(
        &app,
        Method::POST,
        &format!("/api/papers/{paper}/comment/{cid}/reply"),
        &bob,
        Some(json!({"comment": "Agreed."})),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["parentId"], cid.as_str());

    let threads = app
        .json(&format!("/api/papers/{paper}/comments"), 200)
        .await;
    assert_eq!(threads.as_array().unwrap().len(), 1);
    assert_eq!(threads[0]["replies"][0]["raw"], "Agreed.");
    let with_field = app
        .json(&format!("/api/papers/{paper}?field=comments"), 200)
        .await;
    assert_eq!(with_field["id"], paper.as_str());
    assert_eq!(with_field["comments"][0]["id"], cid.as_str());

    assert_eq!(
        comment_count(&app, &paper).await,
        imported + 2,
        "the API list counts them"
    );
    let page = app.text(&format!("/papers/{paper}"), 200).await;
    assert!(page.contains("Comments (2)"));
    assert!(page.contains("<strong>Great</strong>"));
    assert!(!page.contains("<script>alert") && !page.contains("onerror=alert"));
    let list = app.text(&format!("/papers/date/{HF_DAY}"), 200).await;
    assert!(
        list.contains(&format!("{} comments", imported + 2)),
        "the cached list went stale"
    );

    // Bad input: unknown paper, unknown parent, empty and oversize comments, no body.
    let (status, _) = call(
        &app,
        Method::POST,
        "/api/papers/2608.99999/comment",
        &ada,
        Some(json!({"comment": "x"})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/api/papers/{paper}/comment/0123456789abcdef01234567/reply"),
        &ada,
        Some(json!({"comment": "x"})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/api/papers/{paper}/comment"),
        &ada,
        Some(json!({"comment": "   "})),
    )
    .await;
    assert_eq!(status, 400);
    let long = "x".repeat(10_001);
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/api/papers/{paper}/comment"),
        &ada,
        Some(json!({"comment": long})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/api/papers/{paper}/comment"),
        &ada,
        None,
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/api/papers/{paper}/comment"),
        "",
        Some(json!({"comment": "x"})),
    )
    .await;
    assert_eq!(status, 401);
}

async fn only_authors_edit_and_moderators_hide(db: TestDb) {
    let app = seeded(db).await;
    let ada = bearer(&app, "ada", Role::Reader).await;
    let eve = bearer(&app, "eve", Role::Reader).await;
    let mod_ = bearer(&app, "mo", Role::Moderator).await;
    let (paper, imported) = listed_paper(&app).await;
    let (_, comment) = call(
        &app,
        Method::POST,
        &format!("/api/papers/{paper}/comment"),
        &ada,
        Some(json!({"comment": "first"})),
    )
    .await;
    let path = format!(
        "/api/papers/{paper}/comments/{}",
        comment["id"].as_str().unwrap()
    );

    let (status, _) = call(
        &app,
        Method::PATCH,
        &path,
        &eve,
        Some(json!({"comment": "vandalised"})),
    )
    .await;
    assert_eq!(status, 403, "another reader cannot edit");
    let (status, _) = call(
        &app,
        Method::PATCH,
        &path,
        &eve,
        Some(json!({"hidden": true, "reason": "spam"})),
    )
    .await;
    assert_eq!(status, 403, "a reader cannot hide");
    let (status, _) = call(&app, Method::DELETE, &path, &eve, None).await;
    assert_eq!(status, 403);
    let (status, _) = call(
        &app,
        Method::PATCH,
        &path,
        "",
        Some(json!({"comment": "x"})),
    )
    .await;
    assert_eq!(status, 401);
    let (status, edited) = call(
        &app,
        Method::PATCH,
        &path,
        &ada,
        Some(json!({"comment": "first, **edited**"})),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert!(edited["editedAt"].is_string());
    assert!(
        edited["html"]
            .as_str()
            .unwrap()
            .contains("<strong>edited</strong>")
    );

    let (status, hidden) = call(
        &app,
        Method::PATCH,
        &path,
        &mod_,
        Some(json!({"hidden": true, "reason": "spam"})),
    )
    .await;
    assert_eq!(status, 200, "{hidden}");
    assert_eq!(
        (
            hidden["hidden"].as_bool(),
            hidden["hiddenReason"].as_str(),
            hidden["raw"].as_str()
        ),
        (Some(true), Some("spam"), Some(""))
    );
    assert_eq!(
        comment_count(&app, &paper).await,
        imported,
        "hidden comments are not counted"
    );
    let page = app.text(&format!("/papers/{paper}"), 200).await;
    assert!(page.contains("hidden: spam") && !page.contains("first, "));
    let (status, _) = call(
        &app,
        Method::PATCH,
        &path,
        &ada,
        Some(json!({"comment": "sneaky"})),
    )
    .await;
    assert_eq!(status, 409, "a hidden comment stays hidden");

    let (status, _) = call(
        &app,
        Method::PATCH,
        &path,
        &mod_,
        Some(json!({"hidden": false})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(comment_count(&app, &paper).await, imported + 1);
    let (status, deleted) = call(&app, Method::DELETE, &path, &ada, None).await;
    assert_eq!((status, deleted["deleted"].as_bool()), (200, Some(true)));
    assert_eq!(comment_count(&app, &paper).await, imported);
}

async fn the_comment_forms_work_without_script(db: TestDb) {
    let app = seeded(db).await;
    let (paper, _) = listed_paper(&app).await;
    let anonymous = app.text(&format!("/papers/{paper}"), 200).await;
    assert!(anonymous.contains("Sign in</a> to comment"));

    let browser = signed_in(&app, "cy").await;
    let page = browser.get(&format!("/papers/{paper}")).await;
    let csrf = page.csrf();
    let posted = browser
        .post(
            &format!("/papers/{paper}/comments"),
            &[("csrf", &csrf), ("body", "A *form* comment")],
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    let location = posted.location.unwrap();
    assert!(
        location.starts_with(&format!("/papers/{paper}#comment-")),
        "{location}"
    );
    let cid = location.rsplit("#comment-").next().unwrap().to_owned();
    let reply = browser
        .post(
            &format!("/papers/{paper}/comments/{cid}/reply"),
            &[("csrf", &csrf), ("body", "and a reply")],
        )
        .await;
    assert_eq!(reply.status, 303);
    let page = browser.get(&format!("/papers/{paper}")).await;
    assert!(page.body.contains("<em>form</em>"));
    assert!(
        page.body.contains("comment depth-1"),
        "the reply is indented under its parent"
    );
    assert!(
        page.body
            .contains(&format!("/papers/{paper}/comments/{cid}/edit")),
        "its author may edit"
    );
    let forged = browser
        .post(
            &format!("/papers/{paper}/comments"),
            &[("csrf", "nope"), ("body", "x")],
        )
        .await;
    assert_eq!(forged.status, 403);
    let hide = browser
        .post(
            &format!("/papers/{paper}/comments/{cid}/hide"),
            &[("csrf", &csrf), ("reason", "mine")],
        )
        .await;
    assert_eq!(hide.status, 403, "readers do not hide");
    let delete = browser
        .post(
            &format!("/papers/{paper}/comments/{cid}/delete"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(delete.status, 303);
    assert!(
        browser
            .get(&format!("/papers/{paper}"))
            .await
            .body
            .contains("deleted by its author")
    );
}
