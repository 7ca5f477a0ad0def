//! A strict check of `math::to_html` output: well-formed markup whose only
//! elements and attributes are the MathML ones the renderer writes, and whose
//! only references are the five predefined entities and character references.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// The elements the renderer may write.
const ELEMENTS: &[&str] = &[
    "math",
    "semantics",
    "annotation",
    "mrow",
    "mi",
    "mn",
    "mo",
    "mtext",
    "mspace",
    "mfrac",
    "msqrt",
    "mroot",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
];

/// The attributes the renderer may write.
const ATTRIBUTES: &[&str] = &[
    "display",
    "encoding",
    "mathvariant",
    "stretchy",
    "lspace",
    "rspace",
    "movablelimits",
    "accent",
    "accentunder",
    "width",
    "linethickness",
];

/// The entities XML predefines.
const ENTITIES: &[&str] = &["amp", "lt", "gt", "quot", "apos"];

/// `Ok` if `html` is well-formed and uses only the allowed names.
pub fn check(html: &str) -> Result<(), String> {
    let wrapped = format!("<root>{html}</root>");
    let mut reader = Reader::from_str(&wrapped);
    let mut open: Vec<String> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("{e} in {html:?}"))?;
        match event {
            Event::Start(start) => open.push(element(&start, open.is_empty())?),
            Event::Empty(empty) => {
                element(&empty, false)?;
            }
            Event::End(end) => {
                let name = end.name().as_ref().to_owned();
                if open.pop().as_deref() != Some(name.as_str()) {
                    return Err(format!("misplaced </{name}> in {html:?}"));
                }
            }
            Event::Text(_) => {}
            Event::GeneralRef(reference) => {
                let name: &str = &reference;
                if !reference.is_char_ref() && !ENTITIES.contains(&name) {
                    return Err(format!("unknown entity &{name}; in {html:?}"));
                }
            }
            Event::Eof => break,
            other => return Err(format!("unexpected {other:?} in {html:?}")),
        }
    }
    if open.is_empty() {
        Ok(())
    } else {
        Err(format!("unclosed {open:?} in {html:?}"))
    }
}

/// The name of an element, if it and its attributes are allowed (`root` only as
/// the wrapper).
fn element(start: &BytesStart<'_>, is_root: bool) -> Result<String, String> {
    let name = start.name().as_ref().to_owned();
    let allowed = if is_root {
        name == "root"
    } else {
        ELEMENTS.contains(&name.as_str())
    };
    if !allowed {
        return Err(format!("element <{name}>"));
    }
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| format!("attribute of <{name}>: {e}"))?;
        let key = attribute.key.as_ref().to_owned();
        if !ATTRIBUTES.contains(&key.as_str()) {
            return Err(format!("attribute {key} of <{name}>"));
        }
    }
    Ok(name)
}
