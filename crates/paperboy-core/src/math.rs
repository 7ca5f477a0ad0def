//! LaTeX in titles and abstracts, rendered on the server: math spans become
//! MathML Core for pages ([`to_html`]) or readable Unicode for feeds, mail and
//! `<title>` ([`to_unicode`]); the prose around them loses its TeX escapes
//! (`\%`, `\textbf{…}`, `~`).
//!
//! Only what this module can draw faithfully is drawn: a formula with a command
//! it does not know (an author's own macro, an environment) is shown as its
//! source instead, exactly as written.

mod alphabet;
mod mathml;
mod parse;
mod plain;
mod scan;
mod symbols;
mod textmode;
#[cfg(test)]
#[path = "../tests/support/well_formed.rs"]
mod well_formed;

use std::ops::Range;

use crate::text::escape_markup;
use parse::Mode;
use scan::Span;

/// The byte ranges of the math spans in `text`, delimiters included, in order:
/// `$…$`, `$$…$$`, `\(…\)`, `\[…\]`.
///
/// `\$` is a dollar sign, not a delimiter; a `$` without a partner is just a `$`.
/// A span is at most 400 bytes long, and a pair of dollars around prose
/// (`costs $5 and $10`) is not math.
pub fn spans(text: &str) -> Vec<Range<usize>> {
    scan::find(text)
        .into_iter()
        .map(|span| span.whole)
        .collect()
}

/// `text` as safe HTML: prose escaped, with its TeX escapes resolved; each math
/// span as a `<math>` element (`display="block"` for `$$…$$` and `\[…\]`)
/// carrying its source in an `application/x-tex` annotation.
///
/// A span that cannot be rendered stays as its source, escaped, delimiters
/// included. The output is well-formed whatever the input.
pub fn to_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut prose = textmode::Prose::default();
    let mut words = String::new();
    walk(text, |piece| match piece {
        Piece::Prose(part) => {
            words.clear();
            prose.convert(part, &mut words);
            out.push_str(&escape_markup(&words));
        }
        Piece::Math(span) => out.push_str(&math_html(text, &span)),
    });
    out
}

/// `text` as plain text: math spans as readable Unicode (`$\alpha \leq 10^{-3}$`
/// → `α ≤ 10⁻³`), prose with its TeX escapes resolved. Not escaped: callers
/// escape for where it goes.
///
/// A span with commands this module does not know keeps them as written
/// (without its dollars); one that cannot be read at all (unbalanced braces)
/// stays exactly as written.
pub fn to_unicode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prose = textmode::Prose::default();
    walk(text, |piece| match piece {
        Piece::Prose(part) => prose.convert(part, &mut out),
        Piece::Math(span) => out.push_str(&math_unicode(text, &span)),
    });
    out
}

/// A piece of a text: prose or math.
enum Piece<'t> {
    /// Text outside math.
    Prose(&'t str),
    /// A math span.
    Math(Span),
}

/// Calls `visit` on the pieces of `text` in order.
fn walk<'t>(text: &'t str, mut visit: impl FnMut(Piece<'t>)) {
    let mut done = 0;
    for span in scan::find(text) {
        if span.whole.start > done {
            visit(Piece::Prose(&text[done..span.whole.start]));
        }
        done = span.whole.end;
        visit(Piece::Math(span));
    }
    if done < text.len() {
        visit(Piece::Prose(&text[done..]));
    }
}

/// A span of `text` as MathML, or as its escaped source.
fn math_html(text: &str, span: &Span) -> String {
    let source = &text[span.inner.clone()];
    match parse::parse(source, Mode::Strict) {
        Ok(root) => mathml::render(&root, source, span.display),
        Err(_) => escape_markup(&text[span.whole.clone()]),
    }
}

