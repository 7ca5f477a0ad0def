//! Collections: reading lists a reader keeps, public or private. Pages
//! (`/collections/{id}`, its `.bib`), forms (create, save a paper, remove it,
//! delete), the API, and the feed of a public collection. Only the owner changes a
//! collection; a private one is visible to its owner alone (404 to anyone else).

use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use paperboy_core::{ArxivId, VersionedId, cite};
use paperboy_store::{Collection, MAX_COLLECTION_NAME, StoreError};
use serde::Deserialize;

use super::base_url::BaseUrl;
use super::pages::votes_of;
use super::submit::api_writer;
use crate::WebError;
use crate::auth::{SignedIn, Viewer, check_origin};
use crate::feeds::{Feed, FeedFormat, FeedItem};
use crate::hf::PaperJson;
use crate::state::AppState;
use crate::views::list::{ListItem, mark_voted};
use crate::views::{CollectionView, Layout, Nav, render};

/// The collection `id` as `viewer` may see it: a private one only by its owner.
async fn visible(app: &AppState, viewer: &Viewer, id: &str) -> Result<Collection, WebError> {
    let collection = app.store.collection(id).await?;
    let owner = |c: &Collection| viewer.0.as_ref().is_some_and(|v| v.user.id == c.user_id);
    collection
        .filter(|c| c.public || owner(c))
        .ok_or_else(|| WebError::NotFound("There is no such collection (or it is private).".into()))
}

/// The collection `id` if `signed_in` owns it.
async fn owned(app: &AppState, signed_in: &SignedIn, id: &str) -> Result<Collection, WebError> {
    let collection = app
        .store
        .collection(id)
        .await?
        .ok_or_else(|| WebError::NotFound("There is no such collection.".into()))?;
    if collection.user_id != signed_in.user.id {
        return Err(WebError::Forbidden(
            "only its owner changes a collection".into(),
        ));
    }
    Ok(collection)
}

/// A collection's name, checked.
fn checked_name(name: &str) -> Result<&str, WebError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_COLLECTION_NAME {
        return Err(WebError::BadRequest(format!(
            "a collection needs a name of 1 to {MAX_COLLECTION_NAME} characters"
        )));
    }
    Ok(name)
}

/// Adds or removes `paper` in `collection`.
async fn set(
    app: &AppState,
    collection: &Collection,
    paper: &ArxivId,
    add: bool,
) -> Result<(), WebError> {
    match app
        .store
        .set_in_collection(&collection.id, paper, add)
        .await
    {
        Err(StoreError::UnknownPapers(_)) => Err(WebError::paper_not_found(paper)),
        other => Ok(other?),
    }
}

/// `GET /collections/{id}` (and `{id}.bib`).
pub(super) async fn page(
    State(app): State<AppState>,
    viewer: Viewer,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, WebError> {
    let raw = id?.0;
    let (id, bib) = match raw.strip_suffix(".bib") {
        Some(id) => (id.to_owned(), true),
        None => (raw, false),
    };
    let collection = visible(&app, &viewer, &id).await?;
    let ids = app.store.collection_papers(&collection.id).await?;
    let records = app.store.records_by_ids(&ids).await?;
    if bib {
        let body: String = records
            .iter()
            .map(|r| cite::bibtex(&r.paper) + "\n")
            .collect();
        let mut response = body.into_response();
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-bibtex; charset=utf-8"),
        );
        return Ok(response);
    }
    let owner = viewer
        .0
        .as_ref()
        .is_some_and(|v| v.user.id == collection.user_id);
    let mut layout = Layout::new(&app.site, Nav::Other).for_viewer(&viewer);
    if collection.public {
        let title = format!("{}: {}", app.site.name, collection.name);
        layout = layout.with_feed(title, &format!("/feeds/c/{}", collection.id), "");
    }
    let mut items: Vec<ListItem<'_>> = records.iter().map(ListItem::paper).collect();
    let voted = votes_of(&app, &viewer, items.iter().map(|i| i.id)).await?;
    mark_voted(&mut items, &voted);
    let view = CollectionView {
        layout,
        collection: &collection,
        items,
        owner,
    };
    Ok(render(&view)?.into_response())
}

/// The fields of the collection forms.
#[derive(Debug, Deserialize)]
pub(super) struct CollectionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    /// A checkbox: present when public.
    #[serde(default)]
    public: Option<String>,
    /// A paper to save (or remove).
    #[serde(default)]
    arxiv_id: String,
    /// `add` (the default) or `remove`.
    #[serde(default)]
    action: String,
}

fn form_writer(
    app: &AppState,
    viewer: Viewer,
    headers: &HeaderMap,
    form: &CollectionForm,
) -> Result<SignedIn, WebError> {
    check_origin(headers, app.site.public_base.as_deref())?;
    let signed_in = viewer.require()?;
    signed_in.check_csrf(Some(&form.csrf))?;
    Ok(signed_in)
}

/// `POST /collections`: a new collection (saving `arxiv_id` into it when given).
pub(super) async fn create(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    form: Result<Form<CollectionForm>, FormRejection>,
) -> Result<Response, WebError> {
    let form = form.map_err(|e| WebError::BadRequest(e.body_text()))?.0;
    let signed_in = form_writer(&app, viewer, &headers, &form)?;
    let name = checked_name(&form.name)?;
    let collection = app
        .store
        .create_collection(&signed_in.user.id, name, form.public.is_some())
        .await?;
    if !form.arxiv_id.trim().is_empty() {
        let paper = VersionedId::parse(&form.arxiv_id)?.id;
        set(&app, &collection, &paper, true).await?;
    }
    Ok(Redirect::to(&format!("/collections/{}", collection.id)).into_response())
}

