//! HTTP(S) proxies for the default transport ([`HyperTransport`](crate::HyperTransport)).
//!
//! [`ProxyConfig`] says which proxy to use: from the environment (`HTTPS_PROXY`/`https_proxy`
//! for `https://` destinations, `HTTP_PROXY`/`http_proxy` for `http://` ones, `ALL_PROXY`/
//! `all_proxy` for both when the specific one is unset, `NO_PROXY`/`no_proxy` for the
//! exceptions; upper case first) or set in code with
//! [`ConfigBuilder::proxy`](crate::ConfigBuilder::proxy), which overrides the environment.
//! Matching (`NO_PROXY` domains and their subdomains, IP addresses and networks, `*`) and the
//! CONNECT handshake are hyper-util's (`client::proxy::matcher`, `connect::proxy::Tunnel`).
//!
//! - `https://` destinations go through a CONNECT tunnel; TLS runs inside it, end to end with
//!   the destination, verified as without a proxy (the proxy sees only the host name and port).
//! - `http://` destinations are sent to the proxy with the absolute URI in the request line.
//! - Credentials in the proxy URL (`http://user:pass@proxy:3128`, percent-encoded) are sent as
//!   `Proxy-Authorization: Basic ...` (marked sensitive), never shown in `Debug` or errors.
//! - Loopback destinations (`localhost`, `127.0.0.0/8`, `::1`) never go through a proxy (as Go's
//!   `net/http`): plain `http://` is allowed to them only because it stays on the machine.
//! - Only `http://` proxy URLs (or `host:port`) are supported; any other scheme (`https://`,
//!   `socks5://`) makes requests that would use it fail with
//!   [`TransportErrorKind::Proxy`](crate::error::TransportErrorKind::Proxy) naming the setting,
//!   rather than silently bypassing the proxy.
//! - In a CGI program (`REQUEST_METHOD` set) the environment's proxies are ignored: the
//!   `Proxy` request header would arrive as `HTTP_PROXY` ("httpoxy").

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Clone)]
struct Setting {
    url: String,
    /// Where it came from (a variable name or the `ProxyConfig` method), for errors.
    from: &'static str,
}

impl fmt::Debug for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} (from {})", redact(&self.url), self.from)
    }
}

/// The URL with any user info replaced by `***`.
fn redact(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (&url[..s.len() + 3], r),
        None => ("", url),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}***@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// Which proxies the default transport uses (see the module docs). `Debug` hides credentials.
#[derive(Clone, Default)]
pub struct ProxyConfig {
    http: Option<Setting>,
    https: Option<Setting>,
    no_proxy: Option<String>,
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("http", &self.http)
            .field("https", &self.https)
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

impl ProxyConfig {
    /// No proxy: every request goes directly to its destination.
    pub fn disabled() -> Self {
        Self::default()
    }

