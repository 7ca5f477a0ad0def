//! Search over HTTP with the keyword-only engine: `/search`, `/api/papers/search`,
//! similar papers without embeddings, key-phrase chips, and bad input.

use std::sync::Arc;

use jiff::civil::date;
use paperboy_embed::Embedder;
use paperboy_search::engine::Semantic;
use paperboy_search::vector::VectorIndex;

use crate::common::{
    TestApp, TestDb, assert_odd_queries_answered, body_json, content_type, hostile, ids,
    many_on_day, seeded, urlencode,
};

paperboy_testkit::on_both_backends!(
    searches_say_where_their_time_went,
    a_search_page_shows_marked_matches_and_why,
    the_snippet_is_the_abstract_around_its_first_match,
    an_empty_query_shows_the_help,
    an_arxiv_id_opens_its_paper_or_says_it_is_missing,
    no_results_say_so_and_offer_the_query_without_filters,
    filters_alone_list_matching_papers_newest_first,
    results_are_paginated_and_stop_at_the_search_depth,
    a_bad_mode_is_a_page_saying_what_modes_exist,
    hostile_text_in_results_is_escaped_and_marked_safely,
    odd_queries_get_an_answer_never_a_server_error,
    repeated_parameters_take_the_first_and_symbols_alone_find_nothing,
    every_search_says_which_rankers_answered,
    the_search_api_answers_in_hf_s_shape,
    the_search_api_pages_with_p_or_offset_and_a_link_header,
    without_embeddings_similar_papers_are_explained_and_empty,
    key_phrases_are_chips_that_search_for_them,
    while_papers_are_embedded_pages_say_how_far_it_is,
    while_the_model_loads_pages_say_semantic_search_is_coming,
);

