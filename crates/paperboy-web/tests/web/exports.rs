//! A paper as BibTeX and Markdown: `/papers/{id}.bib`, `/papers/{id}.md`, and the
//! paper page with `Accept: text/markdown` (as HF serves agents).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use paperboy_testkit::on_both_backends;

use crate::common::{TestApp, TestDb, seed_batch, seeded};

on_both_backends!(
    a_paper_exports_as_bibtex_and_markdown,
    hostile_titles_stay_text_in_exports,
);

async fn get(app: &TestApp, path: &str, accept: Option<&str>) -> (u16, String, String) {
    let mut request = app.client().get(format!("{}{path}", app.base));
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}

async fn a_paper_exports_as_bibtex_and_markdown(db: TestDb) {
    let app = seeded(db).await;
    let (status, content_type, bib) = get(&app, "/papers/2608.19880.bib", None).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "application/x-bibtex; charset=utf-8")
    );
    assert!(bib.starts_with("@misc{huang2026envharness,"), "{bib}");
    assert!(bib.contains("  title = {{EnvHarness: Awakening Static Worlds for Agent Learning}},"));
    assert!(bib.contains("  author = {Huang, Chengsong"));
    assert!(bib.contains("  eprint = {2608.19880},"));

    let (status, content_type, md) = get(&app, "/papers/2608.19880.md", None).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/markdown; charset=utf-8")
    );
    assert!(
        md.starts_with("# EnvHarness: Awakening Static Worlds for Agent Learning\n"),
        "{md}"
    );
    assert!(md.contains("## Abstract"));
    assert!(md.contains(&format!("[paper page]({}/papers/2608.19880)", app.base)));
    let (_, content_type, negotiated) =
        get(&app, "/papers/2608.19880", Some("text/markdown")).await;
    assert_eq!(
        (content_type.as_str(), negotiated.as_str()),
        ("text/markdown; charset=utf-8", md.as_str())
    );
    let (_, content_type, _) = get(&app, "/papers/2608.19880", Some("text/html")).await;
    assert!(content_type.starts_with("text/html"));

    assert_eq!(get(&app, "/papers/2401.99999.bib", None).await.0, 404);
    assert_eq!(get(&app, "/papers/nonsense.md", None).await.0, 400);
}

async fn hostile_titles_stay_text_in_exports(db: TestDb) {
    let app = TestApp::start(db).await;
    let mut batch = seed_batch();
    let paper = batch
        .papers
        .iter_mut()
        .find(|p| p.id.as_str() == "2608.19880")
        .unwrap();
    paper.title = "Closing } @misc{x, <script>alert(1)</script> [a](javascript:alert(1))".into();
    app.seed(batch).await;
    let (_, _, bib) = get(&app, "/papers/2608.19880.bib", None).await;
    assert!(bib.contains("Closing \\} @misc\\{x,"), "{bib}");
    assert_eq!(bib.matches("@misc{").count(), 1, "one entry: {bib}");
    let (_, _, md) = get(&app, "/papers/2608.19880.md", None).await;
    assert!(
        md.contains("\\<script\\>") && md.contains("\\[a\\]\\(javascript:alert\\(1\\)\\)"),
        "{md}"
    );
}
