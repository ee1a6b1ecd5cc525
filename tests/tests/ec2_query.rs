//! The ec2Query protocol, driven through the generated `awslim_ec2_fixture` client (fixture
//! model `tests/fixtures/models/ec2-query.json`) and `StubTransport`: EC2's form keys
//! (`@ec2QueryName`, capitalised `@xmlName`, lists without `.member`), outputs directly in
//! `<OperationResponse>` and `<Response><Errors><Error>` errors.
//!
//! Run: `cargo test -p awslim-tests --test ec2_query`.

use awslim_ec2_fixture::operation::describe_widgets::DescribeWidgetsError;
use awslim_ec2_fixture::types::{DescribeWidgetsRequest, Filter};
use awslim_ec2_fixture::{Client, Config, SdkError};
use awslim_runtime::bytes::Bytes;
use awslim_runtime::transport::StubTransport;
use awslim_runtime::Credentials;

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

fn respond(stub: &StubTransport, status: u16, body: &str) {
    let response =
        awslim_runtime::http::Response::builder().status(status).body(Bytes::copy_from_slice(body.as_bytes())).unwrap();
    stub.push_response(response);
}

#[tokio::test]
async fn keys_use_ec2_names_and_lists_have_no_member_segment() {
    let (stub, client) = setup();
    respond(&stub, 200, "<DescribeWidgetsResponse><requestId>r</requestId></DescribeWidgetsResponse>");
    let input = DescribeWidgetsRequest::builder()
        .widget_ids(vec!["w-1".to_owned(), "w-2".to_owned()])
        .dry_run(true)
        .filter(vec![Filter::builder().name("tag:env").values(vec!["prod".to_owned()]).build()])
        .max_results(5)
        .build();
    client.describe_widgets(input).await.unwrap();
    let sent = stub.take_requests();
    let body = String::from_utf8(sent[0].body.to_vec()).unwrap();
    let mut pairs: Vec<&str> = body.split('&').collect();
    assert_eq!(&pairs[..2], ["Action=DescribeWidgets", "Version=2016-11-15"]);
    pairs.sort_unstable();
    assert_eq!(
        pairs,
        [
            "Action=DescribeWidgets",
            "DryRun=true",
            "Filter.1.Name=tag%3Aenv",
            "Filter.1.Value.1=prod",
            "MaxResults=5",
            "Version=2016-11-15",
            "WidgetId.1=w-1",
            "WidgetId.2=w-2",
        ]
    );
    // An empty list is not sent at all.
    respond(&stub, 200, "<DescribeWidgetsResponse/>");
    client.describe_widgets(DescribeWidgetsRequest::builder().widget_ids(vec![]).build()).await.unwrap();
    assert_eq!(&stub.take_requests()[0].body[..], b"Action=DescribeWidgets&Version=2016-11-15");
}

#[tokio::test]
async fn the_output_is_read_from_the_response_element() {
    let (stub, client) = setup();
    respond(
        &stub,
        200,
        r#"<DescribeWidgetsResponse xmlns="http://ec2.example.com/doc/2016-11-15/">
    <requestId>req-7</requestId>
    <widgetSet><item><widgetId>w-1</widgetId><size>9000000000</size></item><item><widgetId>w-2</widgetId></item></widgetSet>
    <nextToken>n</nextToken>
</DescribeWidgetsResponse>"#,
    );
    let out = client.describe_widgets(DescribeWidgetsRequest::builder().build()).await.unwrap();
    let widgets = out.widgets.as_deref().unwrap();
    assert_eq!(widgets.len(), 2);
    assert_eq!(widgets[0].widget_id.as_deref(), Some("w-1"));
    assert_eq!(widgets[0].size, Some(9_000_000_000));
    assert_eq!(widgets[1].size, None);
    assert_eq!(out.next_token.as_deref(), Some("n"));
    assert_eq!(out.request_id(), Some("req-7"));
}

#[tokio::test]
async fn errors_come_from_the_errors_wrapper() {
    let (stub, client) = setup();
    respond(
        &stub,
        400,
        "<Response><Errors><Error><Code>WidgetLimitExceeded</Code><Message>too many</Message></Error></Errors>\
         <RequestID>e-2</RequestID></Response>",
    );
    let err = client.describe_widgets(DescribeWidgetsRequest::builder().build()).await.unwrap_err();
    let SdkError::Service { error: DescribeWidgetsError::WidgetLimitExceeded(e), .. } = &err else { panic!("{err:?}") };
    assert_eq!(e.message(), Some("too many"));
    assert!(err.to_string().contains("WidgetLimitExceeded (HTTP 400): too many [request id e-2]"), "{err}");
}
