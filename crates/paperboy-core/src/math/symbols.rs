//! What the math commands without arguments stand for: letters, symbols,
//! operators, functions, spaces, font switches.

use super::alphabet::Style;

/// TeX's class of an operator: it decides the spacing around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    /// An ordinary symbol that happens to be an operator (`!`, `′`).
    Ord,
    /// A binary operator: `+`, `×`, `∪`.
    Bin,
    /// A relation: `=`, `≤`, `→`, `∈`.
    Rel,
    /// Punctuation: `,`, `;`.
    Punct,
    /// An opening delimiter: `(`, `⟨`, `⌊`.
    Open,
    /// A closing delimiter: `)`, `⟩`, `⌋`.
    Close,
    /// A delimiter that opens or closes: `|`, `‖`, `/`.
    Fence,
    /// A large operator: `∑`, `∫`; with limits, its scripts go under and over it.
    Large {
        /// Whether scripts are limits (`∑`) rather than side scripts (`∫`).
        limits: bool,
    },
}

/// Command name → letter (`mi`): Greek and letter-like symbols.
const LETTERS: &[(&str, char)] = &[
    ("alpha", 'α'),
    ("beta", 'β'),
    ("gamma", 'γ'),
    ("delta", 'δ'),
    ("epsilon", 'ϵ'),
    ("varepsilon", 'ε'),
    ("zeta", 'ζ'),
    ("eta", 'η'),
    ("theta", 'θ'),
    ("vartheta", 'ϑ'),
    ("iota", 'ι'),
    ("kappa", 'κ'),
    ("varkappa", 'ϰ'),
    ("lambda", 'λ'),
    ("mu", 'μ'),
    ("nu", 'ν'),
    ("xi", 'ξ'),
    ("omicron", 'ο'),
    ("pi", 'π'),
    ("varpi", 'ϖ'),
    ("rho", 'ρ'),
    ("varrho", 'ϱ'),
    ("sigma", 'σ'),
    ("varsigma", 'ς'),
    ("tau", 'τ'),
    ("upsilon", 'υ'),
    ("phi", 'ϕ'),
    ("varphi", 'φ'),
    ("chi", 'χ'),
    ("psi", 'ψ'),
    ("omega", 'ω'),
    ("digamma", 'ϝ'),
    ("Gamma", 'Γ'),
    ("Delta", 'Δ'),
    ("Theta", 'Θ'),
    ("Lambda", 'Λ'),
    ("Xi", 'Ξ'),
    ("Pi", 'Π'),
    ("Sigma", 'Σ'),
    ("Upsilon", 'Υ'),
    ("Phi", 'Φ'),
    ("Psi", 'Ψ'),
    ("Omega", 'Ω'),
    ("varGamma", 'Γ'),
    ("varDelta", 'Δ'),
    ("varTheta", 'Θ'),
    ("varLambda", 'Λ'),
    ("varPi", 'Π'),
    ("varSigma", 'Σ'),
    ("varPhi", 'Φ'),
    ("varPsi", 'Ψ'),
    ("varOmega", 'Ω'),
    ("infty", '∞'),
    ("partial", '∂'),
    ("nabla", '∇'),
    ("ell", 'ℓ'),
    ("hbar", 'ℏ'),
    ("hslash", 'ℏ'),
    ("imath", 'ı'),
    ("jmath", 'ȷ'),
    ("aleph", 'ℵ'),
    ("beth", 'ℶ'),
    ("Re", 'ℜ'),
    ("Im", 'ℑ'),
    ("wp", '℘'),
    ("emptyset", '∅'),
    ("varnothing", '∅'),
    ("top", '⊤'),
    ("bot", '⊥'),
    ("angle", '∠'),
    ("triangle", '△'),
    ("square", '□'),
    ("Box", '□'),
    ("Diamond", '◇'),
    ("blacksquare", '■'),
    ("checkmark", '✓'),
    ("circledR", '®'),
    ("copyright", '©'),
    ("degree", '°'),
    ("bigstar", '★'),
    ("flat", '♭'),
    ("sharp", '♯'),
    ("natural", '♮'),
    ("clubsuit", '♣'),
    ("diamondsuit", '♢'),
    ("heartsuit", '♡'),
    ("spadesuit", '♠'),
    ("mho", '℧'),
    ("eth", 'ð'),
    ("complement", '∁'),
    ("surd", '√'),
    ("S", '§'),
    ("P", '¶'),
    ("ldots", '…'),
    ("dots", '…'),
    ("dotsc", '…'),
    ("dotso", '…'),
    ("cdots", '⋯'),
    ("dotsb", '⋯'),
    ("dotsm", '⋯'),
    ("dotsi", '⋯'),
    ("vdots", '⋮'),
    ("ddots", '⋱'),
    ("%", '%'),
    ("#", '#'),
    ("$", '$'),
    ("_", '_'),
];

