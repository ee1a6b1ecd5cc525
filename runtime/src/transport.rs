//! Sending HTTP requests: the [`HttpTransport`] trait, the default hyper + rustls transport, and
//! [`StubTransport`] for tests.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;

pub use crate::error::{TransportError, TransportErrorKind};

/// Put on every request's extensions by the client: the most response-body bytes the caller
/// accepts (from [`ConfigBuilder::max_response_body_size`](crate::config::ConfigBuilder::max_response_body_size)).
/// Transports should refuse a larger `Content-Length` before reading and stop reading at the
/// limit, with [`TransportErrorKind::ResponseTooLarge`]; the client checks the length of what a
/// transport returns in any case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponseBodyLimit(pub u64);

impl ResponseBodyLimit {
    /// The error for a body over the limit; `declared` is the response's `Content-Length`.
    pub fn exceeded(self, status: http::StatusCode, declared: Option<u64>) -> TransportError {
        let what = match declared {
            Some(n) => format!("Content-Length {n} is"),
            None => "the body is".to_owned(),
        };
        TransportError::new(
            TransportErrorKind::ResponseTooLarge,
            format!(
                "HTTP {} response: {what} over the limit of {} bytes; raise it with Config::builder().max_response_body_size(..)",
                status.as_u16(),
                self.0
            ),
        )
    }

    /// Checks a response's declared `Content-Length` against the limit.
    pub fn check_declared<B>(self, response: &http::Response<B>) -> Result<(), TransportError> {
        let declared = response
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        match declared {
            Some(n) if n > self.0 => Err(self.exceeded(response.status(), Some(n))),
            _ => Ok(()),
        }
    }
}

/// A boxed, `Send` future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends one HTTP request and reads the whole response.
///
/// A [`ResponseBodyLimit`] in the request's extensions bounds the body to read.
/// The request URI is absolute (`https://host/path?query`). `timeout` is the attempt timeout;
/// the runtime enforces it around `send` in any case, so implementations may ignore it.
pub trait HttpTransport: Send + Sync + fmt::Debug {
    /// Sends `request` and returns the response with its complete body.
    fn send(
        &self,
        request: http::Request<Bytes>,
        timeout: Option<Duration>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>>;

    /// Sends `request` with a body that is read as it is sent, and returns the response as soon
    /// as its head has arrived, the body unread (feature `streaming`). No
    /// [`ResponseBodyLimit`] applies: the caller reads the body at its own pace.
    ///
    /// The default gathers the request body in memory and calls [`send`](Self::send) (right
    /// for in-memory transports such as [`StubTransport`]); [`HyperTransport`] streams both ways.
    #[cfg(feature = "streaming")]
    fn send_streaming(
        &self,
        request: http::Request<crate::body::ByteStream>,
        timeout: Option<Duration>,
    ) -> BoxFuture<'_, Result<http::Response<crate::body::ByteStream>, TransportError>> {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let body = body
                .collect(u64::MAX)
                .await
                .map_err(|e| TransportError::new(TransportErrorKind::Io, format!("reading the request body: {e}")))?;
            let response = self.send(http::Request::from_parts(parts, body), timeout).await?;
            Ok(response.map(crate::body::ByteStream::from))
        })
    }
}

/// The hyper client's request body: whole bytes, or (feature `streaming`) a body read as it is sent.
#[cfg(feature = "streaming")]
type RequestBody = http_body_util::Either<http_body_util::Full<Bytes>, crate::body::ByteStream>;
#[cfg(not(feature = "streaming"))]
type RequestBody = http_body_util::Full<Bytes>;

fn full_body(body: Bytes) -> RequestBody {
    #[cfg(feature = "streaming")]
    return http_body_util::Either::Left(http_body_util::Full::new(body));
    #[cfg(not(feature = "streaming"))]
    http_body_util::Full::new(body)
}

type HyperClient =
    hyper_util::client::legacy::Client<hyper_rustls::HttpsConnector<crate::proxy::ProxyConnector>, RequestBody>;

/// The default transport: hyper 1 (HTTP/1.1; with the feature `http2`, requests marked
/// `Version::HTTP_2` go over HTTP/2) with a connection pool (keep-alive), rustls with
/// the `ring` provider and the Mozilla (webpki) root certificates. `http://` works too, for
/// local test servers. Optionally through HTTP(S) proxies ([`HyperTransport::with_proxy`]; the
/// [`Config`](crate::Config)'s default transport uses the configured or environment's proxies).
///
/// Needs a Tokio runtime when sending.
#[derive(Clone)]
pub struct HyperTransport {
    client: HyperClient,
    /// HTTP/2 only (feature `http2`): for requests whose version is `HTTP/2`.
    #[cfg(feature = "http2")]
    h2: HyperClient,
    proxy: Option<Arc<crate::proxy::Router>>,
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("HyperTransport");
        if let Some(proxy) = &self.proxy {
            d.field("proxy", proxy);
        }
        d.finish_non_exhaustive()
    }
}

