//! The shared client state ([`Handle`]) and the call pipeline generated operations go through.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use tracing::Instrument;

use crate::auth::{AuthOption, AuthScheme};
use crate::config::{random_uuid_v4_text, Config};
use crate::endpoint::{OperationEndpointParams, ResolvedEndpoint};
use crate::endpoint_guard;
use crate::endpoint_target::PreparedEndpoint;
use crate::error::{
    ConstructionError, ConstructionErrorKind, ErrorMetadata, ResponseMeta, SdkError, TimeoutError, TimeoutKind,
    TransportError, TransportErrorKind,
};
use crate::json::ParseError;
use crate::retry::{classify_response, RetryKind, RetryQuota};
use crate::text::{bounded, Bounded};

#[cfg(feature = "streaming")]
mod streaming;
#[cfg(feature = "streaming")]
pub use streaming::StreamParseFn;

/// The response parser a generated operation hands to [`Handle::invoke`]: `Ok(Ok(output))`,
/// `Ok(Err(operation_error))` for an error response, or `Err(ParseError)` if the response is
/// not what the model says.
pub type ParseFn<O, E> = fn(&http::Response<Bytes>) -> Result<Result<O, E>, ParseError>;

/// Facts about a service, emitted once per generated crate as a `static`.
#[derive(Debug)]
pub struct ServiceMeta {
    /// `aws.api#service` `sdkId`, e.g. `Connect`.
    pub sdk_id: &'static str,
    /// Shape id of the service, e.g. `com.amazonaws.connect#AmazonConnectService`.
    pub service_id: &'static str,
    /// The service's `version`, e.g. `2017-08-08`.
    pub api_version: &'static str,
    /// SigV4 signing name (`aws.auth#sigv4` `name`), e.g. `connect`; also names the bearer
    /// token variable (`AWS_BEARER_TOKEN_CONNECT`).
    pub signing_name: &'static str,
    /// The model's `smithy.rules#endpointRuleSet`, as JSON text; empty when the model has
    /// none (then every call needs `Config::builder().endpoint_url(..)`).
    pub endpoint_rule_set: &'static str,
    /// The protocol's reading of an error response (e.g.
    /// `awslim_runtime::protocol::rest_json::error_metadata`), used to classify it for retries.
    pub error_metadata: fn(&http::Response<bytes::Bytes>) -> ErrorMetadata,
    /// The names of the service's `smithy.rules#clientContextParams`: the endpoint parameters
    /// `Config::builder().client_context_param(..)` may set.
    pub client_context_params: &'static [&'static str],
}

/// A modeled error marked `@retryable`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryableError {
    /// Error code (shape name), e.g. `ThrottlingException`.
    pub code: &'static str,
    /// `@retryable(throttling: true)`.
    pub throttling: bool,
}

/// Put on a request's extensions by generated code for operations with
/// `@httpChecksumRequired`: the runtime adds `Content-MD5` of the body as sent (after any
/// compression). Needs the runtime feature `checksum-md5`, which such generated crates enable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContentMd5Required;

/// Put on a request's extensions by generated code for operations with `@requestCompression`:
/// the encodings the service accepts, in order of preference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompressionEncodings(pub &'static [&'static str]);

/// Compresses the body (once per call) when the operation asks for it, the configuration allows
/// it and the body is large enough; appends the encoding to `Content-Encoding`.
fn compress(parts: &mut http::request::Parts, body: Bytes, settings: crate::config::RequestCompression) -> Bytes {
    let Some(encodings) = parts.extensions.get::<CompressionEncodings>() else { return body };
    if settings.disabled || body.len() < settings.min_size_bytes as usize {
        return body;
    }
    #[cfg(feature = "compression-gzip")]
    if encodings.0.contains(&"gzip") {
        use std::io::Write as _;
        let mut encoder =
            flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 2), flate2::Compression::default());
        // Writing into a Vec cannot fail.
        if encoder.write_all(&body).is_ok() {
            if let Ok(compressed) = encoder.finish() {
                let value = match parts.headers.get(http::header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()) {
                    Some(existing) if !existing.is_empty() => format!("{existing}, gzip"),
                    _ => "gzip".to_owned(),
                };
                if let Ok(value) = HeaderValue::try_from(value) {
                    parts.headers.insert(http::header::CONTENT_ENCODING, value);
                    return Bytes::from(compressed);
                }
            }
        }
    }
    let _ = encodings;
    body
}

