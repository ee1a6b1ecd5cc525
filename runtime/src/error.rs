//! Errors returned by generated operations.
//!
//! Every operation returns `Result<Output, SdkError<OperationError>>`. [`SdkError`] tells
//! *where* the call failed (before sending, on the way, or in the service's answer); the
//! operation's own error enum (generated) says *which* modeled error the service returned, and
//! carries an [`ErrorMetadata`] (code, message, request id, HTTP status).

use std::error::Error as StdError;
use std::fmt;

use crate::text::Bounded;
use std::time::Duration;

use crate::json::ParseError;
use crate::validate::ValidationError;

type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// What the runtime knows about an HTTP response, kept on errors that came with one.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ResponseMeta {
    status: u16,
    request_id: Option<String>,
}

impl ResponseMeta {
    /// Metadata for a response with `status` and, if the service sent one, a request id.
    pub fn new(status: u16, request_id: Option<String>) -> Self {
        ResponseMeta { status, request_id }
    }
    /// Reads status and request id (`x-amzn-RequestId`, else `x-amz-request-id`) off a response.
    pub fn from_response<B>(response: &http::Response<B>) -> Self {
        ResponseMeta { status: response.status().as_u16(), request_id: crate::protocol::request_id(response.headers()) }
    }
    /// HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }
    /// The service's request id, if it sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

/// Code, message and request id of an error response, as the protocol carries them.
///
/// Generated modeled error structs carry one; [`UnhandledError`] is nothing but one.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ErrorMetadata {
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    status: u16,
}

impl ErrorMetadata {
    /// Metadata with only an HTTP status.
    pub fn new(status: u16) -> Self {
        ErrorMetadata { status, ..Default::default() }
    }
    /// Sets the error code (shape name, e.g. `ThrottlingException`).
    #[must_use]
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }
    /// Sets the message.
    #[must_use]
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
    /// Sets the request id.
    #[must_use]
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }
    /// Error code (shape name without namespace), e.g. `ResourceNotFoundException`.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }
    /// Human-readable message sent by the service.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
    /// Request id sent by the service (quote it to AWS support).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
    /// HTTP status code of the response.
    pub fn status(&self) -> u16 {
        self.status
    }
}

/// The service's text [`Bounded`], as in `Display` (errors are often logged with `{:?}`).
impl fmt::Debug for ResponseMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseMeta")
            .field("status", &self.status)
            .field("request_id", &self.request_id.as_deref().map(Bounded::new))
            .finish()
    }
}

/// The service's text [`Bounded`], as in `Display` (errors are often logged with `{:?}`).
impl fmt::Debug for ErrorMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorMetadata")
            .field("code", &self.code.as_deref().map(Bounded::new))
            .field("message", &self.message.as_deref().map(Bounded::new))
            .field("request_id", &self.request_id.as_deref().map(Bounded::new))
            .field("status", &self.status)
            .finish()
    }
}

impl fmt::Display for ErrorMetadata {
    /// `<code> (HTTP <status>): <message> [request id <id>]`, leaving out what is unknown. The
    /// service's text is shown [`Bounded`] (escaped, cut after a few KB); the accessors give it
    /// whole.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_service_error(f, self.code().unwrap_or("unknown error"), self.message(), self, &[])
    }
}

/// Writes a service error in the one form modeled and unhandled errors share:
/// `<code> (HTTP <status>): <message> (<Member>: <value>, ...) [request id <id>]`, leaving out
/// what is unknown (an error built by hand, e.g. in a mock, has no status). `details` are the
/// modeled members that explain the error (such as `Reason`), printed with `Debug`, which
/// redacts `@sensitive` values.
#[doc(hidden)]
pub fn fmt_service_error(
    f: &mut fmt::Formatter<'_>,
    code: &str,
    message: Option<&str>,
    meta: &ErrorMetadata,
    details: &[(&str, &dyn fmt::Debug)],
) -> fmt::Result {
    // The service's text is escaped and cut after a few KB ([`Bounded`]); the accessors give it whole.
    write!(f, "{}", Bounded::new(code))?;
    if meta.status != 0 {
        write!(f, " (HTTP {})", meta.status)?;
    }
    if let Some(message) = message {
        write!(f, ": {}", Bounded::new(message))?;
    }
    for (i, (name, value)) in details.iter().enumerate() {
        let open = if i == 0 { " (" } else { ", " };
        write!(f, "{open}{name}: {}", Bounded::new(&format!("{value:?}")))?;
    }
    if !details.is_empty() {
        f.write_str(")")?;
    }
    if let Some(id) = meta.request_id() {
        write!(f, " [request id {}]", Bounded::new(id))?;
    }
    Ok(())
}

