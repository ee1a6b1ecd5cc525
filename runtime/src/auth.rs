//! Auth scheme resolution: which of an operation's auth schemes a call uses, and applying it.
//!
//! Generated code lists each operation's effective auth schemes ([`AuthScheme`]) in the model's
//! order of preference (`smithy.api#auth` on the operation, else on the service, else every auth
//! trait of the service; [`AuthScheme::NoAuth`] for `@auth([])` and, last, for
//! `@optionalAuth`). Per attempt the runtime takes the first scheme it supports and has an
//! identity for:
//!
//! - `SigV4` / `SigV4a`: the credentials provider; if it has no credentials, the next scheme;
//! - `HttpBearer` (feature `bearer`): the token provider ([`Config`]'s, else
//!   `AWS_BEARER_TOKEN_<SIGNING NAME>`), sent as `Authorization: Bearer <token>`;
//! - `NoAuth`: the request goes unsigned (no `Authorization`, no `X-Amz-Security-Token`).
//!
//! When none can be used, the call fails with one error naming every scheme and why.
//!
//! The endpoint may pick the signing scheme: an `authSchemes` property of the resolved endpoint
//! (`[{"name": "sigv4a", "signingName": .., "signingRegionSet": [..]}, {"name": "sigv4",
//! "signingRegion": .., "disableDoubleEncoding": ..}]`) replaces the operation's SigV4-family
//! schemes, in the endpoint's order and with its overrides, at the place of the first of them.
//! Other schemes (bearer, no auth) keep their place; an operation without a SigV4-family scheme
//! ignores the property.

use std::time::SystemTime;

use bytes::Bytes;
use serde_json::Value;

use crate::client::ServiceMeta;
use crate::config::Config;
use crate::error::{ConstructionError, ConstructionErrorKind};
use crate::sign::{sign_request, SigningAlgorithm, SigningOptions};

/// An auth scheme of an operation, as the model declares it (generated code lists them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthScheme {
    /// `aws.auth#sigv4`, with its signing name.
    SigV4 {
        /// `aws.auth#sigv4` `name`.
        signing_name: &'static str,
    },
    /// `aws.auth#sigv4a`, with its signing name (needs the runtime feature `sigv4a`).
    SigV4a {
        /// `aws.auth#sigv4a` `name`.
        signing_name: &'static str,
    },
    /// `smithy.api#httpBearerAuth` (needs the runtime feature `bearer`).
    HttpBearer,
    /// No authentication: `@auth([])`, `@optionalAuth`, `smithy.api#noAuth`, or a service
    /// without auth traits.
    NoAuth,
    /// A scheme this runtime cannot apply (e.g. `smithy.api#httpApiKeyAuth`), by shape id.
    Unsupported(&'static str),
}

/// SigV4 or SigV4a signing settings after the endpoint's overrides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Signing {
    /// The model's (borrowed, no copy per call) or the endpoint's signing name.
    pub(crate) name: std::borrow::Cow<'static, str>,
    /// The region (SigV4) or comma-separated region set (SigV4a); `None`: the config's region.
    pub(crate) region: Option<String>,
    pub(crate) double_encode: bool,
    pub(crate) normalize_path: bool,
}

/// One way to authenticate a call, in order of preference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AuthOption {
    SigV4(Signing),
    SigV4a(Signing),
    HttpBearer,
    NoAuth,
    Unsupported(String),
}

impl AuthOption {
    fn label(&self) -> &str {
        match self {
            AuthOption::SigV4(_) => "sigv4",
            AuthOption::SigV4a(_) => "sigv4a",
            AuthOption::HttpBearer => "httpBearerAuth",
            AuthOption::NoAuth => "noAuth",
            AuthOption::Unsupported(id) => id,
        }
    }
}

fn is_signing(scheme: &AuthScheme) -> bool {
    matches!(scheme, AuthScheme::SigV4 { .. } | AuthScheme::SigV4a { .. })
}

fn from_model(scheme: &AuthScheme) -> AuthOption {
    let signing = |name: &'static str| Signing {
        name: std::borrow::Cow::Borrowed(name),
        region: None,
        double_encode: true,
        normalize_path: true,
    };
    match *scheme {
        AuthScheme::SigV4 { signing_name } => AuthOption::SigV4(signing(signing_name)),
        AuthScheme::SigV4a { signing_name } => AuthOption::SigV4a(signing(signing_name)),
        AuthScheme::HttpBearer => AuthOption::HttpBearer,
        AuthScheme::NoAuth => AuthOption::NoAuth,
        AuthScheme::Unsupported(id) => AuthOption::Unsupported(id.to_owned()),
    }
}

