//! CBOR (RFC 8949) reading and writing for generated `smithy.protocols#rpcv2Cbor` code
//! (feature `rpcv2-cbor`). The encoding and decoding of CBOR items is `minicbor`'s; this module
//! only maps Smithy values onto its API.
//!
//! Writing mirrors [`crate::json`]'s writers (same method names), so the generator walks a
//! shape once for both codecs and only the writer type differs. Structures, lists and maps are
//! written with indefinite lengths (the number of members set is not known up front; the
//! protocol allows both forms), blobs as byte strings, timestamps as tag 1 over epoch seconds.
//!
//! Reading produces the same [`Document`](crate::Document) tree the JSON readers consume, keeping
//! only what the reader's [`Schema`] names: members the model does not know are skipped by
//! `minicbor`'s non-recursive `skip` (no tree, no allocation for them), kept values may nest
//! at most [`MAX_DEPTH`] levels, and every length is checked against the bytes actually there
//! before anything is allocated. The mapping onto the tree: byte strings become base64 text (the
//! blob readers decode it), tag 1 gives its number (epoch seconds), NaN and the infinities
//! become the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (as in JSON), `undefined` reads as
//! null, definite and indefinite lengths alike, half-precision floats included.

use minicbor::data::Type;
use minicbor::{Decoder, Encoder};
use serde_json::{Map, Number, Value};

use crate::json::{ParseError, Schema};
use crate::types::{Blob, DateTime, TimestampFormat};

/// How deeply kept values may nest (as the JSON reader's limit).
pub const MAX_DEPTH: usize = 128;

/// A CBOR item being written: the output of one request body.
#[derive(Debug, Default)]
pub struct CborWriter {
    buf: Vec<u8>,
}

impl CborWriter {
    /// An empty writer.
    pub fn new() -> Self {
        CborWriter { buf: Vec::with_capacity(256) }
    }

    /// The top-level value.
    pub fn value(&mut self) -> ValueWriter<'_> {
        ValueWriter { buf: &mut self.buf }
    }

    /// The bytes written.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Runs one `minicbor` encoding step on `buf`; writing into a `Vec` cannot fail.
fn put<F>(buf: &mut Vec<u8>, f: F)
where
    F: FnOnce(&mut Encoder<&mut Vec<u8>>) -> Result<(), minicbor::encode::Error<std::convert::Infallible>>,
{
    // The only errors are the writer's, and a `Vec`'s writer is infallible.
    let _ = f(&mut Encoder::new(buf));
}

/// Maps `minicbor`'s encoder result to `()` (it returns the encoder for chaining).
trait Done {
    fn done(self) -> Result<(), minicbor::encode::Error<std::convert::Infallible>>;
}

impl<T> Done for Result<T, minicbor::encode::Error<std::convert::Infallible>> {
    fn done(self) -> Result<(), minicbor::encode::Error<std::convert::Infallible>> {
        self.map(|_| ())
    }
}

/// A slot for exactly one CBOR value.
#[derive(Debug)]
pub struct ValueWriter<'a> {
    buf: &'a mut Vec<u8>,
}

impl<'a> ValueWriter<'a> {
    /// Writes a text string.
    pub fn string(self, s: &str) {
        put(self.buf, |e| e.str(s).done());
    }
    /// Writes `true` or `false`.
    pub fn boolean(self, b: bool) {
        put(self.buf, |e| e.bool(b).done());
    }
    /// Writes an integer (in its shortest form).
    pub fn integer(self, n: i64) {
        put(self.buf, |e| e.i64(n).done());
    }
    /// Writes a double (NaN and the infinities included, as CBOR floats).
    pub fn double(self, n: f64) {
        put(self.buf, |e| e.f64(n).done());
    }
    /// Writes a float.
    pub fn float(self, n: f32) {
        put(self.buf, |e| e.f32(n).done());
    }
    /// Writes a blob as a byte string.
    pub fn blob(self, b: &Blob) {
        put(self.buf, |e| e.bytes(b.as_bytes()).done());
    }
    /// Writes a timestamp as tag 1 (epoch seconds): an integer when whole, else a double. The
    /// protocol ignores `@timestampFormat`, so `_format` is not used.
    pub fn timestamp(self, t: &DateTime, _format: TimestampFormat) {
        put(self.buf, |e| {
            e.tag(minicbor::data::Tag::new(1))?;
            if t.subsec_nanos() == 0 {
                e.i64(t.secs()).done()
            } else {
                e.f64(t.as_secs_f64()).done()
            }
        });
    }
    /// Writes a document value (the protocol has no documents; this writes back the members of a
    /// union the model did not know, which were read from CBOR).
    pub fn document(self, d: &Value) {
        put(self.buf, |e| write_value(e, d));
    }
    /// Writes `null`.
    pub fn null(self) {
        put(self.buf, |e| e.null().done());
    }
    /// Starts a map; call [`ObjectWriter::finish`] when done.
    pub fn object(self) -> ObjectWriter<'a> {
        put(self.buf, |e| e.begin_map().done());
        ObjectWriter { buf: self.buf }
    }
    /// Starts an array; call [`ArrayWriter::finish`] when done.
    pub fn array(self) -> ArrayWriter<'a> {
        put(self.buf, |e| e.begin_array().done());
        ArrayWriter { buf: self.buf }
    }
}

