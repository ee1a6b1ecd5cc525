//! Every restJson1 HTTP binding, driven through the generated `awslim_http_bindings` client
//! (fixture model `tests/fixtures/models/http-bindings.json`) and `StubTransport`: what was
//! sent (method, path, query, headers, body bytes) and what was read from scripted responses.
//!
//! Run: `cargo test -p awslim-tests --test http_bindings`.

use std::collections::BTreeMap;

use awslim_http_bindings::operation::list_things::ListThingsError;
use awslim_http_bindings::types::{
    CreateThingInput, DogInfo, GetLabelsInput, Level, ListMultiInput, ListThingsInput, Order, Pet, PutBlobInput,
    PutChecksumInput, PutCompressedChecksumInput, PutCompressedInput, PutDocumentInput, PutHeadersInput,
    PutHostedInput, PutImageInput, PutPetInput, PutPrefixConflictInput, PutSettingsInput, PutTextInput, Settings,
};
use awslim_http_bindings::{Client, Config, SdkError};
use awslim_runtime::bytes::Bytes;
use awslim_runtime::transport::{RecordedRequest, StubTransport};
use awslim_runtime::{Blob, ConfigBuilder, Credentials, DateTime, RequestCompression};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------
// Helpers

const HOST: &str = "httpbindings.us-west-2.example.com";

/// 2024-01-02T03:04:05Z.
const JAN_2: DateTime = DateTime::from_secs(1_704_164_645);
/// 2024-01-03T00:00:00Z.
const JAN_3: DateTime = DateTime::from_secs(1_704_240_000);

fn builder(stub: &StubTransport) -> ConfigBuilder {
    Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
        .transport(stub.clone())
}

fn setup() -> (StubTransport, Client) {
    let stub = StubTransport::new();
    let client = Client::new(builder(&stub).build());
    (stub, client)
}

/// The one request the stub saw.
fn only_request(stub: &StubTransport) -> RecordedRequest {
    let mut sent = stub.take_requests();
    assert_eq!(sent.len(), 1, "exactly one request expected, got {sent:?}");
    sent.remove(0)
}

/// The raw (still percent-encoded) `key=value` pairs of the query, sorted: a multiset.
fn query_pairs(req: &RecordedRequest) -> Vec<String> {
    let mut pairs: Vec<String> =
        req.uri.query().unwrap_or("").split('&').filter(|p| !p.is_empty()).map(str::to_owned).collect();
    pairs.sort();
    pairs
}

fn sorted(pairs: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = pairs.iter().map(|p| (*p).to_owned()).collect();
    v.sort();
    v
}

/// Every value of a header, in order.
fn header_all(req: &RecordedRequest, name: &str) -> Vec<String> {
    req.headers.get_all(name).iter().map(|v| v.to_str().unwrap().to_owned()).collect()
}

