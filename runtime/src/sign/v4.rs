//! SigV4 (`AWS4-HMAC-SHA256`): the canonical request, the string to sign and the signature, in
//! the `Authorization` header or (presigning) in the query string.
//!
//! The HMAC-SHA256 and SHA-256 come from RustCrypto's `hmac` and `sha2`; this module only puts
//! the text together, as the SigV4 specification and the official `aws-sigv4` crate do. Its
//! output is checked against the AWS SigV4 test suite (`cargo xtask conformance`) and against
//! `aws-sigv4` itself on randomized requests (`tests/sigv4_equivalence.rs`).
//!
//! Written for speed: one buffer for the canonical request, no header map, and the derived
//! signing key (four HMACs) cached per secret, day, region and service ([`SigningKeyCache`]).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::SystemTime;

use hmac::{KeyInit, Mac};

use super::{SigningError, SigningOptions};
use crate::credentials::Credentials;

use crate::percent::{UNRESERVED as QUERY_SET, UNRESERVED_AND_SLASH as PATH_SET};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Headers never signed: the signature's own header, and headers proxies and CDNs change.
const EXCLUDED: &[&str] = &["authorization", "user-agent", "x-amzn-trace-id", "transfer-encoding"];
/// Headers left out of a presigned URL's signature (they vary between whoever uses the URL).
const EXCLUDED_WHEN_PRESIGNING: &[&str] = &["x-amz-user-agent", "x-amz-checksum-mode"];

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// `YYYYMMDD` and `YYYYMMDDTHHMMSSZ` of a signing time (UTC).
struct Stamp {
    /// The date is its first `date_len` bytes.
    date_time: String,
    date_len: usize,
}

impl Stamp {
    fn new(time: SystemTime) -> Stamp {
        let seconds = match time.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(e) => -(e.duration().as_secs_f64().ceil() as i64),
        };
        let (days, of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
        let (y, m, d) = crate::rfc3339::civil_from_days(days);
        let mut date_time = String::with_capacity(16);
        push_digits(&mut date_time, y, 4);
        push_digits(&mut date_time, m, 2);
        push_digits(&mut date_time, d, 2);
        let date_len = date_time.len();
        date_time.push('T');
        for part in [of_day / 3600, of_day / 60 % 60, of_day % 60] {
            push_digits(&mut date_time, part, 2);
        }
        date_time.push('Z');
        Stamp { date_time, date_len }
    }

    fn date(&self) -> &str {
        &self.date_time[..self.date_len]
    }
}

/// `value` in decimal, zero-padded to `width` digits (a year outside 0..=9999 is written whole;
/// SigV4 times are years 1970..).
fn push_digits(out: &mut String, value: i64, width: u32) {
    if !(0..10_i64.pow(width)).contains(&value) {
        let _ = write!(out, "{value:0width$}", width = width as usize);
        return;
    }
    for exp in (0..width).rev() {
        out.push(char::from(b'0' + (value / 10_i64.pow(exp) % 10) as u8));
    }
}

/// The signing key derived for one secret, day, region and service, kept for the next call
/// with the same four (a few entries: a client signs for one or two scopes). It is kept as
/// the HMAC already keyed with it, which saves hashing the key's two pads on every signature.
#[derive(Default)]
pub struct SigningKeyCache {
    entries: Mutex<Vec<CachedKey>>,
}

struct CachedKey {
    secret: String,
    /// Date, region and service (not the joined scope: a `/` in a region must not alias).
    parts: [String; 3],
    mac: HmacSha256,
}

impl std::fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKeyCache(..)")
    }
}

impl SigningKeyCache {
    const CAPACITY: usize = 4;

    /// The HMAC keyed with the signing key for `secret` and the scope's date, region and
    /// service (`parts`).
    fn keyed_mac(&self, secret: &str, parts: [&str; 3]) -> HmacSha256 {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = entries.iter().find(|e| e.parts == parts && e.secret == secret) {
            return hit.mac.clone();
        }
        let mac = keyed_mac(&derive_key(secret, parts));
        if entries.len() == Self::CAPACITY {
            entries.remove(0);
        }
        entries.push(CachedKey { secret: secret.to_owned(), parts: parts.map(str::to_owned), mac: mac.clone() });
        mac
    }
}

