//! Per-operation and client endpoint parameters, driven through the generated
//! `awslim_endpoint_params` client (fixture model `tests/fixtures/models/endpoint-params.json`)
//! and `StubTransport`: the URL each call was sent to and the endpoint the rules engine resolved.
//!
//! Run: `cargo test -p awslim-tests --test endpoint_params`.

use std::collections::BTreeMap;

use awslim_endpoint_params::types::{BatchGetInput, GetObjectInput, Item, TableName, TableRef};
use awslim_endpoint_params::{Client, Config, SdkError};
use awslim_runtime::transport::{RecordedRequest, StubTransport};
use awslim_runtime::{ConfigBuilder, Credentials, ResolvedEndpoint};

fn builder(stub: &StubTransport, region: &str) -> ConfigBuilder {
    Config::builder()
        .region(region)
        .credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
        .max_attempts(1)
        .transport(stub.clone())
}

fn only_request(stub: &StubTransport) -> RecordedRequest {
    let mut requests = stub.take_requests();
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests.remove(0)
}

fn get_object(bucket: &str) -> GetObjectInput {
    GetObjectInput::builder().bucket(bucket).key("photo.jpg").build()
}

fn table(name: &str) -> Item {
    Item::builder().table(TableRef::builder().name(TableName::from(name)).build()).build()
}

#[tokio::test]
async fn context_param_member_selects_the_host() {
    let stub = StubTransport::new();
    stub.push_json(200, "{}");
    let client = Client::new(builder(&stub, "us-east-1").build());
    client.get_object(get_object("my-bucket")).await.expect("call succeeds");
    let req = only_request(&stub);
    assert_eq!(req.uri.to_string(), "https://my-bucket.svc.us-east-1.example.com/photo.jpg");
}

/// One client resolves endpoints once per distinct parameter set (a small cache): alternating
/// buckets, more of them than the cache holds, each call still goes to its own bucket's host.
#[tokio::test]
async fn cached_endpoints_follow_every_parameter_change() {
    let stub = StubTransport::new();
    let client = Client::new(builder(&stub, "us-east-1").build());
    for round in 0..2 {
        for i in 0..20 {
            stub.push_json(200, "{}");
            let bucket = format!("bucket-{}", (i * 7 + round) % 20);
            client.get_object(get_object(&bucket)).await.expect("call succeeds");
            let req = only_request(&stub);
            assert_eq!(req.uri.to_string(), format!("https://{bucket}.svc.us-east-1.example.com/photo.jpg"));
            let resolved = req.extensions.get::<ResolvedEndpoint>().expect("resolved endpoint");
            assert_eq!(resolved.0.url, format!("https://{bucket}.svc.us-east-1.example.com"));
        }
    }
}

#[tokio::test]
async fn static_context_param_applies_to_its_operation_only() {
    let stub = StubTransport::new();
    stub.push_json(200, "{}").push_json(200, "{}");
    let client = Client::new(builder(&stub, "eu-west-1").build());
    client.ping().await.expect("ping succeeds");
    assert_eq!(only_request(&stub).uri.to_string(), "https://fast.svc.eu-west-1.example.com/ping");
    // BatchGet has no static Mode, and an empty input sets no operation parameter.
    client.batch_get(BatchGetInput::builder().build()).await.expect("batch_get succeeds");
    assert_eq!(only_request(&stub).uri.to_string(), "https://svc.eu-west-1.example.com/batch");
}

#[tokio::test]
async fn operation_context_params_project_over_the_input() {
    let stub = StubTransport::new();
    stub.push_json(200, "{}");
    let client = Client::new(builder(&stub, "us-west-2").build());
    let input = BatchGetInput::builder()
        .items(vec![table("t1"), Item::builder().build(), table("t2")])
        .entries(BTreeMap::from([("e1".to_owned(), "v".to_owned())]))
        .build();
    client.batch_get(input).await.expect("call succeeds");
    let req = only_request(&stub);
    // TableNames = Items[*].Table.Name = ["t1", "t2"] (the item without a table is dropped).
    assert_eq!(req.uri.to_string(), "https://t1.tables.svc.us-west-2.example.com/batch");
    assert_eq!(req.header("x-table-count-known"), Some("yes"));
}

