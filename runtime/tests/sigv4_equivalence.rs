//! `awslim_runtime::sign::sign_request` (SigV4 on RustCrypto's HMAC) against the official
//! `aws-sigv4` crate on randomized requests: the same signature, headers and URI for every
//! combination of path, query, headers, credentials and signing options the runtime can ask for.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use awslim_runtime::bytes::Bytes;
use awslim_runtime::sign::{sign_request, SigningKeyCache, SigningOptions, UnsignedPayload, UNSIGNED_SDK_HEADERS};
use awslim_runtime::Credentials;

/// The official signer with the settings `options` stands for (what `sign_request` did before
/// it had its own SigV4).
fn official(request: &mut http::Request<Bytes>, creds: &Credentials, options: &SigningOptions<'_>) -> String {
    use aws_sigv4::http_request::{
        PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest, SignatureLocation,
        SigningSettings, UriPathNormalizationMode,
    };
    let aws = aws_credential_types::Credentials::new(
        creds.access_key_id(),
        creds.secret_access_key(),
        creds.session_token().map(str::to_owned),
        None,
        "test",
    );
    let identity: aws_smithy_runtime_api::client::identity::Identity = aws.into();
    let mut settings = SigningSettings::default();
    settings.uri_path_normalization_mode =
        if options.normalize_path { UriPathNormalizationMode::Enabled } else { UriPathNormalizationMode::Disabled };
    settings.session_token_mode =
        if options.include_session_token { SessionTokenMode::Include } else { SessionTokenMode::Exclude };
    if !options.double_encode {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
    }
    let unsigned = request.extensions().get::<UnsignedPayload>().is_some();
    if options.content_sha256_header || unsigned {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    if let Some(expires_in) = options.presign_expires_in {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(expires_in);
    }
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(options.region)
        .name(options.name)
        .time(options.time)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let uri = request.uri().to_string();
    let headers: Vec<(&str, &str)> = request
        .headers()
        .iter()
        .filter(|(n, _)| !options.unsigned_headers.contains(&n.as_str()))
        .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
        .collect();
    let body = match options.payload_sha256 {
        _ if unsigned => SignableBody::UnsignedPayload,
        Some(hash) => SignableBody::Precomputed(hash.to_owned()),
        None => SignableBody::Bytes(request.body()),
    };
    let signable = SignableRequest::new(request.method().as_str(), uri.as_str(), headers.into_iter(), body).unwrap();
    let (instructions, signature) = aws_sigv4::http_request::sign(signable, &params).unwrap().into_parts();
    instructions.apply_to_request_http1x(request);
    signature
}

fn pick<'a>(choices: &[&'a str]) -> &'a str {
    choices[fastrand::usize(..choices.len())]
}

fn random_path() -> String {
    let segments = ["a", "b", ".", "..", "", "a%20b", "%2F", "caf%C3%A9", "~x", "A-Z_0.9", "%24", "x+y", "%25"];
    let mut path = String::new();
    for _ in 0..fastrand::usize(0..5) {
        path.push('/');
        path.push_str(pick(&segments));
    }
    if path.is_empty() || fastrand::bool() {
        path.push('/');
    }
    path
}

fn random_query() -> Option<String> {
    let keys = ["a", "B", "x-id", "list-type", "prefix", "%20k", "k+k", "Action", "e%C3%A9"];
    let values = ["", "1", "two%20words", "a+b", "%2F%3D", "caf%C3%A9", "x", "Z", "%7E"];
    let n = fastrand::usize(0..5);
    if n == 0 {
        return fastrand::bool().then(String::new);
    }
    let pairs: Vec<String> = (0..n)
        .map(|_| match fastrand::u8(0..4) {
            0 => pick(&keys).to_owned(),
            _ => format!("{}={}", pick(&keys), pick(&values)),
        })
        .collect();
    Some(pairs.join("&"))
}

