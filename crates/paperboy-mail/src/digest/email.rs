//! The email a digest becomes: multipart text and HTML, with `List-Id`,
//! `List-Unsubscribe` and RFC 8058 one-click headers. Titles' LaTeX goes in as
//! Unicode (`$\alpha$` as α): mail clients do not all render MathML.

use paperboy_core::digest::{Feedback, LinkPurpose};
use paperboy_core::math::to_unicode;
use paperboy_core::text::escape_markup as escape;
use paperboy_core::{Mail, Paper};
use paperboy_store::Subscription;

use super::{Digest, DigestSite};

/// The style of a paper's title link.
const TITLE_STYLE: &str = "font-weight:600;color:#2563eb;text-decoration:none";
/// The style of the rule above each paper.
const ENTRY_STYLE: &str = "padding:8px 0;border-top:1px solid rgba(127,127,127,.3)";

/// The email of `digest` for `subscription`.
pub fn digest_mail(site: &DigestSite, subscription: &Subscription, digest: &Digest) -> Mail {
    let paper_url = |id: &str| format!("{}/papers/{id}", site.base_url);
    let manage = site.link(LinkPurpose::Manage, &subscription.id);
    let unsubscribe = site.link(LinkPurpose::Unsubscribe, &subscription.id);
    let count = digest.trending.len() + digest.alerts.len() + digest.for_you.len();
    let subject = match digest.trending.first() {
        Some(top) => format!(
            "{}: {} and {} more",
            site.name,
            shorten(&to_unicode(&top.record.paper.title), 70),
            count - 1
        ),
        None => format!("{}: {count} new papers for you", site.name),
    };

    let mut text = format!("Trending papers, {}\n\n", digest.period.name);
    let mut html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <meta name=\"color-scheme\" content=\"light dark\"><title>{}</title></head>\
         <body style=\"margin:0;padding:16px;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;line-height:1.45\">\
         <div style=\"max-width:640px;margin:0 auto\">\
         <h1 style=\"font-size:20px;margin:0 0 4px\">Trending papers</h1>\
         <p style=\"margin:0 0 16px;opacity:.7\">{}</p>",
        escape(&subject),
        escape(&digest.period.name)
    );
    for (rank, item) in digest.trending.iter().enumerate() {
        let paper = &item.record.paper;
        let url = paper_url(paper.id.as_str());
        text.push_str(&format!(
            "{}. {} ({} upvotes)\n   {url}\n",
            rank + 1,
            to_unicode(&paper.title),
            item.entry.upvotes
        ));
        html.push_str(&format!(
            "<div style=\"{ENTRY_STYLE}\">\
             <a href=\"{}\" style=\"{TITLE_STYLE};font-size:16px\">{}</a>\
             <div style=\"font-size:14px;opacity:.75\">▲ {} · {}</div>",
            escape(&url),
            escape(&to_unicode(&paper.title)),
            item.entry.upvotes,
            escape(&authors(paper))
        ));
        if let Some(tldr) = paper.ai_summary.as_deref().map(to_unicode) {
            text.push_str(&format!("   {tldr}\n"));
            html.push_str(&format!(
                "<div style=\"font-size:14px;margin-top:2px\">{}</div>",
                escape(&tldr)
            ));
        }
        html.push_str("</div>");
    }
    if !digest.alerts.is_empty() {
        text.push_str("\nMatching your alerts\n\n");
        html.push_str(&section_heading("Matching your alerts"));
        for alert in &digest.alerts {
            let paper = &alert.record.paper;
            let url = paper_url(paper.id.as_str());
            text.push_str(&format!(
                "- {} ({})\n  {url}\n",
                to_unicode(&paper.title),
                alert.reason
            ));
            html.push_str(&reasoned_entry(&url, paper, &alert.reason, ""));
        }
    }
    if !digest.for_you.is_empty() {
        text.push_str("\nFor you\n\n");
        html.push_str(&section_heading("For you"));
        for pick in &digest.for_you {
            let paper = &pick.item.paper;
            let url = paper_url(paper.id.as_str());
            let more = site.feedback_link(&subscription.id, &paper.id, Feedback::More);
            let not_interested =
                site.feedback_link(&subscription.id, &paper.id, Feedback::NotInterested);
            text.push_str(&format!(
                "- {} ({})\n  {url}\n  More like this: {more}\n  Not interested: {not_interested}\n",
                to_unicode(&paper.title),
                pick.reason
            ));
            let links = format!(
                "<div style=\"font-size:13px;margin-top:2px\"><a href=\"{}\" style=\"color:inherit\">More like this</a> · \
                 <a href=\"{}\" style=\"color:inherit\">Not interested</a></div>",
                escape(&more),
                escape(&not_interested)
            );
            html.push_str(&reasoned_entry(&url, paper, &pick.reason, &links));
        }
    }
    text.push_str(&format!(
        "\nChange topics, time or frequency: {manage}\nUnsubscribe: {unsubscribe}\n"
    ));
    html.push_str(&format!(
        "<p style=\"margin-top:24px;font-size:13px;opacity:.7\">You get this because {} subscribed to {}'s digest. \
         <a href=\"{}\" style=\"color:inherit\">Change topics, time or frequency</a> · \
         <a href=\"{}\" style=\"color:inherit\">Unsubscribe</a></p></div></body></html>",
        escape(subscription.email.as_str()),
        escape(&site.name),
        escape(&manage),
        escape(&unsubscribe)
    ));
    Mail {
        to: subscription.email.as_str().to_owned(),
        subject,
        text,
        html: Some(html),
        headers: vec![
            (
                "List-Id".into(),
                format!("{} digest <digest.{}>", site.name, site.host()),
            ),
            ("List-Unsubscribe".into(), format!("<{unsubscribe}>")),
            (
                "List-Unsubscribe-Post".into(),
                "List-Unsubscribe=One-Click".into(),
            ),
        ],
    }
}

/// A section's heading.
fn section_heading(title: &str) -> String {
    format!(
        "<h2 style=\"font-size:17px;margin:20px 0 4px\">{}</h2>",
        escape(title)
    )
}

/// A paper with why it is there, then `extra` (markup, already escaped).
fn reasoned_entry(url: &str, paper: &Paper, reason: &str, extra: &str) -> String {
    format!(
        "<div style=\"{ENTRY_STYLE}\"><a href=\"{}\" style=\"{TITLE_STYLE}\">{}</a>\
         <div style=\"font-size:14px;opacity:.75\">{} · {}</div>{extra}</div>",
        escape(url),
        escape(&to_unicode(&paper.title)),
        escape(reason),
        escape(&authors(paper))
    )
}

/// `Ada Lovelace, Charles Babbage et al.`
fn authors(paper: &Paper) -> String {
    let names: Vec<&str> = paper
        .authors
        .iter()
        .take(3)
        .map(|a| a.name.as_str())
        .collect();
    let more = if paper.authors.len() > 3 {
        " et al."
    } else {
        ""
    };
    format!("{}{more}", names.join(", "))
}

/// `text` cut to `chars` characters, with `…` when cut.
fn shorten(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_owned(),
    }
}
