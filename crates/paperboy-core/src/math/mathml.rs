//! The tree → MathML Core markup. Every piece of text goes through
//! [`escape_markup`], and every element opened here is closed here, so the output
//! is well-formed whatever the source.

use super::alphabet::{self, Style};
use super::parse::{self, Attached, FracKind, Func, Node, Op, Scripts};
use super::symbols::{Accent, Class};
use crate::text::escape_markup;

/// A `<math>` element for the formula, with its TeX source as annotation.
pub(super) fn render(root: &Node, source: &str, display: bool) -> String {
    let mut out = String::with_capacity(source.len() * 8);
    out.push_str(if display {
        "<math display=\"block\">"
    } else {
        "<math>"
    });
    out.push_str("<semantics>");
    one(root, &mut out);
    out.push_str("<annotation encoding=\"application/x-tex\">");
    out.push_str(&escape_markup(source));
    out.push_str("</annotation></semantics></math>");
    out
}

/// A node as exactly one element (rows of other than one item get an `<mrow>`).
fn one(node: &Node, out: &mut String) {
    match node {
        Node::Row(items) => match items.as_slice() {
            [only] => one(only, out),
            items => {
                out.push_str("<mrow>");
                row(items, out);
                out.push_str("</mrow>");
            }
        },
        Node::Ident(text, style) => identifier(text, *style, out),
        Node::Number(text, style) => leaf("mn", "", &styled(text, *style), out),
        Node::Op(op) => operator(op, false, out),
        Node::Text(text, style) => leaf("mtext", "", &styled(text, *style), out),
        Node::Space(mu) => space(*mu, out),
        Node::Frac(numerator, denominator, kind) => fraction(numerator, denominator, *kind, out),
        Node::Root(radicand, index) => root(radicand, index.as_deref(), out),
        Node::Scripts(scripts) => scripted(scripts, out),
        Node::Accent(base, accent) => accented(base, accent, out),
        Node::Func(func) => identifier(&func.name, Style::Upright, out),
    }
}

/// The items of a row, with thin spaces around operator names (`n log n`, not
/// `nlogn`).
fn row(items: &[Node], out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        one(item, out);
        if items
            .get(i + 1)
            .is_some_and(|next| parse::thin_space_between(item, next))
        {
            space(3, out);
        }
    }
}

/// `<tag attributes>text</tag>`, the text escaped.
fn leaf(tag: &str, attributes: &str, text: &str, out: &mut String) {
    out.push('<');
    out.push_str(tag);
    out.push_str(attributes);
    out.push('>');
    out.push_str(&escape_markup(text));
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

/// `text` in the mathematical alphanumerics of `style`.
fn styled(text: &str, style: Style) -> String {
    text.chars().map(|c| alphabet::styled(c, style)).collect()
}

/// An `<mi>`. One letter is drawn italic unless told otherwise, so upright
/// letters (`\mathrm{d}`, `Γ`) say `mathvariant="normal"`.
fn identifier(text: &str, style: Style, out: &mut String) {
    let shown = styled(text, style);
    let mut chars = shown.chars();
    let single = match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    };
    let upright = single.is_some_and(|c| {
        shown == text && (style.is_upright() || (style == Style::Normal && is_greek_capital(c)))
    });
    let attributes = if upright {
        " mathvariant=\"normal\""
    } else {
        ""
    };
    leaf("mi", attributes, &shown, out);
}

/// Whether `c` is a Greek capital (TeX sets those upright).
fn is_greek_capital(c: char) -> bool {
    ('Α'..='Ω').contains(&c)
}

/// An `<mo>`; `movable` for a large operator whose limits go beside it inline.
fn operator(op: &Op, movable: bool, out: &mut String) {
    let mut attributes = String::new();
    if let Some(stretchy) = op.stretchy {
        attributes.push_str(if stretchy {
            " stretchy=\"true\""
        } else {
            " stretchy=\"false\""
        });
    }
    if op.tight {
        attributes.push_str(" lspace=\"0em\" rspace=\"0em\"");
    }
    if movable {
        attributes.push_str(" movablelimits=\"true\"");
    }
    leaf("mo", &attributes, &op.text, out);
}

/// An `<mspace>` `mu` eighteenths of an em wide.
fn space(mu: i32, out: &mut String) {
    let width = format!("{:.4}", f64::from(mu) / 18.0);
    let width = width.trim_end_matches('0').trim_end_matches('.');
    out.push_str(&format!("<mspace width=\"{width}em\"/>"));
}

/// `<mfrac>`, or a binomial coefficient in parentheses.
fn fraction(numerator: &Node, denominator: &Node, kind: FracKind, out: &mut String) {
    let binom = kind == FracKind::Binom;
    if binom {
        out.push_str("<mrow><mo>(</mo><mfrac linethickness=\"0\">");
    } else {
        out.push_str("<mfrac>");
    }
    one(numerator, out);
    one(denominator, out);
    out.push_str(if binom {
        "</mfrac><mo>)</mo></mrow>"
    } else {
        "</mfrac>"
    });
}

/// `<msqrt>` or `<mroot>`.
fn root(radicand: &Node, index: Option<&Node>, out: &mut String) {
    match index {
        Some(index) => {
            out.push_str("<mroot>");
            one(radicand, out);
            one(index, out);
            out.push_str("</mroot>");
        }
        None => {
            out.push_str("<msqrt>");
            one(radicand, out);
            out.push_str("</msqrt>");
        }
    }
}

/// Scripts beside the base (`<msub>`…) or, for limits, under and over it
/// (`<munder>`…).
fn scripted(scripts: &Scripts, out: &mut String) {
    let tag = match (&scripts.attached, scripts.limits) {
        (Attached::Sub(_), false) => "msub",
        (Attached::Sup(_), false) => "msup",
        (Attached::Both(..), false) => "msubsup",
        (Attached::Sub(_), true) => "munder",
        (Attached::Sup(_), true) => "mover",
        (Attached::Both(..), true) => "munderover",
    };
    out.push('<');
    out.push_str(tag);
    out.push('>');
    base(&scripts.base, scripts.limits, out);
    match &scripts.attached {
        Attached::Sub(script) | Attached::Sup(script) => one(script, out),
        Attached::Both(sub, sup) => {
            one(sub, out);
            one(sup, out);
        }
    }
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

/// The base of scripts: a large operator or operator name with limits may move
/// them beside itself in inline math, as TeX does.
fn base(node: &Node, limits: bool, out: &mut String) {
    match node {
        Node::Op(op) if limits && matches!(op.class, Class::Large { .. }) => {
            operator(op, true, out);
        }
        Node::Func(Func { name, .. }) if limits => {
            let op = Op {
                text: name.clone(),
                class: Class::Ord,
                stretchy: None,
                tight: true,
            };
            operator(&op, true, out);
        }
        other => one(other, out),
    }
}

/// `<mover accent="true">` (or `<munder accentunder="true">`).
fn accented(base: &Node, accent: &Accent, out: &mut String) {
    let (tag, attribute) = if accent.under {
        ("munder", "accentunder")
    } else {
        ("mover", "accent")
    };
    out.push_str(&format!("<{tag} {attribute}=\"true\">"));
    one(base, out);
    let stretchy = if accent.stretchy { "true" } else { "false" };
    leaf(
        "mo",
        &format!(" stretchy=\"{stretchy}\""),
        &accent.mark.to_string(),
        out,
    );
    out.push_str(&format!("</{tag}>"));
}