fn random_request() -> http::Request<Bytes> {
    let mut uri = format!(
        "{}{}",
        pick(&["https://example.amazonaws.com", "http://127.0.0.1:8080", "https://h.example:443", "http://h:80"]),
        random_path()
    );
    if let Some(q) = random_query() {
        uri.push('?');
        uri.push_str(&q);
    }
    let mut builder = http::Request::builder().method(pick(&["GET", "PUT", "POST", "DELETE", "HEAD"])).uri(uri);
    let names = [
        "content-type",
        "x-amz-target",
        "user-agent",
        "x-amz-user-agent",
        "amz-sdk-request",
        "amz-sdk-invocation-id",
        "x-amzn-trace-id",
        "x-amz-meta-a",
        "content-length",
        "x-amz-checksum-mode",
        "transfer-encoding",
        "my-header",
        "host",
    ];
    let values = ["application/json", "  spaced   value  ", "a,b", "1", "x  y", "", "value\twith\ttabs"];
    for _ in 0..fastrand::usize(0..6) {
        builder = builder.header(pick(&names), pick(&values));
    }
    let body = Bytes::from(pick(&["", "{}", r#"{"a":1}"#, "Action=X&Version=1"]).to_owned());
    builder.body(body).unwrap()
}

#[test]
fn signs_like_the_official_signer() {
    let cache = SigningKeyCache::default();
    for round in 0..20_000 {
        let mut creds = Credentials::new(pick(&["AKIDEXAMPLE", "AKID2"]), pick(&["secret", "wJalrXUtnFEMI/K7MDENG"]));
        if fastrand::bool() {
            creds = creds.with_session_token(pick(&["token", "IQoJb3JpZ2luX2VjE+/=="]));
        }
        let time = UNIX_EPOCH + Duration::from_secs(fastrand::u64(0..4_000_000_000));
        let mut options =
            SigningOptions::new(pick(&["us-east-1", "eu-west-3", "a/b", "a"]), pick(&["s3", "connect", "b/s3"]), time);
        options.normalize_path = fastrand::bool();
        options.double_encode = fastrand::bool();
        options.include_session_token = fastrand::u8(0..4) != 0;
        options.content_sha256_header = fastrand::bool();
        if fastrand::u8(0..4) == 0 {
            options.presign_expires_in = Some(Duration::from_secs(fastrand::u64(1..604_800)));
        }
        if fastrand::bool() {
            options.unsigned_headers = UNSIGNED_SDK_HEADERS;
        }
        if fastrand::bool() {
            options.key_cache = Some(&cache);
        }
        let request = random_request();
        let hash = awslim_runtime::sign::payload_sha256(request.body());
        if fastrand::bool() {
            options.payload_sha256 = Some(&hash);
        }
        let mut ours = clone(&request);
        let mut theirs = clone(&request);
        if fastrand::u8(0..5) == 0 {
            ours.extensions_mut().insert(UnsignedPayload);
            theirs.extensions_mut().insert(UnsignedPayload);
        }
        let signature = sign_request(&mut ours, &creds, &options).unwrap();
        let expected = official(&mut theirs, &creds, &options);
        let context =
            format!("round {round}: {} {} {:?} {options:?}", request.method(), request.uri(), request.headers());
        assert_eq!(signature, expected, "{context}");
        assert_eq!(ours.uri(), theirs.uri(), "{context}");
        assert_eq!(ours.headers(), theirs.headers(), "{context}");
    }
}

fn clone(request: &http::Request<Bytes>) -> http::Request<Bytes> {
    let mut out = http::Request::new(request.body().clone());
    *out.method_mut() = request.method().clone();
    *out.uri_mut() = request.uri().clone();
    *out.headers_mut() = request.headers().clone();
    out
}

#[test]
fn a_time_before_the_epoch_and_far_ahead_signs_alike() {
    for time in [UNIX_EPOCH - Duration::from_secs(86_400 * 365), UNIX_EPOCH + Duration::from_secs(253_402_300_799)] {
        let request = || http::Request::builder().uri("https://example.amazonaws.com/").body(Bytes::new()).unwrap();
        let creds = Credentials::new("AKID", "secret");
        let options = SigningOptions::new("us-east-1", "service", time);
        let (mut a, mut b) = (request(), request());
        assert_eq!(sign_request(&mut a, &creds, &options).unwrap(), official(&mut b, &creds, &options));
        assert_eq!(a.headers(), b.headers());
    }
    let _ = SystemTime::now();
}
