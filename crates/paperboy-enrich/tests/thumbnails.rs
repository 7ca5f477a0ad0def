//! Thumbnails end to end: a recorded HF daily list whose image links point at a
//! local stand-in for HF's CDN (axum on 127.0.0.1:0); the thumbnails job fetches
//! each image once, keeps a small JPEG in the app's data dir, records what failed;
//! the daily list and the paper page show the copies, served by paperboy itself,
//! and never link to the source.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::io::Cursor;

use jiff::civil::date;
use paperboy_core::thumbnail::DIR;
use paperboy_enrich::thumbnails::{MAX_SIDE, ThumbnailJob};
use paperboy_ingest::formats::hf::parse_daily_papers;
use paperboy_jobs::{JobContext, Outcome};
use paperboy_testkit::upstream::{Reply, TestServer};
use paperboy_testkit::{TestApp, TestDb, fixture, on_both_backends};
use tokio_util::sync::CancellationToken;

on_both_backends!(images_are_fetched_once_kept_small_and_served_by_paperboy);

/// The paper whose figure its authors uploaded.
const FIGURE: &str = "2505.24863";
/// The paper whose thumbnail the CDN no longer has.
const GONE: &str = "2505.24864";
/// The paper whose image link answers with a web page.
const NOT_AN_IMAGE: &str = "2505.24098";

/// A 1600x900 picture, as a PNG (the size of a wide figure).
fn figure_png() -> Vec<u8> {
    let image = image::RgbImage::from_fn(1600, 900, |x, y| {
        image::Rgb([(x / 7) as u8, (y / 4) as u8, 128])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

async fn images_are_fetched_once_kept_small_and_served_by_paperboy(db: TestDb) {
    let png = figure_png();
    let cdn = TestServer::start(move |request| {
        if request.path.ends_with(&format!("/{GONE}.png")) {
            Reply::new(404, "Not Found")
        } else if request.path.ends_with("yE3pB5JGaOf-sdyDjpCk6.png") {
            Reply::new(200, "<html><body>Please sign in</body></html>")
        } else {
            Reply::bytes(200, png.clone())
        }
    });
    let app = TestApp::start(db).await;
    // The recorded list, its image links pointed at the stand-in.
    let text = fixture("hf_api/daily_papers_date_2025-06-02.json")
        .replace("https://cdn-thumbnails.huggingface.co", &cdn.url(""))
        .replace("https://cdn-uploads.huggingface.co", &cdn.url(""));
    let parsed = parse_daily_papers(&text, Some(date(2025, 6, 2))).unwrap();
    let papers = parsed.batch.papers.len();
    app.seed(parsed.batch).await;

    let job = ThumbnailJob::new(app.store.clone(), app.data_dir().join(DIR)).unwrap();
    let ctx = JobContext::quiet(CancellationToken::new());
    assert_eq!(job.run_round(&ctx).await.unwrap(), Outcome::Idle);
    assert_eq!(cdn.requests().len(), papers, "one request per paper");
    let figure_request = cdn
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("dBNLCtnWBtBclw0ZZsYBU.png"));
    assert!(
        figure_request.is_some(),
        "the uploaded figure, not the thumbnail, for {FIGURE}"
    );

    let list = app.text("/papers/date/2025-06-02", 200).await;
    assert!(
        list.contains(&format!("<img src=\"/thumbnails/{FIGURE}.jpg\"")),
        "the list shows the copy"
    );
    for missing in [GONE, NOT_AN_IMAGE] {
        assert!(
            !list.contains(&format!("/thumbnails/{missing}.jpg")),
            "{missing}"
        );
    }
    assert_eq!(
        list.matches("<img src=\"/thumbnails/").count(),
        papers - 2,
        "every other paper has one"
    );
    assert_eq!(
        list.matches("<img ").count(),
        list.matches("<img src=\"/thumbnails/").count(),
        "every image on the page is paperboy's own copy"
    );
    assert!(
        !list.contains(&cdn.url("")),
        "the page never links to the source"
    );
    let page = app.text(&format!("/papers/{FIGURE}"), 200).await;
    assert!(page.contains(&format!("<img src=\"/thumbnails/{FIGURE}.jpg\"")));

    let response = app.get(&format!("/thumbnails/{FIGURE}.jpg")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let jpeg = response.bytes().await.unwrap();
    let image = image::load_from_memory(&jpeg).unwrap();
    assert_eq!(
        (image.width(), image.height()),
        (MAX_SIDE, 270),
        "scaled down"
    );
    for path in [
        format!("/thumbnails/{GONE}.jpg"),
        "/thumbnails/..%2Fpaperboy.db".to_owned(),
        "/thumbnails/%2E%2E%2Fx.jpg".to_owned(),
    ] {
        assert_eq!(app.get(&path).await.status(), 404, "{path}");
    }

    // Fetched once: the next round asks the source nothing, failures included.
    assert_eq!(job.run_round(&ctx).await.unwrap(), Outcome::Idle);
    assert_eq!(cdn.requests().len(), papers);
    app.stop().await.unwrap();
}