fn write_value(
    e: &mut Encoder<&mut Vec<u8>>,
    v: &Value,
) -> Result<(), minicbor::encode::Error<std::convert::Infallible>> {
    match v {
        Value::Null => e.null().done(),
        Value::Bool(b) => e.bool(*b).done(),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => e.u64(u).done(),
            (_, Some(i), _) => e.i64(i).done(),
            (_, _, f) => e.f64(f.unwrap_or(f64::NAN)).done(),
        },
        Value::String(s) => e.str(s).done(),
        Value::Array(items) => {
            e.array(items.len() as u64)?;
            items.iter().try_for_each(|item| write_value(e, item))
        }
        Value::Object(members) => {
            e.map(members.len() as u64)?;
            members.iter().try_for_each(|(k, v)| {
                e.str(k)?;
                write_value(e, v)
            })
        }
    }
}

/// A map being written.
#[derive(Debug)]
pub struct ObjectWriter<'a> {
    buf: &'a mut Vec<u8>,
}

impl ObjectWriter<'_> {
    /// The slot for the member called `name`.
    pub fn key(&mut self, name: &str) -> ValueWriter<'_> {
        put(self.buf, |e| e.str(name).done());
        ValueWriter { buf: self.buf }
    }
    /// Closes the map.
    pub fn finish(self) {
        put(self.buf, |e| e.end().done());
    }
}

/// An array being written.
#[derive(Debug)]
pub struct ArrayWriter<'a> {
    buf: &'a mut Vec<u8>,
}

impl ArrayWriter<'_> {
    /// The slot for the next item.
    pub fn value(&mut self) -> ValueWriter<'_> {
        ValueWriter { buf: self.buf }
    }
    /// Closes the array.
    pub fn finish(self) {
        put(self.buf, |e| e.end().done());
    }
}

/// Parses a CBOR body, keeping only what `schema` names (see the module docs). An empty body
/// reads as an empty map (outputs and errors without members may have no body). Bytes after the
/// one top-level item are an error.
pub fn parse_body_as(body: &[u8], schema: &Schema) -> Result<Value, ParseError> {
    if body.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    let mut d = Decoder::new(body);
    let value = read(&mut d, schema, 0)?;
    if d.position() != body.len() {
        return Err(ParseError::new(format!("malformed CBOR: {} bytes after the value", body.len() - d.position())));
    }
    Ok(value)
}

fn malformed(e: minicbor::decode::Error) -> ParseError {
    ParseError::new(format!("malformed CBOR: {e}"))
}