/// Command name → operator (`mo`) and its class.
const OPERATORS: &[(&str, char, Class)] = &[
    ("forall", '∀', Class::Ord),
    ("exists", '∃', Class::Ord),
    ("nexists", '∄', Class::Ord),
    ("neg", '¬', Class::Ord),
    ("lnot", '¬', Class::Ord),
    ("prime", '′', Class::Ord),
    ("backprime", '‵', Class::Ord),
    ("&", '&', Class::Ord),
    ("times", '×', Class::Bin),
    ("div", '÷', Class::Bin),
    ("cdot", '⋅', Class::Bin),
    ("pm", '±', Class::Bin),
    ("mp", '∓', Class::Bin),
    ("circ", '∘', Class::Bin),
    ("bullet", '∙', Class::Bin),
    ("ast", '∗', Class::Bin),
    ("star", '⋆', Class::Bin),
    ("cup", '∪', Class::Bin),
    ("cap", '∩', Class::Bin),
    ("sqcup", '⊔', Class::Bin),
    ("sqcap", '⊓', Class::Bin),
    ("wedge", '∧', Class::Bin),
    ("land", '∧', Class::Bin),
    ("vee", '∨', Class::Bin),
    ("lor", '∨', Class::Bin),
    ("oplus", '⊕', Class::Bin),
    ("ominus", '⊖', Class::Bin),
    ("otimes", '⊗', Class::Bin),
    ("oslash", '⊘', Class::Bin),
    ("odot", '⊙', Class::Bin),
    ("uplus", '⊎', Class::Bin),
    ("setminus", '∖', Class::Bin),
    ("smallsetminus", '∖', Class::Bin),
    ("dagger", '†', Class::Bin),
    ("ddagger", '‡', Class::Bin),
    ("wr", '≀', Class::Bin),
    ("diamond", '⋄', Class::Bin),
    ("triangleleft", '◃', Class::Bin),
    ("triangleright", '▹', Class::Bin),
    ("bigtriangleup", '△', Class::Bin),
    ("bigtriangledown", '▽', Class::Bin),
    ("boxtimes", '⊠', Class::Bin),
    ("boxplus", '⊞', Class::Bin),
    ("boxdot", '⊡', Class::Bin),
    ("amalg", '⨿', Class::Bin),
    ("leq", '≤', Class::Rel),
    ("le", '≤', Class::Rel),
    ("geq", '≥', Class::Rel),
    ("ge", '≥', Class::Rel),
    ("leqslant", '⩽', Class::Rel),
    ("geqslant", '⩾', Class::Rel),
    ("lt", '<', Class::Rel),
    ("gt", '>', Class::Rel),
    ("neq", '≠', Class::Rel),
    ("ne", '≠', Class::Rel),
    ("nleq", '≰', Class::Rel),
    ("ngeq", '≱', Class::Rel),
    ("approx", '≈', Class::Rel),
    ("approxeq", '≊', Class::Rel),
    ("sim", '∼', Class::Rel),
    ("nsim", '≁', Class::Rel),
    ("simeq", '≃', Class::Rel),
    ("cong", '≅', Class::Rel),
    ("ncong", '≇', Class::Rel),
    ("equiv", '≡', Class::Rel),
    ("propto", '∝', Class::Rel),
    ("asymp", '≍', Class::Rel),
    ("doteq", '≐', Class::Rel),
    ("triangleq", '≜', Class::Rel),
    ("coloneqq", '≔', Class::Rel),
    ("lesssim", '≲', Class::Rel),
    ("gtrsim", '≳', Class::Rel),
    ("ll", '≪', Class::Rel),
    ("gg", '≫', Class::Rel),
    ("lll", '⋘', Class::Rel),
    ("ggg", '⋙', Class::Rel),
    ("prec", '≺', Class::Rel),
    ("succ", '≻', Class::Rel),
    ("preceq", '⪯', Class::Rel),
    ("succeq", '⪰', Class::Rel),
    ("preccurlyeq", '≼', Class::Rel),
    ("succcurlyeq", '≽', Class::Rel),
    ("in", '∈', Class::Rel),
    ("notin", '∉', Class::Rel),
    ("ni", '∋', Class::Rel),
    ("owns", '∋', Class::Rel),
    ("subset", '⊂', Class::Rel),
    ("supset", '⊃', Class::Rel),
    ("subseteq", '⊆', Class::Rel),
    ("supseteq", '⊇', Class::Rel),
    ("subsetneq", '⊊', Class::Rel),
    ("supsetneq", '⊋', Class::Rel),
    ("nsubseteq", '⊈', Class::Rel),
    ("sqsubset", '⊏', Class::Rel),
    ("sqsupset", '⊐', Class::Rel),
    ("sqsubseteq", '⊑', Class::Rel),
    ("sqsupseteq", '⊒', Class::Rel),
    ("mid", '∣', Class::Rel),
    ("nmid", '∤', Class::Rel),
    ("parallel", '∥', Class::Rel),
    ("nparallel", '∦', Class::Rel),
    ("perp", '⟂', Class::Rel),
    ("vdash", '⊢', Class::Rel),
    ("dashv", '⊣', Class::Rel),
    ("models", '⊨', Class::Rel),
    ("vDash", '⊨', Class::Rel),
    ("nvDash", '⊭', Class::Rel),
    ("to", '→', Class::Rel),
    ("rightarrow", '→', Class::Rel),
    ("gets", '←', Class::Rel),
    ("leftarrow", '←', Class::Rel),
    ("leftrightarrow", '↔', Class::Rel),
    ("Rightarrow", '⇒', Class::Rel),
    ("Leftarrow", '⇐', Class::Rel),
    ("Leftrightarrow", '⇔', Class::Rel),
    ("longrightarrow", '⟶', Class::Rel),
    ("longleftarrow", '⟵', Class::Rel),
    ("longleftrightarrow", '⟷', Class::Rel),
    ("Longrightarrow", '⟹', Class::Rel),
    ("Longleftarrow", '⟸', Class::Rel),
    ("Longleftrightarrow", '⟺', Class::Rel),
    ("implies", '⟹', Class::Rel),
    ("impliedby", '⟸', Class::Rel),
    ("iff", '⟺', Class::Rel),
    ("mapsto", '↦', Class::Rel),
    ("longmapsto", '⟼', Class::Rel),
    ("hookrightarrow", '↪', Class::Rel),
    ("hookleftarrow", '↩', Class::Rel),
    ("rightsquigarrow", '⇝', Class::Rel),
    ("leadsto", '⇝', Class::Rel),
    ("nrightarrow", '↛', Class::Rel),
    ("nleftarrow", '↚', Class::Rel),
    ("uparrow", '↑', Class::Rel),
    ("downarrow", '↓', Class::Rel),
    ("updownarrow", '↕', Class::Rel),
    ("Uparrow", '⇑', Class::Rel),
    ("Downarrow", '⇓', Class::Rel),
    ("nearrow", '↗', Class::Rel),
    ("searrow", '↘', Class::Rel),
    ("nwarrow", '↖', Class::Rel),
    ("swarrow", '↙', Class::Rel),
    ("rightleftharpoons", '⇌', Class::Rel),
    ("rightharpoonup", '⇀', Class::Rel),
    ("colon", ':', Class::Punct),
    ("sum", '∑', Class::Large { limits: true }),
    ("prod", '∏', Class::Large { limits: true }),
    ("coprod", '∐', Class::Large { limits: true }),
    ("bigcup", '⋃', Class::Large { limits: true }),
    ("bigcap", '⋂', Class::Large { limits: true }),
    ("bigsqcup", '⨆', Class::Large { limits: true }),
    ("bigvee", '⋁', Class::Large { limits: true }),
    ("bigwedge", '⋀', Class::Large { limits: true }),
    ("bigoplus", '⨁', Class::Large { limits: true }),
    ("bigotimes", '⨂', Class::Large { limits: true }),
    ("bigodot", '⨀', Class::Large { limits: true }),
    ("biguplus", '⨄', Class::Large { limits: true }),
    ("int", '∫', Class::Large { limits: false }),
    ("iint", '∬', Class::Large { limits: false }),
    ("iiint", '∭', Class::Large { limits: false }),
    ("oint", '∮', Class::Large { limits: false }),
];