    /// From the process environment (read now).
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// From a custom variable lookup (for tests, or another source of settings).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        if var("REQUEST_METHOD").is_some() {
            return Self::disabled();
        }
        let first = |names: &[&'static str]| {
            names.iter().find_map(|&name| {
                let value = var(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())?;
                Some(Setting { url: value, from: name })
            })
        };
        let all = first(&["ALL_PROXY", "all_proxy"]);
        ProxyConfig {
            http: first(&["HTTP_PROXY", "http_proxy"]).or_else(|| all.clone()),
            https: first(&["HTTPS_PROXY", "https_proxy"]).or(all),
            no_proxy: first(&["NO_PROXY", "no_proxy"]).map(|s| s.url),
        }
    }

    /// One proxy for `http://` and `https://` destinations, e.g. `http://user:pass@proxy:3128`.
    pub fn all(url: impl Into<String>) -> Self {
        let url = url.into();
        let setting = |url: String| Some(Setting { url, from: "ProxyConfig::all" });
        ProxyConfig { http: setting(url.clone()), https: setting(url), no_proxy: None }
    }

    /// The proxy for `http://` destinations.
    #[must_use]
    pub fn http(mut self, url: impl Into<String>) -> Self {
        self.http = Some(Setting { url: url.into(), from: "ProxyConfig::http" });
        self
    }

    /// The proxy for `https://` destinations (reached through a CONNECT tunnel).
    #[must_use]
    pub fn https(mut self, url: impl Into<String>) -> Self {
        self.https = Some(Setting { url: url.into(), from: "ProxyConfig::https" });
        self
    }

    /// Destinations reached directly: comma-separated host names (each also matching its
    /// subdomains; a leading dot is optional), IP addresses, networks (`10.0.0.0/8`), or `*`.
    #[must_use]
    pub fn no_proxy(mut self, list: impl Into<String>) -> Self {
        self.no_proxy = Some(list.into());
        self
    }

    /// Whether any proxy is set.
    pub fn is_enabled(&self) -> bool {
        self.http.is_some() || self.https.is_some()
    }

    /// The routing the transport uses; `None` when no proxy is set.
    pub(crate) fn router(&self) -> Option<Arc<Router>> {
        self.is_enabled().then(|| Arc::new(Router::new(self)))
    }
}

/// Checks a proxy URL: `http://host[:port]` (user info allowed) or `host[:port]`.
fn check(setting: &Setting) -> Result<String, String> {
    let invalid = |why: &str| format!("the proxy `{}` from {} {why}", redact(&setting.url), setting.from);
    let uri: http::Uri = setting.url.parse().map_err(|_| invalid("is not a URL"))?;
    match uri.scheme_str() {
        None | Some("http") => {}
        Some(_) => {
            return Err(invalid(
                "is not supported: only http:// proxies are (https:// destinations still get TLS end to end \
                 through a CONNECT tunnel)",
            ))
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(invalid("has no host"));
    }
    Ok(setting.url.clone())
}

/// How one destination is reached.
pub(crate) enum Route {
    Direct,
    /// `https://`: CONNECT through the proxy, TLS inside.
    Tunnel(Intercept),
    /// `http://`: the request goes to the proxy in absolute form.
    Forward(Intercept),
}

/// The routing of a [`ProxyConfig`]: hyper-util's matcher plus the checks above.
pub(crate) struct Router {
    config: ProxyConfig,
    matcher: Matcher,
    /// Matches every destination that `NO_PROXY` does not exclude.
    not_excluded: Matcher,
    http_error: Option<String>,
    https_error: Option<String>,
}

impl fmt::Debug for Router {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.config.fmt(f)
    }
}

impl Router {
    fn new(config: &ProxyConfig) -> Router {
        let checked = |s: &Option<Setting>| match s.as_ref().map(check) {
            None => (String::new(), None),
            Some(Ok(url)) => (url, None),
            Some(Err(e)) => (String::new(), Some(e)),
        };
        let (http, http_error) = checked(&config.http);
        let (https, https_error) = checked(&config.https);
        let no = config.no_proxy.clone().unwrap_or_default();
        Router {
            config: config.clone(),
            matcher: Matcher::builder().http(http).https(https).no(no.clone()).build(),
            not_excluded: Matcher::builder().all("http://proxy.invalid").no(no).build(),
            http_error,
            https_error,
        }
    }

    /// Where `dst` goes.
    pub(crate) fn route(&self, dst: &http::Uri) -> Result<Route, ProxyError> {
        if dst.host().is_none_or(crate::endpoint_guard::is_loopback) || self.not_excluded.intercept(dst).is_none() {
            return Ok(Route::Direct);
        }
        let https = dst.scheme() == Some(&http::uri::Scheme::HTTPS);
        if let Some(e) = if https { &self.https_error } else { &self.http_error } {
            return Err(ProxyError { message: e.clone(), retryable: false });
        }
        Ok(match self.matcher.intercept(dst) {
            None => Route::Direct,
            Some(proxy) if https => Route::Tunnel(proxy),
            Some(proxy) => Route::Forward(proxy),
        })
    }