/// Names the operation an error belongs to; implemented by every generated operation error
/// enum, so that [`SdkError`]'s `Display` can say which call failed.
pub trait OperationError {
    /// The operation's name in the model, e.g. `StartWebRTCContact`; empty when the error is
    /// not tied to one operation.
    const OPERATION: &'static str;
}

impl OperationError for UnhandledError {
    const OPERATION: &'static str = "";
}

/// Gives access to the [`ErrorMetadata`] of a service error.
pub trait ProvideErrorMetadata {
    /// Code, message, request id and status of the error response.
    fn meta(&self) -> &ErrorMetadata;
    /// Shortcut for `self.meta().code()`.
    fn code(&self) -> Option<&str> {
        self.meta().code()
    }
    /// Shortcut for `self.meta().message()`.
    fn message(&self) -> Option<&str> {
        self.meta().message()
    }
}

impl ProvideErrorMetadata for ErrorMetadata {
    fn meta(&self) -> &ErrorMetadata {
        self
    }
}

/// An error response whose code the model does not list for the operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnhandledError {
    meta: ErrorMetadata,
}

impl UnhandledError {
    /// Wraps the metadata of an unmodeled error response.
    pub fn new(meta: ErrorMetadata) -> Self {
        UnhandledError { meta }
    }
    /// Code, message, request id and status.
    pub fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

impl fmt::Display for UnhandledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.meta, f)
    }
}

impl StdError for UnhandledError {}

impl ProvideErrorMetadata for UnhandledError {
    fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

/// Why a request could not be built and sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConstructionErrorKind {
    /// No credentials, or the credentials provider failed.
    Credentials,
    /// The endpoint rule set could not be parsed, or resolved to an error.
    Endpoint,
    /// The request could not be signed.
    Signing,
    /// The HTTP request was malformed (bad URI, header value, ...).
    Request,
}

/// The request could not be built (credentials, endpoint, signing); nothing was sent.
#[derive(Debug)]
pub struct ConstructionError {
    kind: ConstructionErrorKind,
    message: String,
    source: Option<BoxError>,
}

impl ConstructionError {
    /// A construction error with a message.
    pub fn new(kind: ConstructionErrorKind, message: impl Into<String>) -> Self {
        ConstructionError { kind, message: message.into(), source: None }
    }
    /// Attaches the underlying error.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }
    /// What failed.
    pub fn kind(&self) -> ConstructionErrorKind {
        self.kind
    }
}

impl fmt::Display for ConstructionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ConstructionErrorKind::Credentials => "no usable credentials",
            ConstructionErrorKind::Endpoint => "endpoint resolution failed",
            ConstructionErrorKind::Signing => "request signing failed",
            ConstructionErrorKind::Request => "request could not be built",
        };
        write!(f, "{what}: {}", self.message)
    }
}

impl StdError for ConstructionError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn StdError + 'static))
    }
}

/// Which time limit was hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// One attempt (send + receive the whole response) took too long; the call retried
    /// until attempts or retry quota ran out.
    Attempt,
    /// The whole call, retries and backoff included, took too long.
    Operation,
}

/// A time limit from [`TimeoutConfig`](crate::config::TimeoutConfig) was hit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeoutError {
    kind: TimeoutKind,
    after: Duration,
    attempts: u32,
}

impl TimeoutError {
    /// A timeout of `kind` after `after`, with `attempts` attempts made.
    pub fn new(kind: TimeoutKind, after: Duration, attempts: u32) -> Self {
        TimeoutError { kind, after, attempts }
    }
    /// Which limit.
    pub fn kind(&self) -> TimeoutKind {
        self.kind
    }
    /// The limit that was exceeded.
    pub fn after(&self) -> Duration {
        self.after
    }
    /// How many attempts had been started.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TimeoutKind::Attempt => {
                write!(f, "attempt timeout: no complete response within {:?} (attempt {})", self.after, self.attempts)
            }
            TimeoutKind::Operation => write!(
                f,
                "operation timeout: call did not finish within {:?} ({} attempt{} started)",
                self.after,
                self.attempts,
                if self.attempts == 1 { "" } else { "s" }
            ),
        }
    }
}

impl StdError for TimeoutError {}

