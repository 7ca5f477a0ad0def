//! The tree → readable Unicode text: `x_i^2` → `xᵢ²`, `\frac{a}{b}` → `a/b`,
//! `\mathbb{R}` → `ℝ`, with spaces around relations and binary operators the
//! way TeX puts them.

use super::alphabet::{self, Style};
use super::parse::{self, Attached, FracKind, Node, Op, Scripts};
use super::symbols::{Accent, Class};

/// Characters with a superscript form, and that form.
const SUPERSCRIPTS: &[(char, char)] = &[
    ('0', '⁰'),
    ('1', '¹'),
    ('2', '²'),
    ('3', '³'),
    ('4', '⁴'),
    ('5', '⁵'),
    ('6', '⁶'),
    ('7', '⁷'),
    ('8', '⁸'),
    ('9', '⁹'),
    ('+', '⁺'),
    ('−', '⁻'),
    ('-', '⁻'),
    ('=', '⁼'),
    ('(', '⁽'),
    (')', '⁾'),
    ('a', 'ᵃ'),
    ('b', 'ᵇ'),
    ('c', 'ᶜ'),
    ('d', 'ᵈ'),
    ('e', 'ᵉ'),
    ('f', 'ᶠ'),
    ('g', 'ᵍ'),
    ('h', 'ʰ'),
    ('i', 'ⁱ'),
    ('j', 'ʲ'),
    ('k', 'ᵏ'),
    ('l', 'ˡ'),
    ('m', 'ᵐ'),
    ('n', 'ⁿ'),
    ('o', 'ᵒ'),
    ('p', 'ᵖ'),
    ('r', 'ʳ'),
    ('s', 'ˢ'),
    ('t', 'ᵗ'),
    ('u', 'ᵘ'),
    ('v', 'ᵛ'),
    ('w', 'ʷ'),
    ('x', 'ˣ'),
    ('y', 'ʸ'),
    ('z', 'ᶻ'),
];

/// Characters with a subscript form, and that form.
const SUBSCRIPTS: &[(char, char)] = &[
    ('0', '₀'),
    ('1', '₁'),
    ('2', '₂'),
    ('3', '₃'),
    ('4', '₄'),
    ('5', '₅'),
    ('6', '₆'),
    ('7', '₇'),
    ('8', '₈'),
    ('9', '₉'),
    ('+', '₊'),
    ('−', '₋'),
    ('-', '₋'),
    ('=', '₌'),
    ('(', '₍'),
    (')', '₎'),
    ('a', 'ₐ'),
    ('e', 'ₑ'),
    ('h', 'ₕ'),
    ('i', 'ᵢ'),
    ('j', 'ⱼ'),
    ('k', 'ₖ'),
    ('l', 'ₗ'),
    ('m', 'ₘ'),
    ('n', 'ₙ'),
    ('o', 'ₒ'),
    ('p', 'ₚ'),
    ('r', 'ᵣ'),
    ('s', 'ₛ'),
    ('t', 'ₜ'),
    ('u', 'ᵤ'),
    ('v', 'ᵥ'),
    ('x', 'ₓ'),
];

/// Which way a script goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Script {
    /// Below the line: `x_i`.
    Sub,
    /// Above the line: `x^2`.
    Sup,
}

impl Script {
    /// The characters with a raised or lowered form.
    fn table(self) -> &'static [(char, char)] {
        match self {
            Script::Sub => SUBSCRIPTS,
            Script::Sup => SUPERSCRIPTS,
        }
    }

    /// The mark written before a script without such a form.
    fn marker(self) -> char {
        match self {
            Script::Sub => '_',
            Script::Sup => '^',
        }
    }
}

/// The formula as plain text.
pub(super) fn render(root: &Node) -> String {
    text_of(root, false)
}

/// A script as text: raised or lowered characters when every character has
/// one (`²`, `ᵢ₊₁`), `°` for `^\circ`, else `^x` or `^(…)`.
pub(super) fn script_text(text: &str, script: Script) -> String {
    let primes = text.len() - text.trim_start_matches(['′', '″', '‴']).len();
    let (marks, rest) = text.split_at(primes);
    let rest = rest.trim();
    let compact: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
    let shifted = match (script, compact.as_str()) {
        (_, "") => Some(String::new()),
        (Script::Sup, "∘") => Some("°".to_owned()),
        _ => shift(&compact, script),
    };
    let shown = shifted.unwrap_or_else(|| {
        let marker = script.marker();
        if compact.chars().count() == 1 {
            format!("{marker}{compact}")
        } else {
            format!("{marker}({rest})")
        }
    });
    format!("{marks}{shown}")
}

