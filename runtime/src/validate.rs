//! Constraint checking for generated `validate()` methods.
//!
//! Generated code walks a value and reports every violation into a [`Violations`] collector;
//! nothing stops at the first problem. Paths are built lazily ([`Path`] is a chain of borrowed
//! segments), so a valid value costs no allocation.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use crate::types::{BigDecimal, BigInteger, Blob, DateTime, Document};

/// Where a value sits inside the input being validated.
#[derive(Clone, Copy, Debug)]
pub enum Path<'a> {
    /// The input itself.
    Root,
    /// A structure or union member, by its wire name.
    Member(&'a Path<'a>, &'static str),
    /// A list item.
    Index(&'a Path<'a>, usize),
    /// A map value, by key.
    Key(&'a Path<'a>, &'a str),
    /// A map key itself (for constraints on keys).
    MapKey(&'a Path<'a>, &'a str),
}

impl<'a> Path<'a> {
    /// The path of member `name` below this one.
    pub fn member(&'a self, name: &'static str) -> Path<'a> {
        Path::Member(self, name)
    }
    /// The path of list item `index` below this one.
    pub fn index(&'a self, index: usize) -> Path<'a> {
        Path::Index(self, index)
    }
    /// The path of the map value under `key` below this one.
    pub fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }
    /// The path of the map key `key` itself below this one.
    pub fn map_key(&'a self, key: &'a str) -> Path<'a> {
        Path::MapKey(self, key)
    }

    fn write(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Member(parent, name) => {
                parent.write(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Path::Index(parent, index) => {
                parent.write(out);
                out.push_str(&format!("[{index}]"));
            }
            Path::Key(parent, key) => {
                parent.write(out);
                out.push_str(&format!("[{key:?}]"));
            }
            Path::MapKey(parent, key) => {
                parent.write(out);
                out.push_str(&format!("[key {key:?}]"));
            }
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write(&mut out);
        f.write_str(&out)
    }
}

/// What `@length` counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LengthUnit {
    /// Unicode scalar values of a string.
    Chars,
    /// Bytes of a blob.
    Bytes,
    /// Items of a list or entries of a map.
    Entries,
}

/// The constraint a value broke.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Constraint {
    /// `@length`: size within `min..=max`.
    Length {
        /// Smallest allowed size.
        min: Option<u64>,
        /// Largest allowed size.
        max: Option<u64>,
        /// What is counted.
        unit: LengthUnit,
    },
    /// `@pattern`: the ECMA-262 regular expression must match somewhere in the string.
    Pattern(&'static str),
    /// `@range`: number within `min..=max` (bounds as written in the model).
    Range {
        /// Smallest allowed value.
        min: Option<String>,
        /// Largest allowed value.
        max: Option<String>,
    },
    /// `@uniqueItems`: no two items of the list are equal.
    UniqueItems,
    /// `awslim.traits#totalUtf8Bytes`: every string of the collection, summed in UTF-8 bytes,
    /// within `max`.
    TotalUtf8Bytes {
        /// Largest allowed total.
        max: u64,
    },
}

/// What was found instead.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Actual {
    /// A size (length, entries, bytes).
    Size(u64),
    /// The offending value, as text.
    Value(String),
    /// The offending value is `@sensitive` and is not shown.
    Redacted,
    /// For `@uniqueItems`: the index of the first item this one repeats.
    Repeats {
        /// Index of the repeated item.
        index: usize,
        /// Index of its earlier twin.
        first: usize,
    },
}

/// One broken constraint.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    path: String,
    constraint: Constraint,
    actual: Actual,
}

impl Violation {
    /// The path of the value, e.g. `References["r1"].Arn`.
    pub fn path(&self) -> &str {
        &self.path
    }
    /// The constraint it broke.
    pub fn constraint(&self) -> &Constraint {
        &self.constraint
    }
    /// What was found.
    pub fn actual(&self) -> &Actual {
        &self.actual
    }
}