fn keyed_mac(key: &[u8]) -> HmacSha256 {
    HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length")
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    mac_of(keyed_mac(key), data)
}

fn mac_of(mut mac: HmacSha256, data: &[u8]) -> [u8; 32] {
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// `kSigning` = HMAC chain of `AWS4` + secret over the scope's date, region and service
/// (`parts`), then `aws4_request`.
fn derive_key(secret: &str, [date, region, service]: [&str; 3]) -> [u8; 32] {
    let mut key = Vec::with_capacity(4 + secret.len());
    key.extend_from_slice(b"AWS4");
    key.extend_from_slice(secret.as_bytes());
    let mut tag = hmac(&key, date.as_bytes());
    for part in [region, service, "aws4_request"] {
        tag = hmac(&tag, part.as_bytes());
    }
    tag
}

/// Appends a 32-byte digest as lowercase hex.
pub(super) fn push_hex(out: &mut String, digest: &[u8; 32]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = [0u8; 64];
    for (pair, b) in hex.chunks_exact_mut(2).zip(digest) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 0xf)];
    }
    out.push_str(std::str::from_utf8(&hex).expect("hex digits are ASCII"));
}

/// A header value as signed: spaces trimmed at both ends, runs of spaces made one.
fn push_trimmed(out: &mut String, value: &str) {
    let value = value.trim_matches(' ');
    if !value.contains("  ") {
        out.push_str(value);
        return;
    }
    let mut last_space = false;
    for c in value.chars() {
        if c != ' ' || !last_space {
            out.push(c);
        }
        last_space = c == ' ';
    }
}

/// Appends the canonical path: optionally with dot segments and empty segments removed, then
/// optionally percent-encoded a second time.
fn push_canonical_path(out: &mut String, path: &str, options: &SigningOptions<'_>) {
    let path = if options.normalize_path { normalize_path(path) } else { Cow::Borrowed(path) };
    if options.double_encode {
        out.extend(percent_encoding::utf8_percent_encode(&path, PATH_SET));
    } else {
        out.push_str(&path);
    }
}

fn normalize_path(path: &str) -> Cow<'_, str> {
    if path.is_empty() {
        return Cow::Borrowed("/");
    }
    let path: Cow<'_, str> = if path.starts_with('/') { Cow::Borrowed(path) } else { Cow::Owned(format!("/{path}")) };
    if !(path.contains('.') || path.contains("//")) {
        return path;
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut out = String::with_capacity(path.len());
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    let ends_with_slash = ["/", "/.", "/./", "/..", "/../"].iter().any(|s| path.ends_with(s));
    if out.is_empty() || (ends_with_slash && !out.ends_with('/')) {
        out.push('/');
    }
    Cow::Owned(out)
}

/// Appends the canonical query: every parameter form-decoded, then percent-encoded, sorted by
/// encoded key and value.
fn push_canonical_query(out: &mut String, query: &str, extra: &[(&str, &str)]) {
    if query.is_empty() && extra.is_empty() {
        return;
    }
    let encode = |s: &str| percent_encoding::utf8_percent_encode(s, QUERY_SET).to_string();
    let mut params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (encode(&k), encode(&v)))
        .chain(extra.iter().map(|(k, v)| (encode(k), encode(v))))
        .collect();
    params.sort();
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
}

/// The `host` value signed when the request has no `Host` header: the URI's host, with the
/// port unless it is the scheme's default.
fn host_of(uri: &http::Uri) -> Result<&str, SigningError> {
    let authority = uri.authority().ok_or_else(|| SigningError("the request URI has no host to sign".into()))?;
    let default_port =
        matches!((uri.scheme_str(), uri.port_u16()), (Some("http"), Some(80)) | (Some("https"), Some(443)));
    Ok(if default_port { authority.host() } else { authority.as_str() })
}

