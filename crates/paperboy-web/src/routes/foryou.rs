//! "For you" on the web: the page of a signed-in reader's recommendations (with
//! "more like this" / "not interested" buttons and a library import), its private
//! feed, the preview of the reader's next digest, and the feedback links of digest
//! emails (signed per subscription and paper; a page with a button, so that link
//! checkers opening them change nothing).

use axum::Form;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_SECURITY_POLICY;
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::ToSpan;
use paperboy_core::digest::{Feedback, LinkPurpose};
use paperboy_core::foryou::Pick;
use paperboy_core::{ArxivId, DigestPrefs, Email, Frequency, VersionedId, seeds};
use paperboy_mail::digest::{
    DigestPeriod, DigestSite, PeriodPool, Readers, VectorSpace, compose, digest_mail, for_you,
};
use paperboy_store::secret::verify;
use paperboy_store::{DayList, PaperRecord, ReaderSignal, Subscription, SubscriptionStatus};
use serde::Deserialize;

use super::base_url::BaseUrl;
use super::feeds::respond;
use super::subscriptions::{SigParam, link_key, signed_path};
use crate::WebError;
use crate::auth::{SignedIn, Viewer, check_origin};
use crate::feeds::{Feed, FeedFormat, FeedItem};
use crate::state::AppState;
use crate::views::list::{ListItem, show_thumbnails};
use crate::views::{ConfirmView, ForYouView, Layout, Nav, NoticeView, TextLink, render};

/// Papers the page and the feed list.
const LISTED: usize = 30;
/// Days of new papers the page ranks (ending on the latest announcement).
const DAYS: i64 = 7;
/// The preview's content policy: the site's, with inline styles allowed.
const PREVIEW_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
     form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/// Largest library file read, in bytes.
const MAX_UPLOAD: usize = 2 * 1024 * 1024;

/// The vectors semantic search holds, if it has started.
fn vector_space(app: &AppState) -> Option<VectorSpace> {
    let semantic = app.search.semantic()?;
    let embedder = semantic.embedder();
    VectorSpace::of(embedder.model_name(), embedder.dimension())
}

/// The new papers of the week that ends on the latest announcement.
async fn latest_week(app: &AppState) -> Result<Option<PeriodPool>, WebError> {
    let Some(latest) = app.store.latest_day(DayList::Firehose).await? else {
        return Ok(None);
    };
    let period = DigestPeriod {
        name: format!("the week to {latest}"),
        from: latest.checked_sub((DAYS - 1).days()).unwrap_or(latest),
        until: latest,
    };
    Ok(Some(
        PeriodPool::new_papers(&app.store, period, vector_space(app)).await?,
    ))
}

/// The reader's recommendations among the latest week's new papers.
async fn recommendations(
    app: &AppState,
    email: &Email,
) -> Result<Vec<Pick<PaperRecord>>, WebError> {
    let Some(pool) = latest_week(app).await? else {
        return Ok(Vec::new());
    };
    let readers = Readers::of_emails(&app.store, &pool, std::slice::from_ref(email)).await?;
    Ok(for_you(&pool, &readers, email, &[], LISTED))
}

fn reader_email(signed_in: &SignedIn) -> Result<Email, WebError> {
    account_email(&signed_in.user.email)
}

/// An account's stored address as an [`Email`] (it was checked when stored).
fn account_email(address: &str) -> Result<Email, WebError> {
    Email::parse(address)
        .map_err(|e| WebError::Unprocessable(format!("the account's address cannot be used: {e}")))
}

/// `GET /papers/for-you`.
pub(super) async fn page(
    State(app): State<AppState>,
    viewer: Viewer,
) -> Result<Response, WebError> {
    let signed_in = viewer.0.clone().ok_or_else(WebError::sign_in_required)?;
    render_page(&app, &viewer, &signed_in, None, None).await
}