/// Command name → delimiter, usable plainly or after `\left`, `\right`, `\big`.
const DELIMITERS: &[(&str, char, Class)] = &[
    ("{", '{', Class::Open),
    ("}", '}', Class::Close),
    ("lbrace", '{', Class::Open),
    ("rbrace", '}', Class::Close),
    ("lbrack", '[', Class::Open),
    ("rbrack", ']', Class::Close),
    ("langle", '⟨', Class::Open),
    ("rangle", '⟩', Class::Close),
    ("lfloor", '⌊', Class::Open),
    ("rfloor", '⌋', Class::Close),
    ("lceil", '⌈', Class::Open),
    ("rceil", '⌉', Class::Close),
    ("llbracket", '⟦', Class::Open),
    ("rrbracket", '⟧', Class::Close),
    ("lvert", '|', Class::Open),
    ("rvert", '|', Class::Close),
    ("lVert", '‖', Class::Open),
    ("rVert", '‖', Class::Close),
    ("vert", '|', Class::Fence),
    ("Vert", '‖', Class::Fence),
    ("|", '‖', Class::Fence),
    ("backslash", '∖', Class::Fence),
];

/// Operator names set upright; `true` when their scripts are limits (`\lim`).
const FUNCTIONS: &[(&str, bool)] = &[
    ("log", false),
    ("ln", false),
    ("lg", false),
    ("exp", false),
    ("sin", false),
    ("cos", false),
    ("tan", false),
    ("cot", false),
    ("sec", false),
    ("csc", false),
    ("sinh", false),
    ("cosh", false),
    ("tanh", false),
    ("coth", false),
    ("arcsin", false),
    ("arccos", false),
    ("arctan", false),
    ("arg", false),
    ("deg", false),
    ("dim", false),
    ("hom", false),
    ("ker", false),
    ("det", true),
    ("gcd", true),
    ("Pr", true),
    ("lim", true),
    ("liminf", true),
    ("limsup", true),
    ("max", true),
    ("min", true),
    ("sup", true),
    ("inf", true),
    ("argmax", true),
    ("argmin", true),
];

