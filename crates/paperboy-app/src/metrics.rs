//! `GET /metrics`: Prometheus text exposition of what an operator watches: the mail
//! outbox (depth, sent, given up), subscriptions by status, and this instance's
//! background jobs (rounds, failures in a row, items done).

use std::fmt::Write;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use paperboy_jobs::Runner;
use paperboy_store::Store;

/// The `/metrics` route over `store` and `runner`.
pub fn router(store: Store, runner: Runner) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state((store, runner))
}

async fn metrics(State((store, runner)): State<(Store, Runner)>) -> Response {
    match render(&store, &runner).await {
        Ok(text) => (
            [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
            text,
        )
            .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("metrics unavailable: {e}\n"),
        )
            .into_response(),
    }
}

async fn render(store: &Store, runner: &Runner) -> Result<String, paperboy_store::StoreError> {
    let mut out = String::new();
    let outbox = store.outbox_counts().await?;
    metric(
        &mut out,
        "paperboy_outbox_messages",
        "gauge",
        "Outbox messages by state.",
    );
    for (state, n) in [
        ("pending", outbox.pending),
        ("sent", outbox.sent),
        ("failed", outbox.failed),
    ] {
        let _ = writeln!(out, "paperboy_outbox_messages{{state=\"{state}\"}} {n}");
    }
    metric(
        &mut out,
        "paperboy_subscriptions",
        "gauge",
        "Digest subscriptions by status.",
    );
    for (status, n) in store.subscription_counts().await? {
        let _ = writeln!(
            out,
            "paperboy_subscriptions{{status=\"{}\"}} {n}",
            status.as_str()
        );
    }
    let jobs = runner.statuses();
    metric(
        &mut out,
        "paperboy_job_rounds_total",
        "counter",
        "Rounds a job finished on this instance.",
    );
    for job in &jobs {
        let _ = writeln!(
            out,
            "paperboy_job_rounds_total{{job=\"{}\"}} {}",
            job.name, job.rounds
        );
    }
    metric(
        &mut out,
        "paperboy_job_failures",
        "gauge",
        "Failed rounds in a row.",
    );
    for job in &jobs {
        let _ = writeln!(
            out,
            "paperboy_job_failures{{job=\"{}\"}} {}",
            job.name, job.failures
        );
    }
    metric(
        &mut out,
        "paperboy_job_items_done",
        "gauge",
        "Items the running (or last) round of a job has done.",
    );
    for job in &jobs {
        let _ = writeln!(
            out,
            "paperboy_job_items_done{{job=\"{}\"}} {}",
            job.name, job.progress.done
        );
    }
    Ok(out)
}

fn metric(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}