#[tokio::test]
async fn operation_context_params_keys_of_a_map() {
    let stub = StubTransport::new();
    stub.push_json(200, "{}");
    let client = Client::new(builder(&stub, "us-west-2").build());
    let input = BatchGetInput::builder().entries(BTreeMap::from([("alpha".to_owned(), "v".to_owned())])).build();
    client.batch_get(input).await.expect("call succeeds");
    assert_eq!(only_request(&stub).uri.to_string(), "https://alpha.keys.svc.us-west-2.example.com/batch");
}

#[tokio::test]
async fn empty_projection_reaches_the_rules_as_an_empty_list() {
    let stub = StubTransport::new();
    let client = Client::new(builder(&stub, "us-west-2").build());
    let err = client.batch_get(BatchGetInput::builder().items(vec![]).build()).await.unwrap_err();
    match err {
        SdkError::Construction(e) => assert!(e.to_string().contains("TableNames is set but empty"), "{e}"),
        other => panic!("expected an endpoint error, got {other:?}"),
    }
    assert!(stub.take_requests().is_empty(), "nothing is sent when the endpoint does not resolve");
}

#[tokio::test]
async fn client_context_params_reach_the_rules() {
    let stub = StubTransport::new();
    stub.push_json(200, "{}").push_json(200, "{}");
    let client = Client::new(builder(&stub, "us-east-1").client_context_param("Stage", "beta").build());
    client.batch_get(BatchGetInput::builder().build()).await.expect("call succeeds");
    let req = only_request(&stub);
    assert_eq!(req.uri.to_string(), "https://beta.svc.us-east-1.example.com/batch");
    assert_eq!(req.header("x-stage"), Some("beta"));

    // A boolean client context parameter.
    let client = Client::new(builder(&stub, "us-east-1").client_context_param("Accelerate", true).build());
    client.get_object(get_object("b1")).await.expect("call succeeds");
    assert_eq!(only_request(&stub).uri.to_string(), "https://b1.accelerate.svc.us-east-1.example.com/photo.jpg");
}

#[tokio::test]
async fn operation_params_and_client_params_combine_and_the_endpoint_is_visible() {
    let stub = StubTransport::new();
    stub.push_json(200, "{}");
    let client = Client::new(builder(&stub, "eu-west-1").client_context_param("Stage", "beta").build());
    client.ping().await.expect("ping succeeds");
    let req = only_request(&stub);
    assert_eq!(req.uri.to_string(), "https://fast.beta.svc.eu-west-1.example.com/ping");
    let resolved = req.extensions.get::<ResolvedEndpoint>().expect("the resolved endpoint is on the request");
    assert_eq!(resolved.0.url, "https://fast.beta.svc.eu-west-1.example.com");
    assert_eq!(
        serde_json::Value::Object(resolved.0.properties.clone()),
        serde_json::json!({"authSchemes": [{"name": "sigv4", "signingName": "svc", "signingRegion": "eu-west-1"}]})
    );
}

#[tokio::test]
async fn custom_endpoint_url_wins_over_operation_params() {
    let stub = StubTransport::new();
    stub.push_json(200, "{}");
    let client = Client::new(builder(&stub, "us-east-1").endpoint_url("http://127.0.0.1:9").build());
    client.get_object(get_object("b1")).await.expect("call succeeds");
    assert_eq!(only_request(&stub).uri.to_string(), "http://127.0.0.1:9/photo.jpg");
}

#[tokio::test]
async fn unknown_or_mistyped_client_context_params_are_clear_errors() {
    let stub = StubTransport::new();
    let client = Client::new(builder(&stub, "us-east-1").client_context_param("Bucket", "sneaky").build());
    let err = client.ping().await.unwrap_err().to_string();
    assert!(err.contains("`Bucket`") && err.contains("not a client context parameter"), "{err}");
    assert!(err.contains("Accelerate, Stage") || err.contains("Stage, Accelerate"), "{err}");

    let client = Client::new(builder(&stub, "us-east-1").client_context_param("Accelerate", "yes").build());
    let err = client.ping().await.unwrap_err().to_string();
    assert!(err.contains("`Accelerate`"), "{err}");
    assert!(stub.take_requests().is_empty());
}

