//! The restXml protocol, driven through the generated `awslim_rest_xml_fixture` client (fixture
//! model `tests/fixtures/models/rest-xml.json`) and `StubTransport`: HTTP bindings with an XML
//! body (`@xmlName`, `@xmlAttribute`, `@xmlFlattened`, `@xmlNamespace`, the service namespace on
//! the root), a structure `@httpPayload` read from the body's root, header/status bindings,
//! errors at the root (`noErrorWrapping`) or wrapped, and `s3UnwrappedXmlOutput`.
//!
//! Run: `cargo test -p awslim-tests --test rest_xml`.

use std::collections::BTreeMap;

use awslim_rest_xml_fixture::operation::get_gadget::GetGadgetError;
use awslim_rest_xml_fixture::operation::put_gadget::PutGadgetError;
use awslim_rest_xml_fixture::types::{Part, PutGadgetRequest, Status};
use awslim_rest_xml_fixture::{Client, Config, SdkError};
use awslim_runtime::bytes::Bytes;
use awslim_runtime::transport::{RecordedRequest, StubTransport};
use awslim_runtime::xml::{parse, Element};
use awslim_runtime::{Credentials, DateTime};

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

fn texts<'a>(e: &'a Element, name: &'a str) -> Vec<&'a str> {
    e.children_named(name).map(|c| c.text.as_str()).collect()
}

fn put_input() -> PutGadgetRequest {
    PutGadgetRequest::builder()
        .name("a b/c")
        .owner("ana")
        .dry_run(true)
        .id("g<1>")
        .title("Fish & \"chips\" <b>")
        .size(3)
        .tags(vec!["t1".to_owned(), "t2".to_owned()])
        .parts(vec![Part::builder().number(1).label("one").build(), Part::builder().number(2).build()])
        .labels(BTreeMap::from([("k1".to_owned(), "v1".to_owned())]))
        .made(DateTime::from_secs(1_422_172_800))
        .signed("s1")
        .build()
}

#[tokio::test]
async fn requests_bind_uri_query_headers_and_write_the_xml_body() {
    let (stub, client) = setup();
    respond(&stub, 200, &[], "");
    client.put_gadget(put_input()).await.unwrap();
    let r = only_request(&stub);
    assert_eq!(r.method, "PUT");
    assert_eq!(r.uri.to_string(), "https://gadgets.us-west-2.example.com/gadgets/a%20b%2Fc?v=1&dryRun=true");
    assert_eq!(r.headers["x-amz-owner"], "ana");
    assert_eq!(r.headers["content-type"], "application/xml");
    let body = String::from_utf8(r.body.to_vec()).unwrap();
    // Escaping is quick-xml's: text and attribute values cannot break out of their element.
    assert!(body.contains("<Title>Fish &amp; &quot;chips&quot; &lt;b&gt;</Title>"), "{body}");
    let root = parse(&r.body).unwrap();
    // The root is the input's @xmlName, with the service's namespace; @xmlAttribute is an attribute.
    assert_eq!(root.name, "Gadget");
    assert_eq!(root.attribute("xmlns"), Some("https://gadgets.example.com/doc/2024-06-01/"));
    assert_eq!(root.attribute("id"), Some("g<1>"));
    assert!(root.child("Id").is_none() && root.child("Name").is_none() && root.child("Owner").is_none());
    assert_eq!(root.child_text("Size"), Some("3"));
    assert_eq!(root.child_text("Made"), Some("2015-01-25T08:00:00Z"));
    assert_eq!(texts(root.child("Tags").unwrap(), "Tag"), ["t1", "t2"]);
    // Flattened: one <Part> per item directly in the root.
    let parts: Vec<(Option<&str>, Option<&str>)> =
        root.children_named("Part").map(|p| (p.child_text("Number"), p.child_text("Label"))).collect();
    assert_eq!(parts, [(Some("1"), Some("one")), (Some("2"), None)]);
    let entry = root.child("Labels").unwrap().child("entry").unwrap();
    assert_eq!((entry.child_text("K"), entry.child_text("V")), (Some("k1"), Some("v1")));
    // A member namespace with a prefix is declared on the member's element.
    let signed = root.child("Signature").unwrap();
    assert_eq!((signed.attribute("xmlns:sig"), signed.text.as_str()), (Some("https://sig.example.com/"), "s1"));
    assert!(body.contains("<sig:Signature"), "{body}");
}

#[tokio::test]
async fn outputs_read_body_members_and_headers() {
    let (stub, client) = setup();
    respond(
        &stub,
        200,
        &[("ETag", "\"abc\""), ("x-amz-request-id", "s3-style-id")],
        "<PutGadgetOutput xmlns=\"https://gadgets.example.com/doc/2024-06-01/\"><Version>7</Version>\
         <Unknown><Deep>skipped</Deep></Unknown><Status>ready</Status></PutGadgetOutput>",
    );
    let out = client.put_gadget(put_input()).await.unwrap();
    assert_eq!(out.e_tag.as_deref(), Some("\"abc\""));
    assert_eq!(out.version, Some(7));
    assert_eq!(out.status, Some(Status::Ready));
    assert_eq!(out.request_id(), Some("s3-style-id"));
}