/// What the signer adds to the request, besides the signature.
struct Added<'a> {
    date_time: &'a str,
    token: Option<&'a str>,
    payload_hash: Option<&'a str>,
}

/// The signed headers as `(name, value)`, sorted by name (values of one name in order).
fn signed_headers<'r>(
    request: &'r http::Request<bytes::Bytes>,
    options: &SigningOptions<'_>,
    added: &Added<'r>,
    presign: bool,
) -> Result<Vec<(&'r str, &'r str)>, SigningError> {
    let replaced = |name: &str| match name {
        "x-amz-date" => !presign,
        "x-amz-security-token" => added.token.is_some(),
        "x-amz-content-sha256" => added.payload_hash.is_some(),
        _ => false,
    };
    let mut out: Vec<(&str, &str)> = Vec::with_capacity(request.headers().len() + 4);
    for (name, value) in request.headers() {
        let name = name.as_str();
        if options.unsigned_headers.contains(&name) || replaced(name) {
            continue;
        }
        let value = value.to_str().map_err(|_| SigningError(format!("header `{name}` is not visible ASCII")))?;
        out.push((name, value));
    }
    if !request.headers().contains_key(http::header::HOST) {
        out.push(("host", host_of(request.uri())?));
    }
    if !presign {
        out.push(("x-amz-date", added.date_time));
    }
    if let Some(token) = added.token {
        out.push(("x-amz-security-token", token));
    }
    if let Some(hash) = added.payload_hash {
        out.push(("x-amz-content-sha256", hash));
    }
    let unsigned = |name: &str| {
        EXCLUDED.contains(&name)
            || (presign && EXCLUDED_WHEN_PRESIGNING.contains(&name))
            || (name == "x-amz-security-token" && !options.include_session_token)
    };
    out.retain(|(name, _)| !unsigned(name));
    out.sort_by(|a, b| a.0.cmp(b.0));
    Ok(out)
}

/// `name;name;...` of the sorted signed headers.
fn signed_names(headers: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(headers.len() * 16);
    for (i, (name, _)) in headers.iter().enumerate() {
        if i > 0 && headers[i - 1].0 == *name {
            continue;
        }
        if !out.is_empty() {
            out.push(';');
        }
        out.push_str(name);
    }
    out
}

/// The canonical request's header block: `name:value[,value]\n` per name.
fn push_header_block(out: &mut String, headers: &[(&str, &str)]) {
    for (i, (name, value)) in headers.iter().enumerate() {
        if i > 0 && headers[i - 1].0 == *name {
            out.push(',');
        } else {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(name);
            out.push(':');
        }
        push_trimmed(out, value);
    }
    if !headers.is_empty() {
        out.push('\n');
    }
}

/// The signature and what goes with it.
struct Signed {
    signature: String,
    signed_names: String,
    scope: String,
    date_time: String,
}

/// The payload hash the canonical request ends with.
fn payload_hash<'a>(request: &http::Request<bytes::Bytes>, options: &'a SigningOptions<'_>) -> Cow<'a, str> {
    if request.extensions().get::<super::EventStreamPayload>().is_some() {
        Cow::Borrowed(super::STREAMING_EVENTS_PAYLOAD)
    } else if request.extensions().get::<super::UnsignedPayload>().is_some() {
        Cow::Borrowed("UNSIGNED-PAYLOAD")
    } else if let Some(hash) = options.payload_sha256 {
        Cow::Borrowed(hash)
    } else {
        Cow::Owned(super::payload_sha256(request.body()))
    }
}

/// Whether the payload hash also goes in `x-amz-content-sha256` (S3-style, and always for a
/// payload the service could not check otherwise).
fn sends_payload_hash(request: &http::Request<bytes::Bytes>, options: &SigningOptions<'_>) -> bool {
    options.content_sha256_header
        || request.extensions().get::<super::UnsignedPayload>().is_some()
        || request.extensions().get::<super::EventStreamPayload>().is_some()
}