/// A host prefix from the operation's `@endpoint` trait (labels already filled in), put on the
/// request's extensions by generated code; the runtime puts it in front of the resolved host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPrefix(pub String);

/// Put on a request's extensions by generated code when the operation's whole path is carried
/// by the endpoint (Amazon S3's `/{Bucket}`, which the endpoint rules move into the endpoint
/// URL): the request's `/` then adds nothing to the endpoint's path, so a path-style request
/// goes to `/mybucket`, not `/mybucket/`, as the AWS SDKs send it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathFromEndpoint;

/// Facts about an operation, emitted once per operation as a `static`.
#[derive(Debug)]
pub struct OperationMeta {
    /// Operation name, e.g. `StartWebRTCContact`.
    pub name: &'static str,
    /// The operation's modeled errors that are `@retryable`.
    pub retryable_errors: &'static [RetryableError],
    /// The operation's effective auth schemes, in order of preference (see [`crate::auth`]).
    pub auth: &'static [AuthScheme],
}

type ConfigParams = Result<awslim_endpoints::Params, awslim_endpoints::Error>;

struct Inner {
    service: &'static ServiceMeta,
    config: Config,
    /// `None` when the model has no rule set; with it, the parameters every call shares
    /// (built-ins and client context parameters, from the configuration).
    rule_set: Option<Result<(awslim_endpoints::RuleSet, ConfigParams), awslim_endpoints::Error>>,
    /// What the rule set resolved, per distinct parameter set.
    endpoints: crate::endpoint::EndpointCache<PreparedEndpoint>,
    quota: RetryQuota,
    user_agent: HeaderValue,
    x_amz_user_agent: HeaderValue,
    /// The service's clock minus ours, learned from clock-skew errors (see [`crate::clock_skew`]).
    clock: crate::clock_skew::ClockOffset,
}

/// Shared, cheaply cloned state of one client: configuration, transport, retry quota, parsed
/// endpoint rule set.
///
/// What one [`Handle::invoke`] does:
///
/// 1. resolves the endpoint with the service's rule set (built-ins and client context parameters
///    from the [`Config`], the operation's own parameters from the request's
///    [`OperationEndpointParams`]; see [`crate::endpoint`]) and joins its URL with the request's
///    relative URI; the rules run once per distinct parameter set (a small per-client cache);
/// 2. per attempt: adds the endpoint's headers, `amz-sdk-invocation-id` (one UUID for all
///    attempts of the call), `amz-sdk-request: attempt=N; max=M`, `user-agent`/`x-amz-user-agent`
///    and the [`ResolvedEndpoint`] extension, authenticates with the first of the operation's
///    auth schemes it has an identity for (SigV4, SigV4a, bearer token or none; the endpoint's
///    `authSchemes` may pick the scheme and override signing name and region, see
///    [`crate::auth`]; the body is hashed once per call; the two `amz-sdk-*` headers are sent
///    but not signed, as by the official SDK), and sends with the attempt timeout;
/// 3. retries in the AWS *standard* mode (see [`crate::retry`]): transient statuses,
///    throttling and transient codes, the operation's `@retryable` errors, connection failures
///    and attempt timeouts, with full-jitter exponential backoff and the shared retry quota;
///    a clock-skew error (see [`crate::clock_skew`]) sets the client's clock offset from the
///    response's `Date` and is retried once at once, signed with the corrected time;
/// 4. hands the final response to the operation's parser.
///
/// The whole call is bounded by the operation timeout. Timers need a Tokio runtime with time
/// enabled (`#[tokio::main]` has it), even with a non-Tokio transport.
#[derive(Clone)]
pub struct Handle {
    inner: Arc<Inner>,
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("service", &self.inner.service.sdk_id)
            .field("config", &self.inner.config)
            .field("retry_quota", &self.inner.quota.available())
            .finish()
    }
}