    /// `Proxy-Authorization` for a plain-HTTP request that goes to the proxy (the tunnel sends
    /// its own with the CONNECT request).
    pub(crate) fn authorize(&self, parts: &mut http::request::Parts) {
        if let Ok(Route::Forward(proxy)) = self.route(&parts.uri) {
            if let Some(auth) = proxy.basic_auth() {
                let mut auth = auth.clone();
                auth.set_sensitive(true);
                parts.headers.insert(http::header::PROXY_AUTHORIZATION, auth);
            }
        }
    }
}

/// A failure of the proxy setting or of the proxy (never holds credentials).
#[derive(Debug)]
pub(crate) struct ProxyError {
    message: String,
    /// The proxy could not be reached (worth a retry), rather than refused or misconfigured.
    pub(crate) retryable: bool,
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProxyError {}

fn proxy_failure(proxy: &Intercept, what: &str, e: &(dyn std::error::Error + 'static)) -> ProxyError {
    // Intercept::uri has no user info.
    let mut message = format!("proxy {}: {what}: {e}", proxy.uri());
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    ProxyError { message, retryable: e.source().is_some() }
}

/// The TCP connector of the default transport: straight to the destination, to the proxy, or
/// through a CONNECT tunnel (TLS is added above it by hyper-rustls, so it runs end to end).
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    http: HttpConnector,
    router: Option<Arc<Router>>,
}

impl ProxyConnector {
    pub(crate) fn new(http: HttpConnector, router: Option<Arc<Router>>) -> Self {
        ProxyConnector { http, router }
    }
}

impl tower_service::Service<http::Uri> for ProxyConnector {
    type Response = ProxyStream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<ProxyStream, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: http::Uri) -> Self::Future {
        let route = self.router.as_ref().map_or(Ok(Route::Direct), |r| r.route(&dst));
        let mut http = self.http.clone();
        Box::pin(async move {
            match route? {
                Route::Direct => Ok(ProxyStream { io: http.call(dst).await?, proxied: false }),
                Route::Forward(proxy) => {
                    let io = http
                        .call(proxy.uri().clone())
                        .await
                        .map_err(|e| proxy_failure(&proxy, "could not connect", &e))?;
                    Ok(ProxyStream { io, proxied: true })
                }
                Route::Tunnel(proxy) => {
                    let mut tunnel = Tunnel::new(proxy.uri().clone(), http);
                    if let Some(auth) = proxy.basic_auth() {
                        tunnel = tunnel.with_auth(auth.clone());
                    }
                    let io = tunnel.call(dst).await.map_err(|e| proxy_failure(&proxy, "CONNECT tunnel failed", &e))?;
                    Ok(ProxyStream { io, proxied: false })
                }
            }
        })
    }
}

/// A TCP connection, marked as going to an HTTP proxy (so hyper sends absolute URIs) when it
/// carries plain-HTTP requests to a proxy.
pub(crate) struct ProxyStream {
    io: TokioIo<TcpStream>,
    proxied: bool,
}

impl Connection for ProxyStream {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.proxied)
    }
}

impl hyper::rt::Read for ProxyStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for ProxyStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}

