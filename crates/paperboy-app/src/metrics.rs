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
use paperboy_jobs::{JobStatus, Runner};
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
    let per_job: [JobMetric; 3] = [
        (
            "paperboy_job_rounds_total",
            "counter",
            "Rounds a job finished on this instance.",
            |job| job.rounds,
        ),
        (
            "paperboy_job_failures",
            "gauge",
            "Failed rounds in a row.",
            |job| u64::from(job.failures),
        ),
        (
            "paperboy_job_items_done",
            "gauge",
            "Items the running (or last) round of a job has done.",
            |job| job.progress.done,
        ),
    ];
    for (name, kind, help, value) in per_job {
        metric(&mut out, name, kind, help);
        for job in &jobs {
            let _ = writeln!(out, "{name}{{job=\"{}\"}} {}", job.name, value(job));
        }
    }
    Ok(out)
}

/// A per-job metric: its name, type, help text and how to read it off a job.
type JobMetric = (
    &'static str,
    &'static str,
    &'static str,
    fn(&JobStatus) -> u64,
);

fn metric(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}