/// `text` raised or lowered, if every character can be.
fn shift(text: &str, script: Script) -> Option<String> {
    text.chars()
        .map(|c| {
            script
                .table()
                .iter()
                .find(|(plain, _)| *plain == c)
                .map(|(_, shifted)| *shifted)
        })
        .collect()
}

/// The node as text on its own; `compact` (in scripts) leaves out the spaces
/// around operators.
fn text_of(node: &Node, compact: bool) -> String {
    let mut writer = Writer {
        out: String::new(),
        compact,
    };
    writer.node(node);
    writer.out.trim().to_owned()
}

/// Plain text being written.
struct Writer {
    out: String,
    compact: bool,
}

impl Writer {
    /// Appends one node.
    fn node(&mut self, node: &Node) {
        match node {
            Node::Ident(text, style) | Node::Number(text, style) => self.styled(text, *style),
            Node::Op(op) => self.out.push_str(&op.text),
            Node::Text(text, _) => self.out.push_str(text),
            Node::Space(mu) => self.space(*mu),
            Node::Row(items) => self.row(items),
            Node::Frac(numerator, denominator, kind) => {
                self.fraction(numerator, denominator, *kind);
            }
            Node::Root(radicand, index) => self.root(radicand, index.as_deref()),
            Node::Scripts(scripts) => self.scripted(scripts),
            Node::Accent(base, accent) => self.accented(base, accent),
            Node::Func(func) => self.out.push_str(&func.name),
        }
    }

    /// Letters and digits: only the double-struck ones keep their style (ℝ
    /// reads as ℝ; a bold or calligraphic letter reads as the letter).
    fn styled(&mut self, text: &str, style: Style) {
        if style == Style::DoubleStruck {
            self.out
                .extend(text.chars().map(|c| alphabet::styled(c, style)));
        } else {
            self.out.push_str(text);
        }
    }

    /// Explicit space: a thin space for `\,`, a space for wider ones, nothing
    /// for negative ones.
    fn space(&mut self, mu: i32) {
        match mu {
            ..=0 => {}
            1..=5 => self.push_space('\u{2009}'),
            _ => self.push_space(' '),
        }
    }

    /// Appends a space unless one is already there (or nothing is).
    fn push_space(&mut self, space: char) {
        if self
            .out
            .chars()
            .next_back()
            .is_some_and(|c| !c.is_whitespace())
        {
            self.out.push(space);
        }
    }

    /// A row, spaced the way TeX spaces it.
    fn row(&mut self, items: &[Node]) {
        for (i, item) in items.iter().enumerate() {
            let before = i.checked_sub(1).and_then(|j| items.get(j));
            let after = items.get(i + 1);
            match item {
                Node::Op(op) if !op.tight && !self.compact => self.spaced(op, before, after),
                _ => self.node(item),
            }
            if after.is_some_and(|next| space_between(item, next)) {
                self.push_space(' ');
            }
        }
    }

    /// An operator with the spaces its class asks for. As in TeX, a binary
    /// operator needs operands on both sides (else `−1`, `4×`), and a relation
    /// one before it (else `≤5`, `(∼2)`).
    fn spaced(&mut self, op: &Op, before: Option<&Node>, after: Option<&Node>) {
        let class_of = |node: Option<&Node>| node.and_then(Node::as_op).map(|op| op.class);
        let (prev, next) = (class_of(before), class_of(after));
        let operand_before = before.is_some()
            && !matches!(
                prev,
                Some(Class::Bin | Class::Rel | Class::Open | Class::Punct | Class::Large { .. })
            );
        let operand_after =
            after.is_some() && !matches!(next, Some(Class::Close | Class::Rel | Class::Punct));
        let (space_before, space_after) = match op.class {
            Class::Bin => (
                operand_before && operand_after,
                operand_before && operand_after,
            ),
            Class::Rel => {
                let chained = prev == Some(Class::Rel);
                let spaced_after = operand_before || chained;
                (
                    operand_before,
                    spaced_after && after.is_some() && next != Some(Class::Rel),
                )
            }
            Class::Punct => (false, after.is_some()),
            _ => (false, false),
        };
        if space_before {
            self.push_space(' ');
        }
        self.out.push_str(&op.text);
        if space_after {
            self.out.push(' ');
        }
    }

