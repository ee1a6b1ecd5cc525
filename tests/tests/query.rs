//! The awsQuery protocol, driven through the generated `awslim_query_fixture` client (fixture
//! model `tests/fixtures/models/query.json`) and `StubTransport`: form-encoded requests with
//! `@xmlName`/`@xmlFlattened` keys, XML outputs in `<OpResponse><OpResult>`, and
//! `<ErrorResponse>` errors with an `@awsQueryError` code.
//!
//! Run: `cargo test -p awslim-tests --test query`.

use std::collections::BTreeMap;

use awslim_query_fixture::operation::get_thing::GetThingError;
use awslim_query_fixture::operation::ping::PingError;
use awslim_query_fixture::types::{GetThingRequest, State, Window};
use awslim_query_fixture::{Client, Config, SdkError};
use awslim_runtime::bytes::Bytes;
use awslim_runtime::transport::{RecordedRequest, StubTransport};
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

fn respond(stub: &StubTransport, status: u16, body: &str) {
    let response = awslim_runtime::http::Response::builder()
        .status(status)
        .header("content-type", "text/xml")
        .body(Bytes::copy_from_slice(body.as_bytes()))
        .unwrap();
    stub.push_response(response);
}

fn input() -> GetThingRequest {
    GetThingRequest::builder()
        .thing_name("a b/c")
        .names(vec!["n1".to_owned(), "n2".to_owned()])
        .labels(vec!["x".to_owned()])
        .filters(BTreeMap::from([("k1".to_owned(), "v1".to_owned()), ("k2".to_owned(), "v=2".to_owned())]))
        .window(Window::builder().start(3).inclusive(true).build())
        .since(DateTime::from_secs(1_422_172_800))
        .build()
}

fn empty_output(op: &str) -> String {
    format!("<{op}Response><{op}Result/><ResponseMetadata><RequestId>r-0</RequestId></ResponseMetadata></{op}Response>")
}

#[tokio::test]
async fn requests_are_form_encoded_with_action_version_and_xml_names() {
    let (stub, client) = setup();
    respond(&stub, 200, &empty_output("GetThing"));
    client.get_thing(input()).await.unwrap();
    let r = only_request(&stub);
    assert_eq!(r.method, "POST");
    assert_eq!(r.uri.to_string(), "https://query.us-west-2.example.com/");
    assert_eq!(r.header("content-type"), Some("application/x-www-form-urlencoded"));
    let body = String::from_utf8(r.body.to_vec()).unwrap();
    let mut pairs: Vec<&str> = body.split('&').collect();
    assert_eq!(&pairs[..2], ["Action=GetThing", "Version=2024-05-01"]);
    pairs.sort_unstable();
    assert_eq!(
        pairs,
        [
            "Action=GetThing",
            // Map entries with the key and value members' @xmlName.
            "Filters.entry.1.Name=k1",
            "Filters.entry.1.Value=v1",
            "Filters.entry.2.Name=k2",
            "Filters.entry.2.Value=v%3D2",
            // @xmlFlattened with @xmlName: no `.member`, the member's own name.
            "Label.1=x",
            // The list member's @xmlName replaces `member`.
            "Names.item.1=n1",
            "Names.item.2=n2",
            "Since=2015-01-25T08%3A00%3A00Z",
            "ThingName=a%20b%2Fc",
            "Version=2024-05-01",
            "Window.Inclusive=true",
            "Window.Start=3",
        ]
    );
}

#[tokio::test]
async fn the_output_is_read_from_the_result_element() {
    let (stub, client) = setup();
    respond(
        &stub,
        200,
        r#"<GetThingResponse xmlns="https://query.example.com/doc/2024-05-01/">
  <GetThingResult>
    <ThingName>t &amp; u</ThingName>
    <Count>7</Count>
    <Ratio>-Infinity</Ratio>
    <Enabled>false</Enabled>
    <State>gone</State>
    <Names><item>a</item><item>b</item></Names>
    <Label>l1</Label><Unknown><Deep/></Unknown><Label>l2</Label>
    <Filters><entry><Name>k</Name><Value>v</Value></entry></Filters>
    <CreatedAt>2015-01-25T08:00:00Z</CreatedAt>
    <Data>dmFsdWU=</Data>
  </GetThingResult>
  <ResponseMetadata><RequestId>req-42</RequestId></ResponseMetadata>
</GetThingResponse>"#,
    );
    let out = client.get_thing(input()).await.unwrap();
    assert_eq!(out.thing_name.as_deref(), Some("t & u"));
    assert_eq!(out.count, Some(7));
    assert_eq!(out.ratio, Some(f64::NEG_INFINITY));
    assert_eq!(out.enabled, Some(false));
    assert_eq!(out.state, Some(State::Gone));
    assert_eq!(out.names, Some(vec!["a".to_owned(), "b".to_owned()]));
    assert_eq!(out.labels, Some(vec!["l1".to_owned(), "l2".to_owned()]));
    assert_eq!(out.filters, Some(BTreeMap::from([("k".to_owned(), "v".to_owned())])));
    assert_eq!(out.created_at, Some(DateTime::from_secs(1_422_172_800)));
    assert_eq!(out.data.as_ref().map(|d| d.as_bytes()), Some(&b"value"[..]));
    assert_eq!(out.request_id(), Some("req-42"));
}

