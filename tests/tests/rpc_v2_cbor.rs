//! The rpcv2Cbor protocol, driven through the generated `awslim_cbor_fixture` client (fixture
//! model `tests/fixtures/models/rpc-v2-cbor.json`) and `StubTransport`: requests to
//! `/service/<Service>/operation/<Operation>` with CBOR bodies (byte strings, tag 1 timestamps,
//! sparse lists, unions), CBOR outputs with unknown members skipped, `__type` errors, and
//! hostile bodies refused without a panic.
//!
//! Run: `cargo test -p awslim-tests --test rpc_v2_cbor`.

use std::collections::BTreeMap;

use awslim_cbor_fixture::operation::ping::PingError;
use awslim_cbor_fixture::operation::put_gadget::PutGadgetError;
use awslim_cbor_fixture::types::{Part, PutGadgetInput, ShapeChoice};
use awslim_cbor_fixture::{Client, Config, SdkError};
use awslim_runtime::bytes::Bytes;
use awslim_runtime::cbor::CborWriter;
use awslim_runtime::json::Schema;
use awslim_runtime::transport::{RecordedRequest, StubTransport};
use awslim_runtime::{Blob, Credentials, DateTime, TimestampFormat};

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

fn respond(stub: &StubTransport, status: u16, body: Vec<u8>) {
    let response = awslim_runtime::http::Response::builder()
        .status(status)
        .header("content-type", "application/cbor")
        .header("smithy-protocol", "rpc-v2-cbor")
        .header("x-amzn-requestid", "req-7")
        .body(Bytes::from(body))
        .unwrap();
    stub.push_response(response);
}

/// A CBOR map written with the runtime's writer (what a service would send).
fn cbor(f: impl FnOnce(&mut awslim_runtime::cbor::ObjectWriter<'_>)) -> Vec<u8> {
    let mut w = CborWriter::new();
    let mut o = w.value().object();
    f(&mut o);
    o.finish();
    w.finish()
}

fn input() -> PutGadgetInput {
    PutGadgetInput::builder()
        .name("lamp")
        .photo(Blob::from("abc"))
        .made_at(DateTime::from_secs(1_422_172_800))
        .weight(f64::NAN)
        .tags(BTreeMap::from([("k".to_owned(), "v".to_owned())]))
        .parts(vec![Part::builder().id(1).build()])
        .notes(vec![Some("n".to_owned()), None])
        .shape(ShapeChoice::Radius(4))
        .build()
}

#[tokio::test]
async fn requests_go_to_the_operation_path_with_a_cbor_body() {
    let (stub, client) = setup();
    respond(&stub, 200, cbor(|o| o.key("GadgetId").string("g-1")));
    client.put_gadget(input()).await.unwrap();
    let r = only_request(&stub);
    assert_eq!(r.method, "POST");
    assert_eq!(r.uri.to_string(), "https://gadgets.us-west-2.example.com/service/GadgetService/operation/PutGadget");
    assert_eq!(r.header("smithy-protocol"), Some("rpc-v2-cbor"));
    assert_eq!(r.header("content-type"), Some("application/cbor"));
    assert_eq!(r.header("accept"), Some("application/cbor"));
    assert!(r.header("x-amz-target").is_none());
    assert!(r.header("authorization").is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256")));
    let body = awslim_runtime::cbor::parse_body_as(&r.body, &Schema::Any).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "Name": "lamp", "Photo": "YWJj", "MadeAt": 1_422_172_800, "Weight": "NaN",
            "Tags": {"k": "v"}, "Parts": [{"Id": 1}], "Notes": ["n", null], "Shape": {"Radius": 4}
        })
    );
    // On the wire: a byte string (not base64 text) and tag 1 over the seconds, although the
    // member says `@timestampFormat("date-time")` (rpcv2Cbor ignores it).
    let find = |needle: &[u8]| r.body.windows(needle.len()).any(|w| w == needle);
    assert!(find(b"ePhoto\x43abc"), "{:02x?}", r.body);
    assert!(find(&[b'A', b't', 0xc1, 0x1a, 0x54, 0xc4, 0xa2, 0x80]), "{:02x?}", r.body);
}

