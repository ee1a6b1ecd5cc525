//! The call pipeline (`Handle::invoke`) against the in-memory `StubTransport`.

mod reference_operation;

use std::sync::Arc;
use std::time::Duration;

use awslim_runtime::credentials::{CredentialsError, ProvideCredentials};
use awslim_runtime::error::{ConstructionErrorKind, ProvideErrorMetadata, TimeoutKind};
use awslim_runtime::transport::{BoxFuture, RecordedRequest, TransportErrorKind};
use awslim_runtime::{
    Config, ConfigBuilder, Credentials, RetryConfig, SdkError, ServiceMeta, StubTransport, TransportError,
};
use reference_operation::{Client, StartThingError, StartThingInput};

fn config(stub: &StubTransport) -> ConfigBuilder {
    Config::builder()
        .region("us-west-2")
        .endpoint_url("http://localhost:8080")
        .credentials(Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE"))
        .retry(RetryConfig::default().with_initial_backoff(Duration::from_millis(1)))
        .idempotency_token_provider(|| "00000000-0000-4000-8000-000000000000".into())
        .transport(stub.clone())
}

fn input() -> StartThingInput {
    StartThingInput {
        instance_id: "inst 1/a".into(),
        mode: Some("fast&safe".into()),
        client_token: None,
        display_name: "Jane".into(),
    }
}

const OK_BODY: &str = r#"{"ContactId":"c-1","Token":"t-1"}"#;

fn attempt_headers(requests: &[RecordedRequest]) -> Vec<String> {
    requests.iter().map(|r| r.header("amz-sdk-request").unwrap().to_owned()).collect()
}

fn signature(r: &RecordedRequest) -> &str {
    let auth = r.header("authorization").expect("signed");
    auth.rsplit("Signature=").next().unwrap()
}

#[tokio::test]
async fn first_try_success_builds_a_complete_signed_request() {
    let stub = StubTransport::new();
    stub.push_json(200, OK_BODY);
    let client = Client::new(config(&stub).build());
    let out = client.start_thing(input()).await.unwrap();
    assert_eq!(out.contact_id.as_deref(), Some("c-1"));
    assert_eq!(out.token.as_deref(), Some("t-1"));

    let reqs = stub.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "PUT");
    assert_eq!(r.uri.to_string(), "http://localhost:8080/things/inst%201%2Fa?mode=fast%26safe");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("amz-sdk-request"), Some("attempt=1; max=3"));
    let id = r.header("amz-sdk-invocation-id").unwrap();
    assert_eq!(id.len(), 36, "{id}");
    assert!(r.header("user-agent").unwrap().starts_with("awslim/"));
    assert!(r.header("x-amz-date").is_some());
    let auth = r.header("authorization").unwrap();
    assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"), "{auth}");
    assert!(auth.contains("/us-west-2/thing/aws4_request"), "{auth}");
    // The per-call and per-attempt SDK headers are sent but not signed (as the official SDK).
    assert!(auth.contains("SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-user-agent,"), "{auth}");
    assert_eq!(r.header("content-length"), Some(r.body.len().to_string().as_str()));
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body, serde_json::json!({"ClientToken": "00000000-0000-4000-8000-000000000000", "DisplayName": "Jane"}));
    assert!(!format!("{r:?}").contains("SECRETKEYEXAMPLE"));
    // A successful first attempt refills the (full) quota: stays at capacity.
    assert_eq!(client.handle().retry_quota_available(), 500);
}