/// The proxy failure in an error's chain, if any.
pub(crate) fn find_proxy_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a ProxyError> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(p) = err.downcast_ref::<ProxyError>() {
            return Some(p);
        }
        cur = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(config: &ProxyConfig, uri: &str) -> &'static str {
        match config.router().expect("enabled").route(&uri.parse().unwrap()) {
            Ok(Route::Direct) => "direct",
            Ok(Route::Tunnel(_)) => "tunnel",
            Ok(Route::Forward(_)) => "forward",
            Err(_) => "error",
        }
    }

    fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn environment_variables_and_no_proxy() {
        let c = ProxyConfig::from_vars(vars(&[
            ("https_proxy", "http://user:p%40ss@proxy.corp:3128"),
            ("HTTP_PROXY", "proxy.corp:8080"),
            ("NO_PROXY", ".internal.example, 10.0.0.0/8,169.254.169.254"),
        ]));
        assert_eq!(route(&c, "https://connect.us-west-2.amazonaws.com/"), "tunnel");
        assert_eq!(route(&c, "http://service.example/"), "forward");
        assert_eq!(route(&c, "https://api.internal.example/"), "direct", "subdomain of a NO_PROXY entry");
        assert_eq!(route(&c, "https://internal.example/"), "direct");
        assert_eq!(route(&c, "https://notinternal.example/"), "tunnel");
        assert_eq!(route(&c, "http://10.1.2.3/"), "direct", "network");
        assert_eq!(route(&c, "http://169.254.169.254/"), "direct");
        for loopback in ["http://127.0.0.1:8080/", "https://localhost/", "http://[::1]:80/", "http://127.9.9.9/"] {
            assert_eq!(route(&c, loopback), "direct", "{loopback}: loopback never goes through a proxy");
        }
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("p%40ss") && !dbg.contains("user"), "{dbg}");
        assert!(dbg.contains("***@proxy.corp:3128") && dbg.contains("https_proxy"), "{dbg}");

        let all = ProxyConfig::from_vars(vars(&[("ALL_PROXY", "http://p:1"), ("HTTPS_PROXY", "http://s:2")]));
        assert_eq!(format!("{:?}", all.https), "Some(\"http://s:2\" (from HTTPS_PROXY))");
        assert_eq!(format!("{:?}", all.http), "Some(\"http://p:1\" (from ALL_PROXY))");
        assert!(!ProxyConfig::from_vars(vars(&[("NO_PROXY", "*")])).is_enabled());
        let cgi = ProxyConfig::from_vars(vars(&[("REQUEST_METHOD", "GET"), ("HTTP_PROXY", "http://evil:1")]));
        assert!(!cgi.is_enabled(), "httpoxy");
        let star = ProxyConfig::all("http://proxy:1").no_proxy("*");
        assert_eq!(route(&star, "https://anything.example/"), "direct");
    }

    #[test]
    fn unsupported_proxies_fail_closed_naming_the_setting_without_credentials() {
        let c = ProxyConfig::from_vars(vars(&[
            ("HTTPS_PROXY", "socks5://u:secret@proxy:1080"),
            ("NO_PROXY", "ok.example"),
        ]));
        let router = c.router().unwrap();
        let Err(e) = router.route(&"https://x.example/".parse().unwrap()) else { panic!("must fail") };
        let text = e.to_string();
        assert!(text.contains("HTTPS_PROXY") && text.contains("only http:// proxies"), "{text}");
        assert!(!text.contains("secret") && !text.contains("u:"), "{text}");
        assert!(!e.retryable);
        assert_eq!(route(&c, "https://ok.example/"), "direct", "NO_PROXY still applies");
        assert_eq!(route(&c, "http://x.example/"), "direct", "no proxy set for http://");
    }

    #[test]
    fn plain_http_through_a_proxy_gets_proxy_authorization() {
        let router = ProxyConfig::all("http://Aladdin:open%20sesame@proxy:3128").router().unwrap();
        let (mut parts, ()) = http::Request::get("http://service.example/x").body(()).unwrap().into_parts();
        router.authorize(&mut parts);
        let auth = &parts.headers[http::header::PROXY_AUTHORIZATION];
        assert_eq!(auth, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert!(auth.is_sensitive());
        let (mut tls, ()) = http::Request::get("https://service.example/x").body(()).unwrap().into_parts();
        router.authorize(&mut tls);
        assert!(tls.headers.get(http::header::PROXY_AUTHORIZATION).is_none(), "sent on the CONNECT only");
    }
}