fn fmt_bounds<T: fmt::Display>(f: &mut fmt::Formatter<'_>, min: &Option<T>, max: &Option<T>) -> fmt::Result {
    match (min, max) {
        (Some(min), Some(max)) => write!(f, "{min}..={max}"),
        (Some(min), None) => write!(f, "{min}.."),
        (None, Some(max)) => write!(f, "..={max}"),
        (None, None) => f.write_str(".."),
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() { "input" } else { &self.path };
        write!(f, "{path}: ")?;
        match (&self.constraint, &self.actual) {
            (Constraint::Length { min, max, unit }, Actual::Size(n)) => {
                let unit = match unit {
                    LengthUnit::Chars => "characters",
                    LengthUnit::Bytes => "bytes",
                    LengthUnit::Entries => "entries",
                };
                write!(f, "length {n} {unit} is outside the allowed ")?;
                fmt_bounds(f, min, max)
            }
            (Constraint::Pattern(p), Actual::Redacted) => {
                write!(f, "the value (sensitive, not shown) does not match the pattern {p}")
            }
            (Constraint::Pattern(p), actual) => {
                write!(f, "{} does not match the pattern {p}", ActualText(actual))
            }
            (Constraint::Range { min, max }, actual) => {
                write!(f, "{} is outside the allowed range ", ActualText(actual))?;
                fmt_bounds(f, min, max)
            }
            (Constraint::UniqueItems, Actual::Repeats { index, first }) => {
                write!(f, "item [{index}] repeats item [{first}]; items must be unique")
            }
            (Constraint::TotalUtf8Bytes { max }, Actual::Size(n)) => {
                write!(f, "{n} UTF-8 bytes in total across keys and values, at most {max} allowed")
            }
            (constraint, actual) => write!(f, "{} breaks {constraint:?}", ActualText(actual)),
        }
    }
}

struct ActualText<'a>(&'a Actual);

impl fmt::Display for ActualText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Actual::Size(n) => write!(f, "size {n}"),
            Actual::Value(v) => write!(f, "{v:?}"),
            Actual::Redacted => f.write_str("the value (sensitive, not shown)"),
            Actual::Repeats { index, .. } => write!(f, "item [{index}]"),
        }
    }
}

/// Every constraint an input broke.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidationError {
    violations: Vec<Violation>,
}

impl ValidationError {
    /// The violations, in the order the members were visited (model order).
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.violations.len();
        write!(f, "{n} constraint violation{}: ", if n == 1 { "" } else { "s" })?;
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

/// Values longer than this are shortened in violation messages.
const MAX_SHOWN_CHARS: usize = 64;

fn shown(value: &str, sensitive: bool) -> Actual {
    if sensitive {
        return Actual::Redacted;
    }
    let mut chars = value.char_indices();
    match chars.nth(MAX_SHOWN_CHARS) {
        Some((end, _)) => Actual::Value(format!("{}…", &value[..end])),
        None => Actual::Value(value.to_owned()),
    }
}

/// Collects violations while generated code walks a value.
#[derive(Debug, Default)]
pub struct Violations {
    found: Vec<Violation>,
}

impl Violations {
    /// An empty collector.
    pub fn new() -> Self {
        Violations::default()
    }

    fn push(&mut self, path: &Path<'_>, constraint: Constraint, actual: Actual) {
        self.found.push(Violation { path: path.to_string(), constraint, actual });
    }

    /// `@length`: `size` must lie in `min..=max`.
    pub fn length(&mut self, path: &Path<'_>, size: usize, min: Option<u64>, max: Option<u64>, unit: LengthUnit) {
        let size = size as u64;
        if min.is_some_and(|m| size < m) || max.is_some_and(|m| size > m) {
            self.push(path, Constraint::Length { min, max, unit }, Actual::Size(size));
        }
    }

    /// `@length` on a string, counted in Unicode scalar values.
    pub fn length_chars(&mut self, path: &Path<'_>, value: &str, min: Option<u64>, max: Option<u64>) {
        // A string has at least len/4 and at most len characters: skip counting when that settles it.
        let bytes = value.len() as u64;
        if min.is_none_or(|m| bytes / 4 >= m) && max.is_none_or(|m| bytes <= m) {
            return;
        }
        self.length(path, value.chars().count(), min, max, LengthUnit::Chars);
    }

    /// `@pattern`: the string must match somewhere (Smithy patterns are not implicitly anchored).
    pub fn pattern(&mut self, path: &Path<'_>, value: &str, pattern: &Pattern, sensitive: bool) {
        if !pattern.is_match(value) {
            self.push(path, Constraint::Pattern(pattern.source()), shown(value, sensitive));
        }
    }

    /// `@range` on an integer.
    pub fn range_i64(&mut self, path: &Path<'_>, value: i64, min: Option<i64>, max: Option<i64>, sensitive: bool) {
        if min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m) {
            let actual = if sensitive { Actual::Redacted } else { Actual::Value(value.to_string()) };
            let range = Constraint::Range { min: min.map(|m| m.to_string()), max: max.map(|m| m.to_string()) };
            self.push(path, range, actual);
        }
    }