async fn retried_then_ok(status: u16, body: &str) {
    let stub = StubTransport::new();
    stub.push_json(status, body).push_json(200, OK_BODY);
    let client = Client::new(config(&stub).build());
    let out = client.start_thing(input()).await.unwrap();
    assert_eq!(out.contact_id.as_deref(), Some("c-1"));
    let reqs = stub.requests();
    assert_eq!(attempt_headers(&reqs), ["attempt=1; max=3", "attempt=2; max=3"]);
    assert_eq!(reqs[0].header("amz-sdk-invocation-id"), reqs[1].header("amz-sdk-invocation-id"));
    for r in &reqs {
        assert!(signature(r).len() == 64, "every attempt is signed");
    }
    assert_eq!(reqs[0].body, reqs[1].body, "same body, same idempotency token");
    assert_eq!(client.handle().retry_quota_available(), 500, "the retry's cost is refunded on success");
}

#[tokio::test]
async fn retries_500_then_succeeds() {
    retried_then_ok(500, r#"{"message":"oops"}"#).await;
}

#[tokio::test]
async fn retries_503_then_succeeds() {
    retried_then_ok(503, "<html>Service Unavailable</html>").await;
}

#[tokio::test]
async fn retries_throttling_code_on_400() {
    retried_then_ok(400, r#"{"__type":"com.example#ThrottlingException","message":"slow down"}"#).await;
}

#[tokio::test]
async fn retries_modeled_retryable_error() {
    retried_then_ok(400, r#"{"code":"InternalServiceException"}"#).await;
}

#[tokio::test]
async fn throttled_until_attempts_run_out() {
    let stub = StubTransport::new();
    for _ in 0..4 {
        stub.push_json(429, r#"{"message":"Rate exceeded"}"#);
    }
    let client = Client::new(config(&stub).build());
    let err = client.start_thing(input()).await.unwrap_err();
    assert_eq!(stub.requests().len(), 3);
    assert_eq!(stub.remaining(), 1);
    assert_eq!(attempt_headers(&stub.requests()), ["attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3"]);
    assert_eq!(err.request_id(), Some("stub-request-3"));
    match &err {
        SdkError::Service { error: StartThingError::Unhandled(e), meta } => {
            assert_eq!(meta.status(), 429);
            assert_eq!(e.message(), Some("Rate exceeded"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("HTTP 429"), "{err}");
    assert_eq!(client.handle().retry_quota_available(), 490, "two retries cost 5 each");
}

#[tokio::test]
async fn client_error_is_not_retried() {
    let stub = StubTransport::new();
    stub.push_json(400, r#"{"__type":"InvalidParameterException","Message":"bad instance"}"#).push_json(200, OK_BODY);
    let client = Client::new(config(&stub).build());
    let err = client.start_thing(input()).await.unwrap_err();
    assert_eq!(stub.requests().len(), 1);
    let e = err.into_service_error().expect("service error");
    assert!(matches!(e, StartThingError::InvalidParameter(_)));
    assert_eq!(e.code(), Some("InvalidParameterException"));
    assert_eq!(e.message(), Some("bad instance"));
}

#[tokio::test]
async fn connection_reset_is_retried() {
    let stub = StubTransport::new();
    stub.push_error(TransportError::new(TransportErrorKind::Io, "connection reset by peer")).push_json(200, OK_BODY);
    let client = Client::new(config(&stub).build());
    client.start_thing(input()).await.unwrap();
    assert_eq!(stub.requests().len(), 2);
}

#[tokio::test]
async fn transport_errors_exhaust_to_transport_error() {
    let stub = StubTransport::new();
    for _ in 0..3 {
        stub.push_error(TransportError::new(TransportErrorKind::Connect, "connection refused"));
    }
    let client = Client::new(config(&stub).build());
    let err = client.start_thing(input()).await.unwrap_err();
    assert!(matches!(&err, SdkError::Transport(e) if e.kind() == TransportErrorKind::Connect), "{err:?}");
    assert!(err.to_string().contains("connection refused"), "{err}");
    assert_eq!(stub.requests().len(), 3);
}

#[tokio::test]
async fn tls_failure_is_not_retried() {
    let stub = StubTransport::new();
    stub.push_error(TransportError::new(TransportErrorKind::Tls, "invalid peer certificate: UnknownIssuer"))
        .push_json(200, OK_BODY);
    let err = Client::new(config(&stub).build()).start_thing(input()).await.unwrap_err();
    assert!(matches!(&err, SdkError::Transport(e) if e.kind() == TransportErrorKind::Tls), "{err:?}");
    assert_eq!(stub.requests().len(), 1);
}

#[tokio::test]
async fn stalled_attempt_times_out_and_is_retried() {
    let stub = StubTransport::new();
    stub.push_stall().push_json(200, OK_BODY);
    let client = Client::new(config(&stub).attempt_timeout(Duration::from_millis(50)).build());
    client.start_thing(input()).await.unwrap();
    assert_eq!(stub.requests().len(), 2);
    assert_eq!(client.handle().retry_quota_available(), 500, "timeout retry cost (10) refunded");
}

#[tokio::test]
async fn stalled_attempts_end_in_attempt_timeout() {
    let stub = StubTransport::new();
    stub.push_stall().push_stall();
    let client = Client::new(config(&stub).max_attempts(2).attempt_timeout(Duration::from_millis(30)).build());
    let err = client.start_thing(input()).await.unwrap_err();
    match &err {
        SdkError::Timeout(t) => {
            assert_eq!(t.kind(), TimeoutKind::Attempt);
            assert_eq!(t.after(), Duration::from_millis(30));
            assert_eq!(t.attempts(), 2);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("attempt timeout"), "{err}");
    assert_eq!(client.handle().retry_quota_available(), 490);
}

#[tokio::test]
async fn operation_timeout_bounds_the_whole_call() {
    let stub = StubTransport::new();
    stub.push_stall();
    let config = config(&stub)
        .timeouts(awslim_runtime::TimeoutConfig {
            connect: None,
            attempt: None,
            operation: Some(Duration::from_millis(40)),
        })
        .build();
    let err = Client::new(config).start_thing(input()).await.unwrap_err();
    match err {
        SdkError::Timeout(t) => {
            assert_eq!(t.kind(), TimeoutKind::Operation);
            assert_eq!(t.attempts(), 1);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn empty_retry_quota_stops_retries() {
    let stub = StubTransport::new();
    for _ in 0..3 {
        stub.push_json(500, "{}");
    }
    let mut retry = RetryConfig::default().with_initial_backoff(Duration::from_millis(1));
    retry.retry_quota_capacity = 7; // one retry (5), not two
    let client = Client::new(config(&stub).retry(retry).build());
    let err = client.start_thing(input()).await.unwrap_err();
    assert_eq!(stub.requests().len(), 2);
    assert!(matches!(err, SdkError::Service { .. }));
}

#[tokio::test]
async fn unparseable_success_is_a_response_parse_error() {
    let stub = StubTransport::new();
    stub.push_json(200, r#"{"ContactId": 12}"#);
    let err = Client::new(config(&stub).build()).start_thing(input()).await.unwrap_err();
    match &err {
        SdkError::ResponseParse { error, meta } => {
            assert_eq!(meta.status(), 200);
            assert!(error.to_string().contains("ContactId"), "{error}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.request_id(), Some("stub-request-1"));
}

#[tokio::test]
async fn endpoint_from_rules_and_auth_scheme() {
    let stub = StubTransport::new();
    stub.push_json(200, OK_BODY);
    let config = Config::builder()
        .region("eu-central-1")
        .credentials(Credentials::new("AKID", "SECRET").with_session_token("SESSION"))
        .transport(stub.clone())
        .build();
    Client::new(config).start_thing(input()).await.unwrap();
    let r = &stub.requests()[0];
    assert_eq!(r.uri.to_string(), "https://thing.eu-central-1.amazonaws.com/things/inst%201%2Fa?mode=fast%26safe");
    assert_eq!(r.header("x-amz-security-token"), Some("SESSION"));
    assert!(r.header("authorization").unwrap().contains("/eu-central-1/thing/aws4_request"));
}

#[tokio::test]
async fn missing_region_is_a_construction_error() {
    let stub = StubTransport::new();
    let config = Config::builder().credentials(Credentials::new("A", "B")).transport(stub.clone()).build();
    let err = Client::new(config).start_thing(input()).await.unwrap_err();
    match &err {
        SdkError::Construction(e) => assert_eq!(e.kind(), ConstructionErrorKind::Endpoint),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("Missing Region"), "{err}");
    assert!(stub.requests().is_empty());
}

#[tokio::test]
async fn invalid_rule_set_is_an_error_not_a_panic() {
    static BROKEN: ServiceMeta = ServiceMeta {
        sdk_id: "Broken",
        service_id: "com.example#Broken",
        api_version: "1",
        signing_name: "broken",
        endpoint_rule_set: "{ not json",
        error_metadata: awslim_runtime::protocol::rest_json::error_metadata,
        client_context_params: &[],
    };
    let stub = StubTransport::new();
    let handle = awslim_runtime::Handle::new(&BROKEN, config(&stub).build());
    let request = reference_operation::serialize_start_thing(&input());
    let err = handle
        .invoke(&reference_operation::START_THING, request, reference_operation::parse_start_thing)
        .await
        .unwrap_err();
    assert!(matches!(&err, SdkError::Construction(e) if e.kind() == ConstructionErrorKind::Endpoint), "{err:?}");
    assert!(stub.requests().is_empty());
}

#[tokio::test]
async fn a_model_without_endpoint_rules_uses_the_configured_endpoint_url() {
    static NO_RULES: ServiceMeta = ServiceMeta {
        sdk_id: "NoRules",
        service_id: "com.example#NoRules",
        api_version: "1",
        signing_name: "norules",
        endpoint_rule_set: "",
        error_metadata: awslim_runtime::protocol::rest_json::error_metadata,
        client_context_params: &[],
    };
    let stub = StubTransport::new();
    stub.push_json(200, "{}");
    let with_url =
        awslim_runtime::Handle::new(&NO_RULES, config(&stub).endpoint_url("https://local.example:8443/base").build());
    let request = reference_operation::serialize_start_thing(&input());
    with_url.invoke(&reference_operation::START_THING, request, reference_operation::parse_start_thing).await.unwrap();
    assert!(
        stub.requests()[0].uri.to_string().starts_with("https://local.example:8443/base/"),
        "{:?}",
        stub.requests()[0].uri
    );

    let without = awslim_runtime::Handle::new(
        &NO_RULES,
        Config::builder()
            .region("us-west-2")
            .credentials(Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE"))
            .transport(stub.clone())
            .build(),
    );
    let request = reference_operation::serialize_start_thing(&input());
    let err = without
        .invoke(&reference_operation::START_THING, request, reference_operation::parse_start_thing)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("has no endpoint rules: set an endpoint URL"), "{err}");
    assert_eq!(stub.requests().len(), 1, "nothing more was sent");
}

#[derive(Debug)]
struct FailingCredentials;

impl ProvideCredentials for FailingCredentials {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async { Err(CredentialsError::new("vault is sealed")) })
    }
}

/// Hands out a new key pair on every call: shows which attempt was signed with what (the
/// signature itself depends on the secret, not on the access key id).
#[derive(Debug, Default)]
struct RotatingCredentials(std::sync::atomic::AtomicU32);

impl ProvideCredentials for RotatingCredentials {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        Box::pin(async move { Ok(Credentials::new(format!("AKIDROTATING{n}"), format!("SECRETKEYEXAMPLE{n}"))) })
    }
}

#[tokio::test]
async fn every_attempt_is_signed_afresh_although_the_attempt_header_is_unsigned() {
    let stub = StubTransport::new();
    stub.push_json(503, "{}").push_json(200, OK_BODY);
    // Asked before every attempt: the identity cache (on by default) would keep the first pair.
    let config =
        config(&stub).credentials_provider(Arc::new(RotatingCredentials::default())).cache_identities(false).build();
    Client::new(config).start_thing(input()).await.unwrap();
    let reqs = stub.requests();
    assert_eq!(attempt_headers(&reqs), ["attempt=1; max=3", "attempt=2; max=3"]);
    for (i, r) in reqs.iter().enumerate() {
        let auth = r.header("authorization").unwrap();
        assert!(auth.contains(&format!("Credential=AKIDROTATING{}/", i + 1)), "attempt {}: {auth}", i + 1);
        assert!(!auth.contains("amz-sdk"), "{auth}");
    }
    assert_ne!(signature(&reqs[0]), signature(&reqs[1]));
}

#[tokio::test]
async fn failing_credentials_are_a_construction_error() {
    let stub = StubTransport::new();
    let config = config(&stub).credentials_provider(Arc::new(FailingCredentials)).build();
    let err = Client::new(config).start_thing(input()).await.unwrap_err();
    match &err {
        SdkError::Construction(e) => assert_eq!(e.kind(), ConstructionErrorKind::Credentials),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("vault is sealed"), "{err}");
    assert!(stub.requests().is_empty());
}

#[tokio::test]
async fn retry_disabled_means_one_attempt() {
    let stub = StubTransport::new();
    stub.push_json(503, "{}").push_json(200, OK_BODY);
    let client = Client::new(config(&stub).retry(RetryConfig::disabled()).build());
    let err = client.start_thing(input()).await.unwrap_err();
    assert_eq!(err.as_service_error().unwrap().meta().status(), 503);
    assert_eq!(attempt_headers(&stub.requests()), ["attempt=1; max=1"]);
}

#[test]
fn handle_is_send_sync_and_futures_are_send() {
    fn send_sync<T: Send + Sync + Clone>() {}
    send_sync::<awslim_runtime::Handle>();
    send_sync::<Config>();
    fn error<T: std::error::Error + Send + Sync + 'static>() {}
    error::<SdkError<StartThingError>>();
    error::<SdkError<awslim_runtime::UnhandledError>>();
    fn send<T: Send>(_: &T) {}
    let client = Client::new(Config::builder().transport(StubTransport::new()).build());
    let fut = client.start_thing(input());
    send(&fut);
}

/// Sends one `StartThing` through a handle of `service`; the error, if any.
async fn call(
    service: &'static ServiceMeta,
    config: Config,
    prefix: Option<&str>,
) -> Option<SdkError<StartThingError>> {
    let handle = awslim_runtime::Handle::new(service, config);
    let mut request = reference_operation::serialize_start_thing(&input());
    if let Some(p) = prefix {
        request.extensions_mut().insert(awslim_runtime::HostPrefix(p.to_owned()));
    }
    handle.invoke(&reference_operation::START_THING, request, reference_operation::parse_start_thing).await.err()
}

fn construction_kind(err: Option<SdkError<StartThingError>>) -> (ConstructionErrorKind, String) {
    match err {
        Some(SdkError::Construction(e)) => (e.kind(), e.to_string()),
        other => panic!("expected a construction error, got {other:?}"),
    }
}

#[tokio::test]
async fn plain_http_to_a_remote_host_needs_an_explicit_opt_in() {
    let stub = StubTransport::new();
    for url in ["http://10.0.0.5:4566", "http://example.com", "http://[2001:db8::1]:80", "http://localhost.evil.com"] {
        let (kind, text) =
            construction_kind(call(&reference_operation::SERVICE, config(&stub).endpoint_url(url).build(), None).await);
        assert_eq!(kind, ConstructionErrorKind::Endpoint, "{url}");
        assert!(text.contains("allow_insecure_http(true)"), "says what to set: {text}");
    }
    assert!(stub.requests().is_empty(), "nothing was sent in clear");

    for _ in 0..5 {
        stub.push_json(200, OK_BODY);
    }
    let opted_in = config(&stub).endpoint_url("http://10.0.0.5:4566").allow_insecure_http(true).build();
    assert!(call(&reference_operation::SERVICE, opted_in, None).await.is_none());
    for loopback in ["http://127.0.0.1:1", "http://127.8.9.10:1", "http://[::1]:1", "http://LOCALHOST:1"] {
        let err = call(&reference_operation::SERVICE, config(&stub).endpoint_url(loopback).build(), None).await;
        assert!(err.is_none(), "{loopback}: {err:?}");
    }
    let hosts: Vec<String> = stub.requests().iter().map(|r| r.uri.host().unwrap_or("").to_owned()).collect();
    assert_eq!(hosts, ["10.0.0.5", "127.0.0.1", "127.8.9.10", "[::1]", "LOCALHOST"]);
}

/// A rule set without an `SDK::Endpoint` parameter: the configured URL still wins, and the
/// rules' signing name and region are kept.
#[tokio::test]
async fn endpoint_url_is_honoured_without_an_sdk_endpoint_parameter() {
    static NO_SDK_ENDPOINT: ServiceMeta = ServiceMeta {
        sdk_id: "Fixed",
        service_id: "com.example#Fixed",
        api_version: "1",
        signing_name: "fixed",
        endpoint_rule_set: r#"{"version":"1.0",
            "parameters":{"Region":{"builtIn":"AWS::Region","required":true,"type":"String"}},
            "rules":[{"type":"endpoint","conditions":[],"endpoint":{"url":"https://fixed.{Region}.amazonaws.com",
              "properties":{"authSchemes":[{"name":"sigv4","signingName":"fixed-signer","signingRegion":"{Region}"}]}}}]}"#,
        error_metadata: awslim_runtime::protocol::rest_json::error_metadata,
        client_context_params: &[],
    };
    let stub = StubTransport::new();
    stub.push_json(200, OK_BODY).push_json(200, OK_BODY);
    let with_url = config(&stub).endpoint_url("http://127.0.0.1:4566/base").build();
    assert!(call(&NO_SDK_ENDPOINT, with_url, None).await.is_none());
    let without = Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE"))
        .transport(stub.clone())
        .build();
    assert!(call(&NO_SDK_ENDPOINT, without, None).await.is_none());
    let sent = stub.requests();
    assert_eq!(sent[0].uri.to_string(), "http://127.0.0.1:4566/base/things/inst%201%2Fa?mode=fast%26safe");
    assert!(sent[0].header("authorization").unwrap().contains("/us-west-2/fixed-signer/aws4_request"));
    assert_eq!(sent[1].uri.host(), Some("fixed.us-west-2.amazonaws.com"));
}

/// Whatever produced it, a host prefix that is not DNS labels never changes the host.
#[tokio::test]
async fn host_prefix_must_be_dns_labels() {
    let stub = StubTransport::new();
    for bad in ["evil.example/", "user@", "a..b.", "x:1.", "a b."] {
        let (kind, text) =
            construction_kind(call(&reference_operation::SERVICE, config(&stub).build(), Some(bad)).await);
        assert_eq!(kind, ConstructionErrorKind::Request, "{bad}");
        assert!(text.contains("host prefix"), "{text}");
    }
    assert!(stub.requests().is_empty());
    stub.push_json(200, OK_BODY);
    let https = config(&stub).endpoint_url("https://svc.example.com").build();
    assert!(call(&reference_operation::SERVICE, https, Some("tenant-1.data.")).await.is_none());
    assert_eq!(stub.requests()[0].uri.host(), Some("tenant-1.data.svc.example.com"));

    // A prefix must not slip into user info either: endpoint URLs with user info are refused.
    let (kind, _) = construction_kind(
        call(&reference_operation::SERVICE, config(&stub).endpoint_url("https://u:p@svc.example.com").build(), None)
            .await,
    );
    assert_eq!(kind, ConstructionErrorKind::Endpoint);
}
