//! Authorship: a reader claims an author entry, a moderator verifies it, and the
//! verified author shows on the paper and profile, wears a badge in the comments and
//! sets the paper's links; nobody else may.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use paperboy_core::Role;
use paperboy_testkit::{Browser, on_both_backends};
use reqwest::Method;
use serde_json::json;

use crate::common::{HF_DAY, TestApp, TestDb, bearer, seeded, signed_in};

on_both_backends!(
    a_verified_author_is_shown_badged_and_sets_links,
    moderators_take_a_paper_off_the_lists_and_back,
);

const PAPER: &str = "2608.19880";

/// The signed-in reader `name`, made a moderator.
async fn moderator(app: &TestApp, name: &str) -> Browser {
    let browser = signed_in(app, name).await;
    let user = app.store.user_by_username(name).await.unwrap().unwrap();
    app.store.set_role(&user.id, Role::Moderator).await.unwrap();
    browser
}

async fn a_verified_author_is_shown_badged_and_sets_links(db: TestDb) {
    let app = seeded(db).await;
    let author = signed_in(&app, "chengsong").await;
    let page = author.get(&format!("/papers/{PAPER}")).await;
    assert!(page.body.contains("this is me"));
    let csrf = page.csrf();
    let claimed = author
        .post(
            &format!("/papers/{PAPER}/claim"),
            &[("csrf", &csrf), ("author_index", "0")],
        )
        .await;
    assert_eq!(claimed.status, 303, "{}", claimed.body);
    assert!(
        !author
            .get(&format!("/papers/{PAPER}"))
            .await
            .body
            .contains("this is me"),
        "one claim a paper"
    );
    let bad = author
        .post(
            &format!("/papers/{PAPER}/claim"),
            &[("csrf", &csrf), ("author_index", "999")],
        )
        .await;
    assert_eq!(bad.status, 400);
    let rival = signed_in(&app, "rival").await;
    let rival_csrf = rival.get(&format!("/papers/{PAPER}")).await.csrf();
    let taken = rival
        .post(
            &format!("/papers/{PAPER}/claim"),
            &[("csrf", &rival_csrf), ("author_index", "0")],
        )
        .await;
    assert_eq!(taken.status, 409);

    // Readers cannot decide; a moderator sees the claim and verifies it.
    let verify = format!("/papers/{PAPER}/claims/0/verify");
    assert_eq!(
        rival.post(&verify, &[("csrf", &rival_csrf)]).await.status,
        403
    );
    let moderator = moderator(&app, "mo").await;
    let page = moderator.get(&format!("/papers/{PAPER}")).await;
    assert!(
        page.body.contains("chengsong claims to be Chengsong Huang"),
        "{}",
        page.body
    );
    assert_eq!(
        moderator
            .post(&verify, &[("csrf", &page.csrf())])
            .await
            .status,
        303
    );

    let shown = app.text(&format!("/papers/{PAPER}"), 200).await;
    assert!(shown.contains("href=\"/u/chengsong\" title=\"verified author: chengsong\""));
    assert!(app.text("/u/chengsong", 200).await.contains("Author of"));
    author
        .post(
            &format!("/papers/{PAPER}/comments"),
            &[("csrf", &csrf), ("body", "Happy to answer questions.")],
        )
        .await;
    assert!(
        app.text(&format!("/papers/{PAPER}"), 200)
            .await
            .contains("<span class=\"badge\">author</span>")
    );

    // Links: the verified author (by session and CSRF header) sets them; nobody else.
    let links = format!("/api/papers/{PAPER}/links");
    let body = json!({"githubRepo": "https://github.com/example/envharness-v2", "projectPage": "https://envharness.example.org"});
    let set = author
        .send(
            Method::POST,
            &links,
            &[("x-csrf-token", &csrf)],
            Some(&body),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    let paper = app.json(&format!("/api/papers/{PAPER}"), 200).await;
    assert_eq!(
        paper["githubRepo"],
        "https://github.com/example/envharness-v2"
    );
    assert_eq!(paper["projectPage"], "https://envharness.example.org");
    let other = bearer(&app, "otto", Role::Reader).await;
    let refused = Browser::new(&app.base)
        .send(
            Method::POST,
            &links,
            &[("authorization", &other)],
            Some(&body),
        )
        .await;
    assert_eq!(refused.status, 403);
    let hostile = json!({"githubRepo": "javascript:alert(1)"});
    let rejected = author
        .send(
            Method::POST,
            &links,
            &[("x-csrf-token", &csrf)],
            Some(&hostile),
        )
        .await;
    assert_eq!(rejected.status, 400);
}

async fn moderators_take_a_paper_off_the_lists_and_back(db: TestDb) {
    let app = seeded(db).await;
    let listed = |list: &serde_json::Value| {
        list.as_array()
            .unwrap()
            .iter()
            .any(|i| i["paper"]["id"] == PAPER)
    };
    let day = format!("/api/daily_papers?date={HF_DAY}");
    assert!(listed(&app.json(&day, 200).await));
    let reader = signed_in(&app, "rita").await;
    let csrf = reader.get(&format!("/papers/{PAPER}")).await.csrf();
    let hide = format!("/papers/{PAPER}/hide");
    assert_eq!(
        reader
            .post(&hide, &[("csrf", &csrf), ("reason", "mine")])
            .await
            .status,
        403
    );

    let moderator = moderator(&app, "mona").await;
    let csrf = moderator.get(&format!("/papers/{PAPER}")).await.csrf();
    let hidden = moderator
        .post(&hide, &[("csrf", &csrf), ("reason", "off-topic")])
        .await;
    assert_eq!(hidden.status, 303, "{}", hidden.body);
    assert!(!listed(&app.json(&day, 200).await), "off the API list");
    assert!(
        !app.text(&format!("/papers/date/{HF_DAY}"), 200)
            .await
            .contains(&format!("href=\"/papers/{PAPER}\""))
    );
    assert!(
        !app.text("/feeds/daily.rss", 200).await.contains(PAPER),
        "off the feed"
    );
    let page = app.text(&format!("/papers/{PAPER}"), 200).await;
    assert!(page.contains("Moderators took this paper off the daily lists: off-topic"));

    let shown = moderator
        .post(&hide, &[("csrf", &csrf), ("reason", "")])
        .await;
    assert_eq!(shown.status, 303);
    assert!(listed(&app.json(&day, 200).await), "back on the list");
}
