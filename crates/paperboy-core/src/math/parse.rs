//! LaTeX math source → a small tree both renderers walk.
//!
//! The parser knows the commands abstracts use (see `symbols`); anything else is
//! [`Unsupported`] in [`Mode::Strict`], so the caller can show the source instead of
//! guessing. Nesting is capped at [`MAX_DEPTH`] so hostile input cannot exhaust
//! the stack.

use super::alphabet::Style;
use super::symbols::{self, Accent, Class};
use super::textmode;

/// How deep groups, arguments and `\left … \right` pairs may nest.
const MAX_DEPTH: usize = 32;

/// The math uses something this module cannot draw faithfully.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Unsupported;

/// What to do with commands the parser does not know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    /// Refuse the whole formula.
    Strict,
    /// Keep `\name` (and its braced arguments) as text: good enough for plain text.
    Lenient,
}

/// One piece of a formula.
#[derive(Debug)]
pub(super) enum Node {
    /// An identifier: a letter, a letter-like symbol, or a run of styled letters.
    Ident(String, Style),
    /// A number: digits with at most one decimal point between digits.
    Number(String, Style),
    /// An operator, delimiter or punctuation mark.
    Op(Op),
    /// Text (`\text{…}`), drawn upright or in its style.
    Text(String, Style),
    /// Horizontal space, in mu (18 mu = 1 em); negative for `\!`.
    Space(i32),
    /// A sequence: a group or a whole formula.
    Row(Vec<Node>),
    /// `\frac{a}{b}` or `\binom{a}{b}`.
    Frac(Box<Node>, Box<Node>, FracKind),
    /// `\sqrt{x}`, or `\sqrt[n]{x}` with its index.
    Root(Box<Node>, Option<Box<Node>>),
    /// A base with subscript and/or superscript.
    Scripts(Box<Scripts>),
    /// An accent over or under its base.
    Accent(Box<Node>, &'static Accent),
    /// An operator name such as `log` or `max`.
    Func(Func),
}

/// A fraction's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FracKind {
    /// `\frac`: a bar between numerator and denominator.
    Line,
    /// `\binom`: no bar, in parentheses.
    Binom,
}

/// An operator.
#[derive(Debug)]
pub(super) struct Op {
    /// What is drawn (one character, or a word such as `mod`).
    pub text: String,
    /// TeX's class, for spacing.
    pub class: Class,
    /// Whether the operator stretches: `Some(true)` after `\left`, `Some(false)`
    /// for a delimiter written plainly, `None` to leave it to the renderer.
    pub stretchy: Option<bool>,
    /// Written alone in braces (`{=}`): no space around it.
    pub tight: bool,
}

/// An operator name.
#[derive(Debug)]
pub(super) struct Func {
    /// The name, drawn upright.
    pub name: String,
    /// Whether its scripts are limits (`\lim_{n\to\infty}`).
    pub limits: bool,
}

/// A base and what is attached to it.
#[derive(Debug)]
pub(super) struct Scripts {
    /// What the scripts attach to (an empty row for `$^{2}$`).
    pub base: Node,
    /// The scripts.
    pub attached: Attached,
    /// Whether the scripts go under and over the base rather than beside it.
    pub limits: bool,
}

/// The scripts of a base.
#[derive(Debug)]
pub(super) enum Attached {
    /// `x_i`.
    Sub(Node),
    /// `x^2`.
    Sup(Node),
    /// `x_i^2`.
    Both(Node, Node),
}

impl Node {
    /// Whether the node begins with an operator (so no space goes before it).
    pub(super) fn starts_with_op(&self) -> bool {
        match self {
            Node::Op(_) => true,
            Node::Row(items) => items.first().is_some_and(Node::starts_with_op),
            Node::Scripts(s) => s.base.starts_with_op(),
            _ => false,
        }
    }

    /// Whether the node is an operator name, scripted or not (a thin space
    /// follows it unless an operator does).
    pub(super) fn is_func(&self) -> bool {
        match self {
            Node::Func(_) => true,
            Node::Scripts(s) => s.base.is_func(),
            _ => false,
        }
    }