async fn render_page(
    app: &AppState,
    viewer: &Viewer,
    signed_in: &SignedIn,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let email = reader_email(signed_in)?;
    let liked = app.store.reader_interests(&email).await?.liked.len();
    let picks = recommendations(app, &email).await?;
    let csrf = signed_in.csrf().to_owned();
    let mut items: Vec<ListItem<'_>> = picks
        .iter()
        .map(|pick| ListItem {
            why: Some(pick.reason.clone()),
            feedback: Some(csrf.clone()),
            ..ListItem::paper(&pick.item)
        })
        .collect();
    show_thumbnails(&mut items, app.site.thumbnails_dir.as_deref());
    let summary = match liked {
        0 => "Upvote or save papers, or import your library below: this list ranks the week's new papers by how close they are to those.".to_owned(),
        1 => "The week's new papers closest to the 1 paper you liked.".to_owned(),
        n => format!("The week's new papers closest to the {n} papers you liked (upvoted, saved, imported or asked more of)."),
    };
    let empty = if vector_space(app).is_none() {
        "Recommendations need semantic search, which is not running on this instance yet."
    } else if liked == 0 {
        "Nothing yet: like a few papers first."
    } else {
        "No new paper this week is close enough to what you liked."
    }
    .to_owned();
    let feed = signed_path(app, LinkPurpose::ForYouFeed, &signed_in.user.id).await?;
    let view = ForYouView {
        layout: Layout::new(&app.site, Nav::Other).for_viewer(viewer),
        summary,
        items,
        empty,
        csrf,
        feed,
        notice,
        error,
    };
    Ok(render(&view)?.into_response())
}

/// The feedback buttons' fields.
#[derive(Debug, Deserialize)]
pub(super) struct FeedbackForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    paper: String,
    #[serde(default)]
    feedback: String,
}

/// `POST /papers/for-you`: "more like this" or "not interested" from the page.
pub(super) async fn feedback(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    form: Result<Form<FeedbackForm>, FormRejection>,
) -> Result<Response, WebError> {
    check_origin(&headers, app.site.public_base.as_deref())?;
    let form = form.map_err(|e| WebError::BadRequest(e.body_text()))?.0;
    let signed_in = viewer.require()?;
    signed_in.check_csrf(Some(&form.csrf))?;
    let paper = VersionedId::parse(&form.paper)?.id;
    let feedback = Feedback::parse(&form.feedback)
        .ok_or_else(|| WebError::BadRequest("feedback must be more or not-interested".into()))?;
    let email = reader_email(&signed_in)?;
    app.store
        .record_signals(&email, &[paper], signal_of(feedback))
        .await?;
    Ok(Redirect::to("/papers/for-you").into_response())
}

fn signal_of(feedback: Feedback) -> ReaderSignal {
    match feedback {
        Feedback::More => ReaderSignal::More,
        Feedback::NotInterested => ReaderSignal::NotInterested,
    }
}

/// `POST /papers/for-you/seeds`: a BibTeX, CSL-JSON or id-list upload (or paste).
pub(super) async fn import_seeds(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    check_origin(&headers, app.site.public_base.as_deref())?;
    let signed_in = viewer.clone().require()?;
    let upload = read_upload(multipart.map_err(|e| WebError::BadRequest(e.body_text()))?).await?;
    signed_in.check_csrf(Some(&upload.csrf))?;
    let email = reader_email(&signed_in)?;
    let (notice, error) = import_library(&app, &email, &upload.text).await?;
    render_page(&app, &viewer, &signed_in, notice, error).await
}

/// Imports the papers `text` names (BibTeX, CSL-JSON or arXiv ids) as seeds of the
/// reader at `email`: what to tell them, or why nothing was read.
pub(super) async fn import_library(
    app: &AppState,
    email: &Email,
    text: &str,
) -> Result<(Option<String>, Option<String>), WebError> {
    let refs = match seeds::parse(text) {
        Ok(refs) => refs,
        Err(e) => return Ok((None, Some(e.to_string()))),
    };
    let matched = app.store.match_seeds(&refs).await?;
    app.store
        .record_signals(email, &matched, ReaderSignal::Seed)
        .await?;
    Ok((
        Some(format!(
            "Found {} of the {} papers you named here; they now shape \"for you\" in your digests.",
            matched.len(),
            refs.len()
        )),
        None,
    ))
}

