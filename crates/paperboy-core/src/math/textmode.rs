//! Text-mode LaTeX (the prose around math, and `\text{…}` inside it) → the
//! characters it stands for: `\%` → `%`, `\'e` → `é`, `\textbf{x}` → `x`,
//! `` ``x'' `` → `“x”`, `Fig.~2` → `Fig. 2` (non-breaking).
//!
//! In prose, a command this module does not know stays as written: abstracts are
//! not TeX documents, and a reader is better served by `\cite{x}` than by nothing.

use super::plain::{self, Script};

/// The non-breaking space a tie (`~`) stands for.
const NO_BREAK_SPACE: char = '\u{a0}';

/// How many `\href`/`\textsuperscript` arguments may nest.
const MAX_NESTING: usize = 4;

/// The longest argument read ahead for `\href` and friends.
const MAX_ARGUMENT: usize = 1_000;

/// Commands that show their braced argument as it is.
const WRAPPERS: &[&str] = &[
    "textbf",
    "textit",
    "textsl",
    "emph",
    "texttt",
    "textrm",
    "textsf",
    "textsc",
    "textup",
    "textmd",
    "textnormal",
    "underline",
    "uline",
    "mbox",
    "hbox",
    "text",
    "url",
];

/// Whether `name` is a declaration that changes the font or size of what follows.
fn is_switch(name: &str) -> bool {
    SWITCHES.contains(&name) || super::symbols::SIZES.contains(&name)
}

/// Declarations that change the font of what follows (sizes: [`super::symbols::SIZES`]):
/// drawn as nothing.
const SWITCHES: &[&str] = &[
    "em",
    "bf",
    "it",
    "sc",
    "tt",
    "rm",
    "sf",
    "sl",
    "bfseries",
    "itshape",
    "scshape",
    "upshape",
    "mdseries",
    "normalfont",
    "boldmath",
    "unboldmath",
];

/// Text-mode symbol commands.
const SYMBOLS: &[(&str, &str)] = &[
    ("space", " "),
    ("ldots", "…"),
    ("dots", "…"),
    ("textellipsis", "…"),
    ("LaTeX", "LaTeX"),
    ("TeX", "TeX"),
    ("textasciitilde", "~"),
    ("textasciicircum", "^"),
    ("textbackslash", "\\"),
    ("textbar", "|"),
    ("textless", "<"),
    ("textgreater", ">"),
    ("textendash", "–"),
    ("textemdash", "—"),
    ("textquoteleft", "‘"),
    ("textquoteright", "’"),
    ("textquotedblleft", "“"),
    ("textquotedblright", "”"),
    ("textbullet", "•"),
    ("textdegree", "°"),
    ("textregistered", "®"),
    ("texttrademark", "™"),
    ("copyright", "©"),
    ("textcopyright", "©"),
    ("textperthousand", "‰"),
    ("S", "§"),
    ("P", "¶"),
    ("dag", "†"),
    ("ddag", "‡"),
    ("pounds", "£"),
    ("euro", "€"),
    ("ss", "ß"),
    ("ae", "æ"),
    ("AE", "Æ"),
    ("oe", "œ"),
    ("OE", "Œ"),
    ("o", "ø"),
    ("O", "Ø"),
    ("aa", "å"),
    ("AA", "Å"),
    ("l", "ł"),
    ("L", "Ł"),
    ("i", "ı"),
    ("j", "ȷ"),
];

/// A text accent: `\'e` is é.
struct TextAccent {
    /// The character after the backslash.
    mark: char,
    /// Letters with a precomposed accented form…
    bases: &'static str,
    /// …and those forms, in the same order.
    composed: &'static str,
    /// The combining character for other letters.
    combining: char,
}

/// The text accents.
const ACCENTS: &[TextAccent] = &[
    text_accent(
        '\'',
        "aeiouyAEIOUYcnszCNSZ",
        "áéíóúýÁÉÍÓÚÝćńśźĆŃŚŹ",
        '\u{301}',
    ),
    text_accent('`', "aeiouAEIOU", "àèìòùÀÈÌÒÙ", '\u{300}'),
    text_accent('^', "aeiouAEIOU", "âêîôûÂÊÎÔÛ", '\u{302}'),
    text_accent('"', "aeiouyAEIOUY", "äëïöüÿÄËÏÖÜŸ", '\u{308}'),
    text_accent('~', "anoANO", "ãñõÃÑÕ", '\u{303}'),
    text_accent('=', "aeiouAEIOU", "āēīōūĀĒĪŌŪ", '\u{304}'),
    text_accent('.', "zeZEI", "żėŻĖİ", '\u{307}'),
    text_accent('u', "agAG", "ăğĂĞ", '\u{306}'),
    text_accent('v', "cszrenCSZRENdt", "čšžřěňČŠŽŘĚŇďť", '\u{30c}'),
    text_accent('H', "ouOU", "őűŐŰ", '\u{30b}'),
    text_accent('c', "csCS", "çşÇŞ", '\u{327}'),
    text_accent('r', "auAU", "åůÅŮ", '\u{30a}'),
    text_accent('k', "aeAE", "ąęĄĘ", '\u{328}'),
];

