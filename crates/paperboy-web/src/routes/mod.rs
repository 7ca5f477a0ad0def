//! The URL map: which handler answers which path, and the layers around them.

mod account;
mod api;
mod base_url;
mod claims;
mod collections;
mod comments;
mod curate;
mod errors;
mod feeds;
mod foryou;
mod health;
mod pages;
mod submit;
mod subscriptions;
mod votes;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};
use paperboy_search::engine::{SearchEngine, SearchTiming};
use paperboy_store::Store;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::WebConfig;
use crate::assets;
use crate::cache;
use crate::fetch::PaperFetcher;
use crate::state::AppState;

/// A `Server-Timing` header saying where a search spent its time (browsers show it
/// in their network panel; the load benchmark reads it).
fn with_server_timing(mut response: Response, timing: &SearchTiming) -> Response {
    let value = timing
        .phases()
        .iter()
        .filter(|(_, took)| !took.is_zero())
        .map(|(name, took)| format!("{name};dur={:.2}", took.as_secs_f64() * 1000.0))
        .collect::<Vec<_>>()
        .join(", ");
    if let Ok(value) = HeaderValue::from_str(&value) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("server-timing"), value);
    }
    response
}

/// The path (and query) of the page a form was sent from (`Referer`), when it is a
/// path on this site: where to go back to after the form.
fn referer_path(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.parse::<axum::http::Uri>().ok())
        .and_then(|uri| uri.path_and_query().map(|pq| pq.as_str().to_owned()))
        .filter(|path| path.starts_with('/') && !path.starts_with("//"))
}

/// How long a request may take before it is answered with 503.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Pages load nothing but their own stylesheet and script, talk only to this site,
/// and submit forms only to it.
const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
     connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The whole site: HTML pages, the HF-compatible JSON API under `/api`, `/healthz`
