//! The form encoding of awsQuery and ec2Query requests (`POST /`,
//! `Content-Type: application/x-www-form-urlencoded`): `Action=<Operation>&Version=<api
//! version>` and then one `key=value` pair per scalar of the input. Generated serializers build
//! the keys (`Names.member.1`, `Attributes.entry.1.key`, `Tags.1.Value` for ec2Query) and call
//! a [`QueryWriter`] method per value; this module owns how values are spelled and escaped.
//!
//! Keys and values are percent-encoded except RFC 3986's unreserved characters
//! (`A-Z a-z 0-9 - _ . ~`), so `:` becomes `%3A` and a space `%20` (never `+`), as the AWS
//! SDKs send them.

use percent_encoding::utf8_percent_encode;

use crate::percent::UNRESERVED as QUERY;
use crate::types::{Blob, DateTime, TimestampFormat};

/// The key of member `name` under `prefix` (`Prefix.Name`; just `Name` at the top).
pub fn key(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Builds a form-encoded request body.
#[derive(Debug, Default)]
pub struct QueryWriter {
    out: String,
}

impl QueryWriter {
    /// A body starting with `Action=<action>&Version=<version>`.
    pub fn new(action: &str, version: &str) -> Self {
        let mut writer = QueryWriter { out: String::new() };
        writer.string("Action", action);
        writer.string("Version", version);
        writer
    }

    fn pair(&mut self, key: &str, value: &str) {
        if !self.out.is_empty() {
            self.out.push('&');
        }
        self.out.extend(utf8_percent_encode(key, QUERY));
        self.out.push('=');
        self.out.extend(utf8_percent_encode(value, QUERY));
    }

    /// `key=value`.
    pub fn string(&mut self, key: &str, value: &str) {
        self.pair(key, value);
    }

    /// `key=` (an empty list or map is sent as just its key, so the service sees it was set).
    pub fn empty(&mut self, key: &str) {
        self.pair(key, "");
    }

    /// `true` or `false`.
    pub fn boolean(&mut self, key: &str, value: bool) {
        self.pair(key, if value { "true" } else { "false" });
    }

    /// An integer of any width.
    pub fn integer(&mut self, key: &str, value: i64) {
        self.pair(key, &value.to_string());
    }

    /// A float: shortest decimal that reads back the same, or `NaN`, `Infinity`, `-Infinity`.
    pub fn double(&mut self, key: &str, value: f64) {
        self.pair(key, &float_text(value, value.to_string()));
    }

    /// A 32-bit float (printed as its own shortest decimal, `10.8` rather than `10.800000190734863`).
    pub fn float(&mut self, key: &str, value: f32) {
        self.pair(key, &float_text(f64::from(value), value.to_string()));
    }

    /// An arbitrary-precision number as its decimal text.
    pub fn number_text(&mut self, key: &str, text: &str) {
        self.pair(key, text);
    }

    /// A blob as base64.
    pub fn blob(&mut self, key: &str, value: &Blob) {
        use base64::Engine as _;
        self.pair(key, &base64::engine::general_purpose::STANDARD.encode(value.as_bytes()));
    }

    /// A timestamp in `format` (date-time unless the member says otherwise).
    pub fn timestamp(&mut self, key: &str, value: &DateTime, format: TimestampFormat) {
        let text = value.fmt_wire(format).or_else(|_| value.fmt_wire(TimestampFormat::EpochSeconds));
        // Epoch seconds can always be written; the fallback covers dates past year 9999.
        self.pair(key, &text.unwrap_or_default());
    }

    /// The encoded body.
    pub fn finish(self) -> String {
        self.out
    }
}

fn float_text(value: f64, shortest: String) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_version_and_scalars() {
        let mut w = QueryWriter::new("SimpleInputParams", "2020-01-08");
        w.string("Foo", "val1");
        w.boolean("Baz", true);
        w.integer("Bam", -10);
        w.float("Boo", 10.8);
        w.double("FloatValue", f64::NAN);
        w.double("Inf", f64::INFINITY);
        w.double("NegInf", f64::NEG_INFINITY);
        w.blob("Qux", &Blob::from(b"value".to_vec()));
        w.timestamp("T", &DateTime::from_secs(1_422_172_800), TimestampFormat::DateTime);
        w.timestamp("E", &DateTime::from_secs(1_422_172_800), TimestampFormat::EpochSeconds);
        w.empty("List");
        assert_eq!(
            w.finish(),
            "Action=SimpleInputParams&Version=2020-01-08&Foo=val1&Baz=true&Bam=-10&Boo=10.8&FloatValue=NaN\
             &Inf=Infinity&NegInf=-Infinity&Qux=dmFsdWU%3D&T=2015-01-25T08%3A00%3A00Z&E=1422172800&List="
        );
    }

    #[test]
    fn escapes_everything_but_unreserved() {
        let mut w = QueryWriter::default();
        w.string("Key.member.1", "a b&c=d+e/f?g~h_i-j.k\u{e9}\n");
        assert_eq!(w.finish(), "Key.member.1=a%20b%26c%3Dd%2Be%2Ff%3Fg~h_i-j.k%C3%A9%0A");
    }
}