/// Spacing commands and their width in mu (18 mu = 1 em).
const SPACES: &[(&str, i32)] = &[
    (",", 3),
    ("thinspace", 3),
    (":", 4),
    (">", 4),
    ("medspace", 4),
    (";", 5),
    ("thickspace", 5),
    ("!", -3),
    ("negthinspace", -3),
    (" ", 6),
    ("space", 6),
    ("enspace", 9),
    ("quad", 18),
    ("qquad", 36),
];

/// Commands that set the style of their argument: `\mathbf{x}`.
const STYLE_COMMANDS: &[(&str, Style)] = &[
    ("mathrm", Style::Upright),
    ("mathup", Style::Upright),
    ("mathbf", Style::Bold),
    ("mathit", Style::Italic),
    ("boldsymbol", Style::BoldItalic),
    ("bm", Style::BoldItalic),
    ("mathcal", Style::Script),
    ("mathscr", Style::Script),
    ("mathfrak", Style::Fraktur),
    ("mathbb", Style::DoubleStruck),
    ("mathsf", Style::SansSerif),
    ("mathtt", Style::Monospace),
    ("mathnormal", Style::Normal),
];

/// Old-style switches that set the style of the rest of the group: `{\bf x}`.
const STYLE_SWITCHES: &[(&str, Style)] = &[
    ("rm", Style::Upright),
    ("bf", Style::Bold),
    ("it", Style::Italic),
    ("cal", Style::Script),
    ("sf", Style::SansSerif),
    ("tt", Style::Monospace),
    ("boldmath", Style::BoldItalic),
];

