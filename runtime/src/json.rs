//! JSON reading and writing for generated restJson1 (de)serializers.
//!
//! Writing streams straight into a byte buffer (no intermediate tree). Reading parses the body
//! into a [`serde_json::Value`] holding only what the generated reader's [`Schema`] names
//! ([`parse_body_as`]: unknown members are skipped while parsing) and generated code picks
//! members out of it by wire name. Every read error carries the path of the value that was
//! wrong.

use std::fmt;

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::types::{BigDecimal, BigInteger, Blob, DateTime, TimestampFormat};

/// A response body (or part of one) that did not have the shape the model describes.
#[derive(Clone, PartialEq, Eq)]
pub struct ParseError {
    path: Vec<String>,
    message: String,
}

impl ParseError {
    /// An error at the current value.
    pub fn new(message: impl Into<String>) -> Self {
        ParseError { path: Vec::new(), message: message.into() }
    }

    /// Adds the member name or index this error was found under (innermost first).
    #[must_use]
    pub fn within(mut self, segment: impl fmt::Display) -> Self {
        self.path.push(segment.to_string());
        self
    }

    /// Where the bad value was, as `ConnectionData.Meeting.MediaRegion` (`""` for the top).
    pub fn path(&self) -> String {
        let mut out = String::new();
        for segment in self.path.iter().rev() {
            if !out.is_empty() && !segment.starts_with('[') {
                out.push('.');
            }
            out.push_str(segment);
        }
        out
    }

    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// The path and message can hold the service's text (map keys, string values): shown
/// [`Bounded`](crate::text::Bounded); [`ParseError::path`] and [`ParseError::message`] give them whole.
impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::text::Bounded;
        if self.path.is_empty() {
            write!(f, "invalid response body: {}", Bounded::new(&self.message))
        } else {
            write!(f, "invalid response body at `{}`: {}", Bounded::new(&self.path()), Bounded::new(&self.message))
        }
    }
}

/// Path and message [`Bounded`](crate::text::Bounded), as in `Display`.
impl fmt::Debug for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::text::Bounded;
        f.debug_struct("ParseError")
            .field("path", &Bounded::new(&self.path()))
            .field("message", &Bounded::new(&self.message))
            .finish()
    }
}

impl std::error::Error for ParseError {}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn expected(what: &str, v: &Value) -> ParseError {
    ParseError::new(format!("expected {what}, found {}", kind(v)))
}

/// Parses a body, keeping all of it. An empty (or all-whitespace) body reads as an empty
/// object, as restJson1 allows for outputs and errors without members.
pub fn parse_body(body: &[u8]) -> Result<Value, ParseError> {
    parse_body_as(body, &Schema::Any)
}

/// Parses a body, keeping only what `schema` says generated code reads: members of a structure
/// that the model does not know are skipped while parsing (no tree is built for them, however
/// large or deep, and numbers in them are not converted), so they cost no memory and cannot
/// fail the parse. Values of the wrong JSON type are kept as an empty value of the type found,
/// so the reader still reports `expected a string, found an array`.
///
/// An empty (or all-whitespace) body reads as an empty object.
pub fn parse_body_as(body: &[u8], schema: &Schema) -> Result<Value, ParseError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    let malformed = |e: serde_json::Error| ParseError::new(format!("malformed JSON: {e}"));
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde::de::DeserializeSeed::deserialize(Keep(schema), &mut de).map_err(malformed)?;
    de.end().map_err(malformed)?;
    Ok(value)
}

/// What of a JSON value generated code reads; emitted by the generator as `static`s next to the
/// readers (`crate::json::SCHEMA_*`). See [`parse_body_as`].
#[derive(Debug)]
pub enum Schema {
    /// Kept whole (documents).
    Any,
    /// A string, number, boolean or null; an array or object here is read as an empty one.
    Scalar,
    /// An object whose listed members (by wire name) are kept; others are skipped.
    Struct(&'static [(&'static str, &'static Schema)]),
    /// A union: listed members as their schema, others kept whole (they become `Unknown`).
    Union(&'static [(&'static str, &'static Schema)]),
    /// An array of items.
    List(&'static Schema),
    /// An object with values of one schema.
    Map(&'static Schema),
}

/// Deserializes one value, keeping what its [`Schema`] says.
struct Keep<'s>(&'s Schema);

impl<'de> serde::de::DeserializeSeed<'de> for Keep<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        match self.0 {
            Schema::Any => serde::Deserialize::deserialize(deserializer),
            schema => deserializer.deserialize_any(KeepVisitor(schema)),
        }
    }
}

struct KeepVisitor<'s>(&'s Schema);

