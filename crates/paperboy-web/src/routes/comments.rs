//! Comments: the forms on paper pages and the API (Hugging Face's shapes plus
//! listing, editing and deleting). Authors edit and delete their own comments;
//! moderators hide any comment with a reason.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use paperboy_core::{ArxivId, VersionedId};
use paperboy_store::{Comment, MAX_COMMENT_CHARS, StoreError};
use serde::{Deserialize, Serialize};

use super::submit::api_writer;
use crate::WebError;
use crate::auth::{SignedIn, Viewer};
use crate::limits::Limit;
use crate::state::AppState;
use crate::views::markdown;

/// What a POST, PATCH or DELETE under `/papers/{id}/` or `/api/papers/{id}/` asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum PaperWrite {
    /// `{id}/upvote`.
    Upvote(ArxivId),
    /// `{id}/comment` (API) or `{id}/comments` (form): a new comment.
    Comment(ArxivId),
    /// `{id}/comment/{cid}/reply` (API) or `{id}/comments/{cid}/reply` (form).
    Reply(ArxivId, String),
    /// `{id}/comments/{cid}` (API PATCH / DELETE).
    Existing(ArxivId, String),
    /// `{id}/comments/{cid}/edit|hide|delete` (forms).
    Form(ArxivId, String, CommentAction),
    /// `{id}/curate` (the admin form).
    Curate(ArxivId),
    /// `{id}/claim` (the "this is me" form on an author).
    Claim(ArxivId),
    /// `{id}/claims/{index}/verify|reject` (moderators).
    Decide(ArxivId, usize, bool),
    /// `{id}/links` (API: a verified author sets the code and project links).
    Links(ArxivId),
    /// `{id}/hide` (moderators: off the daily lists, with a reason; empty shows it).
    Hide(ArxivId),
    /// `{id}/fetch` (a paper this database lacks, fetched from arXiv).
    Fetch(ArxivId),
}

/// What a comment form does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CommentAction {
    Edit,
    Hide,
    Delete,
}

/// A comment id as paths carry it: 24 hex characters.
fn comment_id(raw: &str) -> Result<String, WebError> {
    if raw.len() == 24 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(raw.to_owned())
    } else {
        Err(WebError::NotFound(format!(
            "There is no comment {}.",
            raw.chars().take(40).collect::<String>()
        )))
    }
}