/// Commands that take a text-mode argument, and the style of that text.
const TEXT_COMMANDS: &[(&str, Style)] = &[
    ("text", Style::Upright),
    ("textrm", Style::Upright),
    ("textnormal", Style::Upright),
    ("textup", Style::Upright),
    ("mbox", Style::Upright),
    ("hbox", Style::Upright),
    ("textbf", Style::Bold),
    ("textit", Style::Italic),
    ("textsl", Style::Italic),
    ("emph", Style::Italic),
    ("textsf", Style::SansSerif),
    ("texttt", Style::Monospace),
];

/// Font-size commands, in math and in prose: drawn as nothing.
pub(super) const SIZES: &[&str] = &[
    "tiny",
    "scriptsize",
    "footnotesize",
    "small",
    "normalsize",
    "large",
    "Large",
    "LARGE",
    "huge",
    "Huge",
];

/// Commands that change only TeX's internals (or sizes, [`SIZES`]): drawn as nothing.
const IGNORED: &[&str] = &[
    "displaystyle",
    "textstyle",
    "scriptstyle",
    "scriptscriptstyle",
    "big",
    "Big",
    "bigg",
    "Bigg",
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
    "biggl",
    "biggr",
    "Biggl",
    "Biggr",
    "bigm",
    "Bigm",
    "nonumber",
    "notag",
    "mathstrut",
    "strut",
    "allowbreak",
    "nobreak",
];

/// An accent over (or under) its argument.
#[derive(Debug)]
pub(super) struct Accent {
    /// The command name.
    pub name: &'static str,
    /// The character MathML draws over or under the base.
    pub mark: char,
    /// Whether the mark stretches to the width of the base.
    pub stretchy: bool,
    /// Whether the mark goes under the base.
    pub under: bool,
    /// The combining character plain text uses, if there is one.
    pub combining: Option<char>,
}

/// The accents, by command name.
const ACCENTS: &[Accent] = &[
    accent("hat", '^', false, Some('\u{302}')),
    accent("widehat", '^', true, Some('\u{302}')),
    accent("tilde", '~', false, Some('\u{303}')),
    accent("widetilde", '~', true, Some('\u{303}')),
    accent("bar", '¯', false, Some('\u{304}')),
    accent("overline", '‾', true, Some('\u{305}')),
    accent("vec", '→', false, Some('\u{20d7}')),
    accent("overrightarrow", '→', true, Some('\u{20d7}')),
    accent("overleftarrow", '←', true, Some('\u{20d6}')),
    accent("dot", '˙', false, Some('\u{307}')),
    accent("ddot", '¨', false, Some('\u{308}')),
    accent("check", 'ˇ', false, Some('\u{30c}')),
    accent("breve", '˘', false, Some('\u{306}')),
    accent("acute", '´', false, Some('\u{301}')),
    accent("grave", '`', false, Some('\u{300}')),
    accent("mathring", '˚', false, Some('\u{30a}')),
    accent("overbrace", '⏞', true, None),
    accent("Hat", '^', false, Some('\u{302}')),
    accent("Tilde", '~', false, Some('\u{303}')),
    accent("Bar", '¯', false, Some('\u{304}')),
    accent("Vec", '→', false, Some('\u{20d7}')),
    accent("Dot", '˙', false, Some('\u{307}')),
    accent("Ddot", '¨', false, Some('\u{308}')),
    accent("Check", 'ˇ', false, Some('\u{30c}')),
    accent("Breve", '˘', false, Some('\u{306}')),
    accent("Acute", '´', false, Some('\u{301}')),
    accent("Grave", '`', false, Some('\u{300}')),
    Accent {
        name: "underline",
        mark: '_',
        stretchy: true,
        under: true,
        combining: Some('\u{332}'),
    },
    Accent {
        name: "underbrace",
        mark: '⏟',
        stretchy: true,
        under: true,
        combining: None,
    },
];

/// An accent over its base.
const fn accent(name: &'static str, mark: char, stretchy: bool, combining: Option<char>) -> Accent {
    Accent {
        name,
        mark,
        stretchy,
        under: false,
        combining,
    }
}

