//! A hand-written "generated" client with one operation, `StartThing`: the reference for the
//! code `awslim-codegen` emits for a restJson1 operation. It uses only `::awslim_runtime`.
//!
//! The shape of the pattern:
//! * one `static SERVICE: ServiceMeta` per crate, one `static <OP>: OperationMeta` per operation;
//! * `Client { handle: Handle }`, `Client::new(Config)`;
//! * per operation: validate (if enabled) → fill idempotency tokens → serialize into an
//!   `http::Request<Bytes>` with a *relative* URI → `handle.invoke(&OP, request, parse_fn)`;
//! * `parse_fn` maps the final response to `Ok(Ok(output))`, `Ok(Err(operation_error))` or
//!   `Err(ParseError)`; the runtime turns those into `Result<Output, SdkError<OpError>>`;
//! * the operation error enum has one variant per modeled error plus `Unhandled`, and every
//!   modeled error struct carries an `ErrorMetadata`.
//!
//! The real generator uses `awslim_runtime::json` to (de)serialize; plain `serde_json` keeps
//! this reference independent of that module.

#![allow(dead_code)]

use std::fmt;

use awslim_runtime::bytes::Bytes;
use awslim_runtime::error::{ErrorMetadata, ProvideErrorMetadata, SdkError, UnhandledError};
use awslim_runtime::json::ParseError;
use awslim_runtime::protocol::rest_json;
use awslim_runtime::{http, Config, Handle, OperationMeta, RetryableError, ServiceMeta};

/// The endpoint rule set of the pretend service: `Endpoint` override, else
/// `https://thing.{Region}.amazonaws.com`, else an error.
pub const RULE_SET: &str = r#"{
  "version": "1.0",
  "parameters": {
    "Region": {"builtIn": "AWS::Region", "required": false, "type": "String"},
    "UseFIPS": {"builtIn": "AWS::UseFIPS", "required": true, "default": false, "type": "Boolean"},
    "UseDualStack": {"builtIn": "AWS::UseDualStack", "required": true, "default": false, "type": "Boolean"},
    "Endpoint": {"builtIn": "SDK::Endpoint", "required": false, "type": "String"}
  },
  "rules": [
    {
      "conditions": [{"fn": "isSet", "argv": [{"ref": "Endpoint"}]}],
      "endpoint": {"url": {"ref": "Endpoint"}, "properties": {}, "headers": {}},
      "type": "endpoint"
    },
    {
      "conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]}],
      "endpoint": {
        "url": "https://thing.{Region}.amazonaws.com",
        "properties": {"authSchemes": [{"name": "sigv4", "signingName": "thing", "signingRegion": "{Region}"}]},
        "headers": {}
      },
      "type": "endpoint"
    },
    {"conditions": [], "error": "Invalid Configuration: Missing Region", "type": "error"}
  ]
}"#;

pub static SERVICE: ServiceMeta = ServiceMeta {
    sdk_id: "Thing",
    service_id: "com.example.thing#ThingService",
    api_version: "2024-01-01",
    signing_name: "thing",
    endpoint_rule_set: RULE_SET,
    error_metadata: awslim_runtime::protocol::rest_json::error_metadata,
    client_context_params: &[],
};

pub static START_THING: OperationMeta = OperationMeta {
    name: "StartThing",
    // InternalServiceException is `@retryable` in this pretend model.
    retryable_errors: &[RetryableError { code: "InternalServiceException", throttling: false }],
    auth: &[awslim_runtime::AuthScheme::SigV4 { signing_name: "thing" }],
};

/// The client.
#[derive(Clone, Debug)]
pub struct Client {
    handle: Handle,
}

impl Client {
    pub fn new(config: Config) -> Self {
        Client { handle: Handle::new(&SERVICE, config) }
    }

