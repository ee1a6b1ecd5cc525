//! SigV4 request signing ([`v4`], on RustCrypto's HMAC-SHA256) and, with the feature `sigv4a`,
//! SigV4a by the official `aws-sigv4` crate.
//!
//! [`sign_request`] is what every signed attempt goes through; the SigV4 and SigV4a conformance
//! suites call the same function with the suites' fixed time and options.

use std::fmt;
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use crate::credentials::Credentials;

mod v4;
pub use v4::SigningKeyCache;

/// The signature algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigningAlgorithm {
    /// SigV4, `AWS4-HMAC-SHA256`: one region in the credential scope.
    V4,
    /// SigV4a, `AWS4-ECDSA-P256-SHA256`: the region set goes in `X-Amz-Region-Set`.
    #[cfg(feature = "sigv4a")]
    V4a,
}

/// Signing inputs besides the request and credentials.
#[derive(Clone, Debug)]
pub struct SigningOptions<'a> {
    /// SigV4 (default) or SigV4a.
    pub algorithm: SigningAlgorithm,
    /// Region in the credential scope; for SigV4a the region set (comma-separated, `*` for all).
    pub region: &'a str,
    /// Signing name (service) in the credential scope.
    pub name: &'a str,
    /// Signing time.
    pub time: SystemTime,
    /// Normalize the URI path (`/a/./b/../c` → `/a/c`) in the canonical request. AWS services
    /// other than S3: true.
    pub normalize_path: bool,
    /// Percent-encode the path a second time in the canonical request. AWS services other than
    /// S3: true (endpoint auth schemes turn it off with `disableDoubleEncoding`).
    pub double_encode: bool,
    /// Include `X-Amz-Security-Token` in the signature (true) or add it after signing.
    pub include_session_token: bool,
    /// Add `x-amz-content-sha256` with the payload hash (S3-style).
    pub content_sha256_header: bool,
    /// Presign: put the signature in the query string (`X-Amz-Signature`, ...) with this
    /// validity instead of in the `Authorization` header. Calls never do this.
    pub presign_expires_in: Option<Duration>,
    /// Headers sent but left out of the signature (lowercase names), besides those the signer
    /// always leaves out (`authorization`, `user-agent`, `x-amzn-trace-id`,
    /// `transfer-encoding`). The runtime passes [`UNSIGNED_SDK_HEADERS`].
    pub unsigned_headers: &'a [&'a str],
    /// The body's SHA-256 as lowercase hex ([`payload_sha256`]), when the caller computed it
    /// once for all attempts of a call; `None`: the body is hashed here.
    pub payload_sha256: Option<&'a str>,
    /// Where the derived SigV4 signing key is kept between calls (each client has one); `None`:
    /// derived for this request only.
    pub key_cache: Option<&'a SigningKeyCache>,
}

impl<'a> SigningOptions<'a> {
    /// What the runtime uses for every AWS (non-S3) service.
    pub fn new(region: &'a str, name: &'a str, time: SystemTime) -> Self {
        SigningOptions {
            algorithm: SigningAlgorithm::V4,
            region,
            name,
            time,
            normalize_path: true,
            double_encode: true,
            include_session_token: true,
            content_sha256_header: false,
            presign_expires_in: None,
            payload_sha256: None,
            unsigned_headers: &[],
            key_cache: None,
        }
    }
}

/// Put on a request's extensions to sign it with the payload hash `UNSIGNED-PAYLOAD` instead of
/// the body's SHA-256: for a body that is read as it is sent (it cannot be hashed up front, as
/// the official SDK does), and for operations with `@unsignedPayload`. The request then carries
/// `x-amz-content-sha256: UNSIGNED-PAYLOAD` (signed), which tells the service how to check it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnsignedPayload;

/// Put on a request's extensions to sign it for a client-to-server event stream: the payload
/// hash is `STREAMING-AWS4-HMAC-SHA256-EVENTS` (sent as `x-amz-content-sha256`), and each
/// message of the body is signed in turn, chained from the request's signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventStreamPayload;