    /// `a/b`, `(n + 1)/2`, `(n choose k)`.
    fn fraction(&mut self, numerator: &Node, denominator: &Node, kind: FracKind) {
        match kind {
            FracKind::Line => {
                self.part(numerator);
                self.out.push('/');
                self.part(denominator);
            }
            FracKind::Binom => {
                let top = text_of(numerator, self.compact);
                let bottom = text_of(denominator, self.compact);
                self.out.push_str(&format!("({top} choose {bottom})"));
            }
        }
    }

    /// A part of a fraction, root or script base, in parentheses unless it is
    /// one unit or already in them: `2/(n + 1)`, `√2/2`, `(a + b)²`.
    fn part(&mut self, node: &Node) {
        let text = text_of(node, self.compact);
        if is_single(node) || is_parenthesised(&text) {
            self.out.push_str(&text);
        } else {
            self.out.push('(');
            self.out.push_str(&text);
            self.out.push(')');
        }
    }

    /// `√x`, `√(x + 1)`, `∛x`, `ⁿ√x`.
    fn root(&mut self, radicand: &Node, index: Option<&Node>) {
        match index.map(|index| text_of(index, true)).as_deref() {
            None | Some("" | "2") => self.out.push('√'),
            Some("3") => self.out.push('∛'),
            Some("4") => self.out.push('∜'),
            Some(index) => {
                self.out.push_str(&script_text(index, Script::Sup));
                self.out.push('√');
            }
        }
        self.part(radicand);
    }

    /// A base and its scripts: `xᵢ²`, `(a + b)²`, `lim_(n→∞)`.
    fn scripted(&mut self, scripts: &Scripts) {
        if !matches!(&scripts.base, Node::Row(items) if items.is_empty()) {
            self.part(&scripts.base);
        }
        let (sub, sup) = match &scripts.attached {
            Attached::Sub(sub) => (Some(sub), None),
            Attached::Sup(sup) => (None, Some(sup)),
            Attached::Both(sub, sup) => (Some(sub), Some(sup)),
        };
        for (script, kind) in [(sub, Script::Sub), (sup, Script::Sup)] {
            if let Some(script) = script {
                self.out
                    .push_str(&script_text(&text_of(script, true), kind));
            }
        }
    }

    /// An accented base: each character carries the combining accent (`x̂`,
    /// `A̅B̅`); accents without one (braces) leave the base as it is.
    fn accented(&mut self, base: &Node, accent: &Accent) {
        let text = text_of(base, self.compact);
        match accent.combining {
            Some(mark) => {
                for c in text.chars() {
                    self.out.push(c);
                    if !c.is_whitespace() {
                        self.out.push(mark);
                    }
                }
            }
            None => self.out.push_str(&text),
        }
    }
}

/// Whether a space separates neighbours in a row: around operator names, and
/// after a large operator before its operand (`∑ᵢ xᵢ`).
fn space_between(left: &Node, right: &Node) -> bool {
    let large = match left {
        Node::Scripts(scripts) => &scripts.base,
        other => other,
    }
    .as_op()
    .is_some_and(|op| matches!(op.class, Class::Large { .. }));
    parse::thin_space_between(left, right) || (large && !right.starts_with_op())
}

/// Whether `text` is one parenthesised whole: `(a + b)`, not `(a)(b)`.
fn is_parenthesised(text: &str) -> bool {
    if !(text.starts_with('(') && text.ends_with(')')) {
        return false;
    }
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i == text.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// Whether `node` reads as one unit next to `/` or a script: not a sequence,
/// not a fraction.
fn is_single(node: &Node) -> bool {
    match node {
        Node::Row(items) => matches!(items.as_slice(), [only] if is_single(only)),
        Node::Frac(_, _, FracKind::Line) => false,
        _ => true,
    }
}
