//! The XML codec the XML protocols share (awsQuery, ec2Query and restXml responses, restXml
//! request bodies): a response body is tokenised by `quick-xml` (no hand-written XML parsing)
//! into a small element tree that generated readers pick members from by name, and XML text is
//! read into Smithy scalars by the rules the protocols have in common. restXml request bodies are
//! built as the same tree and written by quick-xml's `Writer` ([`write`]), which escapes text and
//! attribute values.
//!
//! Bounds, like the JSON path ([`crate::json`]): the body is already cut at the client's
//! `max_response_body_size`; the tree is built with an explicit stack (no recursion, so a deeply
//! nested body cannot overflow the stack) and nesting deeper than [`MAX_DEPTH`] is refused.
//! [`parse_known`] keeps only the element names the generated readers look for: anything else
//! (unknown members, however large or deep) is skipped by the tokenizer without being stored,
//! as the JSON path skips unknown members.
//! DTDs are never read: a `<!DOCTYPE>` is refused outright, so there are no entity expansions
//! (only XML's five predefined entities and character references are resolved).

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::json::ParseError;
use crate::types::{Blob, DateTime, TimestampFormat};

/// How deeply elements may nest (the same limit serde_json applies to JSON).
pub const MAX_DEPTH: usize = 128;

/// One XML element: its local name (any `prefix:` dropped), attributes (qualified names as
/// written, values unescaped), child elements in document order and its own text (text, CDATA
/// and references directly inside it, joined).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    /// Local name (`Error` for both `<Error>` and `<a:Error>`).
    pub name: String,
    /// `(qualified name, value)` in document order, `xmlns` declarations included.
    pub attributes: Vec<(String, String)>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// The element's own text.
    pub text: String,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`, in document order.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The value of the attribute with this qualified name.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// An element with no attributes, children or text (for writing, `name` may be qualified:
    /// `prefix:Name`).
    pub fn new(name: impl Into<String>) -> Element {
        Element { name: name.into(), ..Element::default() }
    }

    /// An element holding only `text`.
    pub fn leaf(name: impl Into<String>, text: impl Into<String>) -> Element {
        Element { name: name.into(), text: text.into(), ..Element::default() }
    }

    /// Adds the attribute `name="value"` (for writing).
    pub fn with_attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Element {
        self.attributes.push((name.into(), value.into()));
        self
    }

    /// The text of the first child named `name`, if there is one and it is not empty.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str()).filter(|t| !t.is_empty())
    }
}

/// Parses a whole XML document into its root element. Whitespace-only text between elements is
/// dropped; text is otherwise kept as written (not trimmed).
pub fn parse(body: &[u8]) -> Result<Element, ParseError> {
    parse_filtered(body, None)
}

/// [`parse`], keeping only the root and elements whose local name is in `names` (sorted, as
/// generated crates emit it); other elements and everything inside them are skipped unread.
pub fn parse_known(body: &[u8], names: &[&str]) -> Result<Element, ParseError> {
    parse_filtered(body, Some(names))
}

fn parse_filtered(body: &[u8], names: Option<&[&str]>) -> Result<Element, ParseError> {
    let known = |start: &BytesStart<'_>, depth: usize| {
        depth == 0
            || names.is_none_or(|names| {
                std::str::from_utf8(start.local_name().as_ref()).is_ok_and(|n| names.binary_search(&n).is_ok())
            })
    };
    let mut reader = Reader::from_reader(body);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| xml_error(&reader, e))?;
        match event {
            Event::Start(start) if !known(&start, stack.len()) => {
                reader.read_to_end(start.name()).map_err(|e| xml_error(&reader, e))?;
            }
            Event::Empty(start) if !known(&start, stack.len()) => {}
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ParseError::new(format!("XML nested more than {MAX_DEPTH} elements deep")));
                }
                stack.push(open(&start)?);
            }
            Event::Empty(start) => {
                let element = open(&start)?;
                if let Some(done) = close(&mut stack, element) {
                    return finish(&mut reader, done);
                }
            }
            Event::End(_) => {
                let element = stack.pop().ok_or_else(|| ParseError::new("XML end tag without a start tag"))?;
                if let Some(done) = close(&mut stack, element) {
                    return finish(&mut reader, done);
                }
            }
            Event::Text(text) => {
                let text = text.xml10_content().map_err(|e| ParseError::new(format!("invalid XML text: {e}")))?;
                push_text(&mut stack, &text)?;
            }
            Event::CData(data) => {
                let text = data.decode().map_err(|e| ParseError::new(format!("invalid XML CDATA: {e}")))?;
                push_text(&mut stack, &text)?;
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref().map_err(|e| xml_error(&reader, e))? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = reference.decode().map_err(|e| ParseError::new(format!("invalid XML: {e}")))?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| ParseError::new(format!("unknown XML entity `&{name};`")))?
                            .to_owned()
                    }
                };
                push_text(&mut stack, &resolved)?;
            }
            Event::DocType(_) => return Err(ParseError::new("XML with a DOCTYPE is not accepted")),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => {
                return Err(ParseError::new(if stack.is_empty() {
                    "expected an XML document, found no element"
                } else {
                    "XML document ends before its root element is closed"
                }))
            }
        }
    }
}

/// [`parse_known`], except that an empty (or whitespace-only) body is `None`: a success
/// response with no output members may have no body at all.
pub fn parse_unless_empty(body: &[u8], names: &[&str]) -> Result<Option<Element>, ParseError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    parse_known(body, names).map(Some)
}

fn xml_error(reader: &Reader<&[u8]>, e: impl std::fmt::Display) -> ParseError {
    ParseError::new(format!("invalid XML at byte {}: {e}", reader.error_position()))
}

/// A new element from its start tag.
fn open(start: &BytesStart<'_>) -> Result<Element, ParseError> {
    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| ParseError::new(format!("invalid XML attribute in <{name}>: {e}")))?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| ParseError::new(format!("invalid XML attribute `{key}` in <{name}>: {e}")))?;
        attributes.push((key, value.into_owned()));
    }
    Ok(Element { name, attributes, children: Vec::new(), text: String::new() })
}

/// Attaches a finished element to its parent; the root itself when the stack is empty.
fn close(stack: &mut [Element], element: Element) -> Option<Element> {
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(element);
            None
        }
        None => Some(element),
    }
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), ParseError> {
    match stack.last_mut() {
        Some(element) => element.text.push_str(text),
        // Text outside the root: only whitespace is allowed there.
        None if text.trim().is_empty() => {}
        None => return Err(ParseError::new("XML text outside the root element")),
    }
    Ok(())
}

/// After the root element: only whitespace, comments and processing instructions may follow.
fn finish(reader: &mut Reader<&[u8]>, mut root: Element) -> Result<Element, ParseError> {
    loop {
        match reader.read_event().map_err(|e| xml_error(reader, e))? {
            Event::Eof => break,
            Event::Comment(_) | Event::PI(_) => {}
            Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {}
            _ => return Err(ParseError::new("XML content after the root element")),
        }
    }
    drop_blank_text(&mut root);
    Ok(root)
}

/// Whitespace-only text of elements that have children is layout, not content.
fn drop_blank_text(root: &mut Element) {
    let mut pending = vec![root];
    while let Some(element) = pending.pop() {
        if !element.children.is_empty() && element.text.trim().is_empty() {
            element.text.clear();
        }
        pending.extend(element.children.iter_mut());
    }
}

/// Writes `root` as an XML document with quick-xml's [`Writer`](quick_xml::Writer): names as
/// given (qualified ones included), attribute values and text escaped by quick-xml. An element's
/// text is written before its children; an element with neither is written empty (`<a/>`).
/// Written without recursion, like [`parse`] reads.
pub fn write(root: &Element) -> Vec<u8> {
    use quick_xml::events::{BytesEnd, BytesText};
    let mut writer = quick_xml::Writer::new(Vec::new());
    // (element, whether its start tag is written): children are pushed in reverse.
    let mut pending: Vec<(&Element, bool)> = vec![(root, false)];
    while let Some((element, opened)) = pending.pop() {
        if opened {
            write_event(&mut writer, Event::End(BytesEnd::new(element.name.as_str())));
            continue;
        }
        let mut start = BytesStart::new(element.name.as_str());
        for (name, value) in &element.attributes {
            start.push_attribute((name.as_str(), value.as_str()));
        }
        if element.children.is_empty() && element.text.is_empty() {
            write_event(&mut writer, Event::Empty(start));
            continue;
        }
        write_event(&mut writer, Event::Start(start));
        if !element.text.is_empty() {
            write_event(&mut writer, Event::Text(BytesText::new(&element.text)));
        }
        pending.push((element, true));
        pending.extend(element.children.iter().rev().map(|c| (c, false)));
    }
    writer.into_inner()
}

fn write_event(writer: &mut quick_xml::Writer<Vec<u8>>, event: Event<'_>) {
    // Writing into a Vec cannot fail.
    let _ = writer.write_event(event);
}

/// The XML text of a float: its shortest decimal, or `NaN`, `Infinity`, `-Infinity`.
pub fn float_to_text(value: f64, shortest: String) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value == f64::INFINITY {
        "Infinity".to_owned()
    } else if value == f64::NEG_INFINITY {
        "-Infinity".to_owned()
    } else {
        shortest
    }
}

/// The XML text of a timestamp in `format` (epoch seconds for dates `format` cannot write).
pub fn timestamp_to_text(value: &DateTime, format: TimestampFormat) -> String {
    value.fmt_wire(format).or_else(|_| value.fmt_wire(TimestampFormat::EpochSeconds)).unwrap_or_default()
}

/// The XML text of a blob: base64.
pub fn blob_to_text(value: &Blob) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(value.as_bytes())
}

/// A boolean (`true` or `false`).
pub fn bool_text(text: &str) -> Result<bool, ParseError> {
    match text.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(ParseError::new(format!("expected `true` or `false`, found {:?}", cut(other)))),
    }
}

/// An integer of type `T` (`i8` to `i64`).
pub fn int_text<T: std::str::FromStr>(text: &str) -> Result<T, ParseError> {
    text.trim().parse().map_err(|_| {
        ParseError::new(format!("expected an integer of type {}, found {:?}", std::any::type_name::<T>(), cut(text)))
    })
}

/// A float: a decimal number, or `NaN`, `Infinity`, `-Infinity`.
pub fn f64_text(text: &str) -> Result<f64, ParseError> {
    match text.trim() {
        "NaN" => Ok(f64::NAN),
        "Infinity" => Ok(f64::INFINITY),
        "-Infinity" => Ok(f64::NEG_INFINITY),
        t if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b)) => {
            t.parse().map_err(|_| ParseError::new(format!("expected a number, found {:?}", cut(text))))
        }
        _ => Err(ParseError::new(format!("expected a number, found {:?}", cut(text)))),
    }
}

/// A 32-bit float (see [`f64_text`]).
pub fn f32_text(text: &str) -> Result<f32, ParseError> {
    f64_text(text).map(|f| f as f32)
}

/// A base64-encoded blob.
pub fn blob_text(text: &str) -> Result<Blob, ParseError> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map(Blob::from)
        .map_err(|e| ParseError::new(format!("invalid base64: {e}")))
}

/// A timestamp in `format` (XML protocols default to RFC 3339 date-time).
pub fn timestamp_text(text: &str, format: TimestampFormat) -> Result<DateTime, ParseError> {
    DateTime::parse_wire(text.trim(), format).map_err(|e| ParseError::new(e.to_string()))
}

/// At most 64 characters of service text for an error message.
fn cut(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(64) {
        Some((end, _)) => Cow::Owned(format!("{}…", &text[..end])),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_tree_with_names_attributes_and_text() {
        let root = parse(
            br#"<?xml version="1.0"?>
            <A xmlns="https://example.com/" xmlns:x="urn:x"><x:B id="1 &amp; 2">one &lt;&#x41;&#66;&gt; <![CDATA[<raw>]]></x:B>
              <B/><C>  spaced  </C></A>
            <!-- trailing comment -->"#,
        )
        .unwrap();
        assert_eq!(root.name, "A");
        assert_eq!(root.attribute("xmlns"), Some("https://example.com/"));
        assert_eq!(root.text, "");
        let names: Vec<&str> = root.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["B", "B", "C"]);
        let b = root.child("B").unwrap();
        assert_eq!(b.attribute("id"), Some("1 & 2"));
        assert_eq!(b.text, "one <AB> <raw>");
        assert_eq!(root.children_named("B").count(), 2);
        assert_eq!(root.child_text("C"), Some("  spaced  "));
        assert_eq!(root.children[1].text, "");
        assert_eq!(parse_unless_empty(b" \n", &[]).unwrap(), None);
        assert_eq!(parse_unless_empty(b"<A/>", &[]).unwrap().unwrap().name, "A");
        assert_eq!(root.child_text("Missing"), None);
    }

    #[test]
    fn refuses_malformed_and_hostile_documents() {
        let cases: [(&[u8], &str); 8] = [
            (b"", "no element"),
            (b"<A><B></A>", "invalid XML"),
            (b"<A>", "ends before"),
            (b"<A/><B/>", "after the root"),
            (b"text<A/>", "outside the root"),
            (b"<A>&bogus;</A>", "unknown XML entity"),
            (b"<!DOCTYPE A [<!ENTITY e \"x\">]><A>&e;</A>", "DOCTYPE"),
            (b"<html><body>502 Bad Gateway</body>", "ends before"),
        ];
        for (body, expected) in cases {
            let err = parse(body).unwrap_err();
            assert!(err.message().contains(expected), "{:?}: {}", String::from_utf8_lossy(body), err.message());
        }
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(parse(ok.as_bytes()).is_ok());
        let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        assert!(parse(deep.as_bytes()).unwrap_err().message().contains("nested more than 128"));
    }

    #[test]
    fn parse_known_skips_unknown_elements_whole() {
        let unknown_deep = "<x>".repeat(10_000) + &"</x>".repeat(10_000);
        let body =
            format!("<Root><Keep>1</Keep><Drop><Keep>no</Keep>{unknown_deep}</Drop><Drop/><Keep>2</Keep></Root>");
        let root = parse_known(body.as_bytes(), &["Keep"]).unwrap();
        assert_eq!(root.name, "Root", "the root is always kept");
        let kept: Vec<&str> = root.children.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(kept, ["1", "2"]);
        // Skipped content must still be well-formed.
        assert!(parse_known(b"<Root><Drop><a></b></Drop></Root>", &["Keep"]).is_err());
        // Without a filter, the deep unknown element is refused by the depth limit.
        assert!(parse(body.as_bytes()).is_err());
    }

    #[test]
    fn writes_what_it_reads_with_escaping_by_quick_xml() {
        let root = Element::new("a:Root")
            .with_attribute("xmlns:a", "https://example.com/?x=1&y=\"2\"")
            .with_attribute("id", "<1>");
        let mut root = root;
        root.children.push(Element::leaf("Text", "x < y & \"z\" ]]>"));
        root.children.push(Element::new("Empty"));
        let mut nested = Element::new("Nested");
        nested.children.push(Element::leaf("Deep", "1"));
        root.children.push(nested);
        let written = write(&root);
        let text = String::from_utf8(written.clone()).unwrap();
        assert!(
            text.starts_with("<a:Root xmlns:a=\"https://example.com/?x=1&amp;y=&quot;2&quot;\" id=\"&lt;1&gt;\">"),
            "{text}"
        );
        assert!(text.contains("<Empty/>"), "{text}");
        let back = parse(&written).unwrap();
        assert_eq!(back.name, "Root");
        assert_eq!(back.attribute("id"), Some("<1>"));
        assert_eq!(back.child_text("Text"), Some("x < y & \"z\" ]]>"));
        assert_eq!(back.child("Nested").and_then(|n| n.child_text("Deep")), Some("1"));
        // Deep trees are written without recursion.
        let mut deep = Element::new("d");
        for _ in 0..100_000 {
            let mut outer = Element::new("d");
            outer.children.push(deep);
            deep = outer;
        }
        assert_eq!(write(&deep).len(), 100_001 * 7 - 3);
        std::mem::forget(deep); // dropping 100k nested Vecs recursively could overflow the stack
        assert_eq!(float_to_text(f64::NAN, String::new()), "NaN");
        assert_eq!(float_to_text(-f64::INFINITY, String::new()), "-Infinity");
        assert_eq!(float_to_text(1.5, "1.5".into()), "1.5");
        assert_eq!(
            timestamp_to_text(&DateTime::from_secs(1_422_172_800), TimestampFormat::DateTime),
            "2015-01-25T08:00:00Z"
        );
    }

    #[test]
    fn scalars() {
        assert_eq!(bool_text("true"), Ok(true));
        assert_eq!(bool_text(" false\n"), Ok(false));
        assert!(bool_text("TRUE").is_err());
        assert_eq!(int_text::<i32>(" -42 "), Ok(-42));
        assert!(int_text::<i8>("300").unwrap_err().message().contains("i8"));
        assert_eq!(f64_text("10.8"), Ok(10.8));
        assert_eq!(f64_text("1e3"), Ok(1000.0));
        assert!(f64_text("NaN").unwrap().is_nan());
        assert_eq!(f64_text("-Infinity"), Ok(f64::NEG_INFINITY));
        assert!(f64_text("inf").is_err(), "Rust's spelling is not the wire's");
        assert_eq!(blob_text("dmFsdWU=").unwrap().as_bytes(), b"value");
        assert_eq!(
            timestamp_text("2015-01-25T08:00:00Z", TimestampFormat::DateTime).unwrap(),
            DateTime::from_secs(1_422_172_800)
        );
        let long = "x".repeat(500);
        assert!(bool_text(&long).unwrap_err().message().len() < 120);
    }
}