    /// The operator this node is, if it is one.
    pub(super) fn as_op(&self) -> Option<&Op> {
        match self {
            Node::Op(op) => Some(op),
            _ => None,
        }
    }
}

/// Whether TeX puts a thin space between neighbours `left` and `right` in a row:
/// on both sides of an operator name (`n log n`), unless an operator is there
/// (`log(n)`).
pub(super) fn thin_space_between(left: &Node, right: &Node) -> bool {
    (left.is_func() && !right.starts_with_op()) || (right.is_func() && left.as_op().is_none())
}

/// Parses the inside of a math span (without its delimiters).
pub(super) fn parse(source: &str, mode: Mode) -> Result<Node, Unsupported> {
    let mut parser = Parser {
        src: source,
        pos: 0,
        depth: 0,
        style: Style::Normal,
        mode,
    };
    parser.row(Until::End).map(Node::Row)
}

/// What ends a row.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Until {
    /// The end of the source.
    End,
    /// `}`.
    Brace,
    /// `]` (the index of `\sqrt[n]`, an arrow's lower text).
    Bracket,
    /// `\right`.
    Right,
}

/// A recursive-descent parser over the source.
struct Parser<'s> {
    src: &'s str,
    pos: usize,
    depth: usize,
    style: Style,
    mode: Mode,
}

/// The parser's result type.
type Parsed<T> = Result<T, Unsupported>;