/// A [`TextAccent`].
const fn text_accent(
    mark: char,
    bases: &'static str,
    composed: &'static str,
    combining: char,
) -> TextAccent {
    TextAccent {
        mark,
        bases,
        composed,
        combining,
    }
}

/// The accent `\mark`.
fn accent_of(mark: char) -> Option<&'static TextAccent> {
    ACCENTS.iter().find(|accent| accent.mark == mark)
}

/// Converts the prose of one text, piece by piece: a `\textbf{` before a math
/// span is closed by the `}` after it.
#[derive(Default)]
pub(super) struct Prose {
    closers: Vec<&'static str>,
}

impl Prose {
    /// Appends the characters `text` stands for to `out`.
    pub(super) fn convert(&mut self, text: &str, out: &mut String) {
        let mut converter = Converter {
            closers: &mut self.closers,
            strict: false,
            depth: 0,
            failed: false,
        };
        converter.run(text, out);
    }
}

/// The text inside `\text{…}` in math; `None` if it holds something this module
/// cannot show faithfully (an unknown command, nested math).
pub(super) fn math_text(raw: &str) -> Option<String> {
    convert_nested(raw, true, 0)
}

/// Converts an argument on its own.
fn convert_nested(raw: &str, strict: bool, depth: usize) -> Option<String> {
    let mut closers = Vec::new();
    let mut converter = Converter {
        closers: &mut closers,
        strict,
        depth,
        failed: false,
    };
    let mut out = String::with_capacity(raw.len());
    converter.run(raw, &mut out);
    let failed = converter.failed;
    (!failed && (!strict || closers.is_empty())).then_some(out)
}

/// One pass over some text.
struct Converter<'c> {
    /// What each open brace prints when it closes.
    closers: &'c mut Vec<&'static str>,
    /// Inside math: braces only group, unknown commands fail.
    strict: bool,
    /// How deep in `\href` arguments this pass is.
    depth: usize,
    /// A strict pass met something it cannot show.
    failed: bool,
}