    /// `@range` on a floating-point (or arbitrary-precision) number; bounds are the model's
    /// text. NaN is outside every range.
    pub fn range_f64(
        &mut self,
        path: &Path<'_>,
        value: f64,
        min: Option<(f64, &'static str)>,
        max: Option<(f64, &'static str)>,
        sensitive: bool,
    ) {
        let below = min.is_some_and(|(m, _)| value.is_nan() || value < m);
        let above = max.is_some_and(|(m, _)| value.is_nan() || value > m);
        if below || above {
            let actual = if sensitive { Actual::Redacted } else { Actual::Value(value.to_string()) };
            let range = Constraint::Range {
                min: min.map(|(_, text)| text.to_owned()),
                max: max.map(|(_, text)| text.to_owned()),
            };
            self.push(path, range, actual);
        }
    }

    /// `@uniqueItems`: reports each item equal to an earlier one.
    pub fn unique_items<T: PartialEq>(&mut self, path: &Path<'_>, items: &[T]) {
        for (index, item) in items.iter().enumerate() {
            if let Some(first) = items[..index].iter().position(|earlier| earlier == item) {
                self.push(path, Constraint::UniqueItems, Actual::Repeats { index, first });
            }
        }
    }

    /// `awslim.traits#totalUtf8Bytes`: the UTF-8 size of every string in `value` summed.
    pub fn total_utf8_bytes<T: Utf8Size + ?Sized>(&mut self, path: &Path<'_>, value: &T, max: u64) {
        let total = value.utf8_size();
        if total > max {
            self.push(path, Constraint::TotalUtf8Bytes { max }, Actual::Size(total));
        }
    }

    /// `Ok(())` when nothing was found, else every violation.
    pub fn into_result(self) -> Result<(), ValidationError> {
        if self.found.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { violations: self.found })
        }
    }
}

/// An ECMA-262 regular expression from a `@pattern` trait, compiled on first use.
///
/// Smithy specifies ECMA-262 semantics, which the `regex` crates do not implement (lookahead,
/// `\d` being ASCII-only, ...); `regress` does. Patterns are compiled in Unicode mode when
/// they allow it (so `\p{L}` works), else in legacy mode.
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Option<regress::Regex>>,
}

impl Pattern {
    /// A pattern to compile on first use.
    pub const fn new(source: &'static str) -> Self {
        Pattern { source, compiled: OnceLock::new() }
    }

    /// The pattern as written in the model.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Compiles an ECMA-262 pattern the way [`Pattern`] does, reporting why it is invalid.
    pub fn compile(source: &str) -> Result<regress::Regex, String> {
        regress::Regex::with_flags(source, "u").or_else(|_| regress::Regex::new(source)).map_err(|e| e.to_string())
    }