impl HyperTransport {
    /// A transport whose TCP connects give up after `connect_timeout`; no proxy.
    pub fn new(connect_timeout: Option<Duration>) -> Self {
        Self::with_proxy(connect_timeout, &crate::proxy::ProxyConfig::disabled())
    }

    /// A transport that uses `proxy` (see [`crate::proxy`]).
    pub fn with_proxy(connect_timeout: Option<Duration>, proxy: &crate::proxy::ProxyConfig) -> Self {
        let tls = || {
            hyper_rustls::HttpsConnectorBuilder::new()
                .with_provider_and_webpki_roots(Arc::new(rustls::crypto::ring::default_provider()))
                .expect("ring supports the default TLS versions")
        };
        Self::build(tls, connect_timeout, proxy)
    }

    /// A transport with your own TLS settings, e.g. a root store with a corporate CA whose
    /// proxy inspects TLS, and `proxy`. Certificates are verified as `tls` says.
    pub fn with_tls_config(
        tls: rustls::ClientConfig,
        connect_timeout: Option<Duration>,
        proxy: &crate::proxy::ProxyConfig,
    ) -> Self {
        Self::build(|| hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls.clone()), connect_timeout, proxy)
    }

    /// `tls` makes the TLS connector builder (one per client: HTTP/1.1, and HTTP/2 with the
    /// feature `http2`).
    fn build(
        tls: impl Fn() -> hyper_rustls::HttpsConnectorBuilder<hyper_rustls::builderstates::WantsSchemes>,
        connect_timeout: Option<Duration>,
        proxy: &crate::proxy::ProxyConfig,
    ) -> Self {
        let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(connect_timeout);
        http.set_nodelay(true);
        let router = proxy.router();
        let tcp = crate::proxy::ProxyConnector::new(http, router.clone());
        let https = tls().https_or_http().enable_http1().wrap_connector(tcp.clone());
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_timer(hyper_util::rt::TokioTimer::new())
            .build(https);
        // ALPN offers only `h2` over TLS; plain `http://` (local servers) speaks HTTP/2 at once
        // (prior knowledge).
        #[cfg(feature = "http2")]
        let h2 = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_timer(hyper_util::rt::TokioTimer::new())
            .http2_only(true)
            .build(tls().https_or_http().enable_http2().wrap_connector(tcp));
        HyperTransport {
            client,
            #[cfg(feature = "http2")]
            h2,
            proxy: router,
        }
    }

    /// The client for `request`: HTTP/2 for requests marked `Version::HTTP_2` (feature `http2`).
    fn client_for<B>(&self, request: &http::Request<B>) -> Result<&HyperClient, TransportError> {
        if request.version() != http::Version::HTTP_2 {
            return Ok(&self.client);
        }
        #[cfg(feature = "http2")]
        return Ok(&self.h2);
        #[cfg(not(feature = "http2"))]
        Err(TransportError::new(
            TransportErrorKind::Other,
            "this request needs HTTP/2, and the runtime was built without its `http2` feature",
        ))
    }
}

impl Default for HyperTransport {
    fn default() -> Self {
        Self::new(Some(crate::config::TimeoutConfig::DEFAULT_CONNECT))
    }
}

fn is_tls_error(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err.is::<rustls::Error>() {
            return true;
        }
        // tokio-rustls reports rustls errors inside an io::Error (which hyper-rustls wraps in
        // another one), and io::Error::source skips its payload: look inside.
        if let Some(inner) = err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            if is_tls_error(inner) {
                return true;
            }
        }
        cur = err.source();
    }
    false
}

fn classify_hyper_error(e: hyper_util::client::legacy::Error) -> TransportError {
    let text = error_chain_text(&e);
    let kind = if let Some(proxy) = crate::proxy::find_proxy_error(&e) {
        if proxy.retryable {
            TransportErrorKind::Connect
        } else {
            TransportErrorKind::Proxy
        }
    } else if is_tls_error(&e) {
        TransportErrorKind::Tls
    } else if e.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Io
    };
    // The message already holds the whole chain: a source would repeat it.
    TransportError::new(kind, text)
}

fn error_chain_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        cur = s.source();
    }
    text
}