impl Converter<'_> {
    /// Converts `text` into `out`.
    fn run(&mut self, text: &str, out: &mut String) {
        let mut cur = Cursor { text, pos: 0 };
        while !self.failed
            && let Some(c) = cur.bump()
        {
            match c {
                '\\' => self.command(&mut cur, out),
                '{' => self.open(&cur, out),
                '}' => self.close(out),
                '~' => out.push(if self.strict || is_tie(&cur) {
                    NO_BREAK_SPACE
                } else {
                    '~'
                }),
                '`' if cur.eat('`') => out.push('“'),
                '\'' if cur.eat('\'') => out.push('”'),
                '$' if self.strict => self.failed = true,
                c if self.strict && c.is_whitespace() => out.push(' '),
                c => out.push(c),
            }
        }
    }

    /// Something unknown, written as `raw`: kept in prose, a failure in math.
    fn unknown(&mut self, raw: &str, out: &mut String) {
        if self.strict {
            self.failed = true;
        } else {
            out.push_str(raw);
        }
    }

    /// An opening brace: invisible grouping in math and before a switch
    /// (`{\bf x}`), a literal brace elsewhere in prose.
    fn open(&mut self, cur: &Cursor<'_>, out: &mut String) {
        if self.strict || starts_with_switch(cur.rest()) {
            self.closers.push("");
        } else {
            self.closers.push("}");
            out.push('{');
        }
    }

    /// A closing brace: what its opening asked for.
    fn close(&mut self, out: &mut String) {
        match self.closers.pop() {
            Some(closer) => out.push_str(closer),
            None => self.unknown("}", out),
        }
    }

    /// A command, after its backslash.
    fn command(&mut self, cur: &mut Cursor<'_>, out: &mut String) {
        match cur.peek() {
            None => self.unknown("\\", out),
            Some(c) if c.is_ascii_alphabetic() => {
                let name = cur.take_letters();
                self.word_command(name, cur, out);
            }
            Some(c) => {
                cur.bump();
                self.symbol_command(c, cur, out);
            }
        }
    }

    /// `\%`, `\,`, `\'e` and other one-character commands.
    fn symbol_command(&mut self, c: char, cur: &mut Cursor<'_>, out: &mut String) {
        match c {
            '%' | '&' | '$' | '#' | '_' | '{' | '}' => out.push(c),
            ' ' | '\n' | '\t' => out.push(' '),
            ',' => out.push('\u{202f}'),
            '-' | '/' | '@' => {}
            '\'' if is_escaped_apostrophe(cur.rest()) => out.push('\''),
            c => match accent_of(c) {
                Some(accent) => match accent_argument(cur, false) {
                    Some(base) => compose(base, accent, out),
                    None => out.push(c),
                },
                None => self.unknown(&format!("\\{c}"), out),
            },
        }
    }

    /// `\name`, its letters read.
    fn word_command(&mut self, name: &str, cur: &mut Cursor<'_>, out: &mut String) {
        if let Some((_, symbol)) = SYMBOLS.iter().find(|(key, _)| *key == name) {
            out.push_str(symbol);
            cur.eat_str("{}");
        } else if is_switch(name) {
            cur.eat(' ');
        } else if WRAPPERS.contains(&name) && cur.eat('{') {
            self.closers.push("");
        } else if !self.argument_command(name, cur, out) {
            self.unknown(&format!("\\{name}"), out);
        }
    }

    /// Commands with arguments read ahead; `false` if `name` is none of them or
    /// its arguments are not there.
    fn argument_command(&mut self, name: &str, cur: &mut Cursor<'_>, out: &mut String) -> bool {
        match name {
            "footnote" if cur.eat('{') => {
                out.push_str(" (");
                self.closers.push(")");
                true
            }
            "textcolor" if cur.skip_group() && cur.eat('{') => {
                self.closers.push("");
                true
            }
            "color" => {
                cur.skip_optional();
                cur.skip_group()
            }
            "href" => self.href(cur, out),
            "textsuperscript" => self.script(Script::Sup, cur, out),
            "textsubscript" => self.script(Script::Sub, cur, out),
            _ => self.letter_accent(name, cur, out),
        }
    }

    /// `\href{url}{text}`: the text, then the address if it differs.
    fn href(&mut self, cur: &mut Cursor<'_>, out: &mut String) -> bool {
        let start = cur.pos;
        let parts = cur.group().zip(cur.group());
        let Some((url, text)) = parts.filter(|_| self.depth < MAX_NESTING) else {
            cur.pos = start;
            return false;
        };
        let Some(text) = self.nested(text) else {
            return true;
        };
        out.push_str(&text);
        if text.trim() != url.trim() {
            out.push_str(&format!(" ({})", url.trim()));
        }
        true
    }

    /// `\textsuperscript{…}`, `\textsubscript{…}`.
    fn script(&mut self, script: Script, cur: &mut Cursor<'_>, out: &mut String) -> bool {
        let start = cur.pos;
        let Some(raw) = cur.group().filter(|_| self.depth < MAX_NESTING) else {
            cur.pos = start;
            return false;
        };
        if let Some(text) = self.nested(raw) {
            out.push_str(&plain::script_text(&text, script));
        }
        true
    }

    /// `raw` converted on its own, one level deeper; a failure fails this pass.
    fn nested(&mut self, raw: &str) -> Option<String> {
        let converted = convert_nested(raw, self.strict, self.depth + 1);
        self.failed |= converted.is_none();
        converted
    }

    /// `\c{c}`, `\v{s}` and other accents named by a letter.
    fn letter_accent(&mut self, name: &str, cur: &mut Cursor<'_>, out: &mut String) -> bool {
        let mut chars = name.chars();
        let (Some(mark), None) = (chars.next(), chars.next()) else {
            return false;
        };
        let Some(accent) = accent_of(mark) else {
            return false;
        };
        match accent_argument(cur, true) {
            Some(base) => {
                compose(base, accent, out);
                true
            }
            None => false,
        }
    }
}