/// and the stylesheet, reading from `store` and searching with `search`.
/// `fetcher` gets papers readers submit that the database does not have yet; `None`
/// refuses such submissions.
pub fn router(
    store: Store,
    search: Arc<SearchEngine>,
    config: WebConfig,
    fetcher: Option<Arc<dyn PaperFetcher>>,
) -> Router {
    let state = AppState::new(store, search, config, fetcher);
    // The daily lists change only when data does: answered from memory.
    let lists = Router::new()
        .route("/papers", get(pages::latest_daily))
        .route("/papers/trending", get(pages::trending))
        .route("/papers/date/{day}", get(pages::day))
        .route("/papers/week/{week}", get(pages::week))
        .route("/papers/month/{month}", get(pages::month))
        .route("/api/daily_papers", get(api::daily_papers))
        .route_layer(middleware::from_fn_with_state(state.clone(), cache::cached));
    let api = Router::new()
        .route("/papers/submit", post(submit::api_submit))
        .route("/papers/index", post(submit::api_index))
        .route("/admin/daily", post(curate::api_put))
        .route("/subscriptions", post(subscriptions::api_subscribe))
        .route("/collections", post(collections::api_create))
        .route("/collections/{id}", get(collections::api_get))
        .route("/collections/{id}/papers", post(collections::api_add))
        .route(
            "/collections/{id}/papers/{*paper}",
            axum::routing::delete(collections::api_remove),
        )
        .route(
            "/admin/daily/{date}/{*id}",
            axum::routing::delete(curate::api_take_off),
        )
        .route("/papers", get(api::papers))
        .route("/papers/search", get(api::search))
        .route(
            "/papers/{*path}",
            get(api::paper)
                .post(votes::api_write)
                .patch(votes::api_write)
                .delete(votes::api_write),
        );
    Router::new()
        .route("/", get(pages::home))
        .merge(lists)
        .route("/papers/new", get(pages::latest_new))
        .route("/papers/for-you", get(foryou::page).post(foryou::feedback))
        .route("/papers/for-you/seeds", post(foryou::import_seeds))
        .route("/feeds/for-you/{file}", get(foryou::feed))
        .route("/digest/preview", get(foryou::preview))
        .route(
            "/subscriptions/{id}/seeds",
            post(subscriptions::import_seeds),
        )
        .route(
            "/subscriptions/{id}/papers/{paper}/{feedback}",
            get(foryou::email_feedback_page).post(foryou::email_feedback),
        )
        .route("/papers/new/{day}", get(pages::new_on_day))
        .route(
            "/papers/submit",
            get(submit::form).post(submit::form_submit),
        )
        .route("/papers/{*id}", get(pages::paper).post(votes::page_post))
        .route(
            "/login",
            get(account::login_form).post(account::login_request),
        )
        .route(
            "/login/{token}",
            get(account::login_link).post(account::login_confirm),
        )
        .route(
            "/welcome",
            get(account::welcome_form).post(account::welcome_save),
        )
        .route("/logout", post(account::logout))
        .route("/settings", get(account::settings))
        .route("/settings/tokens", post(account::create_token))
        .route("/settings/export", get(account::export_data))
        .route("/settings/delete", post(account::delete_account))
        .route("/settings/tokens/{id}/revoke", post(account::revoke_token))
        .route(
            "/settings/sessions/{id}/revoke",
            post(account::revoke_session),
        )
        .route("/u/{name}", get(account::profile))
        .route("/collections", post(collections::create))
        .route("/collections/{id}", get(collections::page))
        .route("/collections/{id}/papers", post(collections::save))
        .route("/collections/{id}/delete", post(collections::delete))
        .route("/feeds/c/{file}", get(collections::feed))
        .route("/search", get(pages::search))
        .route("/papers/date/", get(errors::missing_date))
        .route("/papers/week/", get(errors::missing_date))
        .route("/papers/month/", get(errors::missing_date))
        .route(
            "/subscribe",
            get(subscriptions::form).post(subscriptions::subscribe),
        )
        .route(
            "/subscriptions/confirm/{token}",
            get(subscriptions::confirm),
        )
        .route(
            "/subscriptions/{id}",
            get(subscriptions::manage_page).post(subscriptions::manage),
        )
        .route(
            "/subscriptions/{id}/unsubscribe",
            get(subscriptions::unsubscribe_page).post(subscriptions::unsubscribe),
        )
        .route("/feeds/{file}", get(feeds::feed))
        .route("/feeds/u/{file}", get(feeds::user_feed))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/static/style.css", get(assets::stylesheet))
        .route("/static/app.js", get(assets::script))
        .route("/favicon.svg", get(assets::favicon))
        .route(
            "/favicon.ico",
            get(|| async { axum::response::Redirect::permanent("/favicon.svg") }),
        )
        .route("/thumbnails/{file}", get(assets::thumbnail))
        .nest("/api", api)
        .fallback(errors::not_found)
        .layer(
            ServiceBuilder::new()
                .layer(TraceLayer::new_for_http())
                .layer(SetResponseHeaderLayer::if_not_present(
                    X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    REFERRER_POLICY,
                    HeaderValue::from_static("strict-origin-when-cross-origin"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
                ))
                .layer(CompressionLayer::new())
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    errors::render_errors,
                ))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    REQUEST_TIMEOUT,
                ))
                .layer(CatchPanicLayer::custom(errors::panic_response))
                .layer(middleware::map_request(first_of_repeated_params)),
        )
        .with_state(state)
}

/// Keeps the first of a repeated query parameter (`?q=a&q=b` searches `a`): a
/// client that repeats one gets an answer rather than a 400.
async fn first_of_repeated_params(mut request: axum::extract::Request) -> axum::extract::Request {
    let Some(query) = request.uri().query() else {
        return request;
    };
    let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(query) else {
        return request;
    };
    let mut seen = std::collections::HashSet::new();
    let kept: Vec<&(String, String)> = pairs.iter().filter(|(k, _)| seen.insert(k)).collect();
    if kept.len() == pairs.len() {
        return request;
    }
    let query = serde_urlencoded::to_string(&kept).unwrap_or_default();
    let uri = format!("{}?{query}", request.uri().path());
    if let Ok(uri) = uri.parse() {
        *request.uri_mut() = uri;
    }
    request
}