fn body_json(req: &RecordedRequest) -> Value {
    serde_json::from_slice(&req.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", req.body_text()))
}

fn response(status: u16, headers: &[(&str, &str)], body: impl Into<Bytes>) -> awslim_runtime::http::Response<Bytes> {
    let mut b = awslim_runtime::http::Response::builder().status(status).header("x-amzn-requestid", "req-1");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(body.into()).unwrap()
}

fn assert_no_body(req: &RecordedRequest) {
    assert!(req.body.is_empty(), "unexpected body {:?}", req.body_text());
    assert_eq!(req.header("content-type"), None);
}

/// CRC-32 (IEEE), to check the gzip trailer without a gzip dependency.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// Checks that `sent` is a gzip member whose trailer matches `original` (CRC-32 and size).
fn assert_gzip_of(sent: &[u8], original: &[u8]) {
    assert!(sent.len() > 18, "too short for gzip: {} bytes", sent.len());
    assert_eq!(&sent[..3], &[0x1f, 0x8b, 0x08], "gzip magic and deflate method");
    let n = sent.len();
    let crc = u32::from_le_bytes(sent[n - 8..n - 4].try_into().unwrap());
    let size = u32::from_le_bytes(sent[n - 4..].try_into().unwrap());
    assert_eq!(size as usize, original.len(), "ISIZE of the gzip trailer");
    assert_eq!(crc, crc32(original), "CRC-32 of the gzip trailer");
    assert!(n < original.len(), "compressed {n} bytes from {}", original.len());
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

// ---------------------------------------------------------------------------------------
// @httpLabel

#[tokio::test]
async fn labels_of_every_kind_are_percent_encoded_and_the_greedy_label_keeps_slashes() {
    let (stub, client) = setup();
    stub.push_json(200, r#"{"Echo":"back"}"#);
    let input =
        GetLabelsInput::builder().name("a b/c:d").count(-42).when(JAN_2).key("dir/sub dir/file+1%&?#.txt").build();
    let out = client.get_labels(input).await.unwrap();
    assert_eq!(out.echo(), Some("back"));
    assert_eq!(out.request_id(), Some("stub-request-1"));

    let req = only_request(&stub);
    assert_eq!(req.method, "GET");
    assert_eq!(req.uri.scheme_str(), Some("https"));
    assert_eq!(req.uri.host(), Some(HOST));
    assert_eq!(
        req.uri.path(),
        "/labels/a%20b%2Fc%3Ad/-42/2024-01-02T03%3A04%3A05Z/objects/dir/sub%20dir/file%2B1%25%26%3F%23.txt"
    );
    assert_eq!(req.uri.query(), None);
    assert_no_body(&req);
    assert_eq!(req.header("content-length"), None, "a GET without a body has no Content-Length");
}

#[tokio::test]
async fn an_empty_label_is_refused_before_sending() {
    let (stub, client) = setup();
    let input = GetLabelsInput::builder().name("").count(1).when(JAN_2).key("k").build();
    let err = client.get_labels(input).await.unwrap_err();
    assert!(matches!(err, SdkError::Construction(_)), "{err:?}");
    assert!(err.to_string().contains("Name") || format!("{err:?}").contains("Name"), "{err:?}");
    assert!(stub.requests().is_empty(), "nothing may be sent");
}

// ---------------------------------------------------------------------------------------
// @httpQuery, literal query, @httpQueryParams

#[tokio::test]
async fn query_members_of_every_kind_and_the_literal_query() {
    let (stub, client) = setup();
    stub.push_json(200, r#"{"Items":["one"]}"#);
    let input = ListThingsInput::builder()
        .name("Bob & Co/=?")
        .limit(25)
        .flag(false)
        .since(JAN_2)
        .tags(vec!["x".to_owned(), "y z".to_owned(), "x".to_owned()])
        .order(Order::Descending)
        .extra(map(&[("z key", "1 2"), ("a&b", "c=d"), ("mode", "slow")]))
        .build();
    let out = client.list_things(input).await.unwrap();
    assert_eq!(out.items(), Some(&["one".to_owned()][..]));

    let req = only_request(&stub);
    assert_eq!(req.method, "GET");
    assert_eq!(req.uri.path(), "/things");
    assert_eq!(
        query_pairs(&req),
        sorted(&[
            "mode=fast", // the literal query; the map's `mode` must not override or repeat it
            "name=Bob%20%26%20Co%2F%3D%3F",
            "limit=25",
            "flag=false",
            "since=2024-01-02T03%3A04%3A05Z",
            "tag=x",
            "tag=y%20z",
            "tag=x",
            "order=desc",
            "z%20key=1%202",
            "a%26b=c%3Dd",
        ])
    );
    assert_no_body(&req);
}

#[tokio::test]
async fn only_the_literal_query_when_no_member_is_set() {
    let (stub, client) = setup();
    stub.push_json(200, "{}");
    client.list_things(ListThingsInput::builder().build()).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(req.uri.path_and_query().unwrap().as_str(), "/things?mode=fast");
}

#[tokio::test]
async fn a_query_member_wins_over_the_same_key_in_the_query_map() {
    // Smithy @httpQueryParams: "httpQuery bindings take precedence over httpQueryParams".
    let (stub, client) = setup();
    stub.push_json(200, "{}");
    let input = ListThingsInput::builder().name("bound").extra(map(&[("name", "fromMap"), ("other", "kept")])).build();
    client.list_things(input).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(query_pairs(&req), sorted(&["mode=fast", "name=bound", "other=kept"]));
}

#[tokio::test]
async fn a_query_map_of_lists_repeats_its_keys() {
    let (stub, client) = setup();
    stub.push_json(200, "{}");
    let mut params = BTreeMap::new();
    params.insert("k".to_owned(), vec!["v1".to_owned(), "v 2".to_owned()]);
    params.insert("j&".to_owned(), vec!["x".to_owned()]);
    params.insert("empty".to_owned(), Vec::new());
    client.list_multi(ListMultiInput::builder().params(params).build()).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(req.uri.path(), "/multi");
    assert_eq!(query_pairs(&req), sorted(&["k=v1", "k=v%202", "j%26=x"]));
}

// ---------------------------------------------------------------------------------------
// @httpHeader, @httpPrefixHeaders

fn full_headers_input() -> PutHeadersInput {
    PutHeadersInput::builder()
        .str("hello, world")
        .int(-7)
        .flt(1.1f32)
        .dbl(1.1f64)
        .bool(true)
        .stamp(JAN_2)
        .epoch(JAN_2)
        .list(vec!["a".to_owned(), "b,c".to_owned(), "say \"hi\"".to_owned()])
        .stamps(vec![JAN_2, JAN_3])
        .lvl(Level::High)
        .json(r#"{"a":[1,2]}"#)
        .meta_value(map(&[("Color", "red"), ("Size", "L")]))
        .build()
}

#[tokio::test]
async fn header_members_of_every_kind_are_sent() {
    let (stub, client) = setup();
    stub.push_json(200, "{}");
    client.put_headers(full_headers_input()).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(req.method, "POST");
    assert_eq!(req.uri.path_and_query().unwrap().as_str(), "/headers");
    let expected = [
        ("x-string", "hello, world"),
        ("x-integer", "-7"),
        ("x-float", "1.1"),
        ("x-double", "1.1"),
        ("x-boolean", "true"),
        ("x-timestamp", "Tue, 02 Jan 2024 03:04:05 GMT"),
        ("x-epoch", "1704164645"),
        ("x-list", r#"a, "b,c", "say \"hi\"""#),
        ("x-timestamps", "Tue, 02 Jan 2024 03:04:05 GMT, Wed, 03 Jan 2024 00:00:00 GMT"),
        ("x-level", "2"),
        ("x-json", "eyJhIjpbMSwyXX0="),
        ("x-meta-color", "red"),
        ("x-meta-size", "L"),
    ];
    for (name, value) in expected {
        assert_eq!(header_all(&req, name), vec![value.to_owned()], "header {name}");
    }
    assert_no_body(&req);
    assert_eq!(req.header("content-length"), Some("0"), "a POST always has a Content-Length");
}

#[tokio::test]
async fn unset_header_members_send_no_header() {
    let (stub, client) = setup();
    stub.push_json(200, "{}");
    client.put_headers(PutHeadersInput::builder().build()).await.unwrap();
    let req = only_request(&stub);
    for (name, _) in req.headers.iter() {
        assert!(!name.as_str().starts_with("x-") || name.as_str().starts_with("x-amz"), "unexpected header {name}");
    }
}

#[tokio::test]
async fn header_members_of_every_kind_are_read_with_body_members() {
    let (stub, client) = setup();
    stub.push_response(response(
        200,
        &[
            ("content-type", "application/json"),
            ("X-String", "hello, world"),
            ("X-Integer", " -7 "),
            ("X-Float", "1.1"),
            ("X-Double", "-0.25"),
            ("X-Boolean", "false"),
            ("X-Timestamp", "Tue, 02 Jan 2024 03:04:05 GMT"),
            ("X-Epoch", "1704164645"),
            ("X-List", r#"a, "b,c", "say \"hi\"""#),
            ("X-Timestamps", "Tue, 02 Jan 2024 03:04:05 GMT, Wed, 03 Jan 2024 00:00:00 GMT"),
            ("X-Level", "1"),
            ("X-Json", "eyJhIjpbMSwyXX0="),
            ("X-Meta-Color", "blue"),
            ("x-meta-size", "XL"),
        ],
        r#"{"Note":"from the body"}"#,
    ));
    let out = client.put_headers(PutHeadersInput::builder().build()).await.unwrap();
    assert_eq!(out.note(), Some("from the body"));
    assert_eq!(out.str(), Some("hello, world"));
    assert_eq!(out.int(), Some(-7));
    assert_eq!(out.flt(), Some(1.1f32));
    assert_eq!(out.dbl(), Some(-0.25));
    assert_eq!(out.bool(), Some(false));
    assert_eq!(out.stamp(), Some(JAN_2));
    assert_eq!(out.epoch(), Some(JAN_2));
    assert_eq!(out.list(), Some(&["a".to_owned(), "b,c".to_owned(), "say \"hi\"".to_owned()][..]));
    assert_eq!(out.stamps(), Some(&[JAN_2, JAN_3][..]));
    assert_eq!(out.lvl().map(|l| l.as_i32()), Some(1));
    assert!(matches!(out.lvl(), Some(Level::Low)));
    assert_eq!(out.json(), Some(r#"{"a":[1,2]}"#));
    // Header names are case-insensitive; the map keys are what follows the prefix.
    assert_eq!(out.meta_value(), Some(&map(&[("color", "blue"), ("size", "XL")])));
    assert_eq!(out.request_id(), Some("req-1"));
}

#[tokio::test]
async fn a_list_header_sent_as_several_lines_is_read_whole() {
    // RFC 9110 §5.3: several field lines of one name are one comma-separated list.
    let (stub, client) = setup();
    stub.push_response(response(200, &[("X-List", "a"), ("X-List", r#""b,c", d"#)], "{}"));
    let out = client.put_headers(PutHeadersInput::builder().build()).await.unwrap();
    assert_eq!(out.list(), Some(&["a".to_owned(), "b,c".to_owned(), "d".to_owned()][..]));
}

#[tokio::test]
async fn a_header_bound_to_its_own_member_wins_over_the_prefix_map() {
    let (stub, client) = setup();
    stub.push_json(200, "{}");
    let input = PutPrefixConflictInput::builder()
        .meta_value(map(&[("Special", "from-map"), ("Other", "o")]))
        .special("bound")
        .build();
    client.put_prefix_conflict(input).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(header_all(&req, "x-meta-special"), vec!["bound".to_owned()]);
    assert_eq!(header_all(&req, "x-meta-other"), vec!["o".to_owned()]);
}

// ---------------------------------------------------------------------------------------
// @httpPayload

#[tokio::test]
async fn blob_payload_is_sent_raw_as_octet_stream() {
    let (stub, client) = setup();
    stub.push_response(response(200, &[("Content-Type", "application/x-back")], &b"\x00raw\xffbytes"[..]));
    let bytes = b"\x00\x01binary\xff\xfe".to_vec();
    let out = client.put_blob(PutBlobInput::builder().data(Blob::new(bytes.clone())).build()).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(req.method, "PUT");
    assert_eq!(req.uri.path(), "/blob");
    assert_eq!(&req.body[..], &bytes[..]);
    assert_eq!(header_all(&req, "content-type"), vec!["application/octet-stream".to_owned()]);
    assert_eq!(req.header("content-length"), Some(bytes.len().to_string().as_str()));
    // The response: the whole body is the payload; the header member is read too.
    assert_eq!(out.data().map(|b| b.as_bytes()), Some(&b"\x00raw\xffbytes"[..]));
    assert_eq!(out.content_type(), Some("application/x-back"));
}

#[tokio::test]
async fn a_bound_content_type_header_replaces_the_payload_default() {
    let (stub, client) = setup();
    stub.push_json(200, "");
    let input = PutBlobInput::builder().data(Blob::new(b"abc".to_vec())).content_type("application/x-custom").build();
    client.put_blob(input).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(header_all(&req, "content-type"), vec!["application/x-custom".to_owned()]);
    assert_eq!(&req.body[..], b"abc");
}

#[tokio::test]
async fn an_unset_blob_payload_sends_an_empty_body_without_content_type() {
    let (stub, client) = setup();
    stub.push_response(response(200, &[], Bytes::new()));
    let out = client.put_blob(PutBlobInput::builder().build()).await.unwrap();
    let req = only_request(&stub);
    assert_no_body(&req);
    assert_eq!(req.header("content-length"), Some("0"));
    assert!(out.data().is_none(), "an empty response body leaves the payload unset");
}

#[tokio::test]
async fn blob_payload_with_media_type_uses_it_as_content_type() {
    let (stub, client) = setup();
    let png = b"\x89PNG\r\n\x1a\n\x00\x00".to_vec();
    stub.push_response(response(200, &[("Content-Type", "image/png")], png.clone()));
    let out = client.put_image(PutImageInput::builder().image(Blob::new(png.clone())).build()).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(req.uri.path(), "/image");
    assert_eq!(header_all(&req, "content-type"), vec!["image/png".to_owned()]);
    assert_eq!(&req.body[..], &png[..]);
    assert_eq!(out.image().map(|b| b.as_bytes()), Some(&png[..]));
}

#[tokio::test]
async fn string_payload_is_sent_as_text_plain() {
    let (stub, client) = setup();
    stub.push_response(response(200, &[("Content-Type", "text/plain")], "réponse {not json}"));
    let out = client.put_text(PutTextInput::builder().text("héllo \"wörld\"\n").build()).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(req.uri.path(), "/text");
    assert_eq!(header_all(&req, "content-type"), vec!["text/plain".to_owned()]);
    assert_eq!(&req.body[..], "héllo \"wörld\"\n".as_bytes());
    assert_eq!(out.text(), Some("réponse {not json}"));
}

#[tokio::test]
async fn structure_payload_is_the_whole_json_body() {
    let (stub, client) = setup();
    stub.push_json(200, r#"{"Name":"back","Size":9,"Unknown":true}"#);
    let settings = Settings::builder().name("n").size(3).build();
    let out = client.put_settings(PutSettingsInput::builder().settings(settings).build()).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(req.uri.path(), "/settings");
    assert_eq!(header_all(&req, "content-type"), vec!["application/json".to_owned()]);
    assert_eq!(body_json(&req), json!({"Name": "n", "Size": 3}));
    let s = out.settings().expect("payload read");
    assert_eq!((s.name(), s.size()), (Some("back"), Some(9)));
}

#[tokio::test]
async fn an_unset_structure_payload_sends_an_empty_object() {
    let (stub, client) = setup();
    stub.push_json(200, "");
    let out = client.put_settings(PutSettingsInput::builder().build()).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(&req.body[..], b"{}");
    assert_eq!(header_all(&req, "content-type"), vec!["application/json".to_owned()]);
    assert!(out.settings().is_none());
}

#[tokio::test]
async fn union_payload_is_the_whole_json_body() {
    let (stub, client) = setup();
    stub.push_json(200, r#"{"Cat":"Tom"}"#);
    let pet = Pet::Dog(DogInfo::builder().name("Rex").build());
    let out = client.put_pet(PutPetInput::builder().pet(pet).build()).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(req.uri.path(), "/pet");
    assert_eq!(header_all(&req, "content-type"), vec!["application/json".to_owned()]);
    assert_eq!(body_json(&req), json!({"Dog": {"Name": "Rex"}}));
    assert_eq!(out.pet(), Some(&Pet::Cat("Tom".to_owned())));
}

#[tokio::test]
async fn document_payload_is_the_whole_json_body() {
    let (stub, client) = setup();
    stub.push_json(200, r#"[1,"two",{"three":null}]"#);
    let doc = json!({"a": [1, true, null, 2.5], "b": {"c": "d"}, "e": "ü"});
    let out = client.put_document(PutDocumentInput::builder().doc(doc.clone()).build()).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(req.uri.path(), "/document");
    assert_eq!(header_all(&req, "content-type"), vec!["application/json".to_owned()]);
    assert_eq!(body_json(&req), doc);
    assert_eq!(out.doc(), Some(&json!([1, "two", {"three": null}])));
}

// ---------------------------------------------------------------------------------------
// @httpResponseCode

#[tokio::test]
async fn the_response_code_is_bound_to_an_output_member() {
    let (stub, client) = setup();
    stub.push_json(201, r#"{"Id":"t-1"}"#).push_json(202, r#"{"Id":"t-2"}"#);
    let out = client.create_thing(CreateThingInput::builder().name("n").build()).await.unwrap();
    assert_eq!((out.status(), out.id()), (Some(201), Some("t-1")));
    let out = client.create_thing(CreateThingInput::builder().build()).await.unwrap();
    assert_eq!((out.status(), out.id()), (Some(202), Some("t-2")));

    let sent = stub.take_requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].method, "POST");
    assert_eq!(sent[0].uri.path(), "/created");
    assert_eq!(header_all(&sent[0], "content-type"), vec!["application/json".to_owned()]);
    assert_eq!(body_json(&sent[0]), json!({"Name": "n"}));
    assert_eq!(&sent[1].body[..], b"{}");
}

// ---------------------------------------------------------------------------------------
// @endpoint hostPrefix with @hostLabel

#[tokio::test]
async fn the_host_prefix_is_filled_from_the_host_label() {
    let (stub, client) = setup();
    stub.push_json(200, "{}");
    client.put_hosted(PutHostedInput::builder().tenant("acme-01").data("x").build()).await.unwrap();
    let req = only_request(&stub);
    let host = format!("acme-01.data.{HOST}");
    assert_eq!(req.uri.host(), Some(host.as_str()));
    assert_eq!(req.uri.path(), "/hosted");
    if let Some(h) = req.header("host") {
        assert_eq!(h, host, "a Host header, if set, names the prefixed host");
    }
    // A @hostLabel member is not HTTP-bound, so it stays in the body too.
    assert_eq!(body_json(&req), json!({"Data": "x", "Tenant": "acme-01"}));
}

#[tokio::test]
async fn a_bad_host_label_is_refused_before_sending() {
    let (stub, client) = setup();
    for tenant in ["", "bad.label", "under_score", "slash/y", &"a".repeat(64)] {
        let err = client.put_hosted(PutHostedInput::builder().tenant(tenant).build()).await.unwrap_err();
        assert!(matches!(err, SdkError::Construction(_)), "{tenant:?}: {err:?}");
    }
    assert!(stub.requests().is_empty(), "nothing may be sent");
}

// ---------------------------------------------------------------------------------------
// @httpChecksumRequired

#[tokio::test]
async fn checksum_required_sends_the_content_md5_of_the_body() {
    let (stub, client) = setup();
    stub.push_json(200, "{}").push_json(200, "{}");
    client.put_checksum(PutChecksumInput::builder().data("abc").build()).await.unwrap();
    client.put_checksum(PutChecksumInput::builder().build()).await.unwrap();
    let sent = stub.take_requests();
    assert_eq!(&sent[0].body[..], br#"{"Data":"abc"}"#);
    // base64(md5(body)), computed independently.
    assert_eq!(header_all(&sent[0], "content-md5"), vec!["vkoJEpfkKF+IttxFEJQx7A==".to_owned()]);
    assert_eq!(&sent[1].body[..], b"{}");
    assert_eq!(header_all(&sent[1], "content-md5"), vec!["mZFLkyvTelC5g8XnyQrpOw==".to_owned()]);
}

// ---------------------------------------------------------------------------------------
// @requestCompression

fn compressed_input(data_len: usize) -> (PutCompressedInput, Vec<u8>) {
    let data = "abcdefghij".repeat(data_len / 10 + 1)[..data_len].to_owned();
    let body = format!(r#"{{"Data":"{data}"}}"#).into_bytes();
    (PutCompressedInput::builder().data(data).build(), body)
}

#[tokio::test]
async fn a_body_of_at_least_10240_bytes_is_gzipped() {
    let (stub, client) = setup();
    stub.push_json(200, "{}").push_json(200, "{}");
    // `{"Data":""}` is 11 bytes: exactly 10,240 and well over it.
    for len in [10_229, 20_000] {
        let (input, original) = compressed_input(len);
        client.put_compressed(input).await.unwrap();
        let req = only_request(&stub);
        assert_eq!(header_all(&req, "content-encoding"), vec!["gzip".to_owned()], "{len}");
        assert_eq!(header_all(&req, "content-type"), vec!["application/json".to_owned()]);
        assert_gzip_of(&req.body, &original);
        assert_eq!(req.header("content-length"), Some(req.body.len().to_string().as_str()), "length of what is sent");
    }
}

#[tokio::test]
async fn a_body_under_10240_bytes_is_not_compressed() {
    let (stub, client) = setup();
    stub.push_json(200, "{}");
    let (input, original) = compressed_input(10_228); // 10,239 bytes
    client.put_compressed(input).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(req.header("content-encoding"), None);
    assert_eq!(&req.body[..], &original[..]);
}

#[tokio::test]
async fn compression_follows_the_configuration() {
    let stub = StubTransport::new();
    stub.push_json(200, "{}").push_json(200, "{}");
    let off = Client::new(
        builder(&stub)
            .request_compression(RequestCompression { disabled: true, ..RequestCompression::default() })
            .build(),
    );
    let (input, original) = compressed_input(20_000);
    off.put_compressed(input).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(req.header("content-encoding"), None, "disabled");
    assert_eq!(&req.body[..], &original[..]);

    let low = Client::new(
        builder(&stub).request_compression(RequestCompression { disabled: false, min_size_bytes: 100 }).build(),
    );
    let (input, original) = compressed_input(200);
    low.put_compressed(input).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(header_all(&req, "content-encoding"), vec!["gzip".to_owned()], "min_size_bytes 100");
    assert_gzip_of(&req.body, &original);
}

#[tokio::test]
async fn operations_without_request_compression_are_never_compressed() {
    let (stub, client) = setup();
    stub.push_json(200, "{}");
    let data = "x".repeat(20_000);
    client.put_checksum(PutChecksumInput::builder().data(data.clone()).build()).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(req.header("content-encoding"), None);
    assert_eq!(body_json(&req), json!({ "Data": data }));
}

#[tokio::test]
async fn content_md5_is_of_the_compressed_body_when_both_apply() {
    // Content-MD5 covers the body as sent, content-coding included (RFC 1864; RFC 2616 §14.15).
    let (stub, client) = setup();
    stub.push_json(200, "{}");
    let data = "abcdefghij".repeat(2_000);
    let original = format!(r#"{{"Data":"{data}"}}"#).into_bytes();
    client.put_compressed_checksum(PutCompressedChecksumInput::builder().data(data).build()).await.unwrap();
    let req = only_request(&stub);
    assert_eq!(header_all(&req, "content-encoding"), vec!["gzip".to_owned()]);
    assert_gzip_of(&req.body, &original);
    // The MD5 implementation itself is checked against fixed vectors above.
    let md5_of_sent = awslim_runtime::protocol::content_md5(&req.body);
    assert_eq!(header_all(&req, "content-md5"), vec![md5_of_sent]);
}

// ---------------------------------------------------------------------------------------
// Modeled error with a header-bound member

#[tokio::test]
async fn a_modeled_error_reads_its_header_members() {
    let (stub, client) = setup();
    stub.push_response(response(
        400,
        &[
            ("content-type", "application/json"),
            ("x-amzn-errortype", "InvalidThing"),
            ("X-Reason", "bad-name"),
            ("X-Retry-After", "30"),
        ],
        r#"{"Message":"nope"}"#,
    ));
    let err = client.list_things(ListThingsInput::builder().build()).await.unwrap_err();
    assert_eq!(stub.requests().len(), 1, "a 400 is not retried");
    assert_eq!(err.request_id(), Some("req-1"));
    match err.into_service_error() {
        Some(ListThingsError::InvalidThing(e)) => {
            assert_eq!(e.message(), Some("nope"));
            assert_eq!(e.reason(), Some("bad-name"));
            assert_eq!(e.retry_after(), Some(30));
            assert_eq!(e.meta().code(), Some("InvalidThing"));
            assert_eq!(e.meta().status(), 400);
        }
        other => panic!("expected InvalidThing, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// The generated manifest

#[test]
fn the_generated_manifest_enables_the_runtime_features_the_model_needs() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixture-crates/http-bindings/Cargo.toml");
    let manifest = std::fs::read_to_string(&path).unwrap();
    let runtime_line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("awslim-runtime"))
        .unwrap_or_else(|| panic!("no awslim-runtime dependency in\n{manifest}"));
    assert!(runtime_line.contains("\"checksum-md5\""), "{runtime_line}");
    assert!(runtime_line.contains("\"compression-gzip\""), "{runtime_line}");
    assert!(
        !manifest.lines().any(|l| l.trim() == "[workspace]"),
        "a workspace member must not have its own [workspace] table:\n{manifest}"
    );
}