/// Signs `request` with SigV4 and adds the signature's headers (or, presigning, its query
/// parameters). Returns the hex signature.
pub(super) fn sign(
    request: &mut http::Request<bytes::Bytes>,
    credentials: &Credentials,
    options: &SigningOptions<'_>,
) -> Result<String, SigningError> {
    let presign = options.presign_expires_in.is_some();
    let hash = payload_hash(request, options);
    let stamp = Stamp::new(options.time);
    let date = stamp.date();
    // `concat` sizes the string once.
    let scope = [date, "/", options.region, "/", options.name, "/aws4_request"].concat();
    let parts = [date, options.region, options.name];
    let sends_hash = sends_payload_hash(request, options) && !presign;
    let added = Added {
        date_time: &stamp.date_time,
        token: credentials.session_token().filter(|_| !presign),
        payload_hash: sends_hash.then_some(&*hash),
    };
    let headers = signed_headers(request, options, &added, presign)?;
    let names = signed_names(&headers);

    let query = request.uri().query().unwrap_or("");
    let expires = options.presign_expires_in.map(|d| d.as_secs().to_string());
    let credential = presign.then(|| format!("{}/{scope}", credentials.access_key_id()));
    let mut extra: Vec<(&str, &str)> = Vec::new();
    if let (Some(expires), Some(credential)) = (&expires, &credential) {
        extra.extend([
            ("X-Amz-Date", stamp.date_time.as_str()),
            ("X-Amz-Expires", expires),
            ("X-Amz-Algorithm", ALGORITHM),
            ("X-Amz-Credential", credential),
            ("X-Amz-SignedHeaders", &names),
        ]);
        if let Some(token) = credentials.session_token().filter(|_| options.include_session_token) {
            extra.push(("X-Amz-Security-Token", token));
        }
    }

    let mut creq = String::with_capacity(256 + query.len() + headers.len() * 48);
    creq.push_str(request.method().as_str());
    creq.push('\n');
    push_canonical_path(&mut creq, request.uri().path(), options);
    creq.push('\n');
    push_canonical_query(&mut creq, query, &extra);
    creq.push('\n');
    push_header_block(&mut creq, &headers);
    creq.push('\n');
    creq.push_str(&names);
    creq.push('\n');
    creq.push_str(&hash);

    let mut to_sign = String::with_capacity(160);
    let _ = write!(to_sign, "{ALGORITHM}\n{}\n{scope}\n", stamp.date_time);
    push_hex(&mut to_sign, &<sha2::Sha256 as sha2::Digest>::digest(creq.as_bytes()).into());
    let key = match options.key_cache {
        Some(cache) => cache.keyed_mac(credentials.secret_access_key(), parts),
        None => keyed_mac(&derive_key(credentials.secret_access_key(), parts)),
    };
    let mut signature = String::with_capacity(64);
    push_hex(&mut signature, &mac_of(key, to_sign.as_bytes()));
    let hash = sends_hash.then(|| hash.into_owned());
    let signed = Signed { signature, signed_names: names, scope, date_time: stamp.date_time };
    match expires {
        Some(expires) => apply_query(request, credentials, signed, &expires),
        None => apply_headers(request, credentials, signed, hash),
    }
}

fn header_value(value: &str) -> Result<http::HeaderValue, SigningError> {
    http::HeaderValue::from_str(value).map_err(|_| SigningError("a signing value is not a valid header value".into()))
}

/// Adds `X-Amz-Date`, `Authorization`, `x-amz-content-sha256` and `X-Amz-Security-Token`.
fn apply_headers(
    request: &mut http::Request<bytes::Bytes>,
    credentials: &Credentials,
    signed: Signed,
    payload_hash: Option<String>,
) -> Result<String, SigningError> {
    let authorization = [
        ALGORITHM,
        " Credential=",
        credentials.access_key_id(),
        "/",
        &signed.scope,
        ", SignedHeaders=",
        &signed.signed_names,
        ", Signature=",
        &signed.signature,
    ]
    .concat();
    let mut token = credentials.session_token().map(header_value).transpose()?;
    if let Some(token) = &mut token {
        token.set_sensitive(true);
    }
    let headers = request.headers_mut();
    headers.insert(http::header::HeaderName::from_static("x-amz-date"), header_value(&signed.date_time)?);
    headers.insert(http::header::AUTHORIZATION, header_value(&authorization)?);
    if let Some(hash) = payload_hash {
        headers.insert(http::header::HeaderName::from_static("x-amz-content-sha256"), header_value(&hash)?);
    }
    if let Some(token) = token {
        headers.insert(http::header::HeaderName::from_static("x-amz-security-token"), token);
    }
    Ok(signed.signature)
}

