//! The HTML pages, through the real router over HTTP.

use jiff::civil::date;

use crate::common::{
    HF_DAY, LISTING_DAY, OLD_HF_DAY, TestApp, TestDb, content_type, hostile, many_on_day, seeded,
};

paperboy_testkit::on_both_backends!(
    the_front_page_redirects_to_the_daily_papers,
    the_daily_list_answered_from_memory_follows_writes,
    an_empty_store_says_how_to_import_papers,
    papers_shows_the_latest_day_most_upvoted_first,
    a_day_links_to_the_nearest_days_with_lists_and_to_its_week_and_month,
    weeks_and_months_list_their_days_and_link_to_adjacent_periods,
    long_lists_are_paginated,
    bad_dates_and_page_numbers_are_400_pages_with_the_reason,
    the_firehose_lists_a_day_by_category,
    a_paper_page_shows_everything_known_about_it,
    old_style_ids_have_pages_and_other_spellings_redirect,
    unknown_papers_are_404_and_malformed_ids_400,
    hostile_text_is_escaped_everywhere,
    the_stylesheet_is_cached_by_fingerprint_and_pages_send_safety_headers,
    pages_are_compressed_for_clients_that_ask,
    healthz_reports_whether_the_database_answers,
    shutdown_stops_listening_and_serve_returns_ok,
    the_hf_day_is_linked_from_its_week,
    odd_input_gets_a_page_never_a_server_error,
    paper_pages_preview_well_when_shared_and_the_site_has_an_icon,
    urls_in_abstracts_are_links,
    hf_s_old_date_address_and_the_date_picker_reach_a_day,
    a_weekend_day_of_the_firehose_links_the_nearest_announcement,
);

fn position(body: &str, needle: &str) -> usize {
    body.find(needle)
        .unwrap_or_else(|| panic!("page lacks {needle:?}"))
}