/// Reads the item at the decoder's position as `schema` says; `depth` counts enclosing kept
/// arrays and maps.
fn read(d: &mut Decoder<'_>, schema: &Schema, depth: usize) -> Result<Value, ParseError> {
    let at = d.position();
    Ok(match d.datatype().map_err(malformed)? {
        Type::Bool => Value::Bool(d.bool().map_err(malformed)?),
        Type::Null | Type::Undefined => {
            d.skip().map_err(malformed)?;
            Value::Null
        }
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => Value::from(d.u64().map_err(malformed)?),
        Type::I8 | Type::I16 | Type::I32 | Type::I64 | Type::Int => {
            let n = i128::from(d.int().map_err(malformed)?);
            let n = i64::try_from(n).map_err(|_| ParseError::new(format!("{n} is not a 64-bit integer")))?;
            Value::from(n)
        }
        Type::F16 => float(f64::from(half_float(d)?)),
        Type::F32 => float(f64::from(d.f32().map_err(malformed)?)),
        Type::F64 => float(d.f64().map_err(malformed)?),
        Type::Bytes | Type::BytesIndef => {
            let mut bytes = Vec::new();
            for chunk in d.bytes_iter().map_err(malformed)? {
                bytes.extend_from_slice(chunk.map_err(malformed)?);
            }
            Value::String(crate::json::base64_encode(&bytes))
        }
        Type::String | Type::StringIndef => Value::String(text(d)?),
        Type::Tag => {
            let tag = u64::from(d.tag().map_err(malformed)?);
            too_deep(depth)?;
            let value = read(d, &Schema::Scalar, depth + 1)?;
            if tag == 1 && !value.is_number() {
                return Err(ParseError::new("tag 1 (epoch timestamp) must hold a number"));
            }
            // Tag 1 is how timestamps travel; the protocol defines no others, so any other tag
            // is read as the value it wraps.
            value
        }
        Type::Array | Type::ArrayIndef => read_array(d, schema, depth)?,
        Type::Map | Type::MapIndef => read_map(d, schema, depth)?,
        t => return Err(ParseError::new(format!("malformed CBOR: unexpected {t} at byte {at}"))),
    })
}

/// A float as a tree value: NaN and the infinities as the strings the JSON readers accept.
fn float(f: f64) -> Value {
    match Number::from_f64(f) {
        Some(n) => Value::Number(n),
        None if f.is_nan() => Value::String("NaN".to_owned()),
        None if f > 0.0 => Value::String("Infinity".to_owned()),
        None => Value::String("-Infinity".to_owned()),
    }
}

/// A half-precision float (major type 7, additional info 25). `minicbor` decodes it only with
/// its `half` feature, whose `half` crate pulls in `zerocopy`'s derive macros (syn); the value
/// is read here with RFC 8949 Appendix D's conversion instead.
fn half_float(d: &mut Decoder<'_>) -> Result<f32, ParseError> {
    let at = d.position();
    let bits = match d.input().get(at + 1..at + 3) {
        Some(&[hi, lo]) => u16::from_be_bytes([hi, lo]),
        _ => return Err(ParseError::new("malformed CBOR: truncated half-precision float")),
    };
    d.set_position(at + 3);
    let exponent = i32::from((bits >> 10) & 0x1f);
    let mantissa = f32::from(bits & 0x3ff);
    let magnitude = match exponent {
        0 => mantissa * 2f32.powi(-24),
        31 if mantissa == 0.0 => f32::INFINITY,
        31 => f32::NAN,
        e => (mantissa + 1024.0) * 2f32.powi(e - 25),
    };
    Ok(if bits & 0x8000 != 0 { -magnitude } else { magnitude })
}

/// A text string, definite or indefinite (chunked).
fn text(d: &mut Decoder<'_>) -> Result<String, ParseError> {
    let mut out = String::new();
    for chunk in d.str_iter().map_err(malformed)? {
        out.push_str(chunk.map_err(malformed)?);
    }
    Ok(out)
}

/// Whether the next item is the break ending an indefinite array or map (consumed if so).
fn at_break(d: &mut Decoder<'_>) -> Result<bool, ParseError> {
    if d.datatype().map_err(malformed)? == Type::Break {
        d.set_position(d.position() + 1);
        return Ok(true);
    }
    Ok(false)
}

fn too_deep(depth: usize) -> Result<(), ParseError> {
    if depth >= MAX_DEPTH {
        return Err(ParseError::new(format!("values nest more than {MAX_DEPTH} levels deep")));
    }
    Ok(())
}

/// An array; skipped whole (kept as an empty array) where the schema expects no list.
fn read_array(d: &mut Decoder<'_>, schema: &Schema, depth: usize) -> Result<Value, ParseError> {
    let item = match schema {
        Schema::Any => &Schema::Any,
        Schema::List(item) => *item,
        _ => {
            d.skip().map_err(malformed)?;
            return Ok(Value::Array(Vec::new()));
        }
    };
    too_deep(depth)?;
    let len = d.array().map_err(malformed)?;
    // Items are pushed as they are read: a hostile declared length allocates nothing.
    let mut items = Vec::new();
    let mut index = 0u64;
    loop {
        match len {
            Some(n) if index == n => break,
            None if at_break(d)? => break,
            _ => {}
        }
        items.push(read(d, item, depth + 1).map_err(|e| e.within(format!("[{index}]")))?);
        index += 1;
    }
    Ok(Value::Array(items))
}

