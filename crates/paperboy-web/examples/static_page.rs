//! The load benchmark's baseline: one static page, as large as a daily list page,
//! served by the same HTTP server paperboy uses (`paperboy_web::serve`), so the
//! difference to paperboy's pages is what paperboy does per request.
//!
//! `cargo run --release -p paperboy-web --example static_page [ADDR]` prints
//! `listening on http://ADDR` and serves the page at every path until killed.

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use paperboy_web::{ServeOptions, serve};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let entry = "<article><h2><a href=\"/papers/2606.27531\">A paper title of ordinary length \
                 about something</a></h2><p>Authors, more authors, and others</p><p>A one-line \
                 summary of what the paper does and why it matters.</p></article>\n";
    let page: &'static str = Box::leak(
        format!(
            "<!doctype html><html><head><title>static</title></head><body>{}</body></html>",
            entry.repeat(120)
        )
        .into_boxed_str(),
    );
    // The same page whatever the path.
    let app = Router::new().fallback(get(move || async move { Html(page) }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    serve(
        listener,
        app,
        ServeOptions::default(),
        std::future::pending(),
    )
    .await
}
