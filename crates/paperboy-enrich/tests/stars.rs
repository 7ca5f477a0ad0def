//! The GitHub stars job against a local stand-in for the GitHub REST API (axum on
//! 127.0.0.1:0), over the papers of a recorded HF daily list: it samples each
//! repository once per interval with the token, shows the counts on the papers,
//! asks GitHub about a missing repository only once, pauses on a rate limit, and the
//! stars a repository gains lift its paper on the trending list with a reason.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};
use paperboy_core::{Clock, FixedClock};
use paperboy_enrich::stars::{GithubClient, GithubOptions, StarsJob};
use paperboy_ingest::import::{ImportOptions, import_file};
use paperboy_jobs::{JobContext, Outcome};
use paperboy_store::{DailyQuery, Store};
use paperboy_testkit::upstream::{Reply, TestServer};
use paperboy_testkit::{TestDb, fixture_path, on_both_backends};
use tokio_util::sync::CancellationToken;

on_both_backends!(stars_are_sampled_once_per_interval_and_lift_trending_papers);

/// The repository that gains a thousand stars between the two samples.
const RISING: &str = "vistorybench/vistorybench";
/// The repository GitHub does not have.
const MISSING: &str = "jun297/v1";

/// What the stand-in answers: stars per `owner/name`, or a rate limit.
#[derive(Default)]
struct Github {
    stars: HashMap<String, u64>,
    rate_limited: bool,
}

fn start_github(state: Arc<Mutex<Github>>) -> TestServer {
    TestServer::start(move |request| {
        let state = state.lock().unwrap();
        if state.rate_limited {
            let reset = Timestamp::now().as_second() + 120;
            return Reply::new(403, r#"{"message":"API rate limit exceeded"}"#)
                .header("x-ratelimit-remaining", "0")
                .header("x-ratelimit-reset", &reset.to_string());
        }
        assert_eq!(
            request.authorization, "Bearer ghp_test",
            "the token is sent"
        );
        let repo = request.path.trim_start_matches("/repos/");
        match state.stars.get(repo) {
            Some(stars) => Reply::new(
                200,
                serde_json::json!({"full_name": repo, "stargazers_count": stars}).to_string(),
            ),
            None => Reply::new(404, r#"{"message":"Not Found"}"#),
        }
    })
}

async fn round(job: &StarsJob) -> Outcome {
    job.run_round(&JobContext::quiet(CancellationToken::new()))
        .await
        .unwrap()
}

async fn trending(store: &Store) -> Vec<(String, u32, String)> {
    let day = date(2025, 6, 2);
    let list = store
        .daily_page(&DailyQuery::trending(day, day, 0, 50))
        .await
        .unwrap();
    list.items
        .into_iter()
        .map(|item| {
            let trend = item.trend.unwrap();
            (
                item.record.paper.id.to_string(),
                trend.star_growth,
                trend.explain(),
            )
        })
        .collect()
}

async fn stars_are_sampled_once_per_interval_and_lift_trending_papers(db: TestDb) {
    let clock = Arc::new(FixedClock::new("2025-06-03T00:00:00Z".parse().unwrap()));
    let store = db.open_with(clock.clone()).await;
    let report = import_file(
        &store,
        &fixture_path("hf_api/daily_papers_date_2025-06-02.json"),
        &ImportOptions::default(),
    )
    .await;
    assert!(report.is_clean(), "{report:?}");

    // Every repository of the recorded list (HF's links and one found in an
    // abstract) but one is on GitHub.
    let repos = [
        "boson-ai/EmergentTTS-Eval-public",
        "ASTRAL-Group/AlphaOne",
        "YihongT/LLMSynthor",
        "TimeBlindness/time-blindness",
        "MetaAgentX/OpenCaptchaWorld",
        "SunYangtian/UniGeo",
        "anvo25/vlms-are-biased",
        "Tim-Siu/reinforcement-distillation",
        RISING,
        "LiYinqi/un2CLIP",
        "jamesgolden1/llms-are-llms",
        "ZLKong/LLM_Integration",
    ];
    let state = Arc::new(Mutex::new(Github {
        stars: repos.iter().map(|r| (r.to_string(), 100)).collect(),
        rate_limited: false,
    }));
    let github = start_github(state.clone());
    let client = GithubClient::new(GithubOptions {
        api_url: github.url(""),
        token: "ghp_test".into(),
    })
    .unwrap();
    let job = StarsJob::new(store.clone(), client, Duration::from_secs(6 * 3600))
        .with_pace(Duration::ZERO);

    assert_eq!(round(&job).await, Outcome::Idle);
    let asked: Vec<String> = github.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        asked.len(),
        repos.len() + 1,
        "every repository once: {asked:?}"
    );
    assert!(
        asked.contains(&"/repos/ZLKong/LLM_Integration".to_owned()),
        "{asked:?}"
    );
    let before = trending(&store).await;
    assert!(
        before.iter().all(|(_, growth, _)| *growth == 0),
        "one sample is no growth: {before:?}"
    );
    let page = store
        .daily_page(&DailyQuery::trending(
            date(2025, 6, 2),
            date(2025, 6, 2),
            0,
            50,
        ))
        .await
        .unwrap();
    let shown: Vec<Option<u64>> = page
        .items
        .iter()
        .filter(|item| item.record.paper.github_repo.is_some())
        .map(|item| item.record.paper.github_stars)
        .collect();
    assert_eq!(
        shown.iter().filter(|s| **s == Some(100)).count(),
        repos.len()
    );
    assert!(shown.contains(&None), "the missing repository has no count");

    // Sampled an hour ago: not due yet.
    clock.set(clock.now() + SignedDuration::from_hours(1));
    round(&job).await;
    assert_eq!(github.requests().len(), repos.len() + 1);

    // Seven hours on, one repository has gained a thousand stars.
    clock.set(clock.now() + SignedDuration::from_hours(6));
    state.lock().unwrap().stars.insert(RISING.into(), 1100);
    round(&job).await;
    let requests = github.requests();
    assert_eq!(
        requests.len(),
        2 * repos.len() + 1,
        "the missing one is not asked again"
    );
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.path == format!("/repos/{MISSING}"))
            .count(),
        1
    );
    let after = trending(&store).await;
    let (first, growth, why) = &after[0];
    assert_eq!(first, "2505.24862", "{after:?}");
    assert_eq!(*growth, 1000);
    assert!(why.starts_with("2 upvotes"), "{why}");
    assert!(why.contains("1000 new GitHub stars"), "{why}");
    let position_before = before
        .iter()
        .position(|(id, ..)| id == "2505.24862")
        .unwrap();
    assert!(position_before > 5, "it was low before: {before:?}");

    // A rate limit pauses the job until GitHub's reset time.
    clock.set(clock.now() + SignedDuration::from_hours(7));
    state.lock().unwrap().rate_limited = true;
    match round(&job).await {
        Outcome::After(wait) => assert!(
            (60..=121).contains(&wait.as_secs()),
            "waits for the reset: {wait:?}"
        ),
        other => panic!("expected a pause, got {other:?}"),
    }
}