    /// Whether the pattern matches anywhere in `value`. A pattern that does not compile
    /// (the generator rejects those, so only hand-made patterns) matches nothing.
    pub fn is_match(&self, value: &str) -> bool {
        self.compiled
            .get_or_init(|| Pattern::compile(self.source).ok())
            .as_ref()
            .is_some_and(|re| re.find(value).is_some())
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

/// The UTF-8 size of every string inside a value, for `awslim.traits#totalUtf8Bytes`.
pub trait Utf8Size {
    /// Bytes of UTF-8 over all strings (map keys included), recursively.
    fn utf8_size(&self) -> u64;
}

impl Utf8Size for str {
    fn utf8_size(&self) -> u64 {
        self.len() as u64
    }
}

impl Utf8Size for String {
    fn utf8_size(&self) -> u64 {
        self.len() as u64
    }
}

macro_rules! no_strings {
    ($($t:ty),*) => {$(
        impl Utf8Size for $t {
            fn utf8_size(&self) -> u64 { 0 }
        }
    )*};
}
no_strings!(bool, i8, i16, i32, i64, f32, f64, Blob, DateTime, BigInteger, BigDecimal);

impl Utf8Size for Document {
    fn utf8_size(&self) -> u64 {
        match self {
            Document::String(s) => s.len() as u64,
            Document::Array(items) => items.iter().map(Utf8Size::utf8_size).sum(),
            Document::Object(map) => map.iter().map(|(k, v)| k.len() as u64 + v.utf8_size()).sum(),
            _ => 0,
        }
    }
}

impl<T: Utf8Size> Utf8Size for Option<T> {
    fn utf8_size(&self) -> u64 {
        self.as_ref().map_or(0, Utf8Size::utf8_size)
    }
}

impl<T: Utf8Size + ?Sized> Utf8Size for Box<T> {
    fn utf8_size(&self) -> u64 {
        (**self).utf8_size()
    }
}

impl<T: Utf8Size> Utf8Size for Vec<T> {
    fn utf8_size(&self) -> u64 {
        self.iter().map(Utf8Size::utf8_size).sum()
    }
}

impl<K: Utf8Size, V: Utf8Size> Utf8Size for BTreeMap<K, V> {
    fn utf8_size(&self) -> u64 {
        self.iter().map(|(k, v)| k.utf8_size() + v.utf8_size()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_render_like_the_wire() {
        let root = Path::Root;
        let refs = root.member("References");
        let r1 = refs.key("r1");
        let arn = r1.member("Arn");
        assert_eq!(arn.to_string(), "References[\"r1\"].Arn");
        let items = root.member("Items");
        assert_eq!(items.index(3).to_string(), "Items[3]");
        assert_eq!(root.member("Attributes").map_key("").to_string(), "Attributes[key \"\"]");
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let mut v = Violations::new();
        let root = Path::Root;
        v.length_chars(&root.member("a"), "ééé", Some(1), Some(3)); // 6 bytes, 3 chars: ok
        v.length_chars(&root.member("b"), "éééé", Some(1), Some(3));
        v.length_chars(&root.member("c"), "", Some(1), None);
        let err = v.into_result().unwrap_err();
        assert_eq!(err.violations().len(), 2);
        assert_eq!(err.violations()[0].path(), "b");
        assert_eq!(err.violations()[0].actual(), &Actual::Size(4));
        assert_eq!(err.to_string(), "2 constraint violations: b: length 4 characters is outside the allowed 1..=3; c: length 0 characters is outside the allowed 1..");
    }

    #[test]
    fn patterns_follow_ecma_262() {
        let arn = Pattern::new("^[-:/A-Za-z0-9]+$");
        assert!(arn.is_match("arn:aws:connect:us-west-2:1/x"));
        assert!(!arn.is_match("arn with space"));
        let lookahead = Pattern::new("^(?!aws:)[a-z:]+$");
        assert!(lookahead.is_match("abc:d"));
        assert!(!lookahead.is_match("aws:x"));
        let unicode = Pattern::new("^[\\p{L}\\p{N}]+$");
        assert!(unicode.is_match("Zoë42"));
        let digits = Pattern::new("^\\d+$");
        assert!(!digits.is_match("٣"), "\\d is ASCII-only in ECMA-262");
        let unanchored = Pattern::new("[0-9]");
        assert!(unanchored.is_match("abc1"));
        assert!(Pattern::compile("[a-").is_err());
        let mut v = Violations::new();
        v.pattern(&Path::Root.member("Secret"), "x y", &arn, true);
        v.pattern(&Path::Root.member("Arn"), "x y", &arn, false);
        let err = v.into_result().unwrap_err();
        assert!(!err.to_string().contains("x y\" does not") || err.violations()[0].actual() == &Actual::Redacted);
        assert_eq!(err.violations()[0].actual(), &Actual::Redacted);
        assert_eq!(err.violations()[1].actual(), &Actual::Value("x y".into()));
    }

    #[test]
    fn ranges_unique_items_and_totals() {
        let mut v = Violations::new();
        let root = Path::Root;
        v.range_i64(&root.member("n"), 101, Some(1), Some(100), false);
        v.range_i64(&root.member("ok"), 100, Some(1), Some(100), false);
        v.range_f64(&root.member("f"), f64::NAN, Some((0.0, "0")), None, false);
        v.unique_items(&root.member("l"), &["a", "b", "a", "a"]);
        let mut map = BTreeMap::new();
        map.insert("k".to_owned(), "vv".to_owned());
        v.total_utf8_bytes(&root.member("m"), &map, 2);
        let err = v.into_result().unwrap_err();
        let paths: Vec<_> = err.violations().iter().map(|v| v.path()).collect();
        assert_eq!(paths, ["n", "f", "l", "l", "m"]);
        assert_eq!(err.violations()[3].actual(), &Actual::Repeats { index: 3, first: 0 });
        assert_eq!(
            err.violations()[4].to_string(),
            "m: 3 UTF-8 bytes in total across keys and values, at most 2 allowed"
        );
    }

    #[test]
    fn long_values_are_shortened() {
        let long = "x".repeat(100);
        match shown(&long, false) {
            Actual::Value(s) => assert_eq!(s.chars().count(), MAX_SHOWN_CHARS + 1),
            other => panic!("{other:?}"),
        }
    }
}