impl<'s> Parser<'s> {
    /// The source not yet read.
    fn rest(&self) -> &'s str {
        &self.src[self.pos..]
    }

    /// The next character.
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Reads the next character.
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Reads `c` if it comes next.
    fn eat(&mut self, c: char) -> bool {
        let next = self.peek() == Some(c);
        if next {
            self.pos += c.len_utf8();
        }
        next
    }

    /// Skips whitespace (insignificant in math).
    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    /// Runs `f` one level deeper, refusing to go past [`MAX_DEPTH`].
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Parsed<T>) -> Parsed<T> {
        if self.depth >= MAX_DEPTH {
            return Err(Unsupported);
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    /// The name of the command that comes next (`\alpha` → `alpha`, `\,` → `,`),
    /// without reading it.
    fn peek_command(&self) -> Option<&'s str> {
        let after = self.rest().strip_prefix('\\')?;
        let letters = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        if letters > 0 {
            return Some(&after[..letters]);
        }
        let c = after.chars().next()?;
        Some(if c.is_whitespace() {
            " "
        } else {
            &after[..c.len_utf8()]
        })
    }

    /// Reads the command that comes next and returns its name.
    fn take_command(&mut self) -> Parsed<&'s str> {
        let name = self.peek_command().ok_or(Unsupported)?;
        let width = if name == " " {
            self.rest()[1..].chars().next().map_or(1, char::len_utf8)
        } else {
            name.len()
        };
        self.pos += 1 + width;
        Ok(name)
    }

    /// Reads `\name` if it comes next.
    fn eat_command(&mut self, name: &str) -> bool {
        let next = self.peek_command() == Some(name);
        if next {
            self.pos += 1 + name.len();
        }
        next
    }

    /// A sequence of items up to `until`; style switches end with it.
    fn row(&mut self, until: Until) -> Parsed<Vec<Node>> {
        let saved = self.style;
        let items = self.row_items(until);
        self.style = saved;
        items
    }

    /// The items of [`Parser::row`].
    fn row_items(&mut self, until: Until) -> Parsed<Vec<Node>> {
        let mut items = Vec::new();
        loop {
            self.skip_spaces();
            if self.at_end_of(until)? {
                return Ok(items);
            }
            if self.modifier() {
                continue;
            }
            let item = self.scripted()?;
            push_merged(&mut items, item);
        }
    }

    /// Whether the row ends here (reading its terminator).
    fn at_end_of(&mut self, until: Until) -> Parsed<bool> {
        match (self.peek(), until) {
            (None, Until::End) => Ok(true),
            (None, _) | (Some('}'), Until::End | Until::Bracket | Until::Right) => Err(Unsupported),
            (Some('}'), Until::Brace) | (Some(']'), Until::Bracket) => {
                self.bump();
                Ok(true)
            }
            _ => Ok(until == Until::Right && self.eat_command("right")),
        }
    }

    /// Reads a style switch (`\bf`) or a size command (`\big`) that draws nothing.
    fn modifier(&mut self) -> bool {
        let Some(name) = self.peek_command() else {
            return false;
        };
        if let Some(style) = symbols::style_switch(name) {
            self.style = style;
        } else if !symbols::ignored(name) {
            return false;
        }
        self.pos += 1 + name.len();
        true
    }

    /// An atom with its scripts and primes.
    fn scripted(&mut self) -> Parsed<Node> {
        let base = if matches!(self.peek(), Some('^' | '_' | '\'')) {
            Node::Row(Vec::new())
        } else {
            self.atom()?
        };
        self.scripts(base)
    }

    /// The scripts after `base`, if any.
    fn scripts(&mut self, base: Node) -> Parsed<Node> {
        let mut limits = default_limits(&base);
        let (mut sub, mut sup, mut primes) = (None, None, 0);
        loop {
            self.skip_spaces();
            if self.eat_command("limits") {
                limits = true;
                continue;
            }
            if self.eat_command("nolimits") {
                limits = false;
                continue;
            }
            match self.peek() {
                Some('_') if sub.is_none() => sub = Some(self.script()?),
                Some('^') if sup.is_none() => sup = Some(self.script()?),
                Some('\'') if sup.is_none() => {
                    self.bump();
                    primes += 1;
                }
                Some('_' | '^') => return Err(Unsupported),
                _ => break,
            }
        }
        let sup = with_primes(primes, sup);
        let attached = match (sub, sup) {
            (None, None) => return Ok(base),
            (Some(sub), None) => Attached::Sub(sub),
            (None, Some(sup)) => Attached::Sup(sup),
            (Some(sub), Some(sup)) => Attached::Both(sub, sup),
        };
        Ok(Node::Scripts(Box::new(Scripts {
            base,
            attached,
            limits,
        })))
    }

    /// The argument after `_` or `^`.
    fn script(&mut self) -> Parsed<Node> {
        self.bump();
        self.argument()
    }

    /// One item of a row: a group, a command, a number or a character.
    fn atom(&mut self) -> Parsed<Node> {
        match self.peek().ok_or(Unsupported)? {
            '{' => {
                self.bump();
                self.group()
            }
            '\\' => self.command(),
            '0'..='9' => Ok(self.number()),
            c => {
                self.bump();
                self.character(c)
            }
        }
    }

    /// A command's argument: a group, a command, or one character (as TeX
    /// reads `x^23` as `x^{2}3`).
    fn argument(&mut self) -> Parsed<Node> {
        self.skip_spaces();
        self.nested(|p| match p.peek().ok_or(Unsupported)? {
            '{' => {
                p.bump();
                p.group()
            }
            '\\' => p.command(),
            c => {
                p.bump();
                p.character(c)
            }
        })
    }

    /// The rest of a group whose `{` has been read.
    fn group(&mut self) -> Parsed<Node> {
        let mut items = self.nested(|p| p.row(Until::Brace))?;
        if let [Node::Op(op)] = items.as_mut_slice() {
            op.tight = true;
        }
        Ok(Node::Row(items))
    }

    /// A run of digits with decimal points between digits.
    fn number(&mut self) -> Node {
        let start = self.pos;
        loop {
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.bump();
            }
            let mut after = self.rest().chars();
            if after.next() == Some('.') && after.next().is_some_and(|c| c.is_ascii_digit()) {
                self.bump();
            } else {
                break;
            }
        }
        Node::Number(self.src[start..self.pos].to_owned(), self.style)
    }

    /// A single character in math.
    fn character(&self, c: char) -> Parsed<Node> {
        match c {
            'a'..='z' | 'A'..='Z' => Ok(Node::Ident(c.to_string(), self.style)),
            '0'..='9' => Ok(Node::Number(c.to_string(), self.style)),
            '~' => Ok(Node::Space(6)),
            '-' => Ok(op('−', Class::Bin)),
            '*' => Ok(op('∗', Class::Bin)),
            '<' | '>' | '=' | ':' | '+' | ',' | ';' | '!' | '?' => Ok(op(c, class_or_ord(c))),
            '(' | ')' | '[' | ']' | '|' | '/' => Ok(delimiter(c, class_or_ord(c), false)),
            '{' | '}' | '&' | '$' | '^' | '_' | '\\' | '\'' => Err(Unsupported),
            c => Ok(self.symbol_character(c)),
        }
    }

    /// A non-ASCII character (or stray ASCII punctuation) written as itself.
    fn symbol_character(&self, c: char) -> Node {
        match symbols::class_of(c) {
            Some(class @ (Class::Open | Class::Close | Class::Fence)) => delimiter(c, class, false),
            Some(class) => op(c, class),
            None => Node::Ident(c.to_string(), self.style),
        }
    }

    /// A command and its arguments.
    fn command(&mut self) -> Parsed<Node> {
        let name = self.take_command()?;
        if let Some(node) = self.symbol(name) {
            return Ok(node);
        }
        if let Some(style) = symbols::style_command(name) {
            return self.styled(style);
        }
        if let Some(style) = symbols::text_command(name) {
            return self.text(style);
        }
        if let Some(accent) = symbols::accent_named(name) {
            return Ok(Node::Accent(Box::new(self.argument()?), accent));
        }
        self.structure(name)
    }

    /// A command without arguments: a letter, operator, operator name or space.
    fn symbol(&self, name: &str) -> Option<Node> {
        if let Some(c) = symbols::letter(name) {
            return Some(Node::Ident(c.to_string(), self.style));
        }
        if let Some((c, class)) = symbols::operator(name) {
            let plain_delimiter = matches!(class, Class::Open | Class::Close | Class::Fence);
            return Some(if plain_delimiter {
                delimiter(c, class, false)
            } else {
                op(c, class)
            });
        }
        if let Some(limits) = symbols::function(name) {
            return Some(Node::Func(Func {
                name: name.to_owned(),
                limits,
            }));
        }
        symbols::space(name).map(Node::Space)
    }

    /// Commands with structure: fractions, roots, fences, stacked symbols.
    fn structure(&mut self, name: &str) -> Parsed<Node> {
        match name {
            "frac" | "tfrac" | "dfrac" | "cfrac" => self.fraction(FracKind::Line),
            "binom" | "tbinom" | "dbinom" => self.fraction(FracKind::Binom),
            "sqrt" => self.root(),
            "left" => self.fenced(),
            "middle" => Ok(self.fence_delimiter()?.unwrap_or_else(empty_row)),
            "not" => self.negation(),
            "operatorname" => self.operator_name(),
            "overset" | "stackrel" => self.stacked(true),
            "underset" => self.stacked(false),
            "xrightarrow" => self.extensible_arrow('→'),
            "xleftarrow" => self.extensible_arrow('←'),
            "pmod" => self.modulo(true),
            "mod" => self.modulo(false),
            "bmod" => Ok(Node::Op(word_op("mod", Class::Bin))),
            "mathop" | "mathbin" | "mathrel" | "mathord" | "mathopen" | "mathclose"
            | "mathpunct" | "smash" | "boxed" => self.argument(),
            "unicode" => self.unicode_character(),
            "href" => self.href(),
            "hspace" | "hskip" | "mkern" | "kern" | "mskip" => self.explicit_space(),
            _ => self.unknown(name),
        }
    }

    /// `\mathbf{…}` and friends: the argument in `style`.
    fn styled(&mut self, style: Style) -> Parsed<Node> {
        let saved = self.style;
        self.style = style;
        let argument = self.argument();
        self.style = saved;
        argument
    }

    /// `\text{…}` and friends; math inside (`\text{M$^3$}`) is math again.
    fn text(&mut self, style: Style) -> Parsed<Node> {
        let raw = self.text_argument()?;
        let mut items = Vec::new();
        let pieces = split_dollars(raw).ok_or(Unsupported)?;
        for (i, piece) in pieces.into_iter().enumerate() {
            if i % 2 == 0 {
                let text = textmode::math_text(piece).ok_or(Unsupported)?;
                if !text.is_empty() {
                    items.push(Node::Text(text, style));
                }
            } else {
                items.push(self.inner_math(piece)?);
            }
        }
        Ok(Node::Row(items))
    }

    /// The argument of a text command: a braced group, or one character.
    fn text_argument(&mut self) -> Parsed<&'s str> {
        self.skip_spaces();
        if self.peek() == Some('{') {
            return self.raw_group();
        }
        let start = self.pos;
        match self.bump() {
            Some(c) if !matches!(c, '\\' | '}' | '$' | '^' | '_') => Ok(&self.src[start..self.pos]),
            _ => Err(Unsupported),
        }
    }

    /// Math written inside text inside math, parsed one level deeper.
    fn inner_math(&mut self, source: &'s str) -> Parsed<Node> {
        let mode = self.mode;
        self.nested(|p| {
            let mut inner = Parser {
                src: source,
                pos: 0,
                depth: p.depth,
                style: Style::Normal,
                mode,
            };
            inner.row(Until::End).map(Node::Row)
        })
    }

    /// `\frac{a}{b}`, `\binom{a}{b}`.
    fn fraction(&mut self, kind: FracKind) -> Parsed<Node> {
        let numerator = self.argument()?;
        let denominator = self.argument()?;
        Ok(Node::Frac(Box::new(numerator), Box::new(denominator), kind))
    }

    /// `\sqrt{x}`, `\sqrt[n]{x}`.
    fn root(&mut self) -> Parsed<Node> {
        let index = self.optional_argument()?;
        let radicand = self.argument()?;
        Ok(Node::Root(Box::new(radicand), index.map(Box::new)))
    }

    /// An optional argument in brackets.
    fn optional_argument(&mut self) -> Parsed<Option<Node>> {
        self.skip_spaces();
        if !self.eat('[') {
            return Ok(None);
        }
        let items = self.nested(|p| p.row(Until::Bracket))?;
        Ok(Some(Node::Row(items)))
    }

    /// `\left( … \right)`: stretchy delimiters around a row.
    fn fenced(&mut self) -> Parsed<Node> {
        let open = self.fence_delimiter()?;
        let body = self.nested(|p| p.row(Until::Right))?;
        let close = self.fence_delimiter()?;
        let mut items: Vec<Node> = open.into_iter().collect();
        items.extend(body);
        items.extend(close);
        Ok(Node::Row(items))
    }

    /// The delimiter after `\left`, `\right` or `\middle`; `None` for `.`.
    fn fence_delimiter(&mut self) -> Parsed<Option<Node>> {
        self.skip_spaces();
        let c = match self.peek().ok_or(Unsupported)? {
            '.' => {
                self.bump();
                return Ok(None);
            }
            '\\' => {
                let name = self.take_command()?;
                symbols::delimiter(name).ok_or(Unsupported)?
            }
            c @ ('(' | ')' | '[' | ']' | '|' | '/') => {
                self.bump();
                c
            }
            '<' => {
                self.bump();
                '⟨'
            }
            '>' => {
                self.bump();
                '⟩'
            }
            _ => return Err(Unsupported),
        };
        Ok(Some(delimiter(c, class_or_ord(c), true)))
    }

    /// `\not` before a relation: the negated relation.
    fn negation(&mut self) -> Parsed<Node> {
        let negated = match self.argument()? {
            Node::Op(op) => op.text,
            Node::Ident(text, _) => text,
            _ => return Err(Unsupported),
        };
        let mut chars = negated.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            return Err(Unsupported);
        };
        let text = symbols::negated(c).map_or_else(|| format!("{c}\u{338}"), String::from);
        Ok(Node::Op(word_op(&text, Class::Rel)))
    }

    /// `\operatorname{name}`, `\operatorname*{name}` (with limits).
    fn operator_name(&mut self) -> Parsed<Node> {
        let limits = self.eat('*');
        let raw = self.raw_group()?;
        let name = raw
            .replace("\\,", " ")
            .replace("\\ ", " ")
            .replace("\\!", "")
            .replace("\\_", "_");
        let fits = |c: char| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '*' | '\'');
        if name.trim().is_empty() || !name.chars().all(fits) {
            return Err(Unsupported);
        }
        Ok(Node::Func(Func {
            name: name.trim().to_owned(),
            limits,
        }))
    }

    /// `\overset{top}{base}` (`over`) or `\underset{bottom}{base}`.
    fn stacked(&mut self, over: bool) -> Parsed<Node> {
        let script = self.argument()?;
        let base = self.argument()?;
        let attached = if over {
            Attached::Sup(script)
        } else {
            Attached::Sub(script)
        };
        Ok(scripted(base, attached))
    }

    /// `\xrightarrow[below]{above}`.
    fn extensible_arrow(&mut self, arrow: char) -> Parsed<Node> {
        let below = self.optional_argument()?.filter(|n| !is_empty(n));
        let above = Some(self.argument()?).filter(|n| !is_empty(n));
        let base = delimiter(arrow, Class::Rel, true);
        Ok(match (below, above) {
            (None, None) => base,
            (Some(below), None) => scripted(base, Attached::Sub(below)),
            (None, Some(above)) => scripted(base, Attached::Sup(above)),
            (Some(below), Some(above)) => scripted(base, Attached::Both(below, above)),
        })
    }

    /// `\pmod{n}` (`parenthesised`) and `\mod{n}`.
    fn modulo(&mut self, parenthesised: bool) -> Parsed<Node> {
        let modulus = self.argument()?;
        let mut items = vec![Node::Space(18)];
        if parenthesised {
            items.push(delimiter('(', Class::Open, false));
        }
        items.extend([
            Node::Text("mod".to_owned(), Style::Upright),
            Node::Space(6),
            modulus,
        ]);
        if parenthesised {
            items.push(delimiter(')', Class::Close, false));
        }
        Ok(Node::Row(items))
    }

    /// `\unicode{x2013}` (MathJax): the character with that code point.
    fn unicode_character(&mut self) -> Parsed<Node> {
        let raw = self.raw_group()?.trim();
        let code = match raw.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => raw.parse(),
        };
        let c = code.ok().and_then(char::from_u32).ok_or(Unsupported)?;
        if c.is_control() {
            return Err(Unsupported);
        }
        Ok(self.symbol_character(c))
    }

    /// `\href{url}{text}`: the text, and the address if it differs.
    fn href(&mut self) -> Parsed<Node> {
        let url = self.raw_group()?.trim();
        let text = textmode::math_text(self.raw_group()?).ok_or(Unsupported)?;
        let shown = if text.trim() == url {
            text
        } else {
            format!("{text} ({url})")
        };
        Ok(Node::Text(shown, Style::Upright))
    }

    /// `\hspace{1em}`, `\mkern-2mu`, `\kern 1pt`.
    fn explicit_space(&mut self) -> Parsed<Node> {
        self.skip_spaces();
        let raw = if self.peek() == Some('{') {
            self.raw_group()?
        } else {
            self.inline_dimension()
        };
        dimension_mu(raw).map(Node::Space).ok_or(Unsupported)
    }

    /// The dimension written right after a command: sign, number, unit.
    fn inline_dimension(&mut self) -> &'s str {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| matches!(c, '-' | '+' | '.' | '0'..='9'))
        {
            self.bump();
        }
        self.skip_spaces();
        for _ in 0..2 {
            if self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                self.bump();
            }
        }
        &self.src[start..self.pos]
    }

    /// A command this module does not know.
    fn unknown(&mut self, name: &str) -> Parsed<Node> {
        if self.mode == Mode::Strict {
            return Err(Unsupported);
        }
        let mut items = vec![Node::Text(format!("\\{name}"), Style::Upright)];
        while self.eat('{') {
            let argument = self.group()?;
            items.extend([
                delimiter('{', Class::Open, false),
                argument,
                delimiter('}', Class::Close, false),
            ]);
        }
        Ok(Node::Row(items))
    }

    /// The source inside the braced group that comes next (balanced, escapes
    /// kept), for commands whose argument is not math.
    fn raw_group(&mut self) -> Parsed<&'s str> {
        self.skip_spaces();
        if !self.eat('{') {
            return Err(Unsupported);
        }
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(c) = self.bump() {
            match c {
                '\\' => {
                    self.bump();
                }
                '{' => depth += 1,
                '}' if depth == 0 => return Ok(&self.src[start..self.pos - 1]),
                '}' => depth -= 1,
                _ => {}
            }
        }
        Err(Unsupported)
    }
}