/// One entry of an endpoint's `authSchemes`; `default_name` is the model's signing name.
fn from_endpoint(entry: &Value, default_name: &str) -> AuthOption {
    let text = |key: &str| entry.get(key).and_then(Value::as_str);
    let flag = |key: &str| entry.get(key).and_then(Value::as_bool).unwrap_or(false);
    let mut signing = Signing {
        name: text("signingName").unwrap_or(default_name).to_owned().into(),
        region: text("signingRegion").map(str::to_owned),
        double_encode: !flag("disableDoubleEncoding"),
        normalize_path: !flag("disableNormalizePath"),
    };
    match text("name") {
        Some("sigv4") => AuthOption::SigV4(signing),
        Some("sigv4a") => {
            let set = entry.get("signingRegionSet").and_then(Value::as_array);
            let regions: Option<Vec<&str>> = set.map(|s| s.iter().filter_map(Value::as_str).collect());
            signing.region = regions.filter(|r| !r.is_empty()).map(|r| r.join(","));
            AuthOption::SigV4a(signing)
        }
        Some(other) => AuthOption::Unsupported(format!("endpoint auth scheme `{other}`")),
        None => AuthOption::Unsupported("endpoint auth scheme without a name".to_owned()),
    }
}

/// The options of one call: the operation's schemes, with the endpoint's `authSchemes` (if any)
/// in place of its SigV4-family schemes.
pub(crate) fn options(schemes: &[AuthScheme], endpoint: Option<&[Value]>) -> Vec<AuthOption> {
    let first_signing = schemes.iter().position(is_signing);
    let (Some(first), Some(endpoint)) = (first_signing, endpoint.filter(|e| !e.is_empty())) else {
        return schemes.iter().map(from_model).collect();
    };
    let default_name = match schemes[first] {
        AuthScheme::SigV4 { signing_name } | AuthScheme::SigV4a { signing_name } => signing_name,
        _ => "",
    };
    let mut out = Vec::with_capacity(schemes.len() + endpoint.len());
    for (i, scheme) in schemes.iter().enumerate() {
        if i == first {
            out.extend(endpoint.iter().map(|e| from_endpoint(e, default_name)));
        } else if !is_signing(scheme) {
            out.push(from_model(scheme));
        }
    }
    out
}

fn signing_error(message: impl Into<String>) -> ConstructionError {
    ConstructionError::new(ConstructionErrorKind::Signing, message)
}

/// Authenticates one attempt with the first usable option (see the module docs); signatures
/// carry `time` (the clock-skew corrected time). `payload_sha256` keeps the body's hash across
/// the attempts of a call: hashed at the first signature, reused by the next ones (the body does
/// not change between attempts).
pub(crate) async fn authorize(
    request: &mut http::Request<Bytes>,
    options: &[AuthOption],
    config: &Config,
    service: &'static ServiceMeta,
    operation: &str,
    time: SystemTime,
    payload_sha256: &mut Option<String>,
) -> Result<(), ConstructionError> {
    let mut reasons: Vec<String> = Vec::new();
    // Asked at most once per attempt, however many signing schemes there are.
    let mut credentials: Option<Result<crate::credentials::Credentials, crate::credentials::CredentialsError>> = None;
    for option in options {
        let signing = match option {
            AuthOption::NoAuth => return Ok(()),
            AuthOption::SigV4(s) | AuthOption::SigV4a(s) => s,
            AuthOption::HttpBearer => match bearer(request, config, service).await {
                Ok(()) => return Ok(()),
                Err(e) => {
                    reasons.push(format!("{}: {e}", option.label()));
                    continue;
                }
            },
            AuthOption::Unsupported(_) => {
                reasons.push(format!("{}: not supported by this client", option.label()));
                continue;
            }
        };
        let event_stream = request.extensions().get::<crate::sign::EventStreamPayload>().is_some();
        if event_stream && matches!(option, AuthOption::SigV4a(_)) {
            reasons.push("sigv4a: event streams are signed with SigV4 only".to_owned());
            continue;
        }
        let algorithm = match option {
            #[cfg(feature = "sigv4a")]
            AuthOption::SigV4a(_) => SigningAlgorithm::V4a,
            #[cfg(not(feature = "sigv4a"))]
            AuthOption::SigV4a(_) => {
                reasons.push("sigv4a: the runtime was built without its `sigv4a` feature".to_owned());
                continue;
            }
            _ => SigningAlgorithm::V4,
        };
        let loaded = match credentials {
            Some(ref loaded) => loaded,
            None => {
                let provider = config.credentials_provider();
                let ready = provider.ready_credentials();
                credentials.insert(match ready {
                    Some(ready) => Ok(ready),
                    None => provider.provide_credentials().await,
                })
            }
        };
        let creds = match loaded {
            Ok(c) => c,
            Err(e) => {
                reasons.push(format!("{}: {e}", option.label()));
                continue;
            }
        };
        let region =
            signing.region.as_deref().or(config.region()).ok_or_else(|| {
                signing_error("no region to sign with: set Config::builder().region(..) or AWS_REGION")
            })?;
        let mut settings = SigningOptions::new(region, &signing.name, time);
        settings.algorithm = algorithm;
        settings.double_encode = signing.double_encode;
        settings.normalize_path = signing.normalize_path;
        // A body signed as `UNSIGNED-PAYLOAD` is not hashed.
        if request.extensions().get::<crate::sign::UnsignedPayload>().is_none() && !event_stream {
            let hash = payload_sha256.get_or_insert_with(|| crate::sign::payload_sha256(request.body()));
            settings.payload_sha256 = Some(hash);
        }
        settings.unsigned_headers = crate::sign::UNSIGNED_SDK_HEADERS;
        settings.key_cache = Some(config.signing_keys());
        let signature = sign_request(request, creds, &settings).map_err(|e| signing_error(e.to_string()))?;
        // The seed of the event stream's message signatures.
        #[cfg(feature = "event-stream-signing")]
        if event_stream {
            request.extensions_mut().insert(crate::event_stream::RequestSignature {
                credentials: creds.clone(),
                region: region.to_owned(),
                signing_name: signing.name.clone().into_owned(),
                signature,
            });
        }
        #[cfg(not(feature = "event-stream-signing"))]
        let _ = signature;
        return Ok(());
    }
    let message = format!("no auth scheme of `{operation}` could be used: {}", reasons.join("; "));
    // The reasons already hold each error's text, so none is repeated as a `source()`.
    Err(ConstructionError::new(ConstructionErrorKind::Credentials, message))
}

