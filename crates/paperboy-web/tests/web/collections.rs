//! Collections: saved from a paper page, shown, exported as BibTeX, followed as a
//! feed when public, hidden from others when private; only the owner changes one.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use paperboy_core::Role;
use paperboy_testkit::{Browser, on_both_backends};
use reqwest::Method;
use serde_json::json;

use crate::common::{TestDb, bearer, seeded, signed_in};

on_both_backends!(
    a_public_collection_is_saved_shown_exported_and_followed,
    a_private_collection_is_its_owner_s_alone
);

const PAPER: &str = "2608.19880";

async fn a_public_collection_is_saved_shown_exported_and_followed(db: TestDb) {
    let app = seeded(db).await;
    let browser = signed_in(&app, "ana").await;
    let page = browser.get(&format!("/papers/{PAPER}")).await;
    assert!(page.body.contains("Save to a collection"));
    let created = browser
        .post(
            "/collections",
            &[
                ("csrf", &page.csrf()),
                ("name", "Reading group <b>"),
                ("public", "on"),
                ("arxiv_id", PAPER),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let path = created.location.unwrap();
    let id = path.trim_start_matches("/collections/").to_owned();

    let shown = app.text(&path, 200).await;
    assert!(
        shown.contains("<h1>Reading group &#60;b&#62;</h1>"),
        "the name is escaped: {shown}"
    );
    assert!(shown.contains(&format!("href=\"/papers/{PAPER}\"")));
    assert!(
        shown.contains(&format!("href=\"/feeds/c/{id}.atom\"")),
        "the feed is announced"
    );
    let bib = app.text(&format!("/collections/{id}.bib"), 200).await;
    assert!(bib.contains(&format!("eprint = {{{PAPER}}}")));
    let feed = crate::feeds::parse(&app, &format!("/feeds/c/{id}.rss")).await;
    assert_eq!(feed["entries"].as_array().unwrap().len(), 1);
    assert!(
        app.text("/u/ana", 200)
            .await
            .contains(&format!("href=\"/collections/{id}\""))
    );

    // Saving twice keeps one; removing empties it.
    let csrf = browser.get(&path).await.csrf();
    browser
        .post(
            &format!("/collections/{id}/papers"),
            &[("csrf", &csrf), ("arxiv_id", PAPER)],
        )
        .await;
    assert_eq!(app.store.collection_papers(&id).await.unwrap().len(), 1);
    let removed = browser
        .post(
            &format!("/collections/{id}/papers"),
            &[("csrf", &csrf), ("arxiv_id", PAPER), ("action", "remove")],
        )
        .await;
    assert_eq!(removed.status, 303);
    assert!(app.store.collection_papers(&id).await.unwrap().is_empty());
    let deleted = browser
        .post(&format!("/collections/{id}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(deleted.status, 303);
    assert_eq!(app.get(&path).await.status(), 404);
}

async fn a_private_collection_is_its_owner_s_alone(db: TestDb) {
    let app = seeded(db).await;
    let owner = bearer(&app, "owen", Role::Reader).await;
    let other = bearer(&app, "otto", Role::Reader).await;
    let api = Browser::new(&app.base);
    let created = api
        .send(
            Method::POST,
            "/api/collections",
            &[("authorization", &owner)],
            Some(&json!({"name": "Secret", "public": false})),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let id = serde_json::from_str::<serde_json::Value>(&created.body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let add = format!("/api/collections/{id}/papers");
    let refused = api
        .send(
            Method::POST,
            &add,
            &[("authorization", &other)],
            Some(&json!({"arxivId": PAPER})),
        )
        .await;
    assert_eq!(refused.status, 403, "only the owner adds");
    let added = api
        .send(
            Method::POST,
            &add,
            &[("authorization", &owner)],
            Some(&json!({"arxivId": PAPER})),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    let unknown = api
        .send(
            Method::POST,
            &add,
            &[("authorization", &owner)],
            Some(&json!({"arxivId": "2608.99999"})),
        )
        .await;
    assert_eq!(unknown.status, 404);

    assert_eq!(
        app.get(&format!("/collections/{id}")).await.status(),
        404,
        "private to strangers"
    );
    assert_eq!(app.get(&format!("/feeds/c/{id}.rss")).await.status(), 404);
    let theirs = api
        .send(
            Method::GET,
            &format!("/api/collections/{id}"),
            &[("authorization", &other)],
            None,
        )
        .await;
    assert_eq!(theirs.status, 404);
    let mine = api
        .send(
            Method::GET,
            &format!("/api/collections/{id}"),
            &[("authorization", &owner)],
            None,
        )
        .await;
    let mine: serde_json::Value = serde_json::from_str(&mine.body).unwrap();
    assert_eq!(mine["papers"][0]["id"], PAPER);
    assert!(
        !app.text("/u/owen", 200).await.contains("Secret"),
        "not on the public profile"
    );
    let removed = api
        .send(
            Method::DELETE,
            &format!("/api/collections/{id}/papers/{PAPER}"),
            &[("authorization", &owner)],
            None,
        )
        .await;
    assert_eq!(removed.status, 200);
    assert!(app.store.collection_papers(&id).await.unwrap().is_empty());
}
