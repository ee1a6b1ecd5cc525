//! The awsJson1_0 protocol (with `awsQueryCompatible`), driven through the generated
//! `awslim_json_rpc` client (fixture model `tests/fixtures/models/json-rpc.json`, whose service
//! also lists restJson1) and `StubTransport`.
//!
//! Run: `cargo test -p awslim-tests --test json_rpc`.

use awslim_json_rpc::operation::get_queue::GetQueueError;
use awslim_json_rpc::operation::ping::PingError;
use awslim_json_rpc::types::GetQueueInput;
use awslim_json_rpc::{Client, Config, SdkError};
use awslim_runtime::bytes::Bytes;
use awslim_runtime::transport::{RecordedRequest, StubTransport};
use awslim_runtime::{Credentials, DateTime};
use serde_json::{json, Value};

fn setup() -> (StubTransport, Client) {
    let stub = StubTransport::new();
    let config = Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
        .transport(stub.clone())
        .max_attempts(1)
        .build();
    (stub, Client::new(config))
}

fn only_request(stub: &StubTransport) -> RecordedRequest {
    let mut sent = stub.take_requests();
    assert_eq!(sent.len(), 1, "exactly one request expected, got {sent:?}");
    sent.remove(0)
}

fn respond(stub: &StubTransport, status: u16, headers: &[(&str, &str)], body: &str) {
    let mut b = awslim_runtime::http::Response::builder().status(status);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    stub.push_response(b.body(Bytes::copy_from_slice(body.as_bytes())).unwrap());
}

fn get_queue_input() -> GetQueueInput {
    GetQueueInput::builder()
        .queue_name("jobs")
        .attributes(vec!["All".to_owned()])
        .since(DateTime::from_secs(1_704_164_645))
        .build()
}

#[tokio::test]
async fn requests_are_post_slash_with_target_content_type_and_the_whole_input_as_json() {
    let (stub, client) = setup();
    stub.push_json(200, "{}");
    client.get_queue(get_queue_input()).await.unwrap();
    let r = only_request(&stub);
    // The model's @http (GET /queues/{QueueName}) does not apply to awsJson.
    assert_eq!(r.method, "POST");
    assert_eq!(r.uri.to_string(), "https://jsonrpc.us-west-2.example.com/");
    assert_eq!(r.header("x-amz-target"), Some("JsonRpcService.GetQueue"));
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.0"));
    assert_eq!(r.header("x-amzn-query-mode"), Some("true"));
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    // Member names, not @jsonName ("attrs"); the label member travels in the body too.
    assert_eq!(body, json!({ "QueueName": "jobs", "Attributes": ["All"], "Since": 1_704_164_645 }));
}

#[tokio::test]
async fn an_operation_without_input_sends_an_empty_object() {
    let (stub, client) = setup();
    respond(&stub, 200, &[], "");
    client.ping().await.unwrap();
    let r = only_request(&stub);
    assert_eq!(r.header("x-amz-target"), Some("JsonRpcService.Ping"));
    assert_eq!(&r.body[..], b"{}");
}

#[tokio::test]
async fn the_output_is_read_from_the_body() {
    let (stub, client) = setup();
    respond(
        &stub,
        200,
        &[("x-amzn-RequestId", "req-7")],
        r#"{"QueueUrl":"https://q/jobs","Attributes":{"a":"b"},"Created":1704164645.5,"Unknown":[1]}"#,
    );
    let out = client.get_queue(get_queue_input()).await.unwrap();
    assert_eq!(out.queue_url(), Some("https://q/jobs"));
    assert_eq!(out.attributes().and_then(|m| m.get("a")).map(String::as_str), Some("b"));
    assert_eq!(out.created().map(|d| (d.secs(), d.subsec_nanos())), Some((1_704_164_645, 500_000_000)));
    assert_eq!(out.request_id(), Some("req-7"));
}

#[tokio::test]
async fn error_type_is_matched_without_namespace_or_suffix_and_callers_see_the_query_code() {
    for type_field in [
        "QueueDoesNotExist",
        "example.jsonrpc#QueueDoesNotExist",
        "example.jsonrpc#QueueDoesNotExist:http://internal.amazon.com/coral/com.amazon.coral.validate/",
    ] {
        let (stub, client) = setup();
        let body = json!({ "__type": type_field, "message": "no such queue" }).to_string();
        respond(&stub, 400, &[("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender")], &body);
        let err = client.get_queue(get_queue_input()).await.unwrap_err();
        let SdkError::Service { error: GetQueueError::QueueDoesNotExist(e), .. } = &err else {
            panic!("expected QueueDoesNotExist for {type_field}, got {err:?}")
        };
        assert_eq!(e.meta().code(), Some("AWS.SimpleQueueService.NonExistentQueue"));
        assert_eq!(e.message(), Some("no such queue"));
    }
}

#[tokio::test]
async fn without_a_query_error_header_the_code_is_the_shape_name() {
    let (stub, client) = setup();
    respond(&stub, 429, &[], r#"{"__type":"example.jsonrpc#Throttled","message":"slow down"}"#);
    let err = client.get_queue(get_queue_input()).await.unwrap_err();
    let SdkError::Service { error: GetQueueError::Throttled(e), .. } = &err else { panic!("{err:?}") };
    assert_eq!(e.meta().code(), Some("Throttled"));
}

#[tokio::test]
async fn an_unmodeled_error_keeps_the_query_code() {
    let (stub, client) = setup();
    respond(&stub, 400, &[("x-amzn-query-error", "InvalidAction;Sender")], r#"{"__type":"com.x#Other"}"#);
    let err = client.ping().await.unwrap_err();
    let SdkError::Service { error: PingError::Unhandled(e), .. } = &err else { panic!("{err:?}") };
    assert_eq!(e.meta().code(), Some("InvalidAction"));
}