#[tokio::test]
async fn a_structure_payload_is_the_body_root_with_prefix_headers_and_status() {
    let (stub, client) = setup();
    respond(
        &stub,
        200,
        &[("x-amz-meta-color", "red"), ("x-amz-meta-size", "L")],
        "<Gadget id=\"g-9\"><Title>lamp</Title><Tags><Tag>a</Tag></Tags><Part><Number>4</Number></Part>\
         <Part><Number>5</Number></Part><Labels><entry><K>x</K><V>y</V></entry></Labels></Gadget>",
    );
    let out = client
        .get_gadget(awslim_rest_xml_fixture::types::GetGadgetRequest::builder().name("g-9").build())
        .await
        .unwrap();
    let g = out.gadget.expect("the payload");
    assert_eq!(g.id.as_deref(), Some("g-9"), "read from the attribute");
    assert_eq!(g.title.as_deref(), Some("lamp"));
    assert_eq!(g.tags, Some(vec!["a".to_owned()]));
    let numbers: Vec<Option<i32>> = g.parts.unwrap().iter().map(|p| p.number).collect();
    assert_eq!(numbers, [Some(4), Some(5)]);
    assert_eq!(g.labels, Some(BTreeMap::from([("x".to_owned(), "y".to_owned())])));
    let meta = out.meta_value.unwrap();
    assert_eq!((meta["color"].as_str(), meta["size"].as_str()), ("red", "L"));
    assert_eq!(out.code, Some(200));
}

#[tokio::test]
async fn errors_at_the_root_and_wrapped_are_both_read() {
    let (stub, client) = setup();
    // noErrorWrapping (S3's form): <Error> is the root; the request id inside it.
    respond(
        &stub,
        404,
        &[],
        "<Error><Code>NoSuchGadget</Code><Message>gone</Message><RequestId>r-1</RequestId></Error>",
    );
    let err = client
        .get_gadget(awslim_rest_xml_fixture::types::GetGadgetRequest::builder().name("x").build())
        .await
        .unwrap_err();
    match &err {
        SdkError::Service { error: GetGadgetError::NoSuchGadget(e), .. } => {
            assert_eq!(e.message.as_deref(), Some("gone"));
            assert_eq!(awslim_runtime::ProvideErrorMetadata::meta(e).request_id(), Some("r-1"));
        }
        other => panic!("expected NoSuchGadget, got {other:?}"),
    }
    // The wrapped form, with a member bound to a header.
    respond(
        &stub,
        400,
        &[("x-amz-hint", "use a shorter title")],
        "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidGadget</Code><Message>bad</Message>\
         <Field>Title</Field></Error><RequestId>r-2</RequestId></ErrorResponse>",
    );
    let err = client.put_gadget(put_input()).await.unwrap_err();
    match &err {
        SdkError::Service { error: PutGadgetError::InvalidGadget(e), .. } => {
            assert_eq!(e.field.as_deref(), Some("Title"));
            assert_eq!(e.hint.as_deref(), Some("use a shorter title"));
            assert_eq!(awslim_runtime::ProvideErrorMetadata::meta(e).request_id(), Some("r-2"));
        }
        other => panic!("expected InvalidGadget, got {other:?}"),
    }
    // An unknown code, and an HTML page from a proxy, are Unhandled with the status.
    respond(&stub, 503, &[("x-amz-request-id", "hdr")], "<html><body>busy</body></html>");
    let err = client.put_gadget(put_input()).await.unwrap_err();
    match &err {
        SdkError::Service { error: PutGadgetError::Unhandled(_), .. } => {}
        other => panic!("expected Unhandled, got {other:?}"),
    }
    assert_eq!(err.request_id(), Some("hdr"));
}

#[tokio::test]
async fn unwrapped_output_reads_the_root_as_the_member() {
    let (stub, client) = setup();
    respond(
        &stub,
        200,
        &[],
        "<?xml version=\"1.0\"?>\n<RegionConstraint xmlns=\"https://gadgets.example.com/\">eu-west-1</RegionConstraint>",
    );
    let out = client.get_region().await.unwrap();
    assert_eq!(out.region.as_deref(), Some("eu-west-1"));
    let r = only_request(&stub);
    assert_eq!(r.uri.to_string(), "https://gadgets.us-west-2.example.com/region");
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn a_streaming_payload_is_the_raw_body_both_ways() {
    use awslim_rest_xml_fixture::types::{GetManualInput, PutManualInput};
    use awslim_runtime::ByteStream;
    let (stub, client) = setup();

    // Upload: the body is the payload's bytes as they are, not an XML document.
    respond(&stub, 200, &[("ETag", "\"m-1\"")], "");
    let manual = b"<not-xml> \x00\x01 raw bytes".to_vec();
    let input = PutManualInput::builder().name("gizmo 2").body(ByteStream::from(manual.clone())).build();
    let out = client.put_manual(input).await.expect("stored");
    assert_eq!(out.e_tag.as_deref(), Some("\"m-1\""));
    let sent = only_request(&stub);
    assert_eq!(sent.method, "PUT");
    assert_eq!(sent.uri.path(), "/manuals/gizmo%202");
    assert_eq!(&sent.body[..], &manual[..]);
    assert_eq!(sent.header("content-type"), Some("application/octet-stream"));
    assert_eq!(sent.header("content-length"), Some(manual.len().to_string().as_str()));
    assert!(sent.header("authorization").is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256 ")));

    // Download: header bindings are read, the body is handed over unread and unparsed.
    let text = "<Manual>this is not parsed</Manual>";
    respond(&stub, 200, &[("Content-Type", "text/plain"), ("x-amz-edition", "3")], text);
    let out = client.get_manual(GetManualInput::builder().name("gizmo").build()).await.expect("read");
    assert_eq!(out.content_type.as_deref(), Some("text/plain"));
    assert_eq!(out.edition, Some(3));
    assert_eq!(&out.body.collect(1024).await.unwrap()[..], text.as_bytes());
    assert_eq!(only_request(&stub).uri.path(), "/manuals/gizmo");
}