#[tokio::test]
async fn an_operation_without_input_sends_no_body_and_no_content_type() {
    let (stub, client) = setup();
    respond(&stub, 200, Vec::new());
    client.ping().await.unwrap();
    let r = only_request(&stub);
    assert_eq!(r.uri.path(), "/service/GadgetService/operation/Ping");
    assert!(r.body.is_empty());
    assert!(r.header("content-type").is_none());
    assert_eq!(r.header("accept"), Some("application/cbor"));
    assert_eq!(r.header("smithy-protocol"), Some("rpc-v2-cbor"));
}

#[tokio::test]
async fn the_output_is_read_with_unknown_members_skipped() {
    let (stub, client) = setup();
    respond(
        &stub,
        200,
        cbor(|o| {
            let mut future = o.key("FutureMember").array();
            future.value().object().finish();
            future.value().blob(&Blob::from("x"));
            future.finish();
            o.key("GadgetId").string("g-1");
            o.key("CreatedAt").timestamp(&DateTime::from_secs_and_nanos(5, 500_000_000), TimestampFormat::EpochSeconds);
            o.key("Checksum").blob(&Blob::from(vec![0, 255]));
            o.key("Score").float(f32::INFINITY);
            let mut parts = o.key("Parts").array();
            let mut part = parts.value().object();
            part.key("Id").integer(9);
            part.key("Unknown").null();
            part.finish();
            parts.finish();
            let mut shape = o.key("Shape").object();
            shape.key("Label").string("round");
            shape.finish();
        }),
    );
    let out = client.put_gadget(input()).await.unwrap();
    assert_eq!(out.gadget_id, "g-1");
    assert_eq!(out.created_at, Some(DateTime::from_secs_and_nanos(5, 500_000_000)));
    assert_eq!(out.checksum, Some(Blob::from(vec![0, 255])));
    assert_eq!(out.score, Some(f32::INFINITY));
    assert_eq!(out.parts, Some(vec![Part::builder().id(9).build()]));
    assert_eq!(out.shape, Some(ShapeChoice::Label("round".to_owned())));
    assert_eq!(out.request_id(), Some("req-7"));
}

#[tokio::test]
async fn errors_are_chosen_by_type_without_namespace() {
    let (stub, client) = setup();
    respond(
        &stub,
        409,
        cbor(|o| {
            o.key("__type").string("example.cbor#GadgetConflict");
            o.key("Message").string("taken");
            o.key("Reason").string("duplicate");
        }),
    );
    let err = client.put_gadget(input()).await.unwrap_err();
    let SdkError::Service { error: PutGadgetError::GadgetConflict(e), .. } = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("taken"));
    assert_eq!(e.reason(), Some("duplicate"));
    assert_eq!(err.request_id(), Some("req-7"));
    // An unmodeled error keeps its code, message and status.
    respond(&stub, 503, cbor(|o| o.key("__type").string("Throttling:http://internal/")));
    let err = client.ping().await.unwrap_err();
    let SdkError::Service { error: PingError::Unhandled(e), .. } = &err else { panic!("{err:?}") };
    assert_eq!((e.meta().code(), e.meta().status()), (Some("Throttling"), 503));
}

#[tokio::test]
async fn hostile_bodies_are_refused_without_a_panic() {
    let (stub, client) = setup();
    // A byte string declaring 2^62 bytes; an array declaring 2^63 items; garbage; a known
    // member nested deeper than 128 levels.
    let huge_blob = [&b"\xa1\x68Checksum\x5b"[..], &[0x40, 0, 0, 0, 0, 0, 0, 0]].concat();
    let huge_list = [&b"\xa1\x65Parts\x9b"[..], &[0x80, 0, 0, 0, 0, 0, 0, 0]].concat();
    let deep = [&b"\xa1\x65Shape"[..], &b"\xa1\x65Label".repeat(200), b"\x61x"].concat();
    for body in [huge_blob, huge_list, b"\xff\xfe not cbor".to_vec(), deep] {
        respond(&stub, 200, body.clone());
        let err = client.put_gadget(input()).await.unwrap_err();
        assert!(matches!(err, SdkError::ResponseParse { .. }), "{body:02x?}: {err:?}");
    }
    // A bad value names the member.
    respond(&stub, 200, cbor(|o| o.key("Score").string("high")));
    let err = client.put_gadget(input()).await.unwrap_err();
    assert!(format!("{err:?}").contains("Score"), "{err:?}");
}