/// How the connection failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// Could not connect (refused, DNS, connect timeout).
    Connect,
    /// TLS handshake or certificate failure.
    Tls,
    /// The connection broke while sending or receiving (reset, closed early).
    Io,
    /// The response body is larger than
    /// [`ConfigBuilder::max_response_body_size`](crate::config::ConfigBuilder::max_response_body_size)
    /// (declared in `Content-Length` or found while reading); the rest was not read. Not retried.
    ResponseTooLarge,
    /// An attempt failed in a way that is retried, but the request body is read once (a reader
    /// or stream, feature `streaming`) and cannot be sent again; the message says why the
    /// attempt failed.
    BodyNotReplayable,
    /// The proxy setting cannot be used (e.g. a `socks5://` proxy) or the proxy refused the
    /// CONNECT tunnel (e.g. `407 Proxy Authentication Required`). Not retried.
    Proxy,
    /// Anything else the transport reported.
    Other,
}

/// The request or response was lost on the way (connection refused/reset, TLS, I/O).
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    source: Option<BoxError>,
}

impl TransportError {
    /// A transport error with a message.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError { kind, message: message.into(), source: None }
    }
    /// Attaches the underlying error.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }
    /// What went wrong.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "connection failed",
            TransportErrorKind::Tls => "TLS failure",
            TransportErrorKind::Io => "connection broken",
            TransportErrorKind::ResponseTooLarge => "response too large",
            TransportErrorKind::BodyNotReplayable => "request body cannot be replayed",
            TransportErrorKind::Proxy => "proxy failure",
            TransportErrorKind::Other => "transport error",
        };
        write!(f, "{what}: {}", self.message)
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn StdError + 'static))
    }
}

/// The error of every generated operation; `E` is the operation's own (generated) error enum.
#[derive(Debug)]
#[non_exhaustive]
pub enum SdkError<E> {
    /// The service answered with an error response.
    Service {
        /// The operation's error (a modeled error or an unhandled one).
        error: E,
        /// Status and request id of the response.
        meta: ResponseMeta,
    },
    /// The input broke a constraint of the model; nothing was sent.
    Validation(ValidationError),
    /// The request could not be built (credentials, endpoint, signing); nothing was sent.
    Construction(ConstructionError),
    /// An attempt or the whole operation ran out of time.
    Timeout(TimeoutError),
    /// The connection failed (after retries).
    Transport(TransportError),
    /// The service answered, but the response could not be read.
    ResponseParse {
        /// What was wrong with the response.
        error: ParseError,
        /// Status and request id of the response.
        meta: ResponseMeta,
    },
}

impl<E> SdkError<E> {
    /// The service's request id, when the error came with a response.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            SdkError::Service { meta, .. } | SdkError::ResponseParse { meta, .. } => meta.request_id(),
            _ => None,
        }
    }
    /// Status and request id, when the error came with a response.
    pub fn response_meta(&self) -> Option<&ResponseMeta> {
        match self {
            SdkError::Service { meta, .. } | SdkError::ResponseParse { meta, .. } => Some(meta),
            _ => None,
        }
    }
    /// The service error, if this is one.
    pub fn as_service_error(&self) -> Option<&E> {
        match self {
            SdkError::Service { error, .. } => Some(error),
            _ => None,
        }
    }
    /// The service error, if this is one.
    pub fn into_service_error(self) -> Option<E> {
        match self {
            SdkError::Service { error, .. } => Some(error),
            _ => None,
        }
    }
    /// Whether an attempt or the operation timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, SdkError::Timeout(_))
    }
    /// Converts the service error type (e.g. into a common error enum).
    pub fn map_service_error<F>(self, f: impl FnOnce(E) -> F) -> SdkError<F> {
        match self {
            SdkError::Service { error, meta } => SdkError::Service { error: f(error), meta },
            SdkError::Validation(e) => SdkError::Validation(e),
            SdkError::Construction(e) => SdkError::Construction(e),
            SdkError::Timeout(e) => SdkError::Timeout(e),
            SdkError::Transport(e) => SdkError::Transport(e),
            SdkError::ResponseParse { error, meta } => SdkError::ResponseParse { error, meta },
        }
    }
}