    /// For tests that look at the shared state.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// `PUT /things/{InstanceId}?mode={Mode}` with a JSON body.
    pub async fn start_thing(&self, mut input: StartThingInput) -> Result<StartThingOutput, SdkError<StartThingError>> {
        // (validation of @length/@pattern etc. goes here when `handle.validate_requests()`,
        // returning `SdkError::Validation(..)` before anything is sent)
        if input.client_token.is_none() {
            input.client_token = Some(self.handle.new_idempotency_token());
        }
        let request = serialize_start_thing(&input);
        self.handle.invoke(&START_THING, request, parse_start_thing).await
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct StartThingInput {
    /// `@httpLabel`
    pub instance_id: String,
    /// `@httpQuery("mode")`
    pub mode: Option<String>,
    /// `@idempotencyToken`
    pub client_token: Option<String>,
    pub display_name: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct StartThingOutput {
    pub contact_id: Option<String>,
    pub token: Option<String>,
}

pub fn serialize_start_thing(input: &StartThingInput) -> http::Request<Bytes> {
    let mut uri =
        format!("/things/{}", awslim_runtime::protocol::http_binding::encode_label(&input.instance_id, false));
    if let Some(mode) = &input.mode {
        uri.push_str("?mode=");
        uri.push_str(&awslim_runtime::protocol::http_binding::encode_query(mode));
    }
    let mut body = serde_json::Map::new();
    if let Some(token) = &input.client_token {
        body.insert("ClientToken".into(), token.clone().into());
    }
    body.insert("DisplayName".into(), input.display_name.clone().into());
    http::Request::builder()
        .method(http::Method::PUT)
        .uri(uri)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Bytes::from(serde_json::to_vec(&body).expect("a map serializes")))
        .expect("a relative URI with encoded labels is valid")
}

pub fn parse_start_thing(
    response: &http::Response<Bytes>,
) -> Result<Result<StartThingOutput, StartThingError>, ParseError> {
    if response.status().as_u16() == 200 {
        let body: serde_json::Value =
            serde_json::from_slice(response.body()).map_err(|e| ParseError::new(format!("malformed JSON: {e}")))?;
        let object = body.as_object().ok_or_else(|| ParseError::new("expected an object"))?;
        let string = |name: &str| -> Result<Option<String>, ParseError> {
            match object.get(name) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(ParseError::new("expected a string").within(name)),
            }
        };
        return Ok(Ok(StartThingOutput { contact_id: string("ContactId")?, token: string("Token")? }));
    }
    let meta = rest_json::error_metadata(response);
    let error = match meta.code() {
        Some("InvalidParameterException") => StartThingError::InvalidParameter(InvalidParameterException { meta }),
        Some("InternalServiceException") => StartThingError::InternalService(InternalServiceException { meta }),
        _ => StartThingError::Unhandled(UnhandledError::new(meta)),
    };
    Ok(Err(error))
}

/// Errors of `StartThing`.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartThingError {
    InvalidParameter(InvalidParameterException),
    InternalService(InternalServiceException),
    /// An error code the model does not list for this operation.
    Unhandled(UnhandledError),
}

impl fmt::Display for StartThingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartThingError::InvalidParameter(e) => fmt::Display::fmt(e, f),
            StartThingError::InternalService(e) => fmt::Display::fmt(e, f),
            StartThingError::Unhandled(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for StartThingError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartThingError::InvalidParameter(e) => Some(e),
            StartThingError::InternalService(e) => Some(e),
            StartThingError::Unhandled(e) => Some(e),
        }
    }
}

impl awslim_runtime::OperationError for StartThingError {
    const OPERATION: &'static str = "StartThing";
}

impl ProvideErrorMetadata for StartThingError {
    fn meta(&self) -> &ErrorMetadata {
        match self {
            StartThingError::InvalidParameter(e) => &e.meta,
            StartThingError::InternalService(e) => &e.meta,
            StartThingError::Unhandled(e) => e.meta(),
        }
    }
}

macro_rules! modeled_error {
    ($name:ident) => {
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name {
            pub meta: ErrorMetadata,
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.meta)
            }
        }
        impl std::error::Error for $name {}
        impl ProvideErrorMetadata for $name {
            fn meta(&self) -> &ErrorMetadata {
                &self.meta
            }
        }
    };
}

modeled_error!(InvalidParameterException);
modeled_error!(InternalServiceException);