/// A span of `text` as Unicode, or as its source.
fn math_unicode(text: &str, span: &Span) -> String {
    match parse::parse(&text[span.inner.clone()], Mode::Lenient) {
        Ok(root) => plain::render(&root),
        Err(_) => text[span.whole.clone()].to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::well_formed;
    use proptest::prelude::*;

    /// The MathML between `<semantics>` and the annotation, for one formula.
    fn mathml(text: &str) -> String {
        let html = to_html(text);
        let start = html.find("<semantics>").map(|i| i + "<semantics>".len());
        let end = html.find("<annotation");
        match (start, end) {
            (Some(start), Some(end)) => html[start..end].to_owned(),
            _ => panic!("{text:?} was not rendered: {html}"),
        }
    }

    /// Whether `text` stays as its escaped source.
    fn falls_back(text: &str) -> bool {
        let html = to_html(text);
        well_formed::check(&html).is_ok() && html == escape_markup(text)
    }

    #[test]
    fn spans_cover_all_delimiters_and_skip_escaped_and_lone_dollars() {
        let text = r"a $x$, $$y$$, \(z\) and \[w\]; \$5 and a lone $ here";
        let found: Vec<&str> = spans(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(found, ["$x$", "$$y$$", r"\(z\)", r"\[w\]"]);
        assert!(spans("costs $5 and $10 more").is_empty());
        assert!(spans("an unclosed $x").is_empty());
        assert!(spans(&format!("${}$", "x".repeat(500))).is_empty());
    }

    #[test]
    fn inline_and_display_math_keep_their_source_as_annotation() {
        let html = to_html("see $a<b$ here");
        assert!(html.starts_with("see <math><semantics>"), "{html}");
        assert!(html.ends_with("</semantics></math> here"), "{html}");
        assert!(html.contains(r#"<annotation encoding="application/x-tex">a&lt;b</annotation>"#));
        assert!(to_html("$$x$$").starts_with(r#"<math display="block">"#));
        assert!(to_html(r"\[x\]").starts_with(r#"<math display="block">"#));
        assert!(to_html(r"\(x\)").starts_with("<math>"));
    }

    #[test]
    fn greek_letters_are_identifiers_and_capitals_stand_upright() {
        assert_eq!(mathml(r"$\alpha$"), "<mi>α</mi>");
        assert_eq!(mathml(r"$\varepsilon$"), "<mi>ε</mi>");
        assert_eq!(mathml(r"$\vartheta$"), "<mi>ϑ</mi>");
        assert_eq!(mathml(r"$\Omega$"), r#"<mi mathvariant="normal">Ω</mi>"#);
        assert_eq!(
            mathml(r"$\Lambda_{\alpha}$"),
            r#"<msub><mi mathvariant="normal">Λ</mi><mi>α</mi></msub>"#
        );
    }

    #[test]
    fn operators_and_relations_become_mo() {
        let cases = [
            (r"\times", "×"),
            (r"\cdot", "⋅"),
            (r"\pm", "±"),
            (r"\mp", "∓"),
            (r"\leq", "≤"),
            (r"\le", "≤"),
            (r"\geq", "≥"),
            (r"\ge", "≥"),
            (r"\neq", "≠"),
            (r"\approx", "≈"),
            (r"\sim", "∼"),
            (r"\simeq", "≃"),
            (r"\equiv", "≡"),
            (r"\propto", "∝"),
            (r"\in", "∈"),
            (r"\notin", "∉"),
            (r"\subset", "⊂"),
            (r"\subseteq", "⊆"),
            (r"\cup", "∪"),
            (r"\cap", "∩"),
            (r"\to", "→"),
            (r"\rightarrow", "→"),
            (r"\leftarrow", "←"),
            (r"\Rightarrow", "⇒"),
            (r"\mapsto", "↦"),
            (r"\circ", "∘"),
            (r"\prime", "′"),
            (r"\ldots", "…"),
            (r"\cdots", "⋯"),
            (r"\dots", "…"),
        ];
        for (command, symbol) in cases {
            let html = mathml(&format!("$a {command} b$"));
            assert!(
                html.contains(&format!(">{symbol}</m")),
                "{command} → {html}"
            );
        }
        assert_eq!(mathml("$>$"), "<mo>&gt;</mo>");
        assert_eq!(mathml("$-1$"), "<mrow><mo>−</mo><mn>1</mn></mrow>");
    }

    #[test]
    fn letter_like_symbols_are_identifiers() {
        for (command, symbol) in [
            (r"\infty", "∞"),
            (r"\partial", "∂"),
            (r"\nabla", "∇"),
            (r"\ell", "ℓ"),
            (r"\hbar", "ℏ"),
            (r"\%", "%"),
        ] {
            assert_eq!(
                mathml(&format!("${command}$")),
                format!("<mi>{symbol}</mi>")
            );
        }
    }

    #[test]
    fn numbers_identifiers_and_operators_are_told_apart() {
        assert_eq!(
            mathml("$x_1=10.5+y$"),
            "<mrow><msub><mi>x</mi><mn>1</mn></msub><mo>=</mo><mn>10.5</mn><mo>+</mo><mi>y</mi></mrow>"
        );
        assert_eq!(
            mathml(r"$94.83\%$"),
            "<mrow><mn>94.83</mn><mi>%</mi></mrow>"
        );
    }

    #[test]
    fn scripts_attach_to_their_base() {
        assert_eq!(mathml("$x_i$"), "<msub><mi>x</mi><mi>i</mi></msub>");
        assert_eq!(mathml("$x^{2}$"), "<msup><mi>x</mi><mn>2</mn></msup>");
        assert_eq!(
            mathml("$x_i^2$"),
            "<msubsup><mi>x</mi><mi>i</mi><mn>2</mn></msubsup>"
        );
        assert_eq!(
            mathml("$10^{-3}$"),
            "<msup><mn>10</mn><mrow><mo>−</mo><mn>3</mn></mrow></msup>"
        );
        assert_eq!(
            mathml(r"$360^\circ$"),
            "<msup><mn>360</mn><mo>∘</mo></msup>"
        );
        assert_eq!(
            mathml("$x^23$"),
            "<mrow><msup><mi>x</mi><mn>2</mn></msup><mn>3</mn></mrow>"
        );
        assert_eq!(mathml("$f'$"), "<msup><mi>f</mi><mo>′</mo></msup>");
        assert_eq!(mathml("$^{2}$"), "<msup><mrow></mrow><mn>2</mn></msup>");
        assert!(
            falls_back("$x_a_b$"),
            "a double subscript is an error in TeX"
        );
    }

    #[test]
    fn fractions_and_roots() {
        assert_eq!(
            mathml(r"$\frac{a}{b}$"),
            "<mfrac><mi>a</mi><mi>b</mi></mfrac>"
        );
        assert_eq!(mathml(r"$\frac12$"), "<mfrac><mn>1</mn><mn>2</mn></mfrac>");
        assert_eq!(mathml(r"$\sqrt{x}$"), "<msqrt><mi>x</mi></msqrt>");
        assert_eq!(
            mathml(r"$\sqrt[n]{x}$"),
            "<mroot><mi>x</mi><mi>n</mi></mroot>"
        );
        assert!(mathml(r"$\binom{n}{k}$").contains(r#"<mfrac linethickness="0">"#));
    }

    #[test]
    fn font_commands_use_mathematical_alphanumerics() {
        assert_eq!(mathml(r"$\mathcal{O}$"), "<mi>𝒪</mi>");
        assert_eq!(mathml(r"$\mathbb{R}$"), "<mi>ℝ</mi>");
        assert_eq!(
            mathml(r"$\mathbb F_q$"),
            "<msub><mi>𝔽</mi><mi>q</mi></msub>"
        );
        assert_eq!(mathml(r"$\mathbf{x}$"), "<mi>𝐱</mi>");
        assert_eq!(mathml(r"$\mathit{ab}$"), "<mi>𝑎𝑏</mi>");
        assert_eq!(mathml(r"$\mathsf{A}$"), "<mi>𝖠</mi>");
        assert_eq!(mathml(r"$\boldsymbol{\alpha}$"), "<mi>𝜶</mi>");
        assert_eq!(mathml(r"$\bm{x}$"), "<mi>𝒙</mi>");
        assert_eq!(
            mathml(r"$\mathrm{d}$"),
            r#"<mi mathvariant="normal">d</mi>"#
        );
        assert_eq!(mathml(r"$\mathrm{KL}$"), "<mi>KL</mi>");
        assert_eq!(
            mathml(r"$\text{if } x$"),
            "<mrow><mtext>if </mtext><mi>x</mi></mrow>"
        );
        assert_eq!(mathml(r"$\textrm{a b}$"), "<mtext>a b</mtext>");
        assert_eq!(mathml(r"$\textbf{15.86}$"), "<mtext>𝟏𝟓.𝟖𝟔</mtext>");
        assert_eq!(
            mathml(r"$\operatorname{ord}_n(q)$"),
            r#"<mrow><msub><mi>ord</mi><mi>n</mi></msub><mo stretchy="false">(</mo><mi>q</mi><mo stretchy="false">)</mo></mrow>"#
        );
        assert_eq!(
            mathml(r"$\mathcal{O}(n^2)$"),
            r#"<mrow><mi>𝒪</mi><mo stretchy="false">(</mo><msup><mi>n</mi><mn>2</mn></msup><mo stretchy="false">)</mo></mrow>"#
        );
    }

    #[test]
    fn accents_go_over_or_under_their_base() {
        for (command, mark) in [
            ("hat", "^"),
            ("tilde", "~"),
            ("bar", "¯"),
            ("vec", "→"),
            ("dot", "˙"),
        ] {
            assert_eq!(
                mathml(&format!(r"$\{command}{{x}}$")),
                format!(
                    r#"<mover accent="true"><mi>x</mi><mo stretchy="false">{mark}</mo></mover>"#
                )
            );
        }
        for command in ["overline", "widetilde", "widehat"] {
            let html = mathml(&format!(r"$\{command}{{AB}}$"));
            assert!(html.starts_with(r#"<mover accent="true"><mrow>"#), "{html}");
            assert!(html.contains(r#"stretchy="true""#), "{html}");
        }
        assert!(mathml(r"$\underline{x}$").starts_with(r#"<munder accentunder="true">"#));
    }

    #[test]
    fn left_and_right_delimiters_stretch_and_plain_ones_do_not() {
        assert_eq!(
            mathml(r"$\left( x \right)$"),
            r#"<mrow><mo stretchy="true">(</mo><mi>x</mi><mo stretchy="true">)</mo></mrow>"#
        );
        assert_eq!(
            mathml(r"$\left\{ x \right.$"),
            r#"<mrow><mo stretchy="true">{</mo><mi>x</mi></mrow>"#
        );
        assert_eq!(
            mathml(r"$\langle x \rangle$"),
            r#"<mrow><mo stretchy="false">⟨</mo><mi>x</mi><mo stretchy="false">⟩</mo></mrow>"#
        );
        assert!(mathml(r"$\{x\}$").starts_with(r#"<mrow><mo stretchy="false">{</mo>"#));
        assert!(mathml(r"$\|x\|$").contains(r#"<mo stretchy="false">‖</mo>"#));
        assert!(falls_back(r"$\left( x$"), "\\left without \\right");
    }

    #[test]
    fn operator_names_are_upright_and_spaced_from_their_operand() {
        assert_eq!(
            mathml(r"$O(N\log N)$"),
            r#"<mrow><mi>O</mi><mo stretchy="false">(</mo><mi>N</mi><mspace width="0.1667em"/><mi>log</mi><mspace width="0.1667em"/><mi>N</mi><mo stretchy="false">)</mo></mrow>"#
        );
        assert_eq!(
            mathml(r"$\exp(x)$"),
            r#"<mrow><mi>exp</mi><mo stretchy="false">(</mo><mi>x</mi><mo stretchy="false">)</mo></mrow>"#
        );
        for name in ["sin", "arg", "max", "min"] {
            assert!(
                mathml(&format!(r"$\{name} x$")).starts_with(&format!("<mrow><mi>{name}</mi>"))
            );
        }
    }

    #[test]
    fn limits_go_under_and_over_large_operators() {
        assert_eq!(
            mathml(r"$\sum_{i=1}^{n}$"),
            r#"<munderover><mo movablelimits="true">∑</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mi>n</mi></munderover>"#
        );
        assert!(mathml(r"$\prod_i$").starts_with(r#"<munder><mo movablelimits="true">∏</mo>"#));
        assert!(
            mathml(r"$\lim_{n\to\infty}$").starts_with(
                r#"<munder><mo lspace="0em" rspace="0em" movablelimits="true">lim</mo>"#
            )
        );
        assert!(mathml(r"$\max_a$").starts_with("<munder>"));
        assert!(mathml(r"$\int_0^1$").starts_with("<msubsup><mo>∫</mo>"));
        assert!(mathml(r"$\sum\nolimits_i$").starts_with("<msub>"));
        assert!(mathml(r"$\log_2 n$").starts_with("<mrow><msub><mi>log</mi>"));
    }

    #[test]
    fn spacing_commands_become_mspace() {
        for (command, width) in [
            (r"\,", "0.1667em"),
            (r"\;", "0.2778em"),
            (r"\!", "-0.1667em"),
            (r"\quad", "1em"),
            (r"\qquad", "2em"),
        ] {
            assert_eq!(
                mathml(&format!("$a{command} b$")),
                format!(r#"<mrow><mi>a</mi><mspace width="{width}"/><mi>b</mi></mrow>"#)
            );
        }
    }

    #[test]
    fn an_operator_alone_in_braces_has_no_space_around_it() {
        assert_eq!(
            mathml(r"$\rho{=}0.7$"),
            r#"<mrow><mi>ρ</mi><mo lspace="0em" rspace="0em">=</mo><mn>0.7</mn></mrow>"#
        );
        assert_eq!(to_unicode(r"${\sim}19\%$"), "∼19%");
    }

    #[test]
    fn what_abstracts_write_renders() {
        for text in [
            r"10.1$\times$ faster",
            r"$>$90\%",
            r"$\sim$5 points",
            r"$O(N\log N)$",
            r"$f: V_{n}^{(p)} \rightarrow \mathbb{F}_{p}$",
            r"$\left(\frac{2}{1-k+\sqrt{k^2-k+1}}-1\right)$",
            r"$\mathrm{KL}(p_{\mathrm{good}}\,\|\,p_{\mathrm{bad}})$",
            r"$p^{m}\equiv1 \pmod 4$",
            r"$\boldsymbolΞ_u$",
            r"$\texttt{M$^3$Bench}$",
            r"$\href{https://example.org}{code}$",
            r"$\unicode{x2013}$",
            r"$a\not\in B$",
            r"$\mathcal{E\mkern-2mu L}$",
        ] {
            let html = to_html(text);
            assert!(html.contains("<math>"), "{text} → {html}");
            assert!(!without_annotations(&html).contains('$'), "{text} → {html}");
        }
    }

    /// `html` without its TeX annotations.
    fn without_annotations(html: &str) -> String {
        html.split("<annotation")
            .map(|part| {
                part.split_once("</annotation>")
                    .map_or(part, |(_, after)| after)
            })
            .collect()
    }

    #[test]
    fn what_cannot_be_rendered_stays_as_its_escaped_source() {
        for text in [
            r"$\db$",
            r"$\frac{a}{b$",
            r"$a}$",
            r"$\begin{cases} a & b \end{cases}$",
            r"$x \\ y$",
            r"$\text{a $b}$",
        ] {
            assert!(falls_back(text), "{text} → {}", to_html(text));
        }
        assert_eq!(
            to_html(r#"x $\db<"'&$ y"#),
            r"x $\db&lt;&quot;&apos;&amp;$ y"
        );
    }

    #[test]
    fn hostile_input_gives_well_formed_html() {
        let deep = format!("${}x{}$", "{".repeat(5_000), "}".repeat(5_000));
        let scripts = format!("${}$", "x^{".repeat(90) + &"}".repeat(90));
        let long = r"$\frac{a}{b}$ text \textbf{b} ".repeat(20_000);
        let dollars = "$".repeat(100_001);
        let colors = r"\color[".repeat(10_000);
        let links = r"\href{".repeat(10_000);
        let switches = r"{\bf ".repeat(50_000);
        for text in [
            "$<script>alert(1)</script>$",
            r"$\frac{$",
            "$}$",
            "$$",
            "$$$$",
            r"\(\)",
            r"$\left($",
            r"$\text{</mtext><script>}$",
            r"$\operatorname{<b>}$",
            r"$\href{javascript:alert(1)}{x}$",
            r"$\unicode{0}$",
            "$\u{0}\u{1b}$",
            "\\",
            "$\\",
            &deep,
            &scripts,
            &long,
            &dollars,
            &colors,
            &links,
            &switches,
        ] {
            let html = to_html(text);
            if let Err(problem) = well_formed::check(&html) {
                panic!("{problem}");
            }
            assert!(!html.contains("<script"), "{html}");
            to_unicode(text);
        }
    }

    #[test]
    fn nesting_beyond_the_cap_falls_back() {
        let nested = |depth: usize| format!("${}x{}$", "{".repeat(depth), "}".repeat(depth));
        assert!(to_html(&nested(10)).starts_with("<math>"));
        assert!(falls_back(&nested(100)));
    }

    #[test]
    fn prose_loses_its_tex_escapes() {
        assert_eq!(
            to_html(r"40\% of Q\&A, \$5, a\_b, \#1 and Fig.~2 <ok>"),
            "40% of Q&amp;A, $5, a_b, #1 and Fig.\u{a0}2 &lt;ok&gt;"
        );
        assert_eq!(
            to_unicode(r"\textbf{Bold}, \emph{new} and \textit{it} ``quoted''"),
            "Bold, new and it “quoted”"
        );
        assert_eq!(
            to_unicode(r#"Schr\"odinger, Poincar\'{e}, \c{c}a"#),
            "Schrödinger, Poincaré, ça"
        );
        assert_eq!(to_unicode("about ~25K, 3~5x"), "about ~25K, 3~5x");
        assert_eq!(
            to_unicode(r"GPT-4o\'s output, Kra\'sko"),
            "GPT-4o's output, Kraśko"
        );
        assert_eq!(to_unicode(r"\textbf{$\alpha$-CLIP} wins"), "α-CLIP wins");
        assert_eq!(to_unicode(r"\cite{x} stays"), r"\cite{x} stays");
        assert_eq!(
            to_unicode(r"at \href{https://x.org}{our site}"),
            "at our site (https://x.org)"
        );
        assert_eq!(to_unicode(r"PM\textsuperscript{4}Bench"), "PM⁴Bench");
    }

    #[test]
    fn unicode_turns_math_into_readable_text() {
        let cases = [
            (r"$\alpha + \beta$", "α + β"),
            (r"10.1$\times$ faster", "10.1× faster"),
            (r"$a \leq b$", "a ≤ b"),
            (r"$x^{2}$", "x²"),
            (r"$10^{-3}$", "10⁻³"),
            (r"$x_i$", "xᵢ"),
            (r"$x^{\pi}$", "x^π"),
            (r"$e^{-\tau}$", "e^(−τ)"),
            (r"$360^\circ$", "360°"),
            (r"$\frac{a}{b}$", "a/b"),
            (r"$\frac{n+1}{2}$", "(n + 1)/2"),
            (r"$\sqrt{x}$", "√x"),
            (r"$\sqrt[3]{x}$", "∛x"),
            (r"$\mathbb{R}^d$", "ℝᵈ"),
            (r"$\mathcal{O}(n^2)$", "O(n²)"),
            (r"$\mathbf{W}_q$", "W_q"),
            (r"$N_{\text{eff}}$", "N_(eff)"),
            (r"$94.83\%$", "94.83%"),
            (r"$>$90\%", ">90%"),
            (r"$O(N\log N)$", "O(N log N)"),
            (r"$\sum_{i=1}^{n} x_i$", "∑ᵢ₌₁ⁿ xᵢ"),
            (r"$\hat{x}$", "x̂"),
            (r"$\left(a\right)$", "(a)"),
            (r"$-1$", "−1"),
            (r"$4\times$", "4×"),
            (r"$x := y$", "x := y"),
            (r"$\Lambda_{\alpha}$", "Λ_α"),
        ];
        for (tex, plain) in cases {
            assert_eq!(to_unicode(tex), plain, "{tex}");
        }
    }

    #[test]
    fn unicode_keeps_what_it_cannot_convert_readable() {
        assert_eq!(to_unicode(r"$4.75\db$ gain"), r"4.75\db gain");
        assert_eq!(to_unicode(r"$\bigO{n \log n}$"), r"\bigO{n log n}");
        assert_eq!(to_unicode(r"$\frac{a}{b$ x"), r"$\frac{a}{b$ x");
    }

    /// Text that is mostly LaTeX's special characters and commands.
    fn latexish() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "$",
            "$$",
            "\\",
            "\\(",
            "\\)",
            "\\[",
            "\\]",
            "{",
            "}",
            "^",
            "_",
            "'",
            "&",
            "<",
            ">",
            "\"",
            "~",
            "%",
            "#",
            " ",
            "x",
            "12",
            "α",
            "\\frac",
            "\\sqrt",
            "[",
            "]",
            "\\left",
            "\\right",
            "\\text{",
            "\\textbf{",
            "\\mathbb",
            "\\alpha",
            "\\sum",
            "\\lim",
            "\\db",
            "\\,",
            "\\\\",
            "\\$",
            "\\'",
            "\\href{",
            "\\not",
            "\\operatorname{",
            "\\unicode{",
            "\\mkern",
            "-2mu",
            "\u{0}",
            "\n",
        ]);
        prop::collection::vec(pieces, 0..40).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn html_is_always_well_formed(text in latexish()) {
            let html = to_html(&text);
            prop_assert!(well_formed::check(&html).is_ok(), "{:?}", well_formed::check(&html));
            to_unicode(&text);
        }

        #[test]
        fn html_of_any_string_is_well_formed(text in any::<String>()) {
            let html = to_html(&text);
            prop_assert!(well_formed::check(&html).is_ok(), "{:?}", well_formed::check(&html));
        }
    }
}