impl KeepVisitor<'_> {
    /// The schema of member `key`, or `None` to skip it.
    fn member(&self, key: &str) -> Option<&Schema> {
        let find = |members: &[(&str, &'static Schema)]| members.iter().find(|(k, _)| *k == key).map(|(_, s)| *s);
        match self.0 {
            Schema::Any => Some(&Schema::Any),
            Schema::Struct(members) => find(members),
            Schema::Union(members) => Some(find(members).unwrap_or(&Schema::Any)),
            Schema::Map(value) => Some(value),
            Schema::Scalar | Schema::List(_) => None,
        }
    }
}

impl<'de> serde::de::Visitor<'de> for KeepVisitor<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // serde_json never produces a non-finite f64; Null is the Value of one anyway.
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let item = match self.0 {
            Schema::Any => &Schema::Any,
            Schema::List(item) => item,
            _ => {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                return Ok(Value::Array(Vec::new()));
            }
        };
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(Keep(item))? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match self.member(&key) {
                Some(schema) => {
                    let value = map.next_value_seed(Keep(schema))?;
                    object.insert(key.into_owned(), value);
                }
                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(object))
    }
}

/// The members of an object.
pub fn expect_object(v: &Value) -> Result<&Map<String, Value>, ParseError> {
    v.as_object().ok_or_else(|| expected("an object", v))
}

/// The items of an array.
pub fn expect_array(v: &Value) -> Result<&[Value], ParseError> {
    v.as_array().map(Vec::as_slice).ok_or_else(|| expected("an array", v))
}

/// A member of an object, treating an explicit `null` as absent.
pub fn member<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).filter(|v| !v.is_null())
}

/// A string.
pub fn expect_string(v: &Value) -> Result<String, ParseError> {
    v.as_str().map(str::to_owned).ok_or_else(|| expected("a string", v))
}

/// A boolean.
pub fn expect_bool(v: &Value) -> Result<bool, ParseError> {
    v.as_bool().ok_or_else(|| expected("a boolean", v))
}

fn expect_i64(v: &Value) -> Result<i64, ParseError> {
    match v {
        Value::Number(n) => n.as_i64().ok_or_else(|| ParseError::new(format!("{n} is not a 64-bit integer"))),
        _ => Err(expected("an integer", v)),
    }
}

macro_rules! expect_int {
    ($($name:ident: $ty:ty),*) => {$(
        #[doc = concat!("An integer that fits `", stringify!($ty), "`.")]
        pub fn $name(v: &Value) -> Result<$ty, ParseError> {
            let n = expect_i64(v)?;
            <$ty>::try_from(n).map_err(|_| ParseError::new(format!(concat!("{} is out of range for ", stringify!($ty)), n)))
        }
    )*};
}
expect_int!(expect_i8: i8, expect_i16: i16, expect_i32: i32);

/// A 64-bit integer.
pub fn expect_long(v: &Value) -> Result<i64, ParseError> {
    expect_i64(v)
}

/// A double: a JSON number, or one of the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
pub fn expect_f64(v: &Value) -> Result<f64, ParseError> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| ParseError::new(format!("{n} is not a number"))),
        Value::String(s) => match s.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => Err(ParseError::new(format!("expected a number, found the string {s:?}"))),
        },
        _ => Err(expected("a number", v)),
    }
}

/// A number written as text (a header or URI value): decimal, or `NaN`, `Infinity`,
/// `-Infinity`.
pub fn float_from_text(text: &str) -> Result<f64, ParseError> {
    match text.trim() {
        "NaN" => Ok(f64::NAN),
        "Infinity" => Ok(f64::INFINITY),
        "-Infinity" => Ok(f64::NEG_INFINITY),
        t => t.parse().map_err(|_| ParseError::new(format!("{t:?} is not a number"))),
    }
}

/// A float (see [`expect_f64`]).
pub fn expect_f32(v: &Value) -> Result<f32, ParseError> {
    expect_f64(v).map(|f| f as f32)
}