/// `POST /collections/{id}/papers`: saves a paper (or removes it, `action=remove`).
pub(super) async fn save(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    form: Result<Form<CollectionForm>, FormRejection>,
) -> Result<Response, WebError> {
    let form = form.map_err(|e| WebError::BadRequest(e.body_text()))?.0;
    let signed_in = form_writer(&app, viewer, &headers, &form)?;
    let collection = owned(&app, &signed_in, &id?.0).await?;
    let paper = VersionedId::parse(&form.arxiv_id)?.id;
    set(&app, &collection, &paper, form.action != "remove").await?;
    let back =
        super::referer_path(&headers).unwrap_or_else(|| format!("/collections/{}", collection.id));
    Ok(Redirect::to(&back).into_response())
}

/// `POST /collections/{id}/delete`.
pub(super) async fn delete(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    form: Result<Form<CollectionForm>, FormRejection>,
) -> Result<Response, WebError> {
    let form = form.map_err(|e| WebError::BadRequest(e.body_text()))?.0;
    let signed_in = form_writer(&app, viewer, &headers, &form)?;
    let collection = owned(&app, &signed_in, &id?.0).await?;
    app.store.delete_collection(&collection.id).await?;
    Ok(Redirect::to(&format!("/u/{}", signed_in.name())).into_response())
}

/// A collection in the API.
#[derive(Debug, serde::Serialize)]
struct CollectionJson<'a> {
    id: &'a str,
    name: &'a str,
    public: bool,
    owner: Option<&'a str>,
    papers: Vec<PaperJson<'a>>,
}

/// `GET /api/collections/{id}`.
pub(super) async fn api_get(
    State(app): State<AppState>,
    viewer: Viewer,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, WebError> {
    let collection = visible(&app, &viewer, &id?.0).await?;
    let ids = app.store.collection_papers(&collection.id).await?;
    let records = app.store.records_by_ids(&ids).await?;
    Ok(Json(CollectionJson {
        id: &collection.id,
        name: &collection.name,
        public: collection.public,
        owner: collection.owner.as_deref(),
        papers: records.iter().map(|r| PaperJson::detail(r, None)).collect(),
    })
    .into_response())
}

/// The body of `POST /api/collections` and `POST /api/collections/{id}/papers`.
#[derive(Debug, Deserialize)]
pub(super) struct CollectionBody {
    name: Option<String>,
    public: Option<bool>,
    #[serde(rename = "arxivId")]
    arxiv_id: Option<String>,
}

fn body_of(body: Result<Json<CollectionBody>, JsonRejection>) -> Result<CollectionBody, WebError> {
    body.map(|b| b.0)
        .map_err(|e| WebError::BadRequest(e.body_text()))
}

/// `POST /api/collections` `{"name", "public"}`.
pub(super) async fn api_create(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    body: Result<Json<CollectionBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let signed_in = api_writer(&app, viewer, &headers)?;
    let body = body_of(body)?;
    let name = checked_name(body.name.as_deref().unwrap_or(""))?;
    let collection = app
        .store
        .create_collection(&signed_in.user.id, name, body.public.unwrap_or(false))
        .await?;
    Ok(Json(serde_json::json!({"id": collection.id, "name": collection.name, "public": collection.public}))
        .into_response())
}

/// `POST /api/collections/{id}/papers` `{"arxivId"}`.
pub(super) async fn api_add(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<CollectionBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let signed_in = api_writer(&app, viewer, &headers)?;
    let collection = owned(&app, &signed_in, &id?.0).await?;
    let body = body_of(body)?;
    let raw = body.arxiv_id.ok_or_else(|| {
        WebError::BadRequest("give the paper as {\"arxivId\": \"2501.12345\"}".into())
    })?;
    set(&app, &collection, &VersionedId::parse(&raw)?.id, true).await?;
    Ok(
        Json(serde_json::json!({"id": collection.id, "papers": collection.papers + 1}))
            .into_response(),
    )
}

/// `DELETE /api/collections/{id}/papers/{paper}`.
pub(super) async fn api_remove(
    State(app): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, WebError> {
    let signed_in = api_writer(&app, viewer, &headers)?;
    let (id, paper) = path?.0;
    let collection = owned(&app, &signed_in, &id).await?;
    set(&app, &collection, &VersionedId::parse(&paper)?.id, false).await?;
    Ok(Json(serde_json::json!({"id": collection.id})).into_response())
}

/// `GET /feeds/c/{id}.rss|.atom`: a public collection, most recently saved first.
pub(super) async fn feed(
    State(app): State<AppState>,
    base: BaseUrl,
    file: Result<Path<String>, PathRejection>,
) -> Result<Response, WebError> {
    let file = file?.0;
    let (id, format) = FeedFormat::of(&file)
        .ok_or_else(|| WebError::NotFound("Feeds end in .rss or .atom.".into()))?;
    let collection = visible(&app, &Viewer(None), id).await?;
    let ids = app.store.collection_papers(&collection.id).await?;
    let records = app.store.records_by_ids(&ids).await?;
    let feed = Feed {
        title: format!("{}: {}", app.site.name, collection.name),
        description: format!(
            "Papers {} saved in {}",
            collection.owner.as_deref().unwrap_or("a reader"),
            collection.name
        ),
        page_url: base.url(&format!("/collections/{}", collection.id), ""),
        self_url: base.url(&format!("/feeds/c/{file}"), ""),
        base: base.root().to_owned(),
        items: records
            .iter()
            .map(|record| FeedItem {
                record,
                at: None,
                note: None,
            })
            .collect(),
    };
    Ok(super::feeds::respond(&feed, format))
}
