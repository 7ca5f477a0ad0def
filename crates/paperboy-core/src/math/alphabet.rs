//! Font styles of math letters and their Unicode "Mathematical Alphanumeric
//! Symbols": MathML Core draws `\mathbb{R}` as the character ℝ, not as an `R` with
//! an attribute.

/// How the letters of a piece of math are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Style {
    /// TeX's default: one-letter identifiers italic, the rest upright.
    Normal,
    /// `\mathrm`, `\operatorname`, `\text`: upright.
    Upright,
    /// `\mathbf`, `\textbf`.
    Bold,
    /// `\mathit`, `\textit`, `\emph`.
    Italic,
    /// `\boldsymbol`, `\bm`.
    BoldItalic,
    /// `\mathcal`, `\mathscr`.
    Script,
    /// `\mathfrak`.
    Fraktur,
    /// `\mathbb`.
    DoubleStruck,
    /// `\mathsf`, `\textsf`.
    SansSerif,
    /// `\mathtt`, `\texttt`.
    Monospace,
}

impl Style {
    /// Whether a letter in this style stands upright (the MathML default for a
    /// one-letter `<mi>` is italic).
    pub(super) fn is_upright(self) -> bool {
        !matches!(self, Style::Normal | Style::Italic | Style::BoldItalic)
    }
}

/// Where the 52 Latin letters (A–Z then a–z) of a style start, if it has them.
fn latin_base(style: Style) -> Option<u32> {
    match style {
        Style::Bold => Some(0x1D400),
        Style::Italic => Some(0x1D434),
        Style::BoldItalic => Some(0x1D468),
        Style::Script => Some(0x1D49C),
        Style::Fraktur => Some(0x1D504),
        Style::DoubleStruck => Some(0x1D538),
        Style::SansSerif => Some(0x1D5A0),
        Style::Monospace => Some(0x1D670),
        Style::Normal | Style::Upright => None,
    }
}

/// Letters Unicode encoded before the mathematical block (the block leaves a
/// hole where they would be).
fn latin_exception(style: Style, c: char) -> Option<char> {
    let found = match (style, c) {
        (Style::Italic, 'h') => 'ℎ',
        (Style::Script, 'B') => 'ℬ',
        (Style::Script, 'E') => 'ℰ',
        (Style::Script, 'F') => 'ℱ',
        (Style::Script, 'H') => 'ℋ',
        (Style::Script, 'I') => 'ℐ',
        (Style::Script, 'L') => 'ℒ',
        (Style::Script, 'M') => 'ℳ',
        (Style::Script, 'R') => 'ℛ',
        (Style::Script, 'e') => 'ℯ',
        (Style::Script, 'g') => 'ℊ',
        (Style::Script, 'o') => 'ℴ',
        (Style::Fraktur, 'C') => 'ℭ',
        (Style::Fraktur, 'H') => 'ℌ',
        (Style::Fraktur, 'I') => 'ℑ',
        (Style::Fraktur, 'R') => 'ℜ',
        (Style::Fraktur, 'Z') => 'ℨ',
        (Style::DoubleStruck, 'C') => 'ℂ',
        (Style::DoubleStruck, 'H') => 'ℍ',
        (Style::DoubleStruck, 'N') => 'ℕ',
        (Style::DoubleStruck, 'P') => 'ℙ',
        (Style::DoubleStruck, 'Q') => 'ℚ',
        (Style::DoubleStruck, 'R') => 'ℝ',
        (Style::DoubleStruck, 'Z') => 'ℤ',
        _ => return None,
    };
    Some(found)
}

/// Where the digits 0–9 of a style start, if it has them.
fn digit_base(style: Style) -> Option<u32> {
    match style {
        Style::Bold | Style::BoldItalic => Some(0x1D7CE),
        Style::DoubleStruck => Some(0x1D7D8),
        Style::SansSerif => Some(0x1D7E2),
        Style::Monospace => Some(0x1D7F6),
        _ => None,
    }
}

/// Where the Greek capitals (Α–Ω) and small letters (α–ω) of a style start.
fn greek_bases(style: Style) -> Option<(u32, u32)> {
    match style {
        Style::Bold => Some((0x1D6A8, 0x1D6C2)),
        Style::Italic => Some((0x1D6E2, 0x1D6FC)),
        Style::BoldItalic => Some((0x1D71C, 0x1D736)),
        _ => None,
    }
}

/// `c` drawn in `style`; `c` itself when the style has no such character.
pub(super) fn styled(c: char, style: Style) -> char {
    let shifted = match c {
        'A'..='Z' | 'a'..='z' => latin(c, style),
        '0'..='9' => digit_base(style).map(|base| base + (c as u32 - '0' as u32)),
        'Α'..='Ω' => greek_bases(style).map(|(caps, _)| caps + (c as u32 - 'Α' as u32)),
        'α'..='ω' => greek_bases(style).map(|(_, small)| small + (c as u32 - 'α' as u32)),
        _ => None,
    };
    shifted.and_then(char::from_u32).unwrap_or(c)
}

/// A Latin letter's code point in `style`, if the style has one.
fn latin(c: char, style: Style) -> Option<u32> {
    if let Some(found) = latin_exception(style, c) {
        return Some(found as u32);
    }
    let index = if c.is_ascii_uppercase() {
        c as u32 - 'A' as u32
    } else {
        26 + c as u32 - 'a' as u32
    };
    latin_base(style).map(|base| base + index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_take_their_mathematical_form_and_holes_their_older_one() {
        assert_eq!(styled('R', Style::DoubleStruck), 'ℝ');
        assert_eq!(styled('F', Style::DoubleStruck), '𝔽');
        assert_eq!(styled('O', Style::Script), '𝒪');
        assert_eq!(styled('L', Style::Script), 'ℒ');
        assert_eq!(styled('x', Style::Bold), '𝐱');
        assert_eq!(styled('h', Style::Italic), 'ℎ');
        assert_eq!(styled('1', Style::DoubleStruck), '𝟙');
        assert_eq!(styled('α', Style::BoldItalic), '𝜶');
        assert_eq!(styled('Ω', Style::Bold), '𝛀');
        assert_eq!(styled('ς', Style::Bold), '𝛓');
    }

    #[test]
    fn characters_a_style_lacks_stay_as_they_are() {
        assert_eq!(styled('x', Style::Normal), 'x');
        assert_eq!(styled('x', Style::Upright), 'x');
        assert_eq!(styled('7', Style::Script), '7');
        assert_eq!(styled('ϑ', Style::Bold), 'ϑ');
        assert_eq!(styled('-', Style::Bold), '-');
    }
}