/// A base64-encoded blob.
pub fn expect_blob(v: &Value) -> Result<Blob, ParseError> {
    let s = v.as_str().ok_or_else(|| expected("a base64 string", v))?;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map(Blob::from)
        .map_err(|e| ParseError::new(format!("invalid base64: {e}")))
}

/// A timestamp in `format` (epoch seconds as a JSON number, the others as strings).
pub fn expect_timestamp(v: &Value, format: TimestampFormat) -> Result<DateTime, ParseError> {
    let text = match (format, v) {
        (TimestampFormat::EpochSeconds, Value::Number(n)) => n.to_string(),
        (TimestampFormat::EpochSeconds, _) => return Err(expected("a number of epoch seconds", v)),
        (_, Value::String(s)) => s.clone(),
        _ => return Err(expected("a timestamp string", v)),
    };
    DateTime::parse_wire(&text, format).map_err(|e| ParseError::new(e.to_string()))
}

/// An arbitrary-precision integer (a JSON number or its decimal text).
pub fn expect_big_integer(v: &Value) -> Result<BigInteger, ParseError> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return Err(expected("an integer", v)),
    };
    BigInteger::new(text).ok_or_else(|| ParseError::new("not an integer"))
}

/// An arbitrary-precision decimal (a JSON number or its decimal text).
pub fn expect_big_decimal(v: &Value) -> Result<BigDecimal, ParseError> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return Err(expected("a number", v)),
    };
    BigDecimal::new(text).ok_or_else(|| ParseError::new("not a decimal number"))
}

/// Base64 (standard alphabet, padded), as restJson1 writes blobs in headers and bodies.
pub fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A JSON text being written: the output of one request body.
#[derive(Debug, Default)]
pub struct JsonWriter {
    buf: Vec<u8>,
}

impl JsonWriter {
    /// An empty writer.
    pub fn new() -> Self {
        JsonWriter { buf: Vec::with_capacity(256) }
    }

    /// The top-level value.
    pub fn value(&mut self) -> ValueWriter<'_> {
        ValueWriter { buf: &mut self.buf }
    }

    /// The JSON text written.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// A slot for exactly one JSON value.
#[derive(Debug)]
pub struct ValueWriter<'a> {
    buf: &'a mut Vec<u8>,
}

impl<'a> ValueWriter<'a> {
    /// Writes a string, escaped.
    pub fn string(self, s: &str) {
        write_escaped(self.buf, s);
    }
    /// Writes `true` or `false`.
    pub fn boolean(self, b: bool) {
        self.buf.extend_from_slice(if b { b"true" } else { b"false" });
    }
    /// Writes an integer.
    pub fn integer(self, n: i64) {
        self.buf.extend_from_slice(n.to_string().as_bytes());
    }
    /// Writes a double; NaN and the infinities as the strings restJson1 uses for them.
    pub fn double(self, n: f64) {
        if n.is_nan() {
            self.buf.extend_from_slice(b"\"NaN\"");
        } else if n.is_infinite() {
            self.buf.extend_from_slice(if n > 0.0 { b"\"Infinity\"" } else { b"\"-Infinity\"" });
        } else if n.fract() == 0.0 && n.abs() < 1e15 {
            // Whole numbers keep a plain integer form (`1`, not `1.0`), as other SDKs write them.
            self.buf.extend_from_slice(format!("{}", n as i64).as_bytes());
        } else {
            self.buf.extend_from_slice(format!("{n}").as_bytes());
        }
    }
    /// Writes a float (see [`ValueWriter::double`]); the value is written as its shortest
    /// `f32` decimal form, not widened to `f64` digits.
    pub fn float(self, n: f32) {
        if n.is_finite() && n.fract() != 0.0 {
            self.buf.extend_from_slice(format!("{n}").as_bytes());
        } else {
            self.double(f64::from(n));
        }
    }
    /// Writes an arbitrary-precision number as its decimal text.
    pub fn number_text(self, text: &str) {
        self.buf.extend_from_slice(text.as_bytes());
    }
    /// Writes a blob as base64.
    pub fn blob(self, b: &Blob) {
        let encoded = base64::engine::general_purpose::STANDARD.encode(b.as_bytes());
        write_escaped(self.buf, &encoded);
    }
    /// Writes a timestamp in `format` (epoch seconds as a number).
    pub fn timestamp(self, t: &DateTime, format: TimestampFormat) {
        match (format, t.fmt_wire(format)) {
            (TimestampFormat::EpochSeconds, Ok(text)) => self.buf.extend_from_slice(text.as_bytes()),
            (_, Ok(text)) => write_escaped(self.buf, &text),
            // Dates beyond year 9999 have no date-time/http-date form; fall back to seconds.
            (_, Err(_)) => self.timestamp(t, TimestampFormat::EpochSeconds),
        }
    }
    /// Writes a document as JSON.
    pub fn document(self, d: &Value) {
        // Writing a Value into a Vec cannot fail: its keys are strings and numbers are finite.
        let _ = serde_json::to_writer(&mut *self.buf, d);
    }
    /// Writes `null`.
    pub fn null(self) {
        self.buf.extend_from_slice(b"null");
    }
    /// Starts an object; call [`ObjectWriter::finish`] when done.
    pub fn object(self) -> ObjectWriter<'a> {
        self.buf.push(b'{');
        ObjectWriter { buf: self.buf, first: true }
    }
    /// Starts an array; call [`ArrayWriter::finish`] when done.
    pub fn array(self) -> ArrayWriter<'a> {
        self.buf.push(b'[');
        ArrayWriter { buf: self.buf, first: true }
    }
}