/// The value `name` maps to in `table`.
fn find<T: Copy>(table: &[(&str, T)], name: &str) -> Option<T> {
    table.iter().find(|(key, _)| *key == name).map(|(_, v)| *v)
}

/// The letter `\name` stands for.
pub(super) fn letter(name: &str) -> Option<char> {
    find(LETTERS, name).or_else(|| upright_greek(name))
}

/// `\upalpha`, `\upmu` (the upgreek package): the Greek letter.
fn upright_greek(name: &str) -> Option<char> {
    name.strip_prefix("up")
        .and_then(|greek| find(LETTERS, greek))
        .filter(|c| ('α'..='ω').contains(c) || ('Γ'..='Ω').contains(c))
}

/// The operator `\name` stands for, with its class.
pub(super) fn operator(name: &str) -> Option<(char, Class)> {
    OPERATORS
        .iter()
        .chain(DELIMITERS)
        .find(|(key, _, _)| *key == name)
        .map(|(_, c, class)| (*c, *class))
}

/// The delimiter `\name` stands for (after `\left`, `\right`, `\middle`).
pub(super) fn delimiter(name: &str) -> Option<char> {
    DELIMITERS
        .iter()
        .find(|(key, _, _)| *key == name)
        .map(|(_, c, _)| *c)
}

/// The class of an operator character written as itself (`+`, `≤`, `→`), if it
/// is one.
pub(super) fn class_of(c: char) -> Option<Class> {
    let class = match c {
        '+' | '-' | '*' => Class::Bin,
        '=' | '<' | '>' | ':' => Class::Rel,
        ',' | ';' => Class::Punct,
        '(' | '[' => Class::Open,
        ')' | ']' => Class::Close,
        '|' | '/' => Class::Fence,
        '!' | '?' => Class::Ord,
        _ => {
            return OPERATORS
                .iter()
                .chain(DELIMITERS)
                .find(|(_, symbol, _)| *symbol == c)
                .map(|(_, _, class)| *class);
        }
    };
    Some(class)
}

/// `\name` as an operator name: whether its scripts are limits.
pub(super) fn function(name: &str) -> Option<bool> {
    find(FUNCTIONS, name)
}

/// The width in mu of the spacing command `\name`.
pub(super) fn space(name: &str) -> Option<i32> {
    find(SPACES, name)
}

/// The style `\name{…}` gives its argument.
pub(super) fn style_command(name: &str) -> Option<Style> {
    find(STYLE_COMMANDS, name)
}

/// The style `\name` gives the rest of its group.
pub(super) fn style_switch(name: &str) -> Option<Style> {
    find(STYLE_SWITCHES, name)
}

/// The style of the text in `\name{…}`, if `\name` takes text.
pub(super) fn text_command(name: &str) -> Option<Style> {
    find(TEXT_COMMANDS, name)
}

/// Whether `\name` changes only how big things are.
pub(super) fn ignored(name: &str) -> bool {
    IGNORED.contains(&name) || SIZES.contains(&name)
}

/// The accent `\name`.
pub(super) fn accent_named(name: &str) -> Option<&'static Accent> {
    ACCENTS.iter().find(|a| a.name == name)
}

/// The character for `c` struck through (`\not=` is ≠), if Unicode has one.
pub(super) fn negated(c: char) -> Option<char> {
    let found = match c {
        '=' => '≠',
        '<' => '≮',
        '>' => '≯',
        '≤' => '≰',
        '≥' => '≱',
        '∈' => '∉',
        '∋' => '∌',
        '≡' => '≢',
        '∼' => '≁',
        '≈' => '≉',
        '≃' => '≄',
        '≅' => '≇',
        '⊂' => '⊄',
        '⊃' => '⊅',
        '⊆' => '⊈',
        '⊇' => '⊉',
        '∣' | '|' => '∤',
        '∥' => '∦',
        '⊢' => '⊬',
        '⊨' => '⊭',
        '≺' => '⊀',
        '≻' => '⊁',
        '∃' => '∄',
        '→' => '↛',
        '←' => '↚',
        _ => return None,
    };
    Some(found)
}