impl PaperWrite {
    /// Parses the path after `/papers/` or `/api/papers/`.
    pub(super) fn parse(path: &str) -> Result<Self, WebError> {
        let unknown = || WebError::NotFound(format!("Nothing to write to at /papers/{path}."));
        // Old-style ids hold one slash (`hep-th/9901001`): find where the action starts.
        let (id, rest) = [
            "/upvote",
            "/comments",
            "/comment",
            "/curate",
            "/claims",
            "/claim",
            "/links",
            "/hide",
            "/fetch",
        ]
        .iter()
        .find_map(|marker| path.find(marker).map(|at| (&path[..at], &path[at + 1..])))
        .ok_or_else(unknown)?;
        let id = VersionedId::parse(id)?.id;
        let parts: Vec<&str> = rest.split('/').collect();
        Ok(match parts.as_slice() {
            ["upvote"] => Self::Upvote(id),
            ["curate"] => Self::Curate(id),
            ["claim"] => Self::Claim(id),
            ["links"] => Self::Links(id),
            ["hide"] => Self::Hide(id),
            ["fetch"] => Self::Fetch(id),
            ["claims", index, decision @ ("verify" | "reject")] => {
                let index = index.parse().map_err(|_| unknown())?;
                Self::Decide(id, index, *decision == "verify")
            }
            ["comment" | "comments"] => Self::Comment(id),
            ["comment" | "comments", cid, "reply"] => Self::Reply(id, comment_id(cid)?),
            ["comments", cid] => Self::Existing(id, comment_id(cid)?),
            ["comments", cid, "edit"] => Self::Form(id, comment_id(cid)?, CommentAction::Edit),
            ["comments", cid, "hide"] => Self::Form(id, comment_id(cid)?, CommentAction::Hide),
            ["comments", cid, "delete"] => Self::Form(id, comment_id(cid)?, CommentAction::Delete),
            _ => return Err(unknown()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_paths_name_the_paper_and_the_action() {
        let cid = "0123456789abcdef01234567";
        let id = ArxivId::parse("2501.00001").unwrap_or_else(|_| unreachable!());
        let old = ArxivId::parse("hep-th/9901001").unwrap_or_else(|_| unreachable!());
        let parse = |p: &str| PaperWrite::parse(p).ok();
        assert_eq!(
            parse("2501.00001v2/upvote"),
            Some(PaperWrite::Upvote(id.clone()))
        );
        assert_eq!(
            parse("hep-th/9901001/comment"),
            Some(PaperWrite::Comment(old))
        );
        assert_eq!(
            parse(&format!("2501.00001/comment/{cid}/reply")),
            Some(PaperWrite::Reply(id.clone(), cid.into()))
        );
        assert_eq!(
            parse(&format!("2501.00001/comments/{cid}/hide")),
            Some(PaperWrite::Form(
                id.clone(),
                cid.into(),
                CommentAction::Hide
            ))
        );
        assert_eq!(
            parse(&format!("2501.00001/comments/{cid}")),
            Some(PaperWrite::Existing(id, cid.into()))
        );
        for bad in [
            "2501.00001",
            "nonsense/upvote",
            "2501.00001/comments/xyz",
            "2501.00001/upvote/more",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}

/// A comment's text, checked: not blank, not too long.
fn checked_body(text: &str) -> Result<&str, WebError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(WebError::BadRequest("a comment needs some text".into()));
    }
    if text.chars().count() > MAX_COMMENT_CHARS {
        return Err(WebError::BadRequest(format!(
            "a comment may have at most {MAX_COMMENT_CHARS} characters"
        )));
    }
    Ok(text)
}

/// Adds `signed_in`'s comment on `paper` (a reply to `parent` when given).
async fn add(
    app: &AppState,
    signed_in: &SignedIn,
    paper: &ArxivId,
    parent: Option<&str>,
    text: &str,
) -> Result<Comment, WebError> {
    if signed_in.user.username.is_none() {
        return Err(WebError::Forbidden(
            "choose a username first (/welcome): comments carry it".into(),
        ));
    }
    let body = checked_body(text)?;
    app.limits
        .check(Limit::CommentPerAccount, &signed_in.user.id)?;
    let comment = match app
        .store
        .add_comment(paper, &signed_in.user.id, parent, body)
        .await
    {
        Err(StoreError::UnknownPapers(_)) => return Err(WebError::paper_not_found(paper)),
        other => other?,
    };
    app.cache.changed();
    Ok(comment)
}

/// The comment `cid` on `paper`, or 404.
async fn existing(app: &AppState, paper: &ArxivId, cid: &str) -> Result<Comment, WebError> {
    app.store
        .comment(cid)
        .await?
        .filter(|c| &c.paper_id == paper)
        .ok_or_else(|| WebError::NotFound(format!("There is no comment {cid} on paper {paper}.")))
}

/// Whether `signed_in` wrote `comment`.
fn is_author(signed_in: &SignedIn, comment: &Comment) -> bool {
    comment.user_id.as_deref() == Some(signed_in.user.id.as_str())
}

/// What a change of a comment does, once allowed.
enum Change<'a> {
    Edit(&'a str),
    Hide(Option<&'a str>),
    Delete,
}

/// Applies `change` to `comment` if `signed_in` may: authors edit and delete their
/// own; moderators hide (a moderator's delete of another's comment hides it).
async fn apply(
    app: &AppState,
    signed_in: &SignedIn,
    comment: &Comment,
    change: Change<'_>,
) -> Result<(), WebError> {
    let author = is_author(signed_in, comment);
    let moderator = signed_in.user.role.moderates();
    let forbidden =
        || WebError::Forbidden("only its author or a moderator may change this comment".into());
    match change {
        Change::Edit(text) if author && !comment.deleted && comment.hidden_reason.is_none() => {
            app.store.edit_comment(comment, checked_body(text)?).await?;
        }
        Change::Edit(_) if author => {
            return Err(WebError::Conflict(
                "a hidden or deleted comment cannot be edited".into(),
            ));
        }
        Change::Hide(reason) if moderator => {
            let reason = reason.map(|r| r.trim().chars().take(200).collect::<String>());
            let reason = reason.filter(|r| !r.is_empty());
            app.store
                .hide_comment(comment, &signed_in.user.id, reason.as_deref())
                .await?;
        }
        Change::Delete if author => app.store.delete_comment(comment).await?,
        Change::Delete if moderator => {
            app.store
                .hide_comment(comment, &signed_in.user.id, Some("removed by a moderator"))
                .await?;
        }
        _ => return Err(forbidden()),
    }
    app.cache.changed();
    Ok(())
}

/// The fields of the forms on a paper page (votes and comments).
#[derive(Debug, Deserialize)]
pub(super) struct PaperForm {
    #[serde(default)]
    pub csrf: String,
    /// Votes: `add` (the default) or `remove`.
    #[serde(default)]
    pub vote: String,
    /// Comments: the Markdown.
    #[serde(default)]
    body: String,
    /// Hiding: the moderator's reason (empty shows the comment or paper again).
    #[serde(default)]
    pub reason: String,
    /// Curation: the list's day (`YYYY-MM-DD`; empty: today).
    #[serde(default)]
    pub date: String,
    /// Curation: `add` (the default) or `remove`.
    #[serde(default)]
    pub action: String,
    /// Claims: the author entry's position, from 0.
    #[serde(default)]
    pub author_index: String,
}

/// A comment form on a paper page (already checked: `signed_in`, CSRF, origin):
/// writes, then goes back to the comment.
pub(super) async fn form_write(
    app: &AppState,
    signed_in: &SignedIn,
    target: PaperWrite,
    form: &PaperForm,
) -> Result<Response, WebError> {
    let signed_in = signed_in.clone();
    let (paper, anchor) = match target {
        PaperWrite::Comment(paper) => {
            let comment = add(app, &signed_in, &paper, None, &form.body).await?;
            (paper, comment.id)
        }
        PaperWrite::Reply(paper, parent) => {
            let comment = add(app, &signed_in, &paper, Some(&parent), &form.body).await?;
            (paper, comment.id)
        }
        PaperWrite::Form(paper, cid, action) => {
            let comment = existing(app, &paper, &cid).await?;
            let change = match action {
                CommentAction::Edit => Change::Edit(&form.body),
                CommentAction::Hide => {
                    Change::Hide(Some(form.reason.as_str()).filter(|r| !r.trim().is_empty()))
                }
                CommentAction::Delete => Change::Delete,
            };
            apply(app, &signed_in, &comment, change).await?;
            (paper, cid)
        }
        _ => {
            return Err(WebError::NotFound("Nothing to post to here.".into()));
        }
    };
    Ok(Redirect::to(&format!("/papers/{paper}#comment-{anchor}")).into_response())
}

/// A comment in the API: HF's discussion-comment fields that matter, threaded.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CommentJson {
    id: String,
    parent_id: Option<String>,
    /// `None` for a deleted account.
    author: Option<AuthorJson>,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    edited_at: Option<String>,
    hidden: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    hidden_reason: Option<String>,
    deleted: bool,
    /// The Markdown as written (empty when hidden or deleted).
    raw: String,
    /// The Markdown rendered to sanitised HTML.
    html: String,
    replies: Vec<CommentJson>,
}

/// A comment's author.
#[derive(Debug, Serialize)]
struct AuthorJson {
    name: String,
    fullname: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

fn iso(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

impl CommentJson {
    fn one(comment: &Comment) -> Self {
        let visible = comment.is_visible();
        Self {
            id: comment.id.clone(),
            parent_id: comment.parent_id.clone(),
            author: comment.username.as_ref().map(|name| AuthorJson {
                name: name.clone(),
                fullname: name.clone(),
                kind: "user",
            }),
            created_at: iso(comment.created_ms),
            edited_at: comment.edited_ms.map(iso),
            hidden: comment.hidden_reason.is_some(),
            hidden_reason: comment.hidden_reason.clone(),
            deleted: comment.deleted,
            raw: if visible {
                comment.body.clone()
            } else {
                String::new()
            },
            html: if visible {
                markdown::render(&comment.body)
            } else {
                String::new()
            },
            replies: Vec::new(),
        }
    }

    /// `comments` (oldest first) as threads: top-level comments with their replies
    /// nested.
    pub(crate) fn threads(comments: &[Comment]) -> Vec<Self> {
        fn children(parent: Option<&str>, all: &[Comment], depth: usize) -> Vec<CommentJson> {
            all.iter()
                .filter(|c| c.parent_id.as_deref() == parent || (depth == 0 && is_orphan(c, all)))
                .map(|c| CommentJson {
                    replies: if depth < 50 {
                        children(Some(&c.id), all, depth + 1)
                    } else {
                        Vec::new()
                    },
                    ..CommentJson::one(c)
                })
                .collect()
        }
        children(None, comments, 0)
    }
}

/// A reply whose parent is not among `all` shows at the top level.
fn is_orphan(comment: &Comment, all: &[Comment]) -> bool {
    comment
        .parent_id
        .as_deref()
        .is_some_and(|parent| !all.iter().any(|c| c.id == parent))
}

/// The JSON body of API writes about a paper: HF's `{"comment": "markdown"}`; for
/// PATCH also `{"hidden": true, "reason": "spam"}` (moderators); for `links`
/// `{"githubRepo", "projectPage"}` (HF's shape).
#[derive(Debug, Deserialize)]
pub(super) struct PaperBody {
    comment: Option<String>,
    hidden: Option<bool>,
    reason: Option<String>,
    /// The code repository (`links`).
    #[serde(rename = "githubRepo")]
    pub github_repo: Option<String>,
    /// The project page (`links`).
    #[serde(rename = "projectPage")]
    pub project_page: Option<String>,
}

/// `POST` / `PATCH` / `DELETE` of the comment API.
pub(super) async fn api_write(
    app: &AppState,
    viewer: Viewer,
    headers: &HeaderMap,
    method: &axum::http::Method,
    target: PaperWrite,
    body: Result<Json<PaperBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let signed_in = api_writer(app, viewer, headers)?;
    let body = || -> Result<PaperBody, WebError> {
        body.map(|Json(body)| body).map_err(|e| {
            WebError::BadRequest(format!(
                "send {{\"comment\": \"markdown\"}} ({})",
                e.body_text()
            ))
        })
    };
    use axum::http::Method;
    let comment = match (method, target) {
        (&Method::POST, PaperWrite::Comment(paper)) => {
            let text = body()?.comment.unwrap_or_default();
            add(app, &signed_in, &paper, None, &text).await?
        }
        (&Method::POST, PaperWrite::Reply(paper, parent)) => {
            let text = body()?.comment.unwrap_or_default();
            add(app, &signed_in, &paper, Some(&parent), &text).await?
        }
        (&Method::PATCH, PaperWrite::Existing(paper, cid)) => {
            let comment = existing(app, &paper, &cid).await?;
            let body = body()?;
            if let Some(text) = &body.comment {
                apply(app, &signed_in, &comment, Change::Edit(text)).await?;
            }
            if let Some(hidden) = body.hidden {
                let reason =
                    hidden.then(|| body.reason.as_deref().unwrap_or("hidden by a moderator"));
                apply(app, &signed_in, &comment, Change::Hide(reason)).await?;
            }
            existing(app, &paper, &cid).await?
        }
        (&Method::DELETE, PaperWrite::Existing(paper, cid)) => {
            let comment = existing(app, &paper, &cid).await?;
            apply(app, &signed_in, &comment, Change::Delete).await?;
            existing(app, &paper, &cid).await?
        }
        _ => return Err(WebError::NotFound("No such comment action.".into())),
    };
    Ok(Json(CommentJson::one(&comment)).into_response())
}