/// An object being written.
#[derive(Debug)]
pub struct ObjectWriter<'a> {
    buf: &'a mut Vec<u8>,
    first: bool,
}

impl ObjectWriter<'_> {
    /// The slot for the member called `name`.
    pub fn key(&mut self, name: &str) -> ValueWriter<'_> {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
        write_escaped(self.buf, name);
        self.buf.push(b':');
        ValueWriter { buf: self.buf }
    }
    /// Closes the object.
    pub fn finish(self) {
        self.buf.push(b'}');
    }
}

/// An array being written.
#[derive(Debug)]
pub struct ArrayWriter<'a> {
    buf: &'a mut Vec<u8>,
    first: bool,
}

impl ArrayWriter<'_> {
    /// The slot for the next item.
    pub fn value(&mut self) -> ValueWriter<'_> {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
        ValueWriter { buf: self.buf }
    }
    /// Closes the array.
    pub fn finish(self) {
        self.buf.push(b']');
    }
}

fn write_escaped(buf: &mut Vec<u8>, s: &str) {
    // serde_json's string serializer does the escaping; writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *buf, s);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nested_values() {
        let mut w = JsonWriter::new();
        let mut o = w.value().object();
        o.key("a\"b").string("x\ny");
        o.key("n").integer(-3);
        o.key("f").double(1.5);
        o.key("whole").double(2.0);
        o.key("nan").double(f64::NAN);
        o.key("inf").float(f32::NEG_INFINITY);
        o.key("blob").blob(&Blob::from("hi"));
        o.key("t").timestamp(&DateTime::from_secs_and_nanos(1, 500_000_000), TimestampFormat::EpochSeconds);
        o.key("d").timestamp(&DateTime::from_secs(0), TimestampFormat::DateTime);
        let mut a = o.key("list").array();
        a.value().boolean(true);
        a.value().null();
        a.finish();
        o.key("empty").object().finish();
        o.finish();
        let text = String::from_utf8(w.finish()).unwrap();
        assert_eq!(
            text,
            r#"{"a\"b":"x\ny","n":-3,"f":1.5,"whole":2,"nan":"NaN","inf":"-Infinity","blob":"aGk=","t":1.5,"d":"1970-01-01T00:00:00Z","list":[true,null],"empty":{}}"#
        );
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["a\"b"], "x\ny");
    }

    #[test]
    fn reads_with_paths() {
        let v = parse_body(br#"{"a":{"b":[1,"x"]}}"#).unwrap();
        let err = expect_i32(&v["a"]["b"][1]).unwrap_err().within("[1]").within("b").within("a");
        assert_eq!(err.path(), "a.b[1]");
        assert_eq!(err.to_string(), "invalid response body at `a.b[1]`: expected an integer, found a string");
        assert_eq!(expect_i8(&serde_json::json!(300)).unwrap_err().message(), "300 is out of range for i8");
        assert!(expect_f64(&serde_json::json!("NaN")).unwrap().is_nan());
        assert_eq!(expect_f64(&serde_json::json!("-Infinity")).unwrap(), f64::NEG_INFINITY);
        assert!(expect_f64(&serde_json::json!("nan")).is_err());
        assert_eq!(float_from_text(" 1.1 ").unwrap(), 1.1);
        assert_eq!(float_from_text("-Infinity").unwrap(), f64::NEG_INFINITY);
        assert!(float_from_text("one").is_err());
        assert_eq!(expect_blob(&serde_json::json!("aGk=")).unwrap(), Blob::from("hi"));
        assert!(expect_blob(&serde_json::json!("%%")).is_err());
        assert_eq!(parse_body(b" ").unwrap(), Value::Object(Map::new()));
        assert!(parse_body(b"{\"a\":").unwrap_err().message().starts_with("malformed JSON"));
        assert_eq!(
            expect_timestamp(&serde_json::json!(1.25), TimestampFormat::EpochSeconds).unwrap(),
            DateTime::from_secs_and_nanos(1, 250_000_000)
        );
        let with_null = serde_json::json!({"n": null});
        let o = expect_object(&with_null).unwrap();
        assert!(member(o, "n").is_none());
    }

    static ITEM: Schema = Schema::Struct(&[("Id", &Schema::Scalar), ("Kids", &Schema::List(&ITEM))]);
    static CHOICE: Schema = Schema::Union(&[("Item", &ITEM)]);
    static TOP: Schema = Schema::Struct(&[
        ("Name", &Schema::Scalar),
        ("Items", &Schema::List(&ITEM)),
        ("Tags", &Schema::Map(&Schema::Scalar)),
        ("Doc", &Schema::Any),
        ("Choice", &CHOICE),
    ]);

    #[test]
    fn schema_keeps_known_members_and_skips_the_rest() {
        let body = br#"{"Name":"n","Extra":{"deep":[1,2,{"x":3}]},"Items":[{"Id":1,"Junk":[0,0],"Kids":[{"Id":2}]}],
            "Tags":{"a":"b"},"Doc":{"any":[1,{"k":null}]},"Choice":{"Item":{"Id":3,"No":1},"Future":{"x":[1]}}}"#;
        let v = parse_body_as(body, &TOP).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"Name":"n","Items":[{"Id":1,"Kids":[{"Id":2}]}],"Tags":{"a":"b"},
                "Doc":{"any":[1,{"k":null}]},"Choice":{"Item":{"Id":3},"Future":{"x":[1]}}})
        );
        // The whole body kept, as before.
        assert_eq!(parse_body(body).unwrap()["Extra"]["deep"][2]["x"], 3);
    }

    #[test]
    fn wrong_types_keep_their_kind_without_their_contents() {
        let v = parse_body_as(br#"{"Name":[1,[2,[3]]],"Items":{"a":[1]},"Tags":[1]}"#, &TOP).unwrap();
        assert_eq!(v, serde_json::json!({"Name":[],"Items":{},"Tags":[]}));
        let err = expect_string(&v["Name"]).unwrap_err();
        assert_eq!(err.message(), "expected a string, found an array");
    }

    #[test]
    fn unknown_members_may_hold_huge_numbers_and_deep_nesting() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let body = format!(r#"{{"Huge":1e400,"Long":{},"Deep":{deep},"Name":"ok"}}"#, "9".repeat(500));
        let v = parse_body_as(body.as_bytes(), &TOP).unwrap();
        assert_eq!(v, serde_json::json!({"Name":"ok"}));
        // Kept values still go through serde_json's checks (the depth limit protects the stack).
        assert!(parse_body(body.as_bytes()).is_err());
        let kept_deep = format!(r#"{{"Doc":{deep}}}"#);
        assert!(parse_body_as(kept_deep.as_bytes(), &TOP).unwrap_err().message().contains("recursion limit"));
        let items_deep = format!(r#"{{"Items":[{}]}}"#, r#"{"Kids":["#.repeat(200) + &"]}".repeat(200));
        assert!(parse_body_as(items_deep.as_bytes(), &TOP).is_err());
        // Trailing garbage and malformed unknown members are still malformed JSON.
        assert!(parse_body_as(br#"{"Name":"a"} x"#, &TOP).is_err());
        assert!(parse_body_as(br#"{"Extra":[1,}"#, &TOP).is_err());
    }
}