/// A map with text keys; members the schema does not name are skipped unread.
fn read_map(d: &mut Decoder<'_>, schema: &Schema, depth: usize) -> Result<Value, ParseError> {
    if matches!(schema, Schema::Scalar | Schema::List(_)) {
        d.skip().map_err(malformed)?;
        return Ok(Value::Object(Map::new()));
    }
    too_deep(depth)?;
    let len = d.map().map_err(malformed)?;
    let mut object = Map::new();
    let mut index = 0u64;
    loop {
        match len {
            Some(n) if index == n => break,
            None if at_break(d)? => break,
            _ => {}
        }
        index += 1;
        let key = match d.datatype().map_err(malformed)? {
            Type::String | Type::StringIndef => text(d)?,
            t => return Err(ParseError::new(format!("malformed CBOR: a map key is {t}, not a text string"))),
        };
        match member(schema, &key) {
            Some(member_schema) => {
                let value = read(d, member_schema, depth + 1).map_err(|e| e.within(&key))?;
                object.insert(key, value);
            }
            None => d.skip().map_err(malformed)?,
        }
    }
    Ok(Value::Object(object))
}

/// The schema of member `key`, or `None` to skip it (as the JSON reader decides).
fn member<'s>(schema: &'s Schema, key: &str) -> Option<&'s Schema> {
    let find = |members: &'s [(&str, &'static Schema)]| members.iter().find(|(k, _)| *k == key).map(|(_, s)| *s);
    match schema {
        Schema::Any => Some(&Schema::Any),
        Schema::Struct(members) => find(members),
        Schema::Union(members) => Some(find(members).unwrap_or(&Schema::Any)),
        Schema::Map(value) => Some(value),
        Schema::Scalar | Schema::List(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static ITEM: Schema = Schema::Struct(&[("Id", &Schema::Scalar), ("Kids", &Schema::List(&ITEM))]);
    static TOP: Schema = Schema::Struct(&[
        ("Name", &Schema::Scalar),
        ("Items", &Schema::List(&ITEM)),
        ("Tags", &Schema::Map(&Schema::Scalar)),
        ("Blob", &Schema::Scalar),
        ("When", &Schema::Scalar),
        ("F", &Schema::Scalar),
    ]);

    fn written(f: impl FnOnce(&mut ObjectWriter<'_>)) -> Vec<u8> {
        let mut w = CborWriter::new();
        let mut o = w.value().object();
        f(&mut o);
        o.finish();
        w.finish()
    }

    #[test]
    fn writes_what_it_reads_back() {
        let body = written(|o| {
            o.key("Name").string("n");
            o.key("Blob").blob(&Blob::from("hi"));
            o.key("When").timestamp(&DateTime::from_secs_and_nanos(1, 500_000_000), TimestampFormat::DateTime);
            o.key("F").double(f64::NEG_INFINITY);
            let mut items = o.key("Items").array();
            let mut item = items.value().object();
            item.key("Id").integer(-3);
            item.key("Unknown").float(1.5);
            item.finish();
            items.finish();
            let mut tags = o.key("Tags").object();
            tags.key("a").null();
            tags.finish();
        });
        // Indefinite map and array, tag 1 over a double, a byte string.
        assert_eq!(&body[..6], &[0xbf, 0x64, b'N', b'a', b'm', b'e']);
        assert!(body.windows(10).any(|w| w[0] == 0xc1 && w[1] == 0xfb), "tag 1 then a double");
        let v = parse_body_as(&body, &TOP).unwrap();
        assert_eq!(
            v,
            json!({"Name":"n","Blob":"aGk=","When":1.5,"F":"-Infinity","Items":[{"Id":-3}],"Tags":{"a":null}})
        );
        assert_eq!(crate::json::expect_blob(&v["Blob"]).unwrap(), Blob::from("hi"));
        let whole = written(|o| o.key("t").timestamp(&DateTime::from_secs(7), TimestampFormat::EpochSeconds));
        assert_eq!(&whole[3..5], &[0xc1, 0x07], "a whole second is an integer under tag 1");
    }

    #[test]
    fn reads_definite_indefinite_chunked_and_half_floats() {
        // {"Name": (_ "a", "b"), "Items": [{"Id": 1}], "F": f16 1.0} with a definite map.
        let body = [
            0xa3, 0x64, b'N', b'a', b'm', b'e', 0x7f, 0x61, b'a', 0x61, b'b', 0xff, 0x65, b'I', b't', b'e', b'm', b's',
            0x81, 0xa1, 0x62, b'I', b'd', 0x01, 0x61, b'F', 0xf9, 0x3c, 0x00,
        ];
        assert_eq!(parse_body_as(&body, &TOP).unwrap(), json!({"Name":"ab","Items":[{"Id":1}],"F":1.0}));
        let half =
            |bits: [u8; 2]| parse_body_as(&[0xa1, 0x61, b'F', 0xf9, bits[0], bits[1]], &TOP).unwrap()["F"].clone();
        assert_eq!(half([0x7c, 0x00]), json!("Infinity"));
        assert_eq!(half([0xfc, 0x00]), json!("-Infinity"));
        assert_eq!(half([0x7e, 0x00]), json!("NaN"));
        assert_eq!(half([0x00, 0x01]), json!(5.960464477539063e-8));
        assert_eq!(half([0xc0, 0x00]), json!(-2.0));
        assert_eq!(parse_body_as(&[], &TOP).unwrap(), json!({}));
    }

    #[test]
    fn unknown_members_are_skipped_however_deep() {
        // {"Deep": [[[[...]]]] (100,000 indefinite levels), "Name": "ok"}
        let mut body = vec![0xbf, 0x64, b'D', b'e', b'e', b'p'];
        body.extend(std::iter::repeat_n(0x9f, 100_000));
        body.extend(std::iter::repeat_n(0xff, 100_000));
        body.extend([0x64, b'N', b'a', b'm', b'e', 0x62, b'o', b'k', 0xff]);
        assert_eq!(parse_body_as(&body, &TOP).unwrap(), json!({"Name":"ok"}));
        // Kept values may not nest deeper than MAX_DEPTH (no stack overflow).
        let mut deep = vec![0xa1, 0x61, b'D'];
        deep.extend(std::iter::repeat_n(0x81, 100_000));
        deep.push(0x01);
        let err = parse_body_as(&deep, &Schema::Struct(&[("D", &Schema::Any)])).unwrap_err();
        assert!(err.message().contains("nest more than 128"), "{err}");
        let tags = [vec![0xa1, 0x61, b'F'], vec![0xc1; 100_000], vec![0x01]].concat();
        assert!(parse_body_as(&tags, &TOP).is_err());
    }

    #[test]
    fn hostile_bodies_fail_cleanly() {
        let cases: &[(&[u8], &str)] = &[
            // A byte string declaring 2^62 bytes, an array and a map declaring 2^63 items.
            (&[0xa1, 0x64, b'B', b'l', b'o', b'b', 0x5b, 0x40, 0, 0, 0, 0, 0, 0, 0], "malformed CBOR"),
            (&[0xa1, 0x65, b'I', b't', b'e', b'm', b's', 0x9b, 0x80, 0, 0, 0, 0, 0, 0, 0], "malformed CBOR"),
            (&[0xbb, 0x80, 0, 0, 0, 0, 0, 0, 0], "malformed CBOR"),
            // The same lengths in a skipped member.
            (&[0xa1, 0x61, b'X', 0x5b, 0x40, 0, 0, 0, 0, 0, 0, 0], "malformed CBOR"),
            (&[0xa1, 0x61, b'X', 0x9b, 0x80, 0, 0, 0, 0, 0, 0, 0], "malformed CBOR"),
            // A key that is not text, a stray break, trailing bytes, a truncated half float.
            (&[0xa1, 0x01, 0x01], "not a text string"),
            (&[0xff], "malformed CBOR"),
            (&[0xa0, 0x00], "bytes after the value"),
            (&[0xa1, 0x61, b'F', 0xf9, 0x3c], "truncated half-precision float"),
            (&[0xa1, 0x64, b'W', b'h', b'e', b'n', 0xc1, 0x61, b'x'], "tag 1"),
        ];
        for (body, want) in cases {
            let err = parse_body_as(body, &TOP).unwrap_err();
            assert!(err.message().contains(want), "{body:02x?}: {err}");
        }
        // Pseudo-random garbage never panics.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for len in 0..2000usize {
            let bytes: Vec<u8> = (0..len % 64)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            let _ = parse_body_as(&bytes, &TOP);
            let _ = parse_body_as(&bytes, &Schema::Any);
        }
    }
}