/// The fixture model with `edit` applied, generated: the error text.
fn generation_error(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    use awslim_codegen::{CrateOptions, Model, Selection, Source};
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/models/endpoint-params.json");
    let mut model: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    edit(&mut model["shapes"]);
    let text = model.to_string();
    let model = Model::load(&[Source { name: "model", text: &text }]).expect("the model loads");
    let mut options = CrateOptions::new("x", awslim_codegen::RuntimeDependency::Path("../runtime".into()));
    options.standalone = true;
    match awslim_codegen::generate(&model, &Selection::default(), &options) {
        Ok(_) => panic!("generation should fail"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn paths_outside_the_subset_or_the_input_are_generator_errors() {
    let ocp = "smithy.rules#operationContextParams";
    let err = generation_error(|s| {
        s["example.endpoints#BatchGet"]["traits"][ocp]["TableNames"]["path"] = "Items[0].Table.Name".into()
    });
    assert!(
        err.contains("example.endpoints#BatchGet")
            && err.contains("`[0].Table.Name` is outside the supported JMESPath subset"),
        "{err}"
    );

    let err = generation_error(|s| {
        s["example.endpoints#BatchGet"]["traits"][ocp]["TableNames"]["path"] = "Items[*].Table.Nme".into()
    });
    assert!(err.contains("example.endpoints#TableRef: operationContextParams `TableNames` (path `Items[*].Table.Nme`): has no member `Nme`"), "{err}");

    let err = generation_error(|s| {
        s["example.endpoints#BatchGet"]["traits"][ocp]["TableNames"]["path"] = "Items[*].Table".into()
    });
    assert!(
        err.contains(
            "the parameter is a StringArray but the path yields a list of Structure (example.endpoints#TableRef)"
        ),
        "{err}"
    );

    let err = generation_error(|s| {
        s["example.endpoints#BatchGet"]["traits"][ocp]["Nope"] = serde_json::json!({"path": "Items"})
    });
    assert!(err.contains("the endpoint rule set has no parameter `Nope`"), "{err}");
}

#[test]
fn context_params_must_match_the_rule_set() {
    let err = generation_error(|s| {
        s["example.endpoints#GetObjectInput"]["members"]["Key"]["traits"]["smithy.rules#contextParam"] =
            serde_json::json!({"name": "Accelerate"})
    });
    assert!(
        err.contains("example.endpoints#GetObjectInput$Key: contextParam `Accelerate`: the parameter is a Boolean but the path yields String"),
        "{err}"
    );
    let err = generation_error(|s| {
        s["example.endpoints#Ping"]["traits"]["smithy.rules#staticContextParams"]["Mode"]["value"] = true.into()
    });
    assert!(err.contains("example.endpoints#Ping: staticContextParams `Mode`: the value is not a String"), "{err}");
    let err = generation_error(|s| {
        s["example.endpoints#Storage"]["traits"]["smithy.rules#clientContextParams"]["Stage"]["type"] = "boolean".into()
    });
    assert!(err.contains("clientContextParams `Stage`: type Boolean does not match the rule set's String"), "{err}");
}

#[tokio::test]
async fn endpoint_built_ins_can_be_set_by_name() {
    let stub = StubTransport::new();
    stub.push_json(200, "{}");
    // Set by name, a built-in wins over the typed setting (for endpoint resolution).
    let client = Client::new(builder(&stub, "us-east-1").endpoint_built_in("AWS::Region", "ap-south-1").build());
    client.get_object(get_object("b1")).await.expect("call succeeds");
    assert_eq!(only_request(&stub).uri.to_string(), "https://b1.svc.ap-south-1.example.com/photo.jpg");

    let client = Client::new(builder(&stub, "us-east-1").endpoint_built_in("SDK::Endpoint", true).build());
    let err = client.ping().await.unwrap_err().to_string();
    assert!(err.contains("`Endpoint`"), "{err}");
}

#[tokio::test]
async fn context_param_overrides_operation_context_param_and_binds_a_whole_list() {
    let stub = StubTransport::new();
    stub.push_json(200, "{}");
    let client = Client::new(builder(&stub, "us-west-2").build());
    // `Tables` (contextParam TableNames, a list of strings) wins over `Items[*].Table.Name`.
    let input = BatchGetInput::builder().items(vec![table("t1")]).tables(vec!["override".to_owned()]).build();
    client.batch_get(input).await.expect("call succeeds");
    assert_eq!(only_request(&stub).uri.to_string(), "https://override.tables.svc.us-west-2.example.com/batch");
}