/// The payload hash of a request whose body is a signed event stream.
pub const STREAMING_EVENTS_PAYLOAD: &str = "STREAMING-AWS4-HMAC-SHA256-EVENTS";

/// The per-call and per-attempt headers of the AWS SDKs, which the official Rust SDK adds after
/// signing: `amz-sdk-invocation-id` (new for every call) and `amz-sdk-request` (new for every
/// attempt). Signing them protects nothing and costs time on every attempt.
pub const UNSIGNED_SDK_HEADERS: &[&str] = &["amz-sdk-invocation-id", "amz-sdk-request"];

/// The SHA-256 of `body` as lowercase hex: the payload hash of the canonical request (for
/// [`SigningOptions::payload_sha256`]).
pub fn payload_sha256(body: &[u8]) -> String {
    use sha2::Digest as _;
    let mut hex = String::with_capacity(64);
    v4::push_hex(&mut hex, &sha2::Sha256::digest(body).into());
    hex
}

/// Signing failed (invalid request for signing).
#[derive(Debug)]
pub struct SigningError(String);

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SigningError {}

/// Signs `request` (absolute URI) in place with SigV4 (or SigV4a) in the `Authorization` header:
/// adds `X-Amz-Date`, `Authorization`, `X-Amz-Security-Token` for temporary credentials and, for
/// SigV4a, `X-Amz-Region-Set` (or, with [`SigningOptions::presign_expires_in`], the same in
/// query parameters).
/// Returns the hex signature (for tests; do not log it).
pub fn sign_request(
    request: &mut http::Request<Bytes>,
    credentials: &Credentials,
    options: &SigningOptions<'_>,
) -> Result<String, SigningError> {
    match options.algorithm {
        SigningAlgorithm::V4 => v4::sign(request, credentials, options),
        #[cfg(feature = "sigv4a")]
        SigningAlgorithm::V4a => sign_v4a(request, credentials, options),
    }
}