/// `<Operation>: <what failed>`, e.g. `GetThing: service returned an error: ThingNotFound (HTTP
/// 404): no such thing [request id r-1]`.
impl<E: fmt::Display + OperationError> fmt::Display for SdkError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !E::OPERATION.is_empty() {
            write!(f, "{}: ", E::OPERATION)?;
        }
        match self {
            SdkError::Service { error, .. } => write!(f, "service returned an error: {error}"),
            SdkError::Validation(e) => write!(f, "invalid input, request not sent: {e}"),
            SdkError::Construction(e) => write!(f, "request not sent: {e}"),
            SdkError::Timeout(e) => write!(f, "{e}"),
            SdkError::Transport(e) => write!(f, "{e}"),
            SdkError::ResponseParse { error, meta } => {
                write!(f, "could not read the response (HTTP {}", meta.status())?;
                if let Some(id) = meta.request_id() {
                    write!(f, ", request id {}", Bounded::new(id))?;
                }
                write!(f, "): {error}")
            }
        }
    }
}

/// `Display` already includes the inner error's text, so `source()` continues the chain below
/// it (an I/O error under a transport error, say) instead of repeating it.
impl<E: StdError + OperationError + 'static> StdError for SdkError<E> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            SdkError::Service { error, .. } => error.source(),
            SdkError::Validation(e) => e.source(),
            SdkError::Construction(e) => e.source(),
            SdkError::Timeout(e) => e.source(),
            SdkError::Transport(e) => e.source(),
            SdkError::ResponseParse { error, .. } => error.source(),
        }
    }
}

impl<E> From<ValidationError> for SdkError<E> {
    fn from(e: ValidationError) -> Self {
        SdkError::Validation(e)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn error_chains_do_not_repeat_messages() {
        use std::error::Error as _;
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "connection reset by peer");
        let err: SdkError<UnhandledError> =
            SdkError::Transport(TransportError::new(TransportErrorKind::Io, "connection broke").with_source(io));
        let mut chain = vec![err.to_string()];
        let mut next = err.source();
        while let Some(e) = next {
            chain.push(e.to_string());
            next = e.source();
        }
        assert_eq!(chain.len(), 2, "{chain:?}");
        assert!(chain[0].contains("connection broke"), "{chain:?}");
        assert_eq!(chain[1], "connection reset by peer");
        let service: SdkError<UnhandledError> = SdkError::Service {
            error: UnhandledError::new(ErrorMetadata::new(403).with_code("AccessDenied")),
            meta: ResponseMeta::new(403, None),
        };
        assert!(service.to_string().contains("AccessDenied"));
        assert!(service.source().is_none(), "the service error's text is already in Display");
    }

    use super::*;

    #[test]
    fn debug_bounds_server_text_too() {
        let meta = ErrorMetadata::new(400).with_code("C".repeat(1 << 20)).with_message("a\nb").with_request_id("r");
        let shown = format!("{meta:?}");
        assert!(shown.len() < 4 << 10, "{}", shown.len());
        assert!(shown.contains(r#"message: Some("a\nb")"#), "{shown}");
        let response = ResponseMeta::new(500, Some("R".repeat(1 << 20)));
        assert!(format!("{response:?}").len() < 4 << 10);
        assert_eq!(meta.code().map(str::len), Some(1 << 20));
    }

    #[test]
    fn metadata_display_names_everything_known() {
        let meta = ErrorMetadata::new(429)
            .with_code("ThrottlingException")
            .with_message("Rate exceeded")
            .with_request_id("abc-123");
        assert_eq!(
            UnhandledError::new(meta).to_string(),
            "ThrottlingException (HTTP 429): Rate exceeded [request id abc-123]"
        );
        assert_eq!(ErrorMetadata::new(500).to_string(), "unknown error (HTTP 500)");
    }

    #[test]
    fn sdk_error_display_and_accessors() {
        let err: SdkError<UnhandledError> = SdkError::Service {
            error: UnhandledError::new(ErrorMetadata::new(400).with_code("Nope")),
            meta: ResponseMeta::new(400, Some("rid".into())),
        };
        assert_eq!(err.request_id(), Some("rid"));
        assert_eq!(err.to_string(), "service returned an error: Nope (HTTP 400)");
        // Display already carries the service error's text; source() does not repeat it, and
        // the typed error stays reachable through as_service_error().
        assert!(StdError::source(&err).is_none());
        assert!(err.as_service_error().is_some());
        assert_eq!(err.into_service_error().unwrap().meta().code(), Some("Nope"));

        let t: SdkError<UnhandledError> =
            SdkError::Timeout(TimeoutError::new(TimeoutKind::Attempt, Duration::from_millis(250), 3));
        assert!(t.to_string().contains("attempt timeout"), "{t}");
        assert!(t.to_string().contains("250ms"), "{t}");
        assert!(t.request_id().is_none());
        assert!(t.into_service_error().is_none());
    }
}