/// An operator of `class`.
fn op(c: char, class: Class) -> Node {
    Node::Op(word_op(&c.to_string(), class))
}

/// An operator drawn as `text`.
fn word_op(text: &str, class: Class) -> Op {
    Op {
        text: text.to_owned(),
        class,
        stretchy: None,
        tight: false,
    }
}

/// A delimiter: stretchy only after `\left`, `\right`, `\middle`.
fn delimiter(c: char, class: Class, stretchy: bool) -> Node {
    let mut op = word_op(&c.to_string(), class);
    op.stretchy = Some(stretchy);
    Node::Op(op)
}

/// The class of an ASCII operator character.
fn class_or_ord(c: char) -> Class {
    symbols::class_of(c).unwrap_or(Class::Ord)
}

/// An empty row.
fn empty_row() -> Node {
    Node::Row(Vec::new())
}

/// Whether `node` draws nothing.
fn is_empty(node: &Node) -> bool {
    matches!(node, Node::Row(items) if items.is_empty())
}

/// `base` with scripts stacked under or over it.
fn scripted(base: Node, attached: Attached) -> Node {
    Node::Scripts(Box::new(Scripts {
        base,
        attached,
        limits: true,
    }))
}

/// Whether scripts on `base` are limits by default (`\sum`, `\lim`).
fn default_limits(base: &Node) -> bool {
    match base {
        Node::Op(op) => matches!(op.class, Class::Large { limits: true }),
        Node::Func(func) => func.limits,
        _ => false,
    }
}