/// An import form's fields.
#[derive(Debug, Default)]
pub(super) struct Upload {
    pub(super) csrf: String,
    pub(super) text: String,
}

/// The `csrf` field and the file's text (or the pasted text when no file came).
pub(super) async fn read_upload(mut multipart: Multipart) -> Result<Upload, WebError> {
    let mut upload = Upload::default();
    let mut file = String::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| WebError::BadRequest(e.body_text()))?;
        if bytes.len() > MAX_UPLOAD {
            return Err(WebError::BadRequest(format!(
                "that file is over {} MB: export fewer items",
                MAX_UPLOAD / (1024 * 1024)
            )));
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "csrf" => upload.csrf = text,
            "file" => file = text,
            "text" => upload.text = text,
            _ => {}
        }
    }
    if !file.trim().is_empty() {
        upload.text = file;
    }
    Ok(upload)
}

/// `?sig=` of a private feed.
#[derive(Debug, Default, Deserialize)]
pub(super) struct FeedParams {
    #[serde(default)]
    sig: String,
}

/// `GET /feeds/for-you/{account}.atom?sig=`: the list as a private feed.
pub(super) async fn feed(
    State(app): State<AppState>,
    base: BaseUrl,
    file: Result<Path<String>, PathRejection>,
    params: Result<Query<FeedParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let file = file?.0;
    let missing = || WebError::NotFound("This link does not name a feed.".into());
    let account = file.strip_suffix(".atom").ok_or_else(missing)?;
    let sig = params.map(|q| q.0.sig).unwrap_or_default();
    if !verify(
        link_key(&app).await?,
        &LinkPurpose::ForYouFeed.message(account),
        &sig,
    ) {
        return Err(missing());
    }
    let user = app.store.user_by_id(account).await?.ok_or_else(missing)?;
    let picks = recommendations(&app, &account_email(&user.email)?).await?;
    let feed = Feed {
        title: format!("{}: new papers for you", app.site.name),
        description: "The week's new papers closest to what you liked".into(),
        page_url: base.url("/papers/for-you", ""),
        self_url: base.url(&format!("/feeds/for-you/{file}"), &format!("sig={sig}")),
        base: base.root().to_owned(),
        items: picks
            .iter()
            .map(|pick| FeedItem {
                record: &pick.item,
                at: None,
                note: Some(pick.reason.clone()),
            })
            .collect(),
    };
    Ok(respond(&feed, FeedFormat::Atom))
}

/// `GET /digest/preview`: the signed-in reader's next digest, as the email would
/// show it (nothing is recorded or sent).
pub(super) async fn preview(
    State(app): State<AppState>,
    viewer: Viewer,
    base: BaseUrl,
) -> Result<Response, WebError> {
    let signed_in = viewer.require()?;
    let email = reader_email(&signed_in)?;
    let subscription = match app.store.subscription_of(&email).await? {
        Some(subscription) => subscription,
        None => Subscription {
            id: "preview".into(),
            email: email.clone(),
            status: SubscriptionStatus::Pending,
            prefs: DigestPrefs::default(),
            paused_reason: None,
            confirmed_ms: None,
        },
    };
    let as_of = match app.store.latest_day(DayList::Firehose).await? {
        Some(day) => day,
        None => {
            return Err(WebError::NotFound(
                "There are no papers to preview a digest of yet.".into(),
            ));
        }
    };
    let frequency = subscription.prefs.frequency;
    let period = DigestPeriod::ending(frequency, as_of);
    let pool = PeriodPool::load(&app.store, period, vector_space(&app)).await?;
    let readers = Readers::load(&app.store, &pool, std::slice::from_ref(&subscription)).await?;
    let digest = compose(&pool, &readers, &subscription);
    let site = DigestSite {
        name: app.site.name.clone(),
        base_url: base.root().to_owned(),
        link_key: link_key(&app).await?.to_owned(),
    };
    if digest.is_empty() {
        return Err(WebError::NotFound(format!(
            "Your {} digest of {} would be empty: nothing new since your last one.",
            if frequency == Frequency::Weekly {
                "weekly"
            } else {
                "daily"
            },
            pool.period().name
        )));
    }
    let mail = digest_mail(&site, &subscription, &digest);
    // The email's HTML styles itself inline (mail clients load no stylesheet): this
    // page allows inline styles and nothing else the site's policy forbids.
    Ok((
        [(CONTENT_SECURITY_POLICY, PREVIEW_POLICY)],
        Html(mail.html.unwrap_or(mail.text)),
    )
        .into_response())
}