/// Appends the `X-Amz-*` signing parameters and the signature to the query string.
fn apply_query(
    request: &mut http::Request<bytes::Bytes>,
    credentials: &Credentials,
    signed: Signed,
    expires: &str,
) -> Result<String, SigningError> {
    let credential = format!("{}/{}", credentials.access_key_id(), signed.scope);
    let mut params = vec![
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", credential.as_str()),
        ("X-Amz-Date", signed.date_time.as_str()),
        ("X-Amz-Expires", expires),
        ("X-Amz-SignedHeaders", signed.signed_names.as_str()),
        ("X-Amz-Signature", signed.signature.as_str()),
    ];
    if let Some(token) = credentials.session_token() {
        params.push(("X-Amz-Security-Token", token));
    }
    let uri = request.uri();
    let mut pq = uri.path_and_query().map_or_else(String::new, |pq| pq.as_str().to_owned());
    let mut separator = match uri.query() {
        None => Some('?'),
        Some("") => None,
        Some(_) => Some('&'),
    };
    for (k, v) in params {
        if let Some(c) = separator {
            pq.push(c);
        }
        separator = Some('&');
        pq.extend(percent_encoding::utf8_percent_encode(k, QUERY_SET));
        pq.push('=');
        pq.extend(percent_encoding::utf8_percent_encode(v, QUERY_SET));
    }
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(pq.parse().map_err(|e| SigningError(format!("the presigned URI is invalid: {e}")))?);
    *request.uri_mut() =
        http::Uri::from_parts(parts).map_err(|e| SigningError(format!("the presigned URI is invalid: {e}")))?;
    Ok(signed.signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_known_days() {
        let stamp = Stamp::new(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_440_938_160));
        assert_eq!((stamp.date(), stamp.date_time.as_str()), ("20150830", "20150830T123600Z"));
    }

    #[test]
    fn header_values_are_trimmed_and_spaces_squeezed() {
        let mut out = String::new();
        push_trimmed(&mut out, "  a   b c  ");
        assert_eq!(out, "a b c");
    }

    #[test]
    fn paths_are_normalized_like_the_suite_wants() {
        for (path, want) in [
            ("", "/"),
            ("/", "/"),
            ("/a/./b/../c", "/a/c"),
            ("//a//b/", "/a/b/"),
            ("/a/..", "/"),
            ("/a/b/..", "/a/"),
            ("/a.b", "/a.b"),
        ] {
            assert_eq!(normalize_path(path), want, "{path}");
        }
    }

    #[test]
    fn the_key_cache_returns_the_derived_key() {
        let cache = SigningKeyCache::default();
        let parts = ["20150830", "us-east-1", "iam"];
        let derived = derive_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", parts);
        // Keys compared by what they sign.
        let key = |secret: &str, parts: [&str; 3]| mac_of(cache.keyed_mac(secret, parts), b"to sign");
        let expected = hmac(&derived, b"to sign");
        assert_eq!(key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", parts), expected);
        assert_eq!(key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", parts), expected, "a hit");
        assert_ne!(key("another secret", parts), expected);
        // The same joined scope from other parts is another key.
        let (a, b) = (["20150830", "a/b", "c"], ["20150830", "a", "b/c"]);
        assert_ne!(key("s", a), key("s", b));
        assert_eq!(key("s", b), hmac(&derive_key("s", b), b"to sign"));
        // The AWS documentation's example signing key.
        let mut hex = String::new();
        push_hex(&mut hex, &derived);
        assert_eq!(hex, "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
    }
}
