//! Auth scheme resolution through the generated `awslim_auth_schemes` client (fixture model
//! `tests/fixtures/models/auth-schemes.json`) and `StubTransport`: which scheme each operation
//! uses with and without an identity, what goes on the wire, and the endpoint's `authSchemes`.
//!
//! Run: `cargo test -p awslim-tests --test auth`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use awslim_auth_schemes::types::{ApiKeyInput, BearerInput, OptionalInput, SignedInput, SignedV4aInput, UnsignedInput};
use awslim_auth_schemes::{Client, Config, SdkError};
use awslim_runtime::error::ConstructionErrorKind;
use awslim_runtime::transport::{BoxFuture, RecordedRequest, StubTransport};
use awslim_runtime::{ConfigBuilder, Credentials, CredentialsError, ProvideCredentials, Token};

/// A credentials provider with nothing to give, counting how often it is asked.
#[derive(Debug, Default)]
struct NoCredentials(AtomicUsize);

impl ProvideCredentials for NoCredentials {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Err(CredentialsError::new("no credentials configured (test)")) })
    }
}

fn credentials() -> Credentials {
    Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").with_session_token("SESSIONTOKEN")
}

fn builder(stub: &StubTransport, region: &str) -> ConfigBuilder {
    Config::builder().region(region).transport(stub.clone())
}

fn only_request(stub: &StubTransport) -> RecordedRequest {
    let mut sent = stub.take_requests();
    assert_eq!(sent.len(), 1, "exactly one request expected, got {sent:?}");
    sent.remove(0)
}

fn header<'a>(req: &'a RecordedRequest, name: &str) -> Option<&'a str> {
    req.headers.get(name).map(|v| v.to_str().unwrap())
}

fn assert_unsigned(req: &RecordedRequest) {
    for name in ["authorization", "x-amz-security-token", "x-amz-date", "x-amz-region-set"] {
        assert!(req.headers.get(name).is_none(), "`{name}` must not be sent: {:?}", req.headers);
    }
}

fn construction_error<E: std::fmt::Debug>(
    result: Result<impl std::fmt::Debug, SdkError<E>>,
) -> (String, ConstructionErrorKind) {
    match result {
        Err(SdkError::Construction(e)) => (e.to_string(), e.kind()),
        other => panic!("expected a construction error, got {other:?}"),
    }
}