/// A superscript with `primes` prime marks before it.
fn with_primes(primes: usize, sup: Option<Node>) -> Option<Node> {
    if primes == 0 {
        return sup;
    }
    let marks = Node::Op(word_op(&"′".repeat(primes), Class::Ord));
    Some(match sup {
        Some(sup) => Node::Row(vec![marks, sup]),
        None => marks,
    })
}

/// Adds `item` to a row, joining styled letters into one identifier
/// (`\mathrm{decode}` is one word, not six italic letters).
fn push_merged(items: &mut Vec<Node>, item: Node) {
    if let (Some(Node::Ident(word, word_style)), Node::Ident(letter, style)) =
        (items.last_mut(), &item)
        && *style == *word_style
        && *style != Style::Normal
        && letter.chars().all(char::is_alphabetic)
        && word.chars().all(char::is_alphabetic)
    {
        word.push_str(letter);
        return;
    }
    items.push(item);
}

/// `text` cut at its unescaped dollars outside braces: text, math, text, …;
/// `None` if a dollar has no partner.
fn split_dollars(text: &str) -> Option<Vec<&str>> {
    let mut pieces = Vec::new();
    let (mut start, mut depth, mut escaped) = (0, 0usize, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '$' if depth == 0 => {
                pieces.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    pieces.push(&text[start..]);
    (pieces.len() % 2 == 1).then_some(pieces)
}

/// A TeX dimension (`-2mu`, `1em`, `0.5ex`, `3pt`) in mu.
fn dimension_mu(raw: &str) -> Option<i32> {
    let raw = raw.trim();
    let split = raw.find(|c: char| c.is_ascii_alphabetic())?;
    let value: f64 = raw[..split].trim().parse().ok()?;
    let per_unit = match raw[split..].trim() {
        "mu" => 1.0,
        "em" => 18.0,
        "ex" => 7.74,
        "pt" => 1.8,
        _ => return None,
    };
    let mu = (value * per_unit).round();
    (-360.0..=360.0).contains(&mu).then_some(mu as i32)
}