/// What a feedback link names, once its signature holds.
struct SignedFeedback {
    subscription: Subscription,
    paper: ArxivId,
    record: PaperRecord,
    feedback: Feedback,
}

/// The subscription, paper and feedback of the link `/subscriptions/{id}/papers/
/// {paper}/{kind}?sig=`, when its signature holds; else 404 (a wrong signature, an
/// unknown subscription or paper, and a wrong kind look the same).
async fn signed_feedback(
    app: &AppState,
    (id, paper, kind): &(String, String, String),
    params: Result<Query<SigParam>, QueryRejection>,
) -> Result<SignedFeedback, WebError> {
    let missing = || WebError::NotFound("This link does not name a subscription.".into());
    let sig = params.map(|q| q.0.sig).unwrap_or_default();
    let feedback = Feedback::parse(kind).ok_or_else(missing)?;
    if !verify(link_key(app).await?, &Feedback::message(id, paper), &sig) {
        return Err(missing());
    }
    let subscription = app.store.subscription(id).await?.ok_or_else(missing)?;
    let paper = ArxivId::parse(paper)?;
    let record = app
        .store
        .records_by_ids(std::slice::from_ref(&paper))
        .await?
        .pop()
        .ok_or_else(missing)?;
    Ok(SignedFeedback {
        subscription,
        paper,
        record,
        feedback,
    })
}

/// `GET /subscriptions/{id}/papers/{paper}/{feedback}?sig=`: a button.
pub(super) async fn email_feedback_page(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(parts): Path<(String, String, String)>,
    params: Result<Query<SigParam>, QueryRejection>,
) -> Result<Response, WebError> {
    let link = signed_feedback(&app, &parts, params).await?;
    let record = &link.record;
    let (heading, question, button) = match link.feedback {
        Feedback::More => (
            "More like this",
            format!("Show you more papers like “{}”?", record.paper.title),
            "Yes, more like this",
        ),
        Feedback::NotInterested => (
            "Not interested",
            format!("Show you fewer papers like “{}”?", record.paper.title),
            "Yes, fewer like this",
        ),
    };
    let view = ConfirmView {
        layout: Layout::new(&app.site, Nav::Other).for_viewer(&viewer),
        heading: heading.into(),
        question,
        action: paperboy_store::secret::signed_feedback_link(
            link_key(&app).await?,
            &link.subscription.id,
            link.paper.as_str(),
            link.feedback,
        ),
        button: button.into(),
    };
    Ok(render(&view)?.into_response())
}

/// `POST /subscriptions/{id}/papers/{paper}/{feedback}?sig=`: records it (the
/// signature is the credential, as for one-click unsubscribe).
pub(super) async fn email_feedback(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(parts): Path<(String, String, String)>,
    params: Result<Query<SigParam>, QueryRejection>,
) -> Result<Response, WebError> {
    let SignedFeedback {
        subscription,
        paper,
        record,
        feedback,
    } = signed_feedback(&app, &parts, params).await?;
    app.store
        .record_signals(&subscription.email, &[paper], signal_of(feedback))
        .await?;
    let said = match feedback {
        Feedback::More => "more papers like",
        Feedback::NotInterested => "fewer papers like",
    };
    let view = NoticeView {
        layout: Layout::new(&app.site, Nav::Other).for_viewer(&viewer),
        heading: "Noted".into(),
        paragraphs: vec![format!(
            "Your next digests will carry {said} “{}”.",
            record.paper.title
        )],
        link: Some(TextLink {
            href: signed_path(&app, LinkPurpose::Manage, &subscription.id).await?,
            label: "Change topics, time or frequency".into(),
        }),
    };
    Ok(render(&view)?.into_response())
}