async fn a_search_page_shows_marked_matches_and_why(db: TestDb) {
    let app = seeded(db).await;
    let body = app.text("/search?q=EnvHarness+worlds", 200).await;
    assert!(body.starts_with("<!doctype html>"));
    assert!(
        body.contains(r#"name="q" value="EnvHarness worlds""#),
        "the box keeps the query"
    );
    assert!(body.contains(r#"<h1 class="query">EnvHarness worlds</h1>"#));
    assert!(body.contains(
        r#"<a href="/papers/2608.19880"><mark>EnvHarness</mark>: Awakening Static <mark>Worlds</mark> for Agent Learning</a>"#
    ), "{body}");
    assert!(body.contains("Chengsong Huang, Zifeng Wang"));
    assert!(body.contains("<span>2026-08-20</span>"));
    assert!(body.contains(r#"<a href="https://github.com/google-research/envharness" rel="nofollow noopener">code</a>"#));
    assert!(body.contains("▲</span> 163"));
    assert!(
        body.contains(r#"<p class="snippet">…environments from scratch, we propose Environment Harness (<mark>EnvHarness</mark>), a programmable"#),
        "the abstract around its first match: {body}"
    );
    assert!(body.contains("Why: matched envharness, worlds"), "{body}");
    // No embedder: hybrid ranks by keywords, and the page says so.
    assert!(body.contains("ranked by words"));
    assert!(body.contains("Keyword search only: no embedder is configured"));
    assert!(body.contains(
        r#"<a href="/search?q=EnvHarness+worlds&#38;mode=semantic" aria-current="false">Semantic</a>"#
    ), "{body}");
    assert!(body.contains(r#"aria-current="page">Hybrid</a>"#));
    assert!(body.contains("<summary>How to search</summary>"));
    assert!(!body.contains("<details class=\"help\" open>"));
}

async fn the_snippet_is_the_abstract_around_its_first_match(db: TestDb) {
    let app = seeded(db).await;
    // "EnvRigger" first appears deep in the EnvHarness abstract.
    let body = app.text("/search?q=EnvRigger&mode=keyword", 200).await;
    let snippet = body
        .split(r#"<p class="snippet">"#)
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .expect("a snippet");
    assert!(snippet.contains("<mark>EnvRigger</mark>"), "{snippet}");
    assert!(snippet.chars().count() < 400, "{snippet}");
    assert!(
        !body.contains("Keyword search only"),
        "keyword mode asks for no more"
    );
    assert!(
        body.contains(r#"name="mode" value="keyword""#),
        "the box keeps the mode"
    );
}

async fn an_empty_query_shows_the_help(db: TestDb) {
    let app = seeded(db).await;
    for path in [
        "/search",
        "/search?q=",
        "/search?q=%20%20",
        "/search?q=%22%22",
    ] {
        let body = app.text(path, 200).await;
        assert!(body.contains("<h1>Search papers</h1>"), "{path}: {body}");
        assert!(body.contains(r#"<details class="help" open>"#), "{path}");
        assert!(body.contains("<code>author:lecun</code>"), "{path}");
        assert!(body.contains("<code>has:code</code>"), "{path}");
        assert!(body.contains("Keyword search only"), "{path}");
    }
}

async fn an_arxiv_id_opens_its_paper_or_says_it_is_missing(db: TestDb) {
    let app = seeded(db).await;
    for (query, paper) in [
        ("2608.19880", "/papers/2608.19880"),
        ("arXiv:2608.19880v2", "/papers/2608.19880"),
        ("https://arxiv.org/abs/2608.19880", "/papers/2608.19880"),
        ("hep-th/9901001", "/papers/hep-th/9901001"),
    ] {
        let path = format!("/search?q={}", urlencode(query));
        let response = app.get(&path).await;
        assert_eq!(response.status(), 303, "{query}");
        assert_eq!(response.headers()["location"], paper, "{query}");
    }
    let body = app.text("/search?q=2401.99999", 200).await;
    assert!(body.contains("Paper 2401.99999 is not in this database"));
    assert!(body.contains(r#"href="https://arxiv.org/abs/2401.99999""#));
}

async fn no_results_say_so_and_offer_the_query_without_filters(db: TestDb) {
    let app = seeded(db).await;
    let body = app
        .text("/search?q=EnvHarness+cat%3Ahep-th+has%3Acode", 200)
        .await;
    assert!(body.contains("No papers match this search."));
    assert!(
        body.contains(
            r#"Try it without its filters: <a href="/search?q=EnvHarness">EnvHarness</a>"#
        ),
        "{body}"
    );
    let body = app.text("/search?q=zyxwvutsrq", 200).await;
    assert!(body.contains("No papers match this search."));
    assert!(body.contains("Try other or fewer words"));
}

async fn filters_alone_list_matching_papers_newest_first(db: TestDb) {
    let app = seeded(db).await;
    let body = app.text("/search?q=cat%3Ahep-th", 200).await;
    assert!(body.contains("1 result, newest first"), "{body}");
    assert!(body.contains("Old-style identifiers still work"));
    assert!(body.contains("Why: passes the filters"));

    let body = app.text("/search?q=author%3A%22Ada+Lovelace%22", 200).await;
    assert!(body.contains("Old-style identifiers still work"), "{body}");
}

async fn results_are_paginated_and_stop_at_the_search_depth(db: TestDb) {
    let app = TestApp::start(db).await;
    app.seed(many_on_day(date(2025, 1, 2), 45)).await;
    let body = app.text("/search?q=synthetic", 200).await;
    assert!(body.contains("45 results"));
    assert_eq!(body.matches(r#"<li class="paper">"#).count(), 20);
    assert!(body.contains("Page 1 of 3"));
    assert!(
        body.contains(r#"<a rel="next" href="/search?q=synthetic&#38;page=2">"#),
        "{body}"
    );

    let body = app
        .text("/search?q=synthetic&mode=keyword&page=3", 200)
        .await;
    assert_eq!(body.matches(r#"<li class="paper">"#).count(), 5);
    assert!(
        body.contains(r#"<a rel="prev" href="/search?q=synthetic&#38;mode=keyword&#38;page=2">"#)
    );

    let body = app.text("/search?q=synthetic&page=4", 404).await;
    assert!(body.contains("page 4 does not exist: this list has 3 pages"));
    let body = app
        .text("/search?q=synthetic&page=18446744073709551615", 404)
        .await;
    assert!(body.contains("search results stop after 1000 hits"));
    let body = app.text("/search?q=synthetic&page=0", 400).await;
    assert!(body.contains("`page` must be a page number"));
}

async fn a_bad_mode_is_a_page_saying_what_modes_exist(db: TestDb) {
    let app = seeded(db).await;
    let body = app.text("/search?q=agents&mode=fuzzy", 400).await;
    assert!(body.contains("`mode` must be hybrid, keyword or semantic, got `fuzzy`"));
    let body = app
        .json("/api/papers/search?q=agents&mode=fuzzy", 400)
        .await;
    assert_eq!(
        body["error"],
        "`mode` must be hybrid, keyword or semantic, got `fuzzy`"
    );
    // Semantic search without an embedder answers by keyword, and says so.
    let body = app.text("/search?q=agents&mode=semantic", 200).await;
    assert!(body.contains("Keyword search only"));
    assert!(body.contains("ranked by words"));
}

async fn hostile_text_in_results_is_escaped_and_marked_safely(db: TestDb) {
    let app = TestApp::start(db).await;
    app.seed(hostile(date(2025, 2, 3))).await;
    for path in [
        "/search?q=script+alert+onerror+mallory",
        "/search?q=quoted&mode=semantic",
        "/search?q=%3Cscript%3Ealert(7)%3C%2Fscript%3E",
        "/search?q=%22%20onfocus%3D%22alert(8)",
        "/search?q=cat%3Acs.CR%22%3E%3Cscript%3E",
    ] {
        let body = app.text(path, 200).await;
        for raw in [
            "<script>",
            "<img",
            "<b>Mallory",
            "javascript:",
            "\"onmouseover",
            "\" onfocus",
        ] {
            assert!(!body.contains(raw), "{path} contains {raw:?}");
        }
    }
    let body = app.text("/search?q=script+alert+onerror", 200).await;
    assert!(
        body.contains(
            "&lt;<mark>script</mark>&gt;<mark>alert</mark>(1)&lt;/<mark>script</mark>&gt;"
        ),
        "{body}"
    );
    assert!(body.contains("&lt;img src=x <mark>onerror</mark>=<mark>alert</mark>(2)&gt;"));
    let body = app.text("/search?q=%22%20onfocus%3D%22alert(8)", 200).await;
    assert!(
        body.contains(r#"value="&#34; onfocus=&#34;alert(8)""#),
        "{body}"
    );
}

async fn odd_queries_get_an_answer_never_a_server_error(db: TestDb) {
    let app = seeded(db).await;
    assert_odd_queries_answered(&app).await;
    for path in [
        "/search?q=a&page=99999999999999999999999",
        "/search?q=a&mode=%00",
        "/api/papers/search?q=a&p=99999999999999999999999",
        "/api/papers/search?q=a&offset=18446744073709551615",
        "/api/papers/search?q=a&limit=18446744073709551615",
        "/api/papers/2608.19880/similar?limit=%FF",
        "/api/papers/%FF/similar",
    ] {
        let status = app.get(path).await.status().as_u16();
        assert!(matches!(status, 400 | 404), "{path}: {status}");
    }
}

async fn repeated_parameters_take_the_first_and_symbols_alone_find_nothing(db: TestDb) {
    let app = seeded(db).await;
    let page = app
        .text("/search?q=EnvHarness&q=zzzz&mode=keyword", 200)
        .await;
    assert!(
        page.contains("/papers/2608.19880"),
        "the first q is searched"
    );
    let items = app
        .json("/api/papers/search?q=EnvHarness&q=zzzz&mode=keyword", 200)
        .await;
    assert_eq!(ids(&items)[0], "2608.19880");
    for symbols in ["%2B", "-", "*", "%40", "%F0%9F%99%82", "%2B+-+*"] {
        let page = app.text(&format!("/search?q={symbols}"), 200).await;
        assert!(
            !page.contains("<li class=\"paper\""),
            "{symbols}: no results listed"
        );
        assert!(!page.contains("matched in the author list"), "{symbols}");
        let items = app
            .json(&format!("/api/papers/search?q={symbols}"), 200)
            .await;
        assert_eq!(items.as_array().map(Vec::len), Some(0), "{symbols}");
    }
}

async fn every_search_says_which_rankers_answered(db: TestDb) {
    let app = seeded(db).await;
    for mode in ["keyword", "hybrid"] {
        let response = app
            .get(&format!("/api/papers/search?q=EnvHarness&mode={mode}"))
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["x-search-rankers"],
            "keyword",
            "{mode} without an embedder is keyword search, and says so"
        );
    }
    let semantic = app
        .get("/api/papers/search?q=EnvHarness&mode=semantic")
        .await;
    assert_eq!(semantic.status(), 503, "never keyword results in its place");
    assert!(semantic.headers().contains_key("retry-after"));
    let body = semantic.text().await.expect("body");
    assert!(body.contains("semantic search is off"), "{body}");
    let page = app.text("/search?q=EnvHarness", 200).await;
    assert!(page.contains("Keyword search only"), "the page says it too");
    let ready = app.json("/readyz", 200).await;
    assert_eq!(ready["database"], "ok");
    assert_eq!(ready["semantic"]["state"], "off");
    assert_eq!(ready["semantic"]["embedded"], 0);
    assert!(
        ready["semantic"]["papers"].as_u64().unwrap_or(0) > 0,
        "{ready}"
    );
}

async fn the_search_api_answers_in_hf_s_shape(db: TestDb) {
    let app = seeded(db).await;
    let items = app.json("/api/papers/search?q=EnvHarness", 200).await;
    assert_eq!(ids(&items)[0], "2608.19880");
    let first = &items[0];
    assert_eq!(
        first["title"],
        "EnvHarness: Awakening Static Worlds for Agent Learning"
    );
    assert_eq!(first["paper"]["title"], first["title"]);
    assert_eq!(first["paper"]["upvotes"], 163);
    assert_eq!(first["paper"]["authors"][0]["name"], "Chengsong Huang");
    assert_eq!(first["publishedAt"], "2026-08-20T00:00:00.000Z");
    assert_eq!(first["isAuthorParticipating"], false);
    assert!(
        first["summary"]
            .as_str()
            .is_some_and(|s| s.starts_with("LLM agents"))
    );
    assert!(
        first["paper"]["ai_keywords"]
            .as_array()
            .is_some_and(|k| !k.is_empty())
    );

    let limited = app.json("/api/papers/search?q=agents&limit=2", 200).await;
    assert_eq!(limited.as_array().map(Vec::len), Some(2));
    assert_eq!(
        app.json("/api/papers/search", 200).await,
        serde_json::json!([])
    );
    assert_eq!(
        app.json("/api/papers/search?q=zyxwvutsrq", 200).await,
        serde_json::json!([])
    );
    let by_id = app.json("/api/papers/search?q=hep-th/9901001", 200).await;
    assert_eq!(ids(&by_id), ["hep-th/9901001"]);
}

async fn the_search_api_pages_with_p_or_offset_and_a_link_header(db: TestDb) {
    let app = TestApp::start(db).await;
    app.seed(many_on_day(date(2025, 1, 2), 45)).await;
    let all = app
        .json("/api/papers/search?q=synthetic&mode=keyword&limit=45", 200)
        .await;
    let all = ids(&all);
    assert_eq!(all.len(), 45);

    let response = app.get("/api/papers/search?q=synthetic&limit=20&p=1").await;
    assert_eq!(response.status(), 200);
    let link = response.headers()["link"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        link.ends_with("/api/papers/search?q=synthetic&offset=40&limit=20>; rel=\"next\""),
        "{link}"
    );
    let second = body_json(response).await;
    assert_eq!(ids(&second), all[20..40]);

    let response = app
        .get("/api/papers/search?q=synthetic&offset=40&limit=20")
        .await;
    assert!(response.headers().get("link").is_none(), "the last page");
    let last = body_json(response).await;
    assert_eq!(ids(&last), all[40..]);

    for (path, expected) in [
        ("/api/papers/search?q=a&p=1&offset=2", "not both"),
        ("/api/papers/search?q=a&offset=x", "`offset` must be"),
        (
            "/api/papers/search?q=a&p=9999",
            "search results stop after 1000 hits",
        ),
        (
            "/api/papers/search?q=a&limit=0",
            "`limit` must be a number from 1 to 100",
        ),
    ] {
        let body = app.json(path, 400).await;
        assert!(
            body["error"].as_str().is_some_and(|e| e.contains(expected)),
            "{path}: {body}"
        );
    }
}

async fn without_embeddings_similar_papers_are_explained_and_empty(db: TestDb) {
    let app = seeded(db).await;
    let body = app.text("/papers/2608.19880", 200).await;
    assert!(body.contains("<h2>Similar papers</h2>"));
    assert!(body.contains("semantic search is off: no embedder is configured"));

    for path in [
        "/api/papers/2608.19880/similar",
        "/api/papers/2608.19880v1/similar?limit=3",
        "/api/papers/hep-th/9901001/similar",
    ] {
        assert_eq!(app.json(path, 200).await, serde_json::json!([]), "{path}");
    }
    let body = app.json("/api/papers/2401.99999/similar", 404).await;
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("not in this database"))
    );
    let body = app
        .json("/api/papers/2608.19880/similar?limit=0", 400)
        .await;
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("`limit`"))
    );
    // The paper itself and old-style ids still answer on the same route.
    assert_eq!(
        app.json("/api/papers/hep-th/9901001", 200).await["id"],
        "hep-th/9901001"
    );
    assert_eq!(
        app.json("/api/papers/2608.19880", 200).await["id"],
        "2608.19880"
    );
    let body = app.json("/api/papers/2608.19880/other", 400).await;
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("not an arXiv id"))
    );
}

async fn key_phrases_are_chips_that_search_for_them(db: TestDb) {
    let app = seeded(db).await;
    let body = app.text("/papers/2608.19880", 200).await;
    assert!(body.contains(r#"<nav class="chips keywords" aria-label="Key phrases">"#));
    assert!(
        body.contains(r#"<a href="/search?q=%22LLM+agents%22">LLM agents</a>"#),
        "{body}"
    );
    assert!(body.contains(r#"<a href="/search?q=EnvHarness">EnvHarness</a>"#));

    let found = app.text("/search?q=%22LLM+agents%22", 200).await;
    assert!(found.contains(r#"href="/papers/2608.19880""#));
    assert!(
        found.contains("<mark>LLM</mark> <mark>agents</mark>"),
        "{found}"
    );

    // A paper without key phrases shows no chips.
    let body = app.text("/papers/hep-th/9901001", 200).await;
    assert!(!body.contains("Key phrases"));
    assert_eq!(
        content_type(&app.get("/papers/hep-th/9901001").await),
        "text/html"
    );
}

async fn while_papers_are_embedded_pages_say_how_far_it_is(db: TestDb) {
    let app = seeded(db).await;
    let papers = app.search.keyword().len();
    // Semantic search switched on, its backlog not started: no paper has a vector.
    app.search.set_semantic(Arc::new(Semantic::new(
        Embedder::None,
        VectorIndex::new(384),
    )));
    let progress = format!("0 of {papers} papers embedded so far");
    let body = app.text("/search?q=agents", 200).await;
    assert!(body.contains(&progress), "{body}");
    assert!(!body.contains("no embedder is configured"));
    let body = app.text("/papers/2608.19880", 200).await;
    assert!(
        body.contains(&format!("No similar papers yet: {progress}")),
        "{body}"
    );
    assert_eq!(
        app.json("/api/papers/2608.19880/similar", 200).await,
        serde_json::json!([])
    );
}

async fn while_the_model_loads_pages_say_semantic_search_is_coming(db: TestDb) {
    let app = seeded(db).await;
    app.search.set_starting(true);
    let body = app.text("/search?q=worlds", 200).await;
    assert!(
        body.contains("the embedding model is still being fetched or loaded"),
        "{body}"
    );
    assert!(!body.contains("no embedder is configured"));
    app.search.set_starting(false);
    let body = app.text("/search?q=worlds", 200).await;
    assert!(body.contains("no embedder is configured"));
}

/// Search answers carry a `Server-Timing` header with their phases.
async fn searches_say_where_their_time_went(db: TestDb) {
    let app = seeded(db).await;
    for path in ["/search?q=agents", "/api/papers/search?q=agents"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200);
        let timing = response
            .headers()
            .get("server-timing")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(timing.contains("keyword;dur="), "{path}: {timing:?}");
        assert!(timing.contains("hydrate;dur="), "{path}: {timing:?}");
    }
}