#[tokio::test]
async fn unsigned_operation_needs_no_credentials_and_sends_no_signature() {
    let stub = StubTransport::new();
    stub.push_json(200, r#"{"Value":"ok"}"#);
    let provider = Arc::new(NoCredentials::default());
    let client = Client::new(builder(&stub, "us-west-2").credentials_provider(provider.clone()).build());
    let out = client.unsigned(UnsignedInput::builder().value("x").build()).await.unwrap();
    assert_eq!(out.value(), Some("ok"));
    let req = only_request(&stub);
    assert_eq!(req.uri.to_string(), "https://authsvc.us-west-2.example.com/unsigned");
    assert_unsigned(&req);
    assert_eq!(provider.0.load(Ordering::SeqCst), 0, "no auth: the credentials provider is never asked");

    // `@auth([])` means no auth even when credentials exist.
    stub.push_json(200, "{}");
    let client = Client::new(builder(&stub, "us-west-2").credentials(credentials()).build());
    client.unsigned(UnsignedInput::builder().build()).await.unwrap();
    assert_unsigned(&only_request(&stub));
}

#[tokio::test]
async fn optional_auth_signs_with_credentials_and_sends_unsigned_without() {
    let stub = StubTransport::new();
    stub.push_json(200, "{}");
    let client = Client::new(builder(&stub, "us-west-2").credentials(credentials()).build());
    client.optional(OptionalInput::builder().build()).await.unwrap();
    let req = only_request(&stub);
    let auth = header(&req, "authorization").expect("signed when credentials exist");
    assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"), "{auth}");
    assert!(auth.contains("/us-west-2/authsvc/aws4_request"), "{auth}");
    assert_eq!(header(&req, "x-amz-security-token"), Some("SESSIONTOKEN"));

    stub.push_json(200, "{}");
    let provider = Arc::new(NoCredentials::default());
    let client = Client::new(builder(&stub, "us-west-2").credentials_provider(provider.clone()).build());
    client.optional(OptionalInput::builder().build()).await.unwrap();
    assert_unsigned(&only_request(&stub));
    assert_eq!(provider.0.load(Ordering::SeqCst), 1, "asked once (SigV4 and SigV4a), then no auth");
}

#[tokio::test]
async fn signed_operation_without_credentials_fails_naming_every_scheme() {
    let stub = StubTransport::new();
    let client = Client::new(builder(&stub, "us-west-2").credentials(NoCredentials::default()).build());
    let (message, kind) = construction_error(client.signed(SignedInput::builder().build()).await);
    assert_eq!(kind, ConstructionErrorKind::Credentials);
    assert!(message.contains("`Signed`"), "{message}");
    assert!(message.contains("sigv4: no credentials configured (test)"), "{message}");
    assert!(message.contains("sigv4a: no credentials configured (test)"), "{message}");
    assert!(stub.take_requests().is_empty(), "nothing is sent");
}

#[tokio::test]
async fn bearer_operation_sends_the_token() {
    let stub = StubTransport::new();
    stub.push_json(200, "{}");
    let client = Client::new(
        builder(&stub, "us-west-2").credentials(credentials()).token(Token::new("my-bearer-token")).build(),
    );
    client.bearer(BearerInput::builder().build()).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(header(&req, "authorization"), Some("Bearer my-bearer-token"));
    assert!(req.headers["authorization"].is_sensitive());
    assert!(req.headers.get("x-amz-security-token").is_none(), "credentials are not sent with a token");
    assert!(req.headers.get("x-amz-date").is_none(), "not signed");
    assert!(!format!("{:?}", client.config()).contains("my-bearer-token"), "the token is redacted in Debug");
}

#[tokio::test]
async fn bearer_operation_without_a_token_fails_clearly() {
    let stub = StubTransport::new();
    // AWS_BEARER_TOKEN_AUTHSVC is not set in the test environment.
    let client = Client::new(builder(&stub, "us-west-2").credentials(credentials()).build());
    let (message, kind) = construction_error(client.bearer(BearerInput::builder().build()).await);
    assert_eq!(kind, ConstructionErrorKind::Credentials);
    assert!(message.contains("httpBearerAuth: AWS_BEARER_TOKEN_AUTHSVC is not set"), "{message}");
    assert!(stub.take_requests().is_empty());
}

#[tokio::test]
async fn sigv4a_operation_signs_with_ecdsa_and_the_region_set() {
    let stub = StubTransport::new();
    stub.push_json(200, "{}");
    let client = Client::new(builder(&stub, "eu-west-1").credentials(credentials()).build());
    client.signed_v4a(SignedV4aInput::builder().build()).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(header(&req, "x-amz-region-set"), Some("eu-west-1"));
    let auth = header(&req, "authorization").unwrap();
    assert!(auth.starts_with("AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/"), "{auth}");
    assert!(auth.contains("/authsvc/aws4_request"), "{auth}");
    assert!(auth.contains("x-amz-region-set"), "the region set is signed: {auth}");
    assert_eq!(header(&req, "x-amz-security-token"), Some("SESSIONTOKEN"));
}

#[tokio::test]
async fn endpoint_auth_schemes_override_signing_name_and_region() {
    let stub = StubTransport::new();
    stub.push_json(200, "{}");
    let client = Client::new(builder(&stub, "aws-global").credentials(credentials()).build());
    client.signed(SignedInput::builder().build()).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(req.uri.host(), Some("authsvc.global.example.com"));
    let auth = header(&req, "authorization").unwrap();
    assert!(auth.starts_with("AWS4-HMAC-SHA256 "), "{auth}");
    assert!(auth.contains("/us-east-1/authsvc-global/aws4_request"), "endpoint's name and region: {auth}");
}

#[tokio::test]
async fn endpoint_auth_schemes_can_pick_sigv4a() {
    let stub = StubTransport::new();
    stub.push_json(200, "{}");
    // The model prefers SigV4 for `Signed`; this endpoint lists SigV4a first.
    let client = Client::new(builder(&stub, "multi-region").credentials(credentials()).build());
    client.signed(SignedInput::builder().build()).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(header(&req, "x-amz-region-set"), Some("*"));
    let auth = header(&req, "authorization").unwrap();
    assert!(auth.starts_with("AWS4-ECDSA-P256-SHA256 "), "{auth}");
    assert!(auth.contains("/authsvc-mrap/aws4_request"), "{auth}");

    // No auth stays possible behind the endpoint's schemes for `@optionalAuth`.
    stub.push_json(200, "{}");
    let client = Client::new(builder(&stub, "multi-region").credentials(NoCredentials::default()).build());
    client.optional(OptionalInput::builder().build()).await.unwrap();
    assert_unsigned(&only_request(&stub));
}

#[tokio::test]
async fn unsupported_scheme_is_a_clear_error() {
    let stub = StubTransport::new();
    let client = Client::new(builder(&stub, "us-west-2").credentials(credentials()).build());
    let (message, _) = construction_error(client.api_key(ApiKeyInput::builder().build()).await);
    assert!(message.contains("smithy.api#httpApiKeyAuth: not supported by this client"), "{message}");
    assert!(stub.take_requests().is_empty());
}