/// The message holds the whole error chain's text, so no `source()` repeats it.
fn body_read_error(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> TransportError {
    let e = e.into();
    TransportError::new(TransportErrorKind::Io, format!("reading the response body: {}", error_chain_text(&*e)))
}

impl HttpTransport for HyperTransport {
    fn send(
        &self,
        request: http::Request<Bytes>,
        _timeout: Option<Duration>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        Box::pin(async move {
            use http_body_util::BodyExt;
            let (mut parts, body) = request.into_parts();
            if let Some(proxy) = &self.proxy {
                proxy.authorize(&mut parts);
            }
            let limit = parts.extensions.get::<ResponseBodyLimit>().copied();
            // Hyper reads none of the client's extensions, and its connection task (maybe on
            // another thread) would free them: they are dropped here, where they were made.
            drop(std::mem::take(&mut parts.extensions));
            let request = http::Request::from_parts(parts, full_body(body));
            let response = self.client_for(&request)?.request(request).await.map_err(classify_hyper_error)?;
            let Some(limit) = limit else {
                let (parts, body) = response.into_parts();
                let body = body.collect().await.map_err(body_read_error)?;
                return Ok(http::Response::from_parts(parts, body.to_bytes()));
            };
            // Refused before reading (dropping the body closes the connection).
            limit.check_declared(&response)?;
            let (parts, body) = response.into_parts();
            let limited = http_body_util::Limited::new(body, usize::try_from(limit.0).unwrap_or(usize::MAX));
            let body = limited.collect().await.map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    limit.exceeded(parts.status, None)
                } else {
                    body_read_error(e)
                }
            })?;
            Ok(http::Response::from_parts(parts, body.to_bytes()))
        })
    }

    #[cfg(feature = "streaming")]
    fn send_streaming(
        &self,
        request: http::Request<crate::body::ByteStream>,
        _timeout: Option<Duration>,
    ) -> BoxFuture<'_, Result<http::Response<crate::body::ByteStream>, TransportError>> {
        Box::pin(async move {
            let request = request.map(http_body_util::Either::Right);
            let response = self.client_for(&request)?.request(request).await.map_err(classify_hyper_error)?;
            Ok(response.map(crate::body::ByteStream::from_body))
        })
    }
}

/// A request as [`StubTransport`] saw it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: http::Method,
    /// Absolute URI.
    pub uri: http::Uri,
    /// All headers, signature included.
    pub headers: http::HeaderMap,
    /// The body.
    pub body: Bytes,
    /// The request's extensions, e.g. the [`ResolvedEndpoint`](crate::ResolvedEndpoint).
    pub extensions: http::Extensions,
}

impl RecordedRequest {
    /// A header value as text (`None` if absent or not UTF-8).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// The body as text (lossy).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

enum Scripted {
    Response(http::Response<Bytes>),
    Error(TransportError),
    Stall,
}

#[derive(Default)]
struct StubState {
    script: VecDeque<Scripted>,
    requests: Vec<RecordedRequest>,
}

/// An in-memory transport for tests: answers each request with the next scripted response (or
/// error), records every request it is sent. No sockets, no Tokio I/O.
///
/// Clones share the script and the record, so keep one clone to inspect after handing one to
/// the [`Config`](crate::config::Config).
///
/// ```
/// use awslim_runtime::transport::StubTransport;
/// let stub = StubTransport::new();
/// stub.push_json(503, "{}").push_json(200, r#"{"ok":true}"#);
/// ```
#[derive(Clone, Default)]
pub struct StubTransport {
    state: Arc<Mutex<StubState>>,
}

impl fmt::Debug for StubTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.lock();
        f.debug_struct("StubTransport").field("scripted", &s.script.len()).field("sent", &s.requests.len()).finish()
    }
}

impl StubTransport {
    /// An empty script.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StubState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a response.
    pub fn push_response(&self, response: http::Response<Bytes>) -> &Self {
        self.lock().script.push_back(Scripted::Response(response));
        self
    }

    /// Queues a JSON response with `status` and `body` (with `Content-Type: application/json`
    /// and an `x-amzn-RequestId`).
    pub fn push_json(&self, status: u16, body: &str) -> &Self {
        let response = http::Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .header("x-amzn-requestid", format!("stub-request-{}", self.lock().script.len() + 1))
            .body(Bytes::copy_from_slice(body.as_bytes()))
            .expect("valid stub response");
        self.push_response(response)
    }

    /// Queues a transport error.
    pub fn push_error(&self, error: TransportError) -> &Self {
        self.lock().script.push_back(Scripted::Error(error));
        self
    }

    /// Queues an answer that never comes (to test timeouts).
    pub fn push_stall(&self) -> &Self {
        self.lock().script.push_back(Scripted::Stall);
        self
    }

    /// Every request sent so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    /// Every request sent so far, removing them from the record.
    pub fn take_requests(&self) -> Vec<RecordedRequest> {
        std::mem::take(&mut self.lock().requests)
    }

    /// How many scripted answers are left.
    pub fn remaining(&self) -> usize {
        self.lock().script.len()
    }
}

impl HttpTransport for StubTransport {
    fn send(
        &self,
        request: http::Request<Bytes>,
        _timeout: Option<Duration>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        let next = {
            let mut s = self.lock();
            let (parts, body) = request.into_parts();
            s.requests.push(RecordedRequest {
                method: parts.method,
                uri: parts.uri,
                headers: parts.headers,
                body,
                extensions: parts.extensions,
            });
            s.script.pop_front()
        };
        Box::pin(async move {
            match next {
                Some(Scripted::Response(r)) => Ok(r),
                Some(Scripted::Error(e)) => Err(e),
                Some(Scripted::Stall) => std::future::pending().await,
                None => Err(TransportError::new(TransportErrorKind::Other, "StubTransport: no scripted response left")),
            }
        })
    }
}