/// Where a call goes and how it is authenticated.
struct Target {
    uri: http::Uri,
    auth: Vec<AuthOption>,
    /// The endpoint's headers, and what the rules engine resolved (put on each attempt's
    /// request for transports to see).
    endpoint: Arc<PreparedEndpoint>,
}

/// `endpoint` made ready for requests ([`PreparedEndpoint`]); its faults are the endpoint's.
fn prepare<E>(endpoint: awslim_endpoints::Endpoint) -> Result<PreparedEndpoint, SdkError<E>> {
    PreparedEndpoint::new(endpoint).map_err(|e| construction(ConstructionErrorKind::Endpoint, e))
}

fn construction<E>(kind: ConstructionErrorKind, message: impl Into<String>) -> SdkError<E> {
    SdkError::Construction(ConstructionError::new(kind, message))
}

fn user_agent_token(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c) { c } else { '-' }).collect()
}

impl Handle {
    /// Creates the shared state. The endpoint rule set is parsed here, once; if it does not
    /// parse, every call returns that error (`SdkError::Construction`) instead of panicking.
    pub fn new(service: &'static ServiceMeta, config: Config) -> Handle {
        let rules = service.endpoint_rule_set.trim();
        let rule_set = (!rules.is_empty()).then(|| {
            awslim_endpoints::RuleSet::from_json(rules).map(|rules| {
                let params = crate::endpoint::config_params(&rules, service, &config);
                (rules, params)
            })
        });
        let quota = RetryQuota::new(config.retry().retry_quota_capacity);
        let mut ua = format!(
            "awslim/{} api/{}/{} os/{} lang/rust",
            env!("CARGO_PKG_VERSION"),
            user_agent_token(service.sdk_id).to_ascii_lowercase(),
            user_agent_token(service.api_version),
            std::env::consts::OS,
        );
        if let Some(app) = config.app_name() {
            ua.push_str(" app/");
            ua.push_str(&user_agent_token(app));
        }
        let user_agent = HeaderValue::from_str(&ua).unwrap_or(HeaderValue::from_static("awslim"));
        Handle {
            inner: Arc::new(Inner {
                service,
                config,
                rule_set,
                endpoints: Default::default(),
                quota,
                x_amz_user_agent: user_agent.clone(),
                user_agent,
                clock: crate::clock_skew::ClockOffset::default(),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The service this handle talks to.
    pub fn service(&self) -> &'static ServiceMeta {
        self.inner.service
    }

    /// Whether generated code should validate inputs before sending.
    pub fn validate_requests(&self) -> bool {
        self.inner.config.validate_requests()
    }

    /// A new idempotency token (for an `@idempotencyToken` member the caller left unset).
    pub fn new_idempotency_token(&self) -> String {
        self.inner.config.idempotency_token_provider().token()
    }

    /// The clock-skew offset this client signs with, in milliseconds (service minus local).
    pub fn clock_offset_millis(&self) -> i64 {
        self.inner.clock.millis()
    }

    /// Retry-quota tokens left (for tests and metrics).
    pub fn retry_quota_available(&self) -> u32 {
        self.inner.quota.available()
    }

    /// The endpoint for one call (see [`crate::endpoint`] for where each parameter's value comes
    /// from): the service's rules evaluated once per distinct parameter set, with a custom
    /// endpoint URL applied ([`endpoint_guard::apply_endpoint_url`]).
    fn resolve_endpoint<E>(
        &self,
        rules: &Result<(awslim_endpoints::RuleSet, ConfigParams), awslim_endpoints::Error>,
        operation: Option<&OperationEndpointParams>,
    ) -> Result<Arc<PreparedEndpoint>, SdkError<E>> {
        let config = &self.inner.config;
        let (rule_set, config_params) = rules.as_ref().map_err(|e| {
            SdkError::Construction(
                ConstructionError::new(
                    ConstructionErrorKind::Endpoint,
                    format!("the service's endpoint rule set is invalid: {e}"),
                )
                .with_source(e.clone()),
            )
        })?;
        let endpoint_error = |e: awslim_endpoints::Error| {
            let hint = if config.region().is_none() { " (no region is configured)" } else { "" };
            SdkError::Construction(
                ConstructionError::new(ConstructionErrorKind::Endpoint, format!("{e}{hint}")).with_source(e),
            )
        };
        let config_params = config_params.as_ref().map_err(|e| endpoint_error(e.clone()))?;
        let params = crate::endpoint::with_operation(config_params, operation);
        let resolve = |params: &awslim_endpoints::Params| -> Result<_, SdkError<E>> {
            let endpoint = rule_set.resolve(params).map_err(endpoint_error)?;
            prepare(endpoint_guard::apply_endpoint_url(endpoint, rule_set, config.endpoint_url()))
        };
        self.inner.endpoints.get_or_resolve(&params, resolve)
    }

    /// Resolves the endpoint for a call and joins it with the request's relative URI.
    fn target<E>(
        &self,
        relative: &http::Uri,
        extensions: &http::Extensions,
        auth: &[AuthScheme],
    ) -> Result<Target, SdkError<E>> {
        let config = &self.inner.config;
        let host_prefix = extensions.get::<HostPrefix>();
        let endpoint = match &self.inner.rule_set {
            Some(rules) => self.resolve_endpoint(rules, extensions.get::<OperationEndpointParams>())?,
            None => match config.endpoint_url() {
                Some(url) => Arc::new(prepare(awslim_endpoints::Endpoint { url: url.to_owned(), ..Default::default() })?),
                None => {
                    return Err(construction(
                        ConstructionErrorKind::Endpoint,
                        "the service's model has no endpoint rules: set an endpoint URL (Config::builder().endpoint_url(..) or AWS_ENDPOINT_URL)",
                    ))
                }
            },
        };
        let prefix = host_prefix.map_or("", |p| p.0.as_str());
        let uri = endpoint
            .uri(prefix, relative, extensions.get::<PathFromEndpoint>().is_some())
            .map_err(|e| construction(ConstructionErrorKind::Request, e))?;
        endpoint_guard::check_plain_http(&uri, config.allow_insecure_http())
            .map_err(|e| construction(ConstructionErrorKind::Endpoint, e))?;

        let endpoint_schemes = endpoint.endpoint.properties.get("authSchemes").and_then(|s| s.as_array());
        let auth = crate::auth::options(auth, endpoint_schemes.map(Vec::as_slice));
        Ok(Target { uri, auth, endpoint })
    }

    /// Sends `request` (relative URI: path and optional query, already percent-encoded) to the
    /// resolved endpoint, signing and retrying as configured, and hands the final response to
    /// `parse`: `Ok(Ok(o))` → `Ok(o)`, `Ok(Err(e))` → [`SdkError::Service`],
    /// `Err(p)` → [`SdkError::ResponseParse`].
    pub async fn invoke<O, E>(
        &self,
        op: &'static OperationMeta,
        request: http::Request<Bytes>,
        parse: ParseFn<O, E>,
    ) -> Result<O, SdkError<E>> {
        let invocation_id = random_uuid_v4_text();
        let invocation_id = invocation_id.as_str();
        let span = tracing::info_span!(
            "awslim.call",
            service = self.inner.service.sdk_id,
            operation = op.name,
            invocation_id = %invocation_id,
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let attempts = AtomicU32::new(0);
        let call_span = span.clone();
        let call = || self.invoke_attempts(op, request, parse, invocation_id, &attempts, &call_span);
        let result = async {
            let result = self.within_operation_timeout(&attempts, call).await;
            call_span.record("attempts", attempts.load(Ordering::Relaxed));
            call_span.record("duration_ms", started.elapsed().as_millis() as u64);
            match &result {
                Ok(_) => tracing::debug!("call succeeded"),
                Err(e) => tracing::debug!(error = %ErrorSummary(e), "call failed"),
            }
            result
        }
        .instrument(span)
        .await;
        result
    }

    async fn invoke_attempts<O, E>(
        &self,
        op: &'static OperationMeta,
        request: http::Request<Bytes>,
        parse: ParseFn<O, E>,
        invocation_id: &str,
        attempts: &AtomicU32,
        call_span: &tracing::Span,
    ) -> Result<O, SdkError<E>> {
        let config = &self.inner.config;
        let (mut parts, body) = request.into_parts();
        let body = compress(&mut parts, body, config.request_compression());
        #[cfg(feature = "checksum-md5")]
        if parts.extensions.get::<ContentMd5Required>().is_some() {
            if let Ok(md5) = HeaderValue::try_from(crate::protocol::content_md5(&body)) {
                parts.headers.insert(HeaderName::from_static("content-md5"), md5);
            }
        }
        let target = self.target::<E>(&parts.uri, &parts.extensions, op.auth)?;
        let max_attempts = config.retry().max_attempts.max(1);
        let attempt_timeout = config.timeouts().attempt;
        let invocation_id = HeaderValue::from_str(invocation_id)
            .map_err(|_| construction(ConstructionErrorKind::Request, "invalid invocation id"))?;
        let mut last_retry_cost: Option<u32> = None;
        let mut skew_corrected = false;
        let mut payload_sha256: Option<String> = None;

        for attempt in 1..=max_attempts {
            attempts.store(attempt, Ordering::Relaxed);
            let mut req = self.attempt_request(
                &parts,
                &target,
                body.clone(),
                Some(body.len() as u64),
                attempt,
                max_attempts,
                &invocation_id,
            );

            let signing_time = self.inner.clock.now();
            crate::auth::authorize(
                &mut req,
                &target.auth,
                config,
                self.inner.service,
                op.name,
                signing_time,
                &mut payload_sha256,
            )
            .await
            .map_err(SdkError::Construction)?;

            let span = tracing::debug_span!(
                "awslim.attempt",
                attempt,
                max_attempts,
                status = tracing::field::Empty,
                request_id = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            let body_limit = config.max_response_body_size().map(crate::transport::ResponseBodyLimit);
            if let Some(limit) = body_limit {
                req.extensions_mut().insert(limit);
            }
            let sent = Instant::now();
            let send = config.transport().send(req, attempt_timeout);
            let attempt_span = span.clone();
            let outcome = async {
                let outcome = match attempt_timeout {
                    Some(limit) => tokio::time::timeout(limit, send).await.map_err(|_| limit),
                    None => Ok(send.await),
                };
                let span = attempt_span;
                span.record("duration_ms", sent.elapsed().as_millis() as u64);
                // Recorded only for a subscriber that wants them (the request id costs two
                // allocations per attempt).
                if let (Ok(Ok(response)), false) = (&outcome, span.is_disabled() && call_span.is_disabled()) {
                    // On the attempt and on the call (the last response wins).
                    let status = response.status().as_u16();
                    span.record("status", status);
                    call_span.record("status", status);
                    if let Some(id) = crate::protocol::request_id(response.headers()) {
                        let id = bounded(&id);
                        span.record("request_id", id.as_str());
                        call_span.record("request_id", id.as_str());
                    }
                }
                outcome
            }
            .instrument(span)
            .await;
            let outcome = outcome.map(|sent| sent.and_then(|response| within_body_limit(response, body_limit)));

            let (kind, failure) = match outcome {
                Ok(Ok(response)) if response.status().is_success() => {
                    if config.retry().use_retry_quota {
                        self.inner.quota.release(last_retry_cost);
                    }
                    return finish(response, parse);
                }
                Ok(Ok(response)) => {
                    let meta = (self.inner.service.error_metadata)(&response);
                    // Rejected for our clock: the offset is learned (for later calls too), and
                    // the request signed again with the service's time and retried once.
                    if !skew_corrected && self.correct_clock(&meta, &response) {
                        skew_corrected = true;
                        if attempt < max_attempts {
                            continue;
                        }
                    }
                    let kind = classify_response(meta.status(), meta.code(), op.retryable_errors);
                    tracing::debug!(
                        attempt,
                        status = meta.status(),
                        code = %Bounded::new(meta.code().unwrap_or("")),
                        retryable = kind.is_retryable(),
                        "error response"
                    );
                    (kind, Failure::Response(response))
                }
                Ok(Err(error)) => {
                    tracing::debug!(attempt, error = %error, "transport error");
                    (transport_retry_kind(&error), Failure::Transport(error))
                }
                Err(limit) => {
                    tracing::debug!(attempt, ?limit, "attempt timed out");
                    (RetryKind::Timeout, Failure::Timeout(TimeoutError::new(TimeoutKind::Attempt, limit, attempt)))
                }
            };

            if kind.is_retryable() && attempt < max_attempts {
                let cost = if config.retry().use_retry_quota { self.inner.quota.acquire(kind) } else { Some(0) };
                match cost {
                    Some(cost) => {
                        last_retry_cost = Some(cost);
                        let delay = config.retry().backoff(attempt, fastrand::f64());
                        tracing::debug!(attempt, ?delay, ?kind, "retrying");
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    None => tracing::debug!(attempt, "retry quota exhausted; not retrying"),
                }
            }
            return match failure {
                Failure::Response(response) => finish(response, parse),
                Failure::Transport(e) => Err(SdkError::Transport(e)),
                Failure::Timeout(e) => Err(SdkError::Timeout(e)),
            };
        }
        unreachable!("the last attempt always returns")
    }
}

impl Handle {
    /// The call `make` makes, bounded by the operation timeout if one is set (its error counts
    /// the attempts made). The call is made here, not passed in, so that this future holds it
    /// once: an `async fn` keeps its arguments apart from its state, and the call's future is
    /// large (every attempt's state).
    async fn within_operation_timeout<O, E, F>(
        &self,
        attempts: &AtomicU32,
        make: impl FnOnce() -> F,
    ) -> Result<O, SdkError<E>>
    where
        F: std::future::Future<Output = Result<O, SdkError<E>>>,
    {
        match self.inner.config.timeouts().operation {
            Some(limit) => tokio::time::timeout(limit, make()).await.unwrap_or_else(|_| {
                Err(SdkError::Timeout(TimeoutError::new(
                    TimeoutKind::Operation,
                    limit,
                    attempts.load(Ordering::Relaxed),
                )))
            }),
            None => make().await,
        }
    }

    /// One attempt's request before signing: the call's method, URI (resolved endpoint), headers
    /// and extensions, the endpoint's headers, the per-attempt SDK headers and, when `body_len`
    /// is known, `Content-Length` (set here rather than by the HTTP client so that it is signed
    /// and every transport sees it).
    #[allow(clippy::too_many_arguments)]
    fn attempt_request<B>(
        &self,
        parts: &http::request::Parts,
        target: &Target,
        body: B,
        body_len: Option<u64>,
        attempt: u32,
        max_attempts: u32,
        invocation_id: &HeaderValue,
    ) -> http::Request<B> {
        let mut req = http::Request::new(body);
        #[cfg(feature = "test-util")]
        if let Some(call) = parts.extensions.get::<crate::mock::MockCall>() {
            req.extensions_mut().insert(call.clone());
        }
        *req.method_mut() = parts.method.clone();
        // HTTP/2 for the operations that need it (bidirectional event streams, feature `http2`).
        *req.version_mut() = parts.version;
        *req.uri_mut() = target.uri.clone();
        // Sized for what this function and signing add, so that it never grows.
        let headers = req.headers_mut();
        headers.reserve(parts.headers.len() + target.endpoint.headers.len() + ADDED_HEADERS);
        for (name, value) in &parts.headers {
            headers.append(name.clone(), value.clone());
        }
        for (name, value) in &target.endpoint.headers {
            headers.append(name.clone(), value.clone());
        }
        add_unsigned_attempt_headers(headers, invocation_id, attempt, max_attempts);
        headers.insert(http::header::USER_AGENT, self.inner.user_agent.clone());
        headers.insert(HeaderName::from_static("x-amz-user-agent"), self.inner.x_amz_user_agent.clone());
        if let Some(len) = body_len {
            let bodyless = matches!(parts.method, http::Method::GET | http::Method::HEAD | http::Method::OPTIONS);
            if !headers.contains_key(http::header::CONTENT_LENGTH) && (len > 0 || !bodyless) {
                headers.insert(http::header::CONTENT_LENGTH, small_header_value(format_args!("{len}")));
            }
        }
        req.extensions_mut().insert(ResolvedEndpoint(Arc::clone(&target.endpoint.endpoint)));
        req
    }

    /// Whether `response` is a clock-skew error that changed the client's clock offset.
    fn correct_clock(&self, meta: &ErrorMetadata, response: &http::Response<Bytes>) -> bool {
        self.inner.clock.correct(meta.code(), response.headers(), std::time::SystemTime::now())
    }
}

/// Whether a failed attempt's transport error is retried: a certificate or handshake failure,
/// an oversized response or an unusable proxy will not fix itself on retry.
fn transport_retry_kind(error: &TransportError) -> RetryKind {
    match error.kind() {
        TransportErrorKind::Tls | TransportErrorKind::ResponseTooLarge | TransportErrorKind::Proxy => RetryKind::No,
        _ => RetryKind::Transport,
    }
}

/// The per-call and per-attempt SDK headers. They are left out of the signature
/// ([`crate::sign::UNSIGNED_SDK_HEADERS`]) as the official SDK does, which adds them after
/// signing (its `InvocationIdInterceptor` and `RequestInfoInterceptor` run in
/// `modify_before_transmit`); they keep their place among the headers sent.
/// `amz-sdk-invocation-id` is one UUID for all attempts of a call.
fn add_unsigned_attempt_headers(
    headers: &mut http::HeaderMap,
    invocation_id: &HeaderValue,
    attempt: u32,
    max_attempts: u32,
) {
    headers.insert(HeaderName::from_static("amz-sdk-invocation-id"), invocation_id.clone());
    let request_info = small_header_value(format_args!("attempt={attempt}; max={max_attempts}"));
    headers.insert(HeaderName::from_static("amz-sdk-request"), request_info);
}

/// The most headers an attempt adds to the operation's and the endpoint's: the invocation id,
/// `amz-sdk-request`, both user agents and `content-length`, then what signing adds
/// (`x-amz-date`, `authorization`, `x-amz-security-token`, `x-amz-content-sha256`).
const ADDED_HEADERS: usize = 9;

/// A header value of at most 48 bytes of digits and ASCII, written without an intermediate
/// `String` (one allocation: the value's own).
fn small_header_value(text: fmt::Arguments<'_>) -> HeaderValue {
    let mut buf = [0u8; 48];
    let len = {
        let mut rest = &mut buf[..];
        std::io::Write::write_fmt(&mut rest, text).expect("a short header value fits in 48 bytes");
        48 - rest.len()
    };
    HeaderValue::from_bytes(&buf[..len]).expect("digits and ASCII are a valid header value")
}

/// The client's own check of the body limit, for transports that do not honour
/// [`ResponseBodyLimit`](crate::transport::ResponseBodyLimit) while reading.
fn within_body_limit(
    response: http::Response<Bytes>,
    limit: Option<crate::transport::ResponseBodyLimit>,
) -> Result<http::Response<Bytes>, TransportError> {
    match limit {
        Some(limit) if response.body().len() as u64 > limit.0 => Err(limit.exceeded(response.status(), None)),
        _ => Ok(response),
    }
}

enum Failure {
    Response(http::Response<Bytes>),
    Transport(TransportError),
    Timeout(TimeoutError),
}

fn finish<O, E>(response: http::Response<Bytes>, parse: ParseFn<O, E>) -> Result<O, SdkError<E>> {
    match parse(&response) {
        Ok(Ok(output)) => Ok(output),
        Ok(Err(error)) => Err(SdkError::Service { error, meta: ResponseMeta::from_response(&response) }),
        Err(error) => Err(SdkError::ResponseParse { error, meta: ResponseMeta::from_response(&response) }),
    }
}

/// Describes an error for logs without requiring `E: Display`.
struct ErrorSummary<'a, E>(&'a SdkError<E>);

impl<E> fmt::Display for ErrorSummary<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            SdkError::Service { meta, .. } => write!(f, "service error (HTTP {})", meta.status()),
            SdkError::Validation(e) => write!(f, "validation: {e}"),
            SdkError::Construction(e) => write!(f, "{e}"),
            SdkError::Timeout(e) => write!(f, "{e}"),
            SdkError::Transport(e) => write!(f, "{e}"),
            SdkError::ResponseParse { error, .. } => write!(f, "response parse: {error}"),
        }
    }
}
