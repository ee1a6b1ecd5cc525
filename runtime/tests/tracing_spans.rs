//! The runtime's tracing spans and events: what they record, and that no secret (secret key,
//! session token, signature, Authorization header) ever reaches a subscriber.

mod reference_operation;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use awslim_runtime::{Config, Credentials, RetryConfig, StubTransport};
use reference_operation::{Client, StartThingInput};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records every span name, field and event as text (with `info_only`, only spans and events
/// at INFO or above, as a subscriber with that level filter would).
#[derive(Clone, Default)]
struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
    next_id: Arc<AtomicU64>,
    info_only: bool,
}

struct Collect<'a>(&'a mut String);

impl Visit for Collect<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        !self.info_only || *metadata.level() <= tracing::Level::INFO
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut line = format!("span {}", span.metadata().name());
        span.record(&mut Collect(&mut line));
        self.lines.lock().unwrap().push(line);
        Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut line = format!("record {}", span.into_u64());
        values.record(&mut Collect(&mut line));
        self.lines.lock().unwrap().push(line);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut line = String::from("event");
        event.record(&mut Collect(&mut line));
        self.lines.lock().unwrap().push(line);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test(flavor = "current_thread")]
async fn spans_record_the_call_and_never_a_secret() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());

    let stub = StubTransport::new();
    stub.push_json(503, r#"{"message":"busy"}"#).push_json(200, r#"{"ContactId":"c-1"}"#);
    let client = Client::new(
        Config::builder()
            .region("us-west-2")
            .endpoint_url("http://localhost:1")
            .credentials(Credentials::new("AKIDEXAMPLE", "SUPERSECRETKEY").with_session_token("SESSIONTOKEN"))
            .retry(RetryConfig::default().with_initial_backoff(Duration::from_millis(1)))
            .transport(stub.clone())
            .build(),
    );
    client
        .start_thing(StartThingInput { instance_id: "i".into(), display_name: "d".into(), ..Default::default() })
        .await
        .unwrap();

    let text = recorder.lines.lock().unwrap().join("\n");
    assert!(text.contains("span awslim.call"), "{text}");
    assert!(text.contains("operation=StartThing"), "{text}");
    assert!(text.contains("span awslim.attempt attempt=1"), "{text}");
    assert!(text.contains("span awslim.attempt attempt=2"), "{text}");
    assert!(text.contains("status=503"), "{text}");
    assert!(text.contains("status=200"), "{text}");
    assert!(text.contains("request_id=stub-request-1"), "{text}");
    assert!(text.contains("attempts=2"), "{text}");
    assert!(text.contains("duration_ms="), "{text}");

    let sent = stub.requests();
    for secret in ["SUPERSECRETKEY", "SESSIONTOKEN", "Signature=", "AWS4-HMAC-SHA256"] {
        assert!(!text.contains(secret), "`{secret}` leaked into tracing:\n{text}");
    }
    for r in &sent {
        let auth = r.header("authorization").unwrap();
        let signature = auth.rsplit("Signature=").next().unwrap();
        assert!(!text.contains(signature), "signature leaked into tracing");
    }
}

/// With the attempt spans (DEBUG) filtered out, the call's span (INFO) still gets the status
/// and request id of the response.
#[tokio::test(flavor = "current_thread")]
async fn the_call_span_is_recorded_without_the_attempt_spans() {
    let recorder = Recorder { info_only: true, ..Recorder::default() };
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let stub = StubTransport::new();
    stub.push_json(200, r#"{"ContactId":"c-1"}"#);
    let client = Client::new(
        Config::builder()
            .region("us-west-2")
            .endpoint_url("http://localhost:1")
            .credentials(Credentials::new("AKIDEXAMPLE", "SUPERSECRETKEY"))
            .transport(stub.clone())
            .build(),
    );
    client
        .start_thing(StartThingInput { instance_id: "i".into(), display_name: "d".into(), ..Default::default() })
        .await
        .unwrap();
    let text = recorder.lines.lock().unwrap().join("\n");
    assert!(text.contains("span awslim.call"), "{text}");
    assert!(!text.contains("span awslim.attempt"), "{text}");
    assert!(text.contains("status=200"), "{text}");
    assert!(text.contains("request_id=stub-request-1"), "{text}");
}

/// A 20 MB error code and a message with a newline and a terminal escape reach the log lines
/// and `Display` escaped and cut to a few KB; the accessors still give them whole.
#[tokio::test(flavor = "current_thread")]
async fn server_text_in_logs_and_display_is_bounded_and_escaped() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());

    let huge_code = "X".repeat(20 << 20);
    let message = "boom\nevent FORGED level=ERROR\u{1b}[2J";
    let body = serde_json::json!({"__type": huge_code, "message": message}).to_string();
    let stub = StubTransport::new();
    let request_id = format!("rid-{}", "r".repeat(10_000));
    stub.push_response(
        http::Response::builder().status(400).header("x-amzn-requestid", &request_id).body(body.into()).unwrap(),
    );
    let client = Client::new(
        Config::builder()
            .region("us-west-2")
            .endpoint_url("http://localhost:1")
            .credentials(Credentials::new("AKIDEXAMPLE", "SUPERSECRETKEY"))
            .retry(RetryConfig::default().with_max_attempts(1))
            .transport(stub.clone())
            .build(),
    );
    let err = client
        .start_thing(StartThingInput { instance_id: "i".into(), display_name: "d".into(), ..Default::default() })
        .await
        .unwrap_err();

    let text = recorder.lines.lock().unwrap().join("\n");
    assert!(text.len() < 64 << 10, "log text is {} bytes", text.len());
    assert!(text.contains("bytes in total]"), "the cut is marked: {}", &text[..text.len().min(3000)]);

    let shown = err.to_string();
    assert!(shown.len() < 16 << 10, "Display is {} bytes", shown.len());
    assert!(!shown.contains('\n') && !shown.contains('\u{1b}'), "{shown:?}");
    assert!(shown.contains("boom\\nevent FORGED level=ERROR\\u{1b}[2J"), "{shown:?}");
    let meta = awslim_runtime::ProvideErrorMetadata::meta(err.as_service_error().unwrap());
    assert_eq!(meta.code().map(str::len), Some(20 << 20), "the accessor keeps the whole code");
    assert_eq!(meta.message(), Some(message));
    assert_eq!(meta.request_id(), Some(request_id.as_str()));
}