#[tokio::test]
async fn unknown_elements_are_skipped_unread_however_deep() {
    let (stub, client) = setup();
    // Deeper than the parser's nesting limit (128): only skipping, not storing, lets this through.
    let deep = "<New>".repeat(1000) + &"</New>".repeat(1000);
    respond(
        &stub,
        200,
        &format!("<GetThingResponse><GetThingResult>{deep}<Count>3</Count></GetThingResult></GetThingResponse>"),
    );
    assert_eq!(client.get_thing(input()).await.unwrap().count, Some(3));
    // A known element nested that deep is still refused.
    let deep_known = "<ThingName>".repeat(1000) + &"</ThingName>".repeat(1000);
    respond(&stub, 200, &format!("<GetThingResponse><GetThingResult>{deep_known}</GetThingResult></GetThingResponse>"));
    let err = client.get_thing(input()).await.unwrap_err();
    assert!(format!("{err:?}").contains("nested more than 128"), "{err:?}");
}

#[tokio::test]
async fn a_bad_value_names_the_member() {
    let (stub, client) = setup();
    respond(&stub, 200, "<GetThingResponse><GetThingResult><Count>many</Count></GetThingResult></GetThingResponse>");
    let err = client.get_thing(input()).await.unwrap_err();
    let text = format!("{err:?}");
    assert!(text.contains("Count") && text.contains("many"), "{text}");
    // A body that is not the operation's response is refused, not read as empty.
    respond(&stub, 200, "<html><body>captive portal</body></html>");
    let err = client.get_thing(input()).await.unwrap_err();
    assert!(format!("{err:?}").contains("<GetThingResponse>"), "{err:?}");
}

#[tokio::test]
async fn errors_are_chosen_by_their_aws_query_error_code() {
    let (stub, client) = setup();
    respond(
        &stub,
        404,
        "<ErrorResponse>\n  <Error>\n    <Type>Sender</Type>\n    <Code>Thing.NotFound</Code>\n    \
         <Message>no thing</Message>\n    <Reason>deleted</Reason>\n  </Error>\n  <RequestId>e-1</RequestId>\n</ErrorResponse>",
    );
    let err = client.get_thing(input()).await.unwrap_err();
    let SdkError::Service { error: GetThingError::ThingNotFound(e), .. } = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("no thing"));
    assert_eq!(e.reason(), Some("deleted"));
    // The body's request id is in the error's metadata (`SdkError::request_id` reads the
    // `x-amzn-RequestId` header, which AWS's awsQuery services send as well).
    assert!(
        err.to_string().contains("Thing.NotFound (HTTP 404): no thing (Reason: \"deleted\") [request id e-1]"),
        "{err}"
    );
}

#[tokio::test]
async fn unmodeled_and_unreadable_errors_keep_code_status_and_request_id() {
    let (stub, client) = setup();
    respond(
        &stub,
        400,
        "<ErrorResponse><Error><Code>Throttling</Code><Message>slow down</Message></Error></ErrorResponse>",
    );
    let err = client.ping().await.unwrap_err();
    let SdkError::Service { error: PingError::Unhandled(e), .. } = &err else { panic!("{err:?}") };
    assert_eq!(e.meta().code(), Some("Throttling"));
    assert_eq!(e.meta().message(), Some("slow down"));
    respond(&stub, 503, "<html>busy</html>");
    let err = client.ping().await.unwrap_err();
    let SdkError::Service { error: PingError::Unhandled(e), .. } = &err else { panic!("{err:?}") };
    assert_eq!((e.meta().code(), e.meta().status()), (None, 503));
}

#[tokio::test]
async fn an_operation_without_members_sends_action_and_version_and_takes_an_empty_body() {
    let (stub, client) = setup();
    respond(&stub, 200, "");
    client.ping().await.unwrap();
    assert_eq!(&only_request(&stub).body[..], b"Action=Ping&Version=2024-05-01");
}