/// SigV4a by `aws-sigv4` (ECDSA P-256 with the key it derives from the secret).
#[cfg(feature = "sigv4a")]
fn sign_v4a(
    request: &mut http::Request<Bytes>,
    credentials: &Credentials,
    options: &SigningOptions<'_>,
) -> Result<String, SigningError> {
    use aws_sigv4::http_request::{
        PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest, SignatureLocation,
        SigningSettings, UriPathNormalizationMode,
    };
    let identity: aws_smithy_runtime_api::client::identity::Identity = credentials.to_aws().into();
    let mut settings = SigningSettings::default();
    settings.uri_path_normalization_mode =
        if options.normalize_path { UriPathNormalizationMode::Enabled } else { UriPathNormalizationMode::Disabled };
    settings.session_token_mode =
        if options.include_session_token { SessionTokenMode::Include } else { SessionTokenMode::Exclude };
    if !options.double_encode {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
    }
    // A service can check an unsigned payload's signature only if it is told the payload is
    // unsigned: `x-amz-content-sha256: UNSIGNED-PAYLOAD` goes with it.
    let unsigned = request.extensions().get::<UnsignedPayload>().is_some();
    let events = request.extensions().get::<EventStreamPayload>().is_some();
    if options.content_sha256_header || unsigned || events {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    if let Some(expires_in) = options.presign_expires_in {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(expires_in);
    }
    let params: aws_sigv4::http_request::SigningParams<'_> = aws_sigv4::sign::v4a::SigningParams::builder()
        .identity(&identity)
        .region_set(options.region)
        .name(options.name)
        .time(options.time)
        .settings(settings)
        .build()
        .map_err(|e| SigningError(e.to_string()))?
        .into();

    let uri = request.uri().to_string();
    let mut headers = Vec::with_capacity(request.headers().len());
    for (name, value) in request.headers() {
        if options.unsigned_headers.contains(&name.as_str()) {
            continue;
        }
        let value = value.to_str().map_err(|_| SigningError(format!("header `{name}` is not visible ASCII")))?;
        headers.push((name.as_str(), value));
    }
    let body = match options.payload_sha256 {
        _ if events => SignableBody::Precomputed(STREAMING_EVENTS_PAYLOAD.to_owned()),
        _ if unsigned => SignableBody::UnsignedPayload,
        Some(hash) => SignableBody::Precomputed(hash.to_owned()),
        None => SignableBody::Bytes(request.body()),
    };
    let signable = SignableRequest::new(request.method().as_str(), uri.as_str(), headers.into_iter(), body)
        .map_err(|e| SigningError(e.to_string()))?;
    let (instructions, signature) =
        aws_sigv4::http_request::sign(signable, &params).map_err(|e| SigningError(e.to_string()))?.into_parts();
    instructions.apply_to_request_http1x(request);
    Ok(signature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn unsigned_payload_marker_signs_without_hashing_the_body() {
        let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        let time = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
        let mut options = SigningOptions::new("us-east-1", "service", time);
        let request = || {
            http::Request::builder()
                .method("PUT")
                .uri("https://example.amazonaws.com/")
                .body(Bytes::from("data"))
                .unwrap()
        };
        let mut hashed = request();
        let hashed_sig = sign_request(&mut hashed, &creds, &options).unwrap();
        assert!(hashed.headers().get("x-amz-content-sha256").is_none(), "only S3-style signing sends the hash");
        options.content_sha256_header = true;
        let mut hashed = request();
        let hashed_with_header = sign_request(&mut hashed, &creds, &options).unwrap();
        assert_ne!(hashed_sig, hashed_with_header);
        options.content_sha256_header = false;
        assert_eq!(
            hashed.headers()["x-amz-content-sha256"],
            "3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7"
        );
        let mut unsigned = request();
        unsigned.extensions_mut().insert(UnsignedPayload);
        let unsigned_sig = sign_request(&mut unsigned, &creds, &options).unwrap();
        // Sent (and signed) even without S3-style signing: the service needs to know.
        assert_eq!(unsigned.headers()["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
        assert!(unsigned.headers()["authorization"].to_str().unwrap().contains("x-amz-content-sha256"));
        assert_ne!(hashed_sig, unsigned_sig);
    }

    #[test]
    fn signs_vanilla_get_like_the_suite() {
        // The classic `get-vanilla` example (AKIDEXAMPLE, 2015-08-30T12:36:00Z).
        let mut req =
            http::Request::builder().method("GET").uri("https://example.amazonaws.com/").body(Bytes::new()).unwrap();
        let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        let time = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
        let sig = sign_request(&mut req, &creds, &SigningOptions::new("us-east-1", "service", time)).unwrap();
        assert_eq!(sig, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        assert_eq!(
            req.headers()["authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        assert_eq!(req.headers()["x-amz-date"], "20150830T123600Z");
    }

    #[test]
    fn presigns_into_the_query_string() {
        let mut req =
            http::Request::builder().method("GET").uri("https://example.amazonaws.com/").body(Bytes::new()).unwrap();
        let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        let time = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
        let mut options = SigningOptions::new("us-east-1", "service", time);
        options.presign_expires_in = Some(Duration::from_secs(3600));
        let sig = sign_request(&mut req, &creds, &options).unwrap();
        assert_eq!(sig, "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d");
        let query = req.uri().query().unwrap();
        assert!(query.contains("X-Amz-Expires=3600"), "{query}");
        assert!(query.contains(&format!("X-Amz-Signature={sig}")), "{query}");
        assert!(req.headers().get("authorization").is_none());
    }

    #[cfg(feature = "sigv4a")]
    #[test]
    fn sigv4a_adds_the_region_set_and_ecdsa_algorithm() {
        let mut req =
            http::Request::builder().method("GET").uri("https://example.amazonaws.com/").body(Bytes::new()).unwrap();
        let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        let time = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
        let mut options = SigningOptions::new("us-east-1,us-west-2", "service", time);
        options.algorithm = SigningAlgorithm::V4a;
        let sig = sign_request(&mut req, &creds, &options).unwrap();
        assert_eq!(req.headers()["x-amz-region-set"], "us-east-1,us-west-2");
        let auth = req.headers()["authorization"].to_str().unwrap();
        assert!(
            auth.starts_with(
                "AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/service/aws4_request, \
                 SignedHeaders=host;x-amz-date;x-amz-region-set, Signature="
            ),
            "{auth}"
        );
        assert!(auth.ends_with(&sig), "{auth}");
    }

    #[test]
    fn single_encoding_leaves_percent_signs_alone() {
        let sign = |double: bool| {
            let mut req = http::Request::builder()
                .method("GET")
                .uri("https://example.amazonaws.com/a%20b")
                .body(Bytes::new())
                .unwrap();
            let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
            let mut options =
                SigningOptions::new("us-east-1", "service", UNIX_EPOCH + Duration::from_secs(1_440_938_160));
            options.double_encode = double;
            sign_request(&mut req, &creds, &options).unwrap()
        };
        assert_ne!(sign(true), sign(false), "the canonical path differs (`a%2520b` vs `a%20b`)");
    }

    #[test]
    fn a_precomputed_payload_hash_signs_like_the_body() {
        let sign = |precomputed: bool| {
            let mut req = http::Request::builder()
                .method("POST")
                .uri("https://example.amazonaws.com/")
                .header("content-type", "application/json")
                .body(Bytes::from_static(br#"{"a":1}"#))
                .unwrap();
            let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
            let hash = payload_sha256(req.body());
            let mut options =
                SigningOptions::new("us-east-1", "service", UNIX_EPOCH + Duration::from_secs(1_440_938_160));
            options.content_sha256_header = true;
            if precomputed {
                options.payload_sha256 = Some(&hash);
            }
            let sig = sign_request(&mut req, &creds, &options).unwrap();
            (sig, req.headers()["x-amz-content-sha256"].clone())
        };
        assert_eq!(sign(true), sign(false));
        // The SHA-256 of the empty string, as every SigV4 document shows it.
        assert_eq!(payload_sha256(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn unsigned_headers_are_sent_but_not_signed() {
        let sign = |unsigned: &[&str], attempt: &str| {
            let mut req = http::Request::builder()
                .method("GET")
                .uri("https://example.amazonaws.com/")
                .header("amz-sdk-request", attempt)
                .body(Bytes::new())
                .unwrap();
            let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
            let mut options =
                SigningOptions::new("us-east-1", "service", UNIX_EPOCH + Duration::from_secs(1_440_938_160));
            options.unsigned_headers = unsigned;
            let sig = sign_request(&mut req, &creds, &options).unwrap();
            assert_eq!(req.headers()["amz-sdk-request"], attempt);
            (sig, req.headers()["authorization"].to_str().unwrap().to_owned())
        };
        let (sig, auth) = sign(UNSIGNED_SDK_HEADERS, "attempt=1; max=3");
        assert!(auth.contains("SignedHeaders=host;x-amz-date,"), "{auth}");
        // Without the header in the signature, it is the suite's `get-vanilla` signature.
        assert_eq!(sig, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        assert_eq!(sign(UNSIGNED_SDK_HEADERS, "attempt=2; max=3").0, sig);
        let (signed, auth) = sign(&[], "attempt=1; max=3");
        assert!(auth.contains("SignedHeaders=amz-sdk-request;host;x-amz-date,"), "{auth}");
        assert_ne!(signed, sig);
    }

    #[test]
    fn session_token_is_added() {
        let mut req = http::Request::builder()
            .method("PUT")
            .uri("http://127.0.0.1:8080/contact/webrtc")
            .header("content-type", "application/json")
            .body(Bytes::from_static(b"{}"))
            .unwrap();
        let creds = Credentials::new("AKID", "SECRET").with_session_token("TOKEN");
        sign_request(&mut req, &creds, &SigningOptions::new("us-west-2", "connect", SystemTime::now())).unwrap();
        assert_eq!(req.headers()["x-amz-security-token"], "TOKEN");
        let auth = req.headers()["authorization"].to_str().unwrap();
        assert!(auth.contains("/us-west-2/connect/aws4_request"), "{auth}");
        assert!(auth.contains("content-type;host;x-amz-date;x-amz-security-token"), "{auth}");
    }
}
