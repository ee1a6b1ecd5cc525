//! Hot paths of a call: building + signing a request, reading an error response, and a whole
//! `invoke` against the in-memory transport.
//!
//! `cargo bench -p awslim-runtime`

use std::time::{Duration, SystemTime};

use awslim_runtime::bytes::Bytes;
use awslim_runtime::protocol::rest_json;
use awslim_runtime::sign::{sign_request, SigningOptions};
use awslim_runtime::{http, Config, Credentials, Handle, OperationMeta, ServiceMeta, StubTransport};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

const BODY: &str = r#"{"ClientToken":"5b7d3c1e-8f1a-4a57-9d4e-2f6a1c0b9e77","ContactFlowId":"c0ffee00-1234-4321-abcd-0123456789ab","InstanceId":"deadbeef-1234-4321-abcd-0123456789ab","ParticipantDetails":{"DisplayName":"Jane Doe"},"Attributes":{"k1":"v1","k2":"v2"}}"#;

fn build_request() -> http::Request<Bytes> {
    http::Request::builder()
        .method("PUT")
        .uri("https://connect.us-west-2.amazonaws.com/contact/webrtc")
        .header("content-type", "application/json")
        .header("amz-sdk-invocation-id", "5b7d3c1e-8f1a-4a57-9d4e-2f6a1c0b9e77")
        .header("amz-sdk-request", "attempt=1; max=3")
        .header("user-agent", "awslim/0.1.0 api/connect/2017-08-08 os/linux lang/rust")
        .body(Bytes::from_static(BODY.as_bytes()))
        .unwrap()
}

fn signing(c: &mut Criterion) {
    let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        .with_session_token("FQoGZXIvYXdzEXAMPLETOKEN");
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    c.bench_function("build + sign StartWebRTCContact request", |b| {
        b.iter(|| {
            let mut req = build_request();
            let sig = sign_request(&mut req, &creds, &SigningOptions::new("us-west-2", "connect", time)).unwrap();
            black_box((req, sig))
        })
    });
}

fn error_parsing(c: &mut Criterion) {
    let json = http::Response::builder()
        .status(400)
        .header("x-amzn-requestid", "b7c3a1e2-0000-4000-8000-000000000000")
        .header("x-amzn-errortype", "InvalidParameterException:http://internal.amazon.com/coral/com.amazonaws.connect/")
        .body(Bytes::from_static(br#"{"Message":"The specified ContactFlowId is not valid."}"#))
        .unwrap();
    let html = http::Response::builder()
        .status(502)
        .body(Bytes::from_static(b"<html><head><title>502 Bad Gateway</title></head><body>bad gateway</body></html>"))
        .unwrap();
    c.bench_function("rest_json::error_metadata (JSON body + header)", |b| {
        b.iter(|| black_box(rest_json::error_metadata(black_box(&json))))
    });
    c.bench_function("rest_json::error_metadata (HTML body)", |b| {
        b.iter(|| black_box(rest_json::error_metadata(black_box(&html))))
    });
}

const RULE_SET: &str = r#"{"version":"1.0","parameters":{
 "Region":{"builtIn":"AWS::Region","required":false,"type":"String"},
 "UseFIPS":{"builtIn":"AWS::UseFIPS","required":true,"default":false,"type":"Boolean"},
 "UseDualStack":{"builtIn":"AWS::UseDualStack","required":true,"default":false,"type":"Boolean"},
 "Endpoint":{"builtIn":"SDK::Endpoint","required":false,"type":"String"}},
 "rules":[
 {"conditions":[{"fn":"isSet","argv":[{"ref":"Endpoint"}]}],"endpoint":{"url":{"ref":"Endpoint"},"properties":{},"headers":{}},"type":"endpoint"},
 {"conditions":[{"fn":"isSet","argv":[{"ref":"Region"}]}],"endpoint":{"url":"https://connect.{Region}.amazonaws.com","properties":{},"headers":{}},"type":"endpoint"},
 {"conditions":[],"error":"Missing Region","type":"error"}]}"#;

static SERVICE: ServiceMeta = ServiceMeta {
    sdk_id: "Connect",
    service_id: "com.amazonaws.connect#AmazonConnectService",
    api_version: "2017-08-08",
    signing_name: "connect",
    endpoint_rule_set: RULE_SET,
    error_metadata: awslim_runtime::protocol::rest_json::error_metadata,
    client_context_params: &[],
};
static OP: OperationMeta = OperationMeta {
    name: "StartWebRTCContact",
    retryable_errors: &[],
    auth: &[awslim_runtime::AuthScheme::SigV4 { signing_name: "connect" }],
};

fn parse(resp: &http::Response<Bytes>) -> Result<Result<usize, ()>, awslim_runtime::json::ParseError> {
    Ok(Ok(resp.body().len()))
}

fn whole_call(c: &mut Criterion) {
    let stub = StubTransport::new();
    let handle = Handle::new(
        &SERVICE,
        Config::builder()
            .region("us-west-2")
            .credentials(Credentials::new("AKIDEXAMPLE", "SECRET"))
            .transport(stub.clone())
            .build(),
    );
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    c.bench_function("invoke (endpoint + sign + stub send + parse)", |b| {
        b.iter(|| {
            stub.push_json(200, r#"{"ContactId":"c"}"#);
            let request = http::Request::builder()
                .method("PUT")
                .uri("/contact/webrtc")
                .header("content-type", "application/json")
                .body(Bytes::from_static(BODY.as_bytes()))
                .unwrap();
            let out = rt.block_on(handle.invoke(&OP, request, parse)).unwrap();
            black_box(stub.take_requests());
            out
        })
    });
    black_box(stub.requests().len());
}

criterion_group!(benches, signing, error_parsing, whole_call);
criterion_main!(benches);