/// `Authorization: Bearer <token>` from the configured token provider, else the environment.
#[cfg(feature = "bearer")]
async fn bearer(
    request: &mut http::Request<Bytes>,
    config: &Config,
    service: &'static ServiceMeta,
) -> Result<(), crate::credentials::CredentialsError> {
    use crate::token::{EnvironmentToken, ProvideToken};
    let token = match config.token_provider() {
        Some(provider) => provider.provide_token().await?,
        None => EnvironmentToken::for_service(service.signing_name).provide_token().await?,
    };
    let mut value = http::HeaderValue::try_from(format!("Bearer {}", token.token()))
        .map_err(|_| crate::credentials::CredentialsError::new("the bearer token is not a valid HTTP header value"))?;
    value.set_sensitive(true);
    request.headers_mut().insert(http::header::AUTHORIZATION, value);
    Ok(())
}

#[cfg(not(feature = "bearer"))]
async fn bearer(
    _request: &mut http::Request<Bytes>,
    _config: &Config,
    _service: &'static ServiceMeta,
) -> Result<(), crate::credentials::CredentialsError> {
    Err(crate::credentials::CredentialsError::new("the runtime was built without its `bearer` feature"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGV4: AuthScheme = AuthScheme::SigV4 { signing_name: "svc" };

    fn endpoint(json: &str) -> Vec<Value> {
        serde_json::from_str(json).unwrap()
    }

    fn signing(name: &str, region: Option<&str>) -> Signing {
        Signing {
            name: name.to_owned().into(),
            region: region.map(Into::into),
            double_encode: true,
            normalize_path: true,
        }
    }

    #[test]
    fn model_order_without_endpoint_schemes() {
        let schemes = [AuthScheme::HttpBearer, SIGV4, AuthScheme::NoAuth];
        assert_eq!(
            options(&schemes, None),
            [AuthOption::HttpBearer, AuthOption::SigV4(signing("svc", None)), AuthOption::NoAuth]
        );
        assert_eq!(options(&schemes, Some(&[])), options(&schemes, None));
    }

    #[test]
    fn endpoint_schemes_replace_the_signing_schemes_in_place() {
        let e = endpoint(
            r#"[{"name":"sigv4a","signingName":"other","signingRegionSet":["us-east-1","eu-west-1"]},
                {"name":"sigv4","signingRegion":"us-west-2","disableDoubleEncoding":true},
                {"name":"sigv4-s3express"}]"#,
        );
        let got = options(&[AuthScheme::HttpBearer, SIGV4, AuthScheme::NoAuth], Some(&e));
        let v4 = Signing { double_encode: false, ..signing("svc", Some("us-west-2")) };
        assert_eq!(
            got,
            [
                AuthOption::HttpBearer,
                AuthOption::SigV4a(signing("other", Some("us-east-1,eu-west-1"))),
                AuthOption::SigV4(v4),
                AuthOption::Unsupported("endpoint auth scheme `sigv4-s3express`".into()),
                AuthOption::NoAuth,
            ]
        );
    }

    #[test]
    fn operations_without_signing_ignore_endpoint_schemes() {
        let e = endpoint(r#"[{"name":"sigv4","signingRegion":"us-west-2"}]"#);
        assert_eq!(options(&[AuthScheme::NoAuth], Some(&e)), [AuthOption::NoAuth]);
        assert_eq!(options(&[AuthScheme::HttpBearer], Some(&e)), [AuthOption::HttpBearer]);
    }
}