/// A position in some text.
struct Cursor<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Cursor<'t> {
    /// The text not yet read.
    fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    /// The next character.
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// The character before the last one read.
    fn before_last(&self) -> Option<char> {
        let mut read = self.text[..self.pos].chars();
        read.next_back();
        read.next_back()
    }

    /// Reads the next character.
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Reads `c` if it comes next.
    fn eat(&mut self, c: char) -> bool {
        self.eat_str(c.encode_utf8(&mut [0; 4]))
    }

    /// Reads `s` if it comes next.
    fn eat_str(&mut self, s: &str) -> bool {
        let next = self.rest().starts_with(s);
        if next {
            self.pos += s.len();
        }
        next
    }

    /// Reads a run of ASCII letters.
    fn take_letters(&mut self) -> &'t str {
        let rest = self.rest();
        let len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    /// Reads a braced group (balanced, escapes skipped, not too long) and
    /// returns what is inside; reads nothing if there is none.
    fn group(&mut self) -> Option<&'t str> {
        let inner = self.rest().strip_prefix('{')?;
        let mut depth = 0usize;
        let mut escaped = false;
        // Braces and backslashes are ASCII: a byte scan stops only on character
        // boundaries.
        for (i, byte) in inner.bytes().enumerate().take(MAX_ARGUMENT) {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'{' => depth += 1,
                b'}' if depth == 0 => {
                    self.pos += i + 2;
                    return Some(&inner[..i]);
                }
                b'}' => depth -= 1,
                _ => {}
            }
        }
        None
    }

    /// Skips a braced group; whether there was one.
    fn skip_group(&mut self) -> bool {
        self.group().is_some()
    }

    /// Skips an optional argument in brackets (`\color[RGB]{…}`).
    fn skip_optional(&mut self) {
        let rest = self.rest();
        if !rest.starts_with('[') {
            return;
        }
        if let Some(end) = rest.bytes().take(MAX_ARGUMENT).position(|b| b == b']') {
            self.pos += end + 1;
        }
    }
}

/// Whether `\'` before `rest` is an apostrophe someone escaped (`GPT-4o\'s`,
/// `don\'t`) rather than an acute accent: `ś` and `ť` do not end English words.
fn is_escaped_apostrophe(rest: &str) -> bool {
    let mut chars = rest.chars();
    matches!(chars.next(), Some('s' | 't')) && !chars.next().is_some_and(char::is_alphabetic)
}

/// Whether `rest` begins with a font or size switch, `\bf x`.
fn starts_with_switch(rest: &str) -> bool {
    let Some(after) = rest.strip_prefix('\\') else {
        return false;
    };
    let len = after
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(after.len());
    is_switch(&after[..len])
}

/// Whether the `~` just read is a tie (`Fig.~2`, `models~(LLMs)`) rather than
/// "about" (`~25K`) or a range (`3~5`).
fn is_tie(cur: &Cursor<'_>) -> bool {
    let (Some(before), Some(after)) = (cur.before_last(), cur.peek()) else {
        return false;
    };
    let joins_before =
        before.is_alphanumeric() || matches!(before, '.' | ',' | ':' | ')' | ']' | '}');
    let joins_after = after.is_alphanumeric() || matches!(after, '(' | '[' | '\\' | '$');
    let range = before.is_ascii_digit() && after.is_ascii_digit();
    joins_before && joins_after && !range
}

/// The letter an accent command applies to: `{e}`, `{\i}`, or (unless
/// `braced_only`) a letter right after it.
fn accent_argument(cur: &mut Cursor<'_>, braced_only: bool) -> Option<char> {
    let rest = cur.rest();
    for (form, base) in [("{\\i}", 'i'), ("{\\j}", 'j')] {
        if rest.starts_with(form) {
            cur.pos += form.len();
            return Some(base);
        }
    }
    let mut chars = rest.chars();
    let (found, len) = match (chars.next(), chars.next(), chars.next()) {
        (Some('{'), Some(c), Some('}')) if c.is_alphabetic() => (c, 2 + c.len_utf8()),
        (Some(c), ..) if c.is_ascii_alphabetic() && !braced_only => (c, 1),
        _ => return None,
    };
    cur.pos += len;
    Some(found)
}

/// `base` with `accent`: precomposed if Unicode has it, else with a combining
/// character.
fn compose(base: char, accent: &TextAccent, out: &mut String) {
    match accent.bases.chars().position(|b| b == base) {
        Some(i) => out.extend(accent.composed.chars().nth(i)),
        None => {
            out.push(base);
            out.push(accent.combining);
        }
    }
}
