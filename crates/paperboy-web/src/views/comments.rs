//! The comments of a paper page: threads flattened in reading order, each comment
//! with its depth, its rendered Markdown and what the reader may do with it.

use paperboy_store::Comment;

use super::markdown;
use crate::auth::SignedIn;

/// Deepest indentation shown; deeper replies line up at this depth.
const MAX_DEPTH: usize = 4;

/// One comment as the page shows it.
#[derive(Debug)]
pub(crate) struct CommentLine {
    pub id: String,
    /// Indentation, 0 for top-level comments.
    pub depth: usize,
    /// The author's username; `None` for a deleted account.
    pub author: Option<String>,
    /// `2026-08-21 14:05 UTC`.
    pub when: String,
    pub edited: bool,
    /// The Markdown rendered and sanitised (empty when hidden or deleted).
    pub html: String,
    /// The Markdown as written, for its author's edit form.
    pub raw: String,
    /// A moderator's reason for hiding it.
    pub hidden_reason: Option<String>,
    pub deleted: bool,
    /// What the reader may do.
    pub can_reply: bool,
    pub can_edit: bool,
    pub can_hide: bool,
    /// Written by a verified author of the paper.
    pub by_author: bool,
    /// The author's account id (for the badge).
    user_id: Option<String>,
}

/// Marks the comments written by the paper's verified authors (`author_ids`).
pub(crate) fn mark_authors(lines: &mut [CommentLine], author_ids: &[String]) {
    for line in lines {
        line.by_author = line
            .user_id
            .as_ref()
            .is_some_and(|id| author_ids.contains(id));
    }
}

fn when(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// `comments` (oldest first) in reading order: each thread after its parent.
pub(crate) fn thread(comments: &[Comment], reader: Option<&SignedIn>) -> Vec<CommentLine> {
    let mut lines = Vec::with_capacity(comments.len());
    let roots = comments.iter().filter(|c| {
        c.parent_id
            .as_deref()
            .is_none_or(|parent| !comments.iter().any(|p| p.id == parent))
    });
    let mut stack: Vec<(&Comment, usize)> = roots.rev().map(|c| (c, 0)).collect();
    while let Some((comment, depth)) = stack.pop() {
        lines.push(line(comment, depth, reader));
        let replies = comments
            .iter()
            .filter(|c| c.parent_id.as_deref() == Some(comment.id.as_str()));
        stack.extend(replies.rev().map(|c| (c, depth + 1)));
        if lines.len() > comments.len() {
            break; // a cycle in damaged data: stop instead of looping
        }
    }
    lines
}

fn line(comment: &Comment, depth: usize, reader: Option<&SignedIn>) -> CommentLine {
    let visible = comment.is_visible();
    let author = reader.is_some_and(|r| comment.user_id.as_deref() == Some(r.user.id.as_str()));
    let named = reader.is_some_and(|r| r.user.username.is_some());
    CommentLine {
        id: comment.id.clone(),
        depth: depth.min(MAX_DEPTH),
        author: comment.username.clone(),
        when: when(comment.created_ms),
        edited: comment.edited_ms.is_some(),
        html: if visible {
            markdown::render(&comment.body)
        } else {
            String::new()
        },
        raw: if author && visible {
            comment.body.clone()
        } else {
            String::new()
        },
        hidden_reason: comment.hidden_reason.clone(),
        deleted: comment.deleted,
        can_reply: named && visible,
        can_edit: author && visible,
        can_hide: reader.is_some_and(|r| r.user.role.moderates()) && !comment.deleted,
        by_author: false,
        user_id: comment.user_id.clone(),
    }
}