fn assert_html_frame(body: &str) {
    assert!(body.starts_with("<!doctype html>"), "{body}");
    assert!(body.contains(r#"<form class="search" action="/search" method="get""#));
    assert!(body.contains(r#"name="q""#));
    assert!(body.contains(r#"href="/papers""#) && body.contains(r#"href="/papers/new""#));
}

async fn the_front_page_redirects_to_the_daily_papers(db: TestDb) {
    let app = TestApp::start(db).await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 307);
    assert_eq!(response.headers()["location"], "/papers");
}

async fn an_empty_store_says_how_to_import_papers(db: TestDb) {
    let app = TestApp::start(db).await;
    // The current period of an empty instance, of any kind, says how to get papers in.
    for path in [
        "/papers",
        "/papers/new",
        "/papers/date/2026-12-01",
        "/papers/week/2026-W49",
        "/papers/month/2026-12",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(content_type(&response), "text/html");
        let body = response.text().await.expect("body");
        assert_html_frame(&body);
        assert!(body.contains("paperboy import FILE"), "{path}: {body}");
        assert!(body.contains("paperboy harvest"), "{path}");
    }
}

async fn papers_shows_the_latest_day_most_upvoted_first(db: TestDb) {
    let app = seeded(db).await;
    let body = app.text("/papers", 200).await;
    assert_html_frame(&body);
    assert!(body.contains("Friday, 21 August 2026"), "{body}");
    assert!(body.contains("17 papers"));
    // 163 upvotes before 54 before 38.
    let first = position(
        &body,
        "EnvHarness: Awakening Static Worlds for Agent Learning",
    );
    let second = position(&body, "FACET: Preserving Source Intent");
    let third = position(&body, "4DAnyone");
    assert!(first < second && second < third);
    assert!(body.contains(r#"<span class="rank">1.</span> <a href="/papers/2608.19880">"#));
    assert!(body.contains("submitted by taesiri"));
    assert!(body.contains(
        r#"<a href="https://github.com/google-research/envharness" rel="nofollow noopener">code · ★ 8</a>"#
    ));
    assert!(body.contains("163"));
    assert!(body.contains("1 comment"));
    // Papers from the older day are not on this list.
    assert!(!body.contains("ConvLLaVA"));
}

async fn a_day_links_to_the_nearest_days_with_lists_and_to_its_week_and_month(db: TestDb) {
    let app = seeded(db).await;
    let body = app.text(&format!("/papers/date/{OLD_HF_DAY}"), 200).await;
    assert!(body.contains("Monday, 27 May 2024"));
    assert!(body.contains("ConvLLaVA"));
    // No list before 2024-05-27; the next one is months later.
    assert!(!body.contains(r#"rel="prev""#));
    assert!(body.contains(r#"<a rel="next" href="/papers/date/2026-08-21">Fri 21 Aug 2026 →</a>"#));
    assert!(body.contains(r#"<a href="/papers/week/2024-W22" aria-current="false">Week</a>"#));
    assert!(body.contains(r#"<a href="/papers/month/2024-05" aria-current="false">Month</a>"#));
    assert!(body.contains(r#"<a href="/papers/date/2024-05-27" aria-current="page">Day</a>"#));

    // A day without a list still navigates to the nearest days that have one.
    let body = app.text("/papers/date/2025-01-01", 200).await;
    assert!(body.contains("No papers were listed here."));
    assert!(body.contains(r#"<a rel="prev" href="/papers/date/2024-05-27">"#));
    assert!(body.contains(r#"<a rel="next" href="/papers/date/2026-08-21">"#));
}

async fn weeks_and_months_list_their_days_and_link_to_adjacent_periods(db: TestDb) {
    let app = seeded(db).await;
    let body = app.text("/papers/week/2024-W22", 200).await;
    assert!(
        body.contains("Week 22 of 2024: 27 May to 2 Jun 2024"),
        "{body}"
    );
    assert!(body.contains("ConvLLaVA"));
    assert!(body.contains("Mon 27 May 2024"), "entries show their day");
    // The nearest weeks with lists: none before, 2026's week 34 after (not week 23).
    assert!(!body.contains(r#"rel="prev""#), "{body}");
    assert!(body.contains(r#"<a rel="next" href="/papers/week/2026-W34">Week 34 of 2026 →</a>"#));
    assert!(body.contains(r#"<a href="/papers/date/2024-05-27" aria-current="false">Day</a>"#));
    assert!(body.contains(r#"<a href="/papers/week/2024-W22" aria-current="page">Week</a>"#));

    let body = app.text("/papers/month/2026-08", 200).await;
    assert!(body.contains("<h1>August 2026</h1>"));
    assert!(body.contains("EnvHarness"));
    assert!(body.contains(r#"<a rel="prev" href="/papers/month/2024-05">← May 2024</a>"#));
    assert!(!body.contains(r#"rel="next""#), "nothing after August 2026");
    // An empty month between lists links to the nearest months that have some.
    let body = app.text("/papers/month/2025-03", 200).await;
    assert!(body.contains("No papers were listed here."));
    assert!(body.contains(r#"<a rel="prev" href="/papers/month/2024-05">"#));
    assert!(body.contains(r#"<a rel="next" href="/papers/month/2026-08">"#));
}

async fn long_lists_are_paginated(db: TestDb) {
    let app = TestApp::start(db).await;
    let day = date(2025, 1, 6);
    app.seed(many_on_day(day, 60)).await;
    let body = app.text("/papers/date/2025-01-06", 200).await;
    assert_eq!(body.matches(r#"<li class="paper">"#).count(), 50);
    assert!(body.contains("Page 1 of 2"));
    assert!(body.contains(r#"<a rel="next" href="/papers/date/2025-01-06?page=2">"#));

    let body = app.text("/papers/date/2025-01-06?page=2", 200).await;
    assert_eq!(body.matches(r#"<li class="paper">"#).count(), 10);
    assert!(body.contains(r#"<span class="rank">51.</span>"#));
    assert!(body.contains(r#"<a rel="prev" href="/papers/date/2025-01-06">"#));

    let body = app.text("/papers/date/2025-01-06?page=3", 404).await;
    assert!(body.contains("page 3 does not exist: this list has 2 pages"));
    // The latest-day page paginates too.
    let body = app.text("/papers?page=2", 200).await;
    assert!(body.contains(r#"<span class="rank">60.</span>"#));
}

async fn bad_dates_and_page_numbers_are_400_pages_with_the_reason(db: TestDb) {
    let app = seeded(db).await;
    for (path, reason) in [
        ("/papers/date/2024-02-30", "is not a date (YYYY-MM-DD)"),
        ("/papers/date/yesterday", "is not a date (YYYY-MM-DD)"),
        ("/papers/week/2024-W60", "is not a week (YYYY-Www"),
        ("/papers/month/2024-13", "is not a month (YYYY-MM)"),
        ("/papers/new/2026-6-29", "is not a date (YYYY-MM-DD)"),
        ("/papers?page=0", "`page` must be a page number"),
        (
            "/papers/date/2026-08-21?page=-1",
            "`page` must be a page number",
        ),
        ("/papers/new?page=x", "`page` must be a page number"),
        ("/papers/month/0000-01", "is not a month (YYYY-MM)"),
        ("/papers/month/-001-12", "is not a month (YYYY-MM)"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 400, "{path}");
        assert_eq!(content_type(&response), "text/html", "{path}");
        let body = response.text().await.expect("body");
        assert!(body.contains(reason), "{path}: {body}");
        assert_html_frame(&body);
    }
    for path in ["/papers/date/", "/papers/week/", "/papers/month/"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body = response.text().await.expect("body");
        assert!(body.contains("A date is missing"), "{path}: {body}");
    }
    // The calendar's first month links to the first month with lists, never before it.
    let first = app.text("/papers/month/0001-01", 200).await;
    assert!(
        first.contains(r#"<a rel="next" href="/papers/month/2024-05">"#),
        "{first}"
    );
    assert!(!first.contains("/papers/month/0000-") && !first.contains("/papers/month/-"));
}

async fn the_firehose_lists_a_day_by_category(db: TestDb) {
    let app = seeded(db).await;
    // HF papers without announcement days count on their publication day.
    let body = app.text("/papers/new", 200).await;
    assert!(body.contains("Thursday, 20 August 2026"), "{body}");
    assert!(body.contains("EnvHarness"));

    let body = app.text("/papers/new/2026-06-29", 200).await;
    assert!(body.contains("Monday, 29 June 2026"), "{body}");
    assert!(body.contains("166 papers"));
    assert!(body.contains("Page 1 of 4"));
    assert_eq!(body.matches(r#"<li class="paper">"#).count(), 50);
    assert!(body.contains("Doppler Tracking of the Artemis II Mission"));
    assert!(!body.contains("▲"), "unvoted papers show no vote count");
    assert!(body.contains(r#"<a href="/papers/new/2026-06-29" aria-current="page">All</a>"#));
    assert!(body.contains(r#"<a href="/papers/new/2026-06-29?category=cs.CV" aria-current="false">cs.CV <span class="n">"#));
    assert!(body.contains(r#"<a rel="prev" href="/papers/new/2026-06-26">← Fri 26 Jun 2026</a>"#));

    let body = app.text("/papers/new/2026-06-29?category=cs.CE", 200).await;
    assert!(body.contains(r#"aria-current="page">cs.CE"#));
    assert!(body.contains("Doppler Tracking"));
    assert!(!body.contains("Page 1 of"), "one page only");
    // Day navigation keeps the filter.
    assert!(body.contains(r#"href="/papers/new/2026-06-26?category=cs.CE""#));
    for item in body.split(r#"<li class="paper">"#).skip(1) {
        assert!(!item.contains(r#"<span class="category">cs.CV</span>"#) || item.contains("cs.CE"));
    }

    let body = app
        .text(&format!("/papers/new/{LISTING_DAY}?page=4"), 200)
        .await;
    assert_eq!(body.matches(r#"<li class="paper">"#).count(), 16);
    let too_long = format!("/papers/new?category={}", "x".repeat(1200));
    let body = app.text(&too_long, 400).await;
    assert!(body.contains("`category` must be an arXiv category"));
}

async fn a_paper_page_shows_everything_known_about_it(db: TestDb) {
    let app = seeded(db).await;
    let body = app.text("/papers/2608.19880", 200).await;
    assert_html_frame(&body);
    assert!(body.contains("<h1>EnvHarness: Awakening Static Worlds for Agent Learning</h1>"));
    assert!(body.contains("Chengsong Huang, Zifeng Wang"));
    assert!(body.contains("LLM agents learn by interacting with environments"));
    assert!(body.contains(r#"href="https://arxiv.org/abs/2608.19880""#));
    assert!(body.contains(r#"href="https://arxiv.org/pdf/2608.19880""#));
    assert!(body.contains(r#"href="https://github.com/google-research/envharness""#));
    assert!(body.contains(r#"href="https://envharness.com/""#));
    assert!(body.contains("★ 8"));
    assert!(body.contains("published 2026-08-20"));
    assert!(body.contains(r#"<a href="/papers/date/2026-08-21">Friday, 21 August 2026</a>: 163 upvotes, 1 comment, submitted by taesiri"#));
    assert!(body.contains("In one sentence"));
    assert!(
        !body.contains("<h2>Details</h2>"),
        "nothing to show, no section"
    );
}

async fn old_style_ids_have_pages_and_other_spellings_redirect(db: TestDb) {
    let app = seeded(db).await;
    let body = app.text("/papers/hep-th/9901001", 200).await;
    assert!(body.contains("Old-style identifiers still work"));
    // Math becomes MathML with its TeX kept (escaped) as the annotation; a text
    // command such as \emph keeps only its content.
    assert!(
        body.contains(r#"<annotation encoding="application/x-tex">\alpha &lt; \beta</annotation></semantics></math> and LaTeX left"#),
        "LaTeX as MathML, escaped: {body}"
    );
    assert!(!body.contains("\\emph"), "{body}");
    assert!(body.contains("arXiv:hep-th/9901001 v2"));
    assert!(
        body.contains("Ada Lovelace <span class=\"affiliation\">(Analytical Engines Ltd)</span>")
    );
    assert!(body.contains("<h2>Details</h2>"));
    assert!(body.contains("12 pages, 3 figures"));
    assert!(body.contains("J. Old Phys. 1 (1999) 1"));
    assert!(
        body.contains(
            r#"<a href="https://doi.org/10.1000/xyz123" rel="noopener">10.1000/xyz123</a>"#
        )
    );
    assert!(body.contains("updated 1999-02-01"));
    assert!(body.contains(r#"<span class="category primary">hep-th</span>"#));
    // Announced once: the weekend's repeats are not announcements.
    assert!(body.contains(
        r#"<dt>Announced</dt><dd><a href="/papers/new/2026-06-26">Fri 26 Jun 2026</a></dd>"#
    ));
    assert!(!body.contains("Sat 27 Jun 2026"), "{body}");
    assert!(body.contains(r#"<a href="https://data.example.org/notes" rel="nofollow noopener">"#));
    assert_eq!(
        body.matches("https://github.com/ada/engine").count(),
        1,
        "code link not repeated"
    );

    for (spelling, canonical) in [
        ("/papers/2608.19880v2", "/papers/2608.19880"),
        ("/papers/arXiv:2608.19880", "/papers/2608.19880"),
        ("/papers/hep-th/9901001v1", "/papers/hep-th/9901001"),
        ("/papers/hep-th.QC/9901001", "/papers/hep-th/9901001"),
        // A pasted arxiv.org URL, whole or with its double slash merged by a proxy.
        (
            "/papers/https://arxiv.org/abs/2608.19880v2",
            "/papers/2608.19880",
        ),
        (
            "/papers/https:/arxiv.org/pdf/2608.19880.pdf",
            "/papers/2608.19880",
        ),
        ("/papers/arxiv.org/html/2608.19880v1", "/papers/2608.19880"),
    ] {
        let response = app.get(spelling).await;
        assert_eq!(response.status(), 308, "{spelling}");
        assert_eq!(response.headers()["location"], canonical, "{spelling}");
    }
}

async fn unknown_papers_are_404_and_malformed_ids_400(db: TestDb) {
    let app = seeded(db).await;
    let response = app.get("/papers/2401.99999").await;
    assert_eq!(response.status(), 404);
    assert_eq!(content_type(&response), "text/html");
    let body = response.text().await.expect("body");
    assert!(body.contains("Paper 2401.99999 is not in this database"));

    for bad in [
        "/papers/not-an-id",
        "/papers/2401.1234",
        "/papers/date/2024-05-27/extra",
    ] {
        let body = app.text(bad, 400).await;
        assert!(body.contains("is not an arXiv id"), "{bad}: {body}");
        assert!(body.contains("expected e.g. 2401.12345"), "{bad}");
    }
    let body = app.text("/no/such/page", 404).await;
    assert!(body.contains("There is no page at this address."));
    assert_html_frame(&body);
}

async fn hostile_text_is_escaped_everywhere(db: TestDb) {
    let app = TestApp::start(db).await;
    let day = date(2025, 2, 3);
    app.seed(hostile(day)).await;
    for path in [
        "/papers".to_owned(),
        format!("/papers/date/{day}"),
        "/papers/week/2025-W06".to_owned(),
        "/papers/new".to_owned(),
        "/papers/2502.00666".to_owned(),
        "/papers/new?category=%3Cscript%3Ealert(6)%3C%2Fscript%3E".to_owned(),
    ] {
        let body = app.text(&path, 200).await;
        for raw in [
            "<script>",
            "<img",
            "<b>Mallory",
            "<i>eve",
            "javascript:",
            "\"onmouseover",
        ] {
            assert!(!body.contains(raw), "{path} contains {raw:?}");
        }
        assert!(body.contains("&#60;"), "{path}");
    }
    let body = app.text("/papers/2502.00666", 200).await;
    assert!(
        body.contains(
            "&#60;script&#62;alert(1)&#60;/script&#62; &#34;quoted&#34; &#38; &#39;single&#39;"
        ),
        "{body}"
    );
    assert!(body.contains("cs.CR&#34;&#62;&#60;script&#62;alert(3)"));
    assert!(body.contains(r#"href="https://github.com/m/x&#34;onmouseover=&#34;alert(5)""#));
}

async fn the_stylesheet_is_cached_by_fingerprint_and_pages_send_safety_headers(db: TestDb) {
    let app = TestApp::start(db).await;
    let response = app.get("/papers").await;
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .expect("ascii");
    assert!(csp.contains("default-src 'none'"));
    assert!(
        csp.contains("script-src 'self'"),
        "only our own script runs"
    );
    let body = response.text().await.expect("body");
    let script_start = position(&body, "/static/app.js?v=");
    let script = &body[script_start..];
    let script = &script[..script.find('"').expect("quote")];
    let response = app.get(script).await;
    assert_eq!(response.status(), 200);
    assert_eq!(content_type(&response), "text/javascript");
    assert!(response.text().await.expect("body").contains("/upvote`"));
    let href_start = position(&body, "/static/style.css?v=");
    let href = &body[href_start..];
    let href = &href[..href.find('"').expect("quote")];

    let response = app.get(href).await;
    assert_eq!(response.status(), 200);
    assert_eq!(content_type(&response), "text/css");
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let response = app.get("/static/style.css").await;
    assert_eq!(response.headers()["cache-control"], "public, max-age=3600");
    assert!(response.text().await.expect("css").contains("--accent"));
}

async fn pages_are_compressed_for_clients_that_ask(db: TestDb) {
    let app = seeded(db).await;
    let response = app
        .client()
        .get(format!("{}/papers/new", app.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("response");
    assert_eq!(response.headers()["content-encoding"], "gzip");
}

async fn healthz_reports_whether_the_database_answers(db: TestDb) {
    let app = TestApp::start(db).await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("body"), "ok");
    app.store.close().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 503);
}

async fn shutdown_stops_listening_and_serve_returns_ok(db: TestDb) {
    let app = seeded(db).await;
    let body = app.text("/papers/new/2026-06-29", 200).await;
    assert!(body.contains("166 papers"));

    let base = app.base.clone();
    app.stop().await.expect("server stops cleanly");
    let after = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(format!("{base}/healthz"))
        .send()
        .await;
    assert!(after.is_err(), "no longer listening");
}

async fn the_hf_day_is_linked_from_its_week(db: TestDb) {
    let app = seeded(db).await;
    let body = app.text(&format!("/papers/date/{HF_DAY}"), 200).await;
    assert!(body.contains(r#"<a href="/papers/week/2026-W34" aria-current="false">Week</a>"#));
}

async fn odd_input_gets_a_page_never_a_server_error(db: TestDb) {
    let app = seeded(db).await;
    for path in [
        "/papers/date/0001-01-01",
        "/papers/date/9999-12-31",
        "/papers/week/9999-W52",
        "/papers/week/0001-W01",
        "/papers/month/9999-12",
        "/papers/month/-001-01",
        "/papers/new/9999-12-31",
        "/papers/%FF",
        "/papers/date/%FF",
        "/papers/2608.19880%00",
        "/papers/",
        "/papers?page=%FF",
        "/papers?page=99999999999999999999999",
        "/papers?page=18446744073709551615",
        "/papers/new?category=%00",
        "/api/daily_papers?p=18446744073709551615",
        "/api/daily_papers?date=%FF",
        "/api/papers/%FF",
        "/api/papers?cursor=9223372036854775807_2401.12345",
    ] {
        let response = app.get(path).await;
        let status = response.status().as_u16();
        assert!(
            matches!(status, 200 | 308 | 400 | 404),
            "{path}: {status} {}",
            response.text().await.unwrap_or_default()
        );
    }
}

/// The daily list and its API answer come from memory until the data changes: a
/// new entry, or new upvotes on one, show within the version's lifetime.
async fn the_daily_list_answered_from_memory_follows_writes(db: TestDb) {
    let app = TestApp::start(db).await;
    let day = jiff::civil::date(2025, 1, 6);
    app.seed(many_on_day(day, 3)).await;
    let path = "/papers/date/2025-01-06";
    let first = app.text(path, 200).await;
    assert_eq!(app.text(path, 200).await, first, "the same answer again");
    let api = app.json("/api/daily_papers?date=2025-01-06", 200).await;
    assert_eq!(api.as_array().map(Vec::len), Some(3));

    let mut more = many_on_day(day, 4);
    more.entries[3].upvotes = 99; // the new paper, most upvoted
    app.seed(more).await;
    tokio::time::sleep(paperboy_web::LIST_VERSION_TTL + std::time::Duration::from_millis(100))
        .await;
    let after = app.text(path, 200).await;
    assert_ne!(after, first);
    let top = after
        .find("Synthetic paper number 3")
        .expect("the new paper is listed");
    let second = after
        .find("Synthetic paper number 0")
        .expect("the others stay");
    assert!(top < second, "the new paper, with 99 upvotes, comes first");
    let api = app.json("/api/daily_papers?date=2025-01-06", 200).await;
    assert_eq!(api.as_array().map(Vec::len), Some(4));
    assert_eq!(api[0]["paper"]["upvotes"], 99);
}

async fn paper_pages_preview_well_when_shared_and_the_site_has_an_icon(db: TestDb) {
    let app = seeded(db).await;
    let body = app.text("/papers/2608.19880", 200).await;
    let meta = |attribute: &str, name: &str| -> String {
        let marker = format!(r#"<meta {attribute}="{name}" content=""#);
        let start = body
            .find(&marker)
            .unwrap_or_else(|| panic!("no {name} in {body}"))
            + marker.len();
        let end = body[start..].find('"').expect("a closing quote");
        body[start..start + end].to_owned()
    };
    let title = meta("property", "og:title");
    assert!(title.contains("EnvHarness"), "{title}");
    let description = meta("property", "og:description");
    assert!(description.len() > 40, "a TL;DR: {description}");
    assert_eq!(meta("name", "description"), description);
    assert_eq!(meta("name", "twitter:description"), description);
    let url = meta("property", "og:url");
    assert_eq!(url, format!("{}/papers/2608.19880", app.base));
    assert!(body.contains(&format!(r#"<link rel="canonical" href="{url}">"#)));
    assert_eq!(meta("name", "twitter:card"), "summary", "no thumbnail here");
    // Other pages describe the site, without a card.
    let daily = app.text("/papers", 200).await;
    assert!(daily.contains(r#"<meta name="description" content="New arXiv papers every day"#));
    assert!(!daily.contains("og:title"));

    let icon = app.get("/favicon.svg").await;
    assert_eq!(icon.status(), 200);
    assert_eq!(content_type(&icon), "image/svg+xml");
    assert!(icon.text().await.expect("a body").starts_with("<svg"));
    assert!(daily.contains(r#"<link rel="icon" type="image/svg+xml" href="/favicon.svg?v="#));
    let legacy = app.get("/favicon.ico").await;
    assert_eq!(legacy.status(), 308);
    assert_eq!(legacy.headers()["location"], "/favicon.svg");
}

async fn urls_in_abstracts_are_links(db: TestDb) {
    let app = seeded(db).await;
    let body = app.text("/papers/2608.20335", 200).await;
    // "... video results and source code: https://4danyone.github.io."
    assert!(
        body.contains(r#"<a href="https://4danyone.github.io" rel="nofollow noopener">https://4danyone.github.io</a>."#),
        "{body}"
    );
    // The list's unfolded abstract links it too.
    let list = app.text(&format!("/papers/date/{HF_DAY}"), 200).await;
    assert!(list.contains(r#"href="https://4danyone.github.io" rel="nofollow noopener""#));
}

async fn hf_s_old_date_address_and_the_date_picker_reach_a_day(db: TestDb) {
    let app = seeded(db).await;
    let response = app.get("/papers?date=2024-05-27").await;
    assert_eq!(response.status(), 308);
    assert_eq!(response.headers()["location"], "/papers/date/2024-05-27");
    let body = app.text("/papers?date=2024-02-30", 400).await;
    assert!(body.contains("is not a date (YYYY-MM-DD)"), "{body}");
    // An empty date (a picker submitted blank) is the latest list, not an error.
    let body = app.text("/papers?date=", 200).await;
    assert!(body.contains("Friday, 21 August 2026"));
    // The picker on a day's, week's and month's page sends `date` to /papers.
    for (path, day) in [
        ("/papers", "2026-08-21"),
        ("/papers/week/2024-W22", "2024-05-27"),
        ("/papers/month/2026-08", "2026-08-01"),
    ] {
        let body = app.text(path, 200).await;
        assert!(
            body.contains(r#"<form class="datepick" action="/papers" method="get">"#),
            "{path}"
        );
        assert!(
            body.contains(&format!(
                r#"<input id="datepick-day" type="date" name="date" value="{day}" required>"#
            )),
            "{path}: {body}"
        );
    }
}

async fn a_weekend_day_of_the_firehose_links_the_nearest_announcement(db: TestDb) {
    let app = seeded(db).await;
    // Announcements on Friday 26 June (the old-style paper) and Monday 29 June 2026.
    let saturday = app.text("/papers/new/2026-06-27", 200).await;
    assert!(
        saturday.contains("arXiv does not announce new papers on Saturdays and Sundays."),
        "{saturday}"
    );
    assert!(saturday.contains(
        r#"The nearest announcement: <a href="/papers/new/2026-06-26">Friday, 26 June 2026</a>."#
    ));
    let sunday = app.text("/papers/new/2026-06-28", 200).await;
    assert!(sunday.contains(
        r#"The nearest announcement: <a href="/papers/new/2026-06-29">Monday, 29 June 2026</a>."#
    ));
    let weekday = app.text("/papers/new/2026-06-30", 200).await;
    assert!(weekday.contains("arXiv announced no papers on this day."));
    assert!(weekday.contains(r#"<a href="/papers/new/2026-06-29">Monday, 29 June 2026</a>"#));
    // A filter that leaves a real announcement day empty is not "no announcement".
    let filtered = app
        .text("/papers/new/2026-06-29?category=q-bio.XX", 200)
        .await;
    assert!(filtered.contains("No papers here."), "{filtered}");
}
