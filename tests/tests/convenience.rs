//! Paginators, typed mocks and error messages of a generated crate (the `convenience`
//! fixture, crate `awslim-gadgets`), against the in-memory `StubTransport`: no sockets.

use std::time::Duration;

use awslim_gadgets::types::{ListEventsInput, ListGadgetsInput};
use awslim_gadgets::{Client, Config};
use awslim_runtime::{Credentials, RetryConfig, StubTransport};

fn client(stub: &StubTransport) -> Client {
    Client::new(
        Config::builder()
            .region("us-west-2")
            .credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
            .retry(
                RetryConfig::default()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(1))
                    .with_max_backoff(Duration::from_millis(5)),
            )
            .transport(stub.clone())
            .build(),
    )
}

/// The query parameter `name` of each request sent.
fn sent_query(stub: &StubTransport, name: &str) -> Vec<Option<String>> {
    stub.requests()
        .iter()
        .map(|r| {
            r.uri.query().unwrap_or("").split('&').find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                (k == name).then(|| v.to_owned())
            })
        })
        .collect()
}

fn page(token: Option<&str>, ids: &[&str]) -> String {
    let gadgets: Vec<String> = ids.iter().map(|id| format!(r#"{{"gadgetId":"{id}","status":"READY"}}"#)).collect();
    match token {
        Some(t) => format!(r#"{{"nextToken":"{t}","gadgets":[{}]}}"#, gadgets.join(",")),
        None => format!(r#"{{"gadgets":[{}]}}"#, gadgets.join(",")),
    }
}

#[tokio::test]
async fn items_of_every_page_in_order_with_tokens_and_page_size_sent() {
    let stub = StubTransport::new();
    stub.push_json(200, &page(Some("t1"), &["a", "b"]))
        .push_json(200, &page(Some("t2"), &[]))
        .push_json(503, "{}") // retried inside the call; the paginator never sees it
        .push_json(200, &page(None, &["c"]));
    let ids: Vec<String> = client(&stub)
        .list_gadgets_paginator(ListGadgetsInput::builder().build())
        .page_size(2)
        .items()
        .collect()
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.gadget_id)
        .collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(sent_query(&stub, "nextToken"), [None, Some("t1".into()), Some("t2".into()), Some("t2".into())]);
    assert_eq!(sent_query(&stub, "maxResults"), vec![Some("2".to_owned()); 4]);
    assert_eq!(stub.remaining(), 0);
}

#[tokio::test]
async fn pages_with_a_nested_token_and_items() {
    let stub = StubTransport::new();
    stub.push_json(200, r#"{"page":{"nextCursor":"c1","events":["e1","e2"]}}"#)
        .push_json(200, r#"{"page":{"nextCursor":"","events":["e3"]}}"#);
    let client = client(&stub);
    let input = ListEventsInput::builder().gadget_id("g1").build();
    let mut pages = client.list_events_paginator(input.clone()).page_size(10).send();
    let mut seen = Vec::new();
    while let Some(p) = pages.next().await {
        seen.push(p.unwrap().page.unwrap().events.unwrap());
    }
    assert_eq!(seen, [vec!["e1", "e2"], vec!["e3"]], "an empty token ends the pagination");
    assert_eq!(sent_query(&stub, "cursor"), [None, Some("c1".into())]);
    assert_eq!(sent_query(&stub, "limit"), [Some("10".into()), Some("10".into())]);
    assert!(stub.requests()[1].uri.path().ends_with("/gadgets/g1/events"));
}

/// A service that always sends a new token: `max_pages` bounds the work.
#[tokio::test]
async fn never_ending_tokens_stop_at_max_pages() {
    let stub = StubTransport::new();
    for i in 0..10 {
        stub.push_json(200, &page(Some(&format!("t{i}")), &["x"]));
    }
    let items = client(&stub).list_gadgets_paginator(ListGadgetsInput::builder().build()).max_pages(3).items();
    assert_eq!(items.collect().await.unwrap().len(), 3);
    assert_eq!(stub.requests().len(), 3);
}

/// A service that sends back the token it was given: the paginator stops instead of looping.
#[tokio::test]
async fn a_repeated_token_ends_the_pagination() {
    let stub = StubTransport::new();
    for _ in 0..5 {
        stub.push_json(200, &page(Some("same"), &["x"]));
    }
    let mut pages = client(&stub).list_gadgets_paginator(ListGadgetsInput::builder().build()).send();
    let mut n = 0;
    while let Some(p) = pages.next().await {
        p.unwrap();
        n += 1;
    }
    assert_eq!(n, 2, "the page answering the repeated token is the last");
    assert_eq!(sent_query(&stub, "nextToken"), [None, Some("same".into())]);
}

/// An error ends the stream after being yielded; it names the operation.
#[tokio::test]
async fn an_error_page_is_yielded_and_ends_the_stream() {
    let stub = StubTransport::new();
    stub.push_json(200, &page(Some("t1"), &["a"]))
        .push_json(400, r#"{"__type":"ValidationException","message":"bad token"}"#);
    let mut items = client(&stub).list_gadgets_paginator(ListGadgetsInput::builder().build()).items();
    assert_eq!(items.next().await.unwrap().unwrap().gadget_id, "a");
    let err = items.next().await.unwrap().unwrap_err();
    assert_eq!(
        err.to_string(),
        "ListGadgets: service returned an error: ValidationException (HTTP 400): bad token [request id stub-request-2]"
    );
    assert!(items.next().await.is_none());
}

/// The pages are also a `futures_core::Stream`.
#[tokio::test]
async fn pages_are_a_stream() {
    use std::pin::Pin;
    let stub = StubTransport::new();
    stub.push_json(200, &page(None, &["a"]));
    let mut pages = client(&stub).list_gadgets_paginator(ListGadgetsInput::builder().build()).send();
    let next = std::future::poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut pages), cx)).await;
    assert_eq!(next.unwrap().unwrap().gadgets.unwrap().len(), 1);
}

/// Modeled and unhandled errors print the same fields in the same form, the members that
/// explain a modeled error included; `@sensitive` members stay hidden.
#[tokio::test]
async fn modeled_and_unhandled_errors_print_alike() {
    use awslim_gadgets::types::GetGadgetInput;
    let stub = StubTransport::new();
    stub.push_json(404, r#"{"__type":"GadgetNotFound","message":"gone","reason":"DELETED"}"#)
        .push_json(403, r#"{"__type":"AccessDenied","message":"no"}"#);
    let client = client(&stub);
    let input = || GetGadgetInput::builder().gadget_id("g1").build();
    let modeled = client.get_gadget(input()).await.unwrap_err();
    assert_eq!(
        modeled.to_string(),
        "GetGadget: service returned an error: GadgetNotFound (HTTP 404): gone (reason: Deleted) [request id stub-request-1]"
    );
    let unhandled = client.get_gadget(input()).await.unwrap_err();
    assert_eq!(
        unhandled.to_string(),
        "GetGadget: service returned an error: AccessDenied (HTTP 403): no [request id stub-request-2]"
    );
    let invalid = client.create_gadget(awslim_gadgets::types::CreateGadgetInput::builder().name("").build()).await;
    let text = invalid.unwrap_err().to_string();
    assert!(text.starts_with("CreateGadget: invalid input, request not sent:"), "{text}");

    stub.push_json(400, r#"{"__type":"InvalidGadget","message":"bad name","field":"name","secret":"hunter2"}"#);
    let input = awslim_gadgets::types::CreateGadgetInput::builder().name("n").client_token("t").build();
    let text = client.create_gadget(input).await.unwrap_err().to_string();
    assert_eq!(
        text,
        "CreateGadget: service returned an error: InvalidGadget (HTTP 400): bad name (field: \"name\") [request id stub-request-1]"
    );
}

// ---------------------------------------------------------------------------------------
// Typed mocks, as a user would write them

/// The code under test: a user's function that makes a gadget and waits until it lists.
async fn create_and_describe(client: &Client, name: &str) -> Result<String, String> {
    use awslim_gadgets::types::{CreateGadgetInput, GetGadgetInput};
    let created =
        client.create_gadget(CreateGadgetInput::builder().name(name).build()).await.map_err(|e| e.to_string())?;
    let got = client
        .get_gadget(GetGadgetInput::builder().gadget_id(created.gadget_id.clone()).build())
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!("{} is {:?}", created.gadget_id, got.gadget.and_then(|g| g.status)))
}

#[tokio::test]
async fn mocks_answer_by_input_in_sequence_and_retries_are_real() {
    use awslim_gadgets::mock::{self, MockTransport};
    use awslim_gadgets::operation::create_gadget::CreateGadgetError;
    use awslim_gadgets::operation::get_gadget::GetGadgetError;
    use awslim_gadgets::types::{CreateGadgetOutput, Gadget, GadgetNotFound, GadgetStatus, GetGadgetOutput};

    let create = mock::create_gadget()
        .match_input(|input| input.name == "lamp")
        .then_output(CreateGadgetOutput::builder().gadget_id("g-1").build());
    // The first describe is throttled (a 429 the client retries), the retry gets the answer.
    let throttled = awslim_runtime::UnhandledError::new(
        awslim_runtime::ErrorMetadata::new(429).with_code("ThrottlingException").with_message("slow down"),
    );
    let get = mock::get_gadget()
        .match_input(|input| input.gadget_id == "g-1")
        .then_error(GetGadgetError::Unhandled(throttled))
        .then_output(
            GetGadgetOutput::builder()
                .gadget(Gadget::builder().gadget_id("g-1").status(GadgetStatus::Ready).build())
                .build(),
        );
    let mocks = MockTransport::new().with_rule(&create).with_rule(&get);
    let client = Client::with_mocks(&mocks);

    assert_eq!(create_and_describe(&client, "lamp").await.unwrap(), "g-1 is Some(Ready)");
    assert_eq!(get.calls(), 2, "the throttled attempt was retried");
    mocks.assert_all_used();

    // A modeled error comes back typed, with its members; an input no rule matches is an error
    // naming the operation, and is reported by the mock transport.
    let missing = mock::get_gadget().then_error(GetGadgetError::GadgetNotFound(
        GadgetNotFound::builder().message("gone").reason(awslim_gadgets::types::NotFoundReason::Deleted).build(),
    ));
    let create = mock::create_gadget().then_output(CreateGadgetOutput::builder().gadget_id("g-2").build());
    let mocks = MockTransport::new().with_rule(&create).with_rule(&missing);
    let client = Client::with_mocks(&mocks);
    let err = create_and_describe(&client, "desk").await.unwrap_err();
    assert_eq!(err, "GetGadget: service returned an error: GadgetNotFound (HTTP 404): gone (reason: Deleted) [request id mock-GetGadget-1]");
    mocks.assert_all_used();

    let err = client
        .create_gadget(awslim_gadgets::types::CreateGadgetInput::builder().name("chair").build())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no mock rule"), "{err}");
    assert!(mocks.unmatched().iter().all(|op| *op == "CreateGadget"));
    assert!(!mocks.unmatched().is_empty());

    // Unused answers are reported.
    let spare = mock::create_gadget().then_error(CreateGadgetError::InvalidGadget(
        awslim_gadgets::types::InvalidGadget::builder().message("no").build(),
    ));
    let mocks = MockTransport::new().with_rule(&spare);
    assert_eq!(mocks.unused(), ["CreateGadget (1 answer(s) left)"]);
    let caught = std::panic::catch_unwind(|| mocks.assert_all_used());
    assert!(caught.is_err());
}

// ---------------------------------------------------------------------------------------
// Waiters

fn gadget(id: &str, status: &str, parts: &[(&str, bool)]) -> String {
    let parts: Vec<String> = parts.iter().map(|(n, h)| format!(r#"{{"name":"{n}","healthy":{h}}}"#)).collect();
    format!(r#"{{"gadget":{{"gadgetId":"{id}","status":"{status}","parts":[{}]}}}}"#, parts.join(","))
}

fn get_input(id: &str) -> awslim_gadgets::types::GetGadgetInput {
    awslim_gadgets::types::GetGadgetInput::builder().gadget_id(id).build()
}

const NOT_FOUND: &str = r#"{"__type":"GadgetNotFound","message":"not yet"}"#;
const MS: Duration = Duration::from_millis(1);

#[tokio::test]
async fn waiter_retries_until_the_success_acceptor_matches() {
    let stub = StubTransport::new();
    stub.push_json(404, NOT_FOUND) // acceptor 3: retry on GadgetNotFound
        .push_json(200, &gadget("g1", "PENDING", &[])) // no acceptor matches: retry
        .push_json(200, &gadget("g1", "READY", &[("p", true)]));
    let waited = client(&stub)
        .wait_until_gadget_ready(get_input("g1"))
        .min_delay(MS)
        .max_delay(5 * MS)
        .wait(Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!((waited.acceptor, waited.attempts), (0, 3));
    assert_eq!(waited.last.unwrap().gadget.unwrap().status, Some(awslim_gadgets::types::GadgetStatus::Ready));
    assert_eq!(stub.remaining(), 0);
}

#[tokio::test]
async fn waiter_failure_acceptors_with_filters_and_functions() {
    use awslim_runtime::waiter::WaiterErrorKind;
    let stub = StubTransport::new();
    stub.push_json(200, &gadget("g1", "PENDING", &[("a", true), ("b", false)]));
    let err = client(&stub).wait_until_gadget_ready(get_input("g1")).min_delay(MS).wait(Duration::from_secs(5)).await;
    let err = err.unwrap_err();
    assert!(matches!(err.kind, WaiterErrorKind::FailureState { acceptor: 2, last: Ok(_) }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("waiter `GadgetReady` gave up after 1 attempt(s) in {:?}: failure acceptor 2 matched", err.elapsed)
    );

    // An error no acceptor expects ends the wait at once.
    stub.push_json(403, r#"{"__type":"AccessDenied","message":"no"}"#);
    let err = client(&stub).wait_until_gadget_ready(get_input("g1")).wait(Duration::from_secs(5)).await.unwrap_err();
    assert!(matches!(&err.kind, WaiterErrorKind::UnexpectedError(e) if e.as_service_error().is_some()), "{err:?}");
    assert!(err.to_string().contains("GetGadget: service returned an error: AccessDenied (HTTP 403)"), "{err}");
}

/// A resource that never gets there: the total time limit ends the wait.
#[tokio::test]
async fn waiter_gives_up_at_max_wait() {
    use awslim_runtime::waiter::WaiterErrorKind;
    let stub = StubTransport::new();
    for _ in 0..500 {
        stub.push_json(200, &gadget("g1", "PENDING", &[]));
    }
    let started = std::time::Instant::now();
    let err = client(&stub)
        .wait_until_gadget_ready(get_input("g1"))
        .min_delay(MS)
        .max_delay(4 * MS)
        .wait(Duration::from_millis(60))
        .await
        .unwrap_err();
    assert!(matches!(err.kind, WaiterErrorKind::Timeout { max_wait } if max_wait == Duration::from_millis(60)));
    assert!(err.attempts > 3, "{} attempts", err.attempts);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(stub.requests().len() as u32, err.attempts);
}

#[tokio::test]
async fn deletion_waiter_succeeds_on_an_error_type() {
    let stub = StubTransport::new();
    stub.push_json(200, &gadget("g1", "READY", &[])).push_json(404, NOT_FOUND);
    let waited = client(&stub)
        .wait_until_gadget_deleted(get_input("g1"))
        .min_delay(MS)
        .max_delay(MS)
        .wait(Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!((waited.acceptor, waited.attempts), (0, 2));
    assert!(waited.last.is_err());
}

#[tokio::test]
async fn input_output_and_list_comparators() {
    use awslim_runtime::waiter::WaiterErrorKind;
    let stub = StubTransport::new();
    stub.push_json(200, &gadget("other", "READY", &[("a", true)])) // ids differ: retry
        .push_json(200, &gadget("g1", "READY", &[("a", false)])) // an unhealthy part: retry
        .push_json(200, &gadget("g1", "READY", &[("a", true), ("b", true)]));
    let fast = |c: &Client| c.wait_until_parts_healthy(get_input("g1")).min_delay(MS).max_delay(MS);
    let waited = fast(&client(&stub)).wait(Duration::from_secs(5)).await.unwrap();
    assert_eq!((waited.acceptor, waited.attempts), (0, 3));

    stub.push_json(200, &gadget("x", "READY", &[("broken", false), ("broken", false)]));
    let err = fast(&client(&stub)).wait(Duration::from_secs(5)).await.unwrap_err();
    assert!(matches!(err.kind, WaiterErrorKind::FailureState { acceptor: 1, .. }), "allStringEquals: {err:?}");
    stub.push_json(200, &gadget("x", "READY", &[("fine", false), ("melted", false)]));
    let err = fast(&client(&stub)).wait(Duration::from_secs(5)).await.unwrap_err();
    assert!(matches!(err.kind, WaiterErrorKind::FailureState { acceptor: 2, .. }), "anyStringEquals: {err:?}");
}

// ---------------------------------------------------------------------------------------
// Bad @paginated and @waitable traits are generation errors naming the operation

fn generation_error(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    use awslim_codegen::{CrateOptions, Model, Selection, Source};
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/models/convenience.json");
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    edit(&mut json["shapes"]);
    let text = json.to_string();
    let model = Model::load(&[Source { name: "model", text: &text }]).unwrap();
    let mut options = CrateOptions::new("x", awslim_codegen::RuntimeDependency::Path("../runtime".into()));
    options.standalone = true;
    match awslim_codegen::generate(&model, &Selection::default(), &options) {
        Ok(_) => panic!("generated despite the defect"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_paginated_and_waitable_traits_are_clear_errors() {
    fn paginated(v: &mut serde_json::Value) -> &mut serde_json::Value {
        &mut v["example.convenience#ListEvents"]["traits"]["smithy.api#paginated"]
    }
    let err = generation_error(|s| paginated(s)["outputToken"] = "page.missing".into());
    assert!(
        err.contains("example.convenience#ListEvents: @paginated: `page.missing`: `example.convenience#EventPage` has no member `missing`"),
        "{err}"
    );
    let err = generation_error(|s| paginated(s)["inputToken"] = "gadgetId.x".into());
    assert!(err.contains("`gadgetId.x` must be a top-level member of `example.convenience#ListEventsInput`"), "{err}");
    let err = generation_error(|s| paginated(s)["items"] = "page.nextCursor".into());
    assert!(err.contains("example.convenience#ListEvents: @paginated: `items` must be a list or a map"), "{err}");
    let err = generation_error(|s| paginated(s)["inputToken"] = "limit".into());
    assert!(err.contains("`limit` and `page.nextCursor` have different types"), "{err}");

    fn acceptor0(v: &mut serde_json::Value) -> &mut serde_json::Value {
        &mut v["example.convenience#GetGadget"]["traits"]["smithy.waiters#waitable"]["GadgetReady"]["acceptors"][0]
            ["matcher"]["output"]
    }
    let err = generation_error(|s| acceptor0(s)["path"] = "gadget.status[".into());
    assert!(
        err.contains("example.convenience#GetGadget: waiter `GadgetReady`: acceptor 0: path `gadget.status[`"),
        "{err}"
    );
    let err = generation_error(|s| acceptor0(s)["path"] = "sort(gadget.parts)".into());
    assert!(err.contains("unsupported function `sort`"), "{err}");
    let err = generation_error(|s| acceptor0(s)["comparator"] = "numberEquals".into());
    assert!(err.contains("waiter `GadgetReady`: acceptor 0: unknown comparator `numberEquals`"), "{err}");
}
