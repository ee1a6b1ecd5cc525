//! HTTP(S) proxies with the default hyper transport, against a small CONNECT proxy on
//! 127.0.0.1 (a Tokio task that records what it is asked and tunnels to a local TLS server, or
//! answers plain-HTTP requests itself) and a TLS server whose certificate (for
//! `service.proxied.test`) is signed by a test CA (`tests/fixtures/proxy-tls`, test-only keys).
//! No name is ever resolved: the proxy gets the host name.

mod reference_operation;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use awslim_runtime::error::TransportErrorKind;
use awslim_runtime::{Config, ConfigBuilder, Credentials, HyperTransport, ProxyConfig, RetryConfig, SdkError};
use reference_operation::{Client, StartThingInput};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

const CA: &[u8] = include_bytes!("fixtures/proxy-tls/ca.pem");
const CERT: &[u8] = include_bytes!("fixtures/proxy-tls/server.pem");
const KEY: &[u8] = include_bytes!("fixtures/proxy-tls/server.key");

type Log = Arc<Mutex<Vec<String>>>;

/// Reads one request (head and `Content-Length` body); `None` at the end of the stream.
async fn read_request(stream: &mut (impl AsyncRead + Unpin), buf: &mut Vec<u8>) -> Option<String> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = header(&head, "content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    while buf.len() < head_end + length {
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    buf.drain(..head_end + length);
    Some(head)
}

fn header(head: &str, name: &str) -> Option<String> {
    head.lines().skip(1).find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

/// Answers every request with 200 and `{"ContactId": <id>}`, logging request line and Host.
async fn serve_http(mut stream: impl AsyncRead + AsyncWrite + Unpin, id: &'static str, log: Log) {
    let mut buf = Vec::new();
    while let Some(head) = read_request(&mut stream, &mut buf).await {
        let line = head.lines().next().unwrap_or("").to_owned();
        log.lock().unwrap().push(format!("{line} host={}", header(&head, "host").unwrap_or_default()));
        let body = format!("{{\"ContactId\":\"{id}\"}}");
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The TLS server: its address and the requests it saw.
async fn tls_server() -> (std::net::SocketAddr, Log) {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(CERT).map(Result::unwrap).collect();
    let key = PrivateKeyDer::from_pem_slice(KEY).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log = Log::default();
    let log2 = log.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, log) = (acceptor.clone(), log2.clone());
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(tcp).await {
                    serve_http(tls, "via-tunnel", log).await;
                }
            });
        }
    });
    (addr, log)
}

/// The proxy: CONNECT (any target) is tunnelled to `tunnel_to`; other requests are answered
/// here. With `require_auth`, a request without that `Proxy-Authorization` gets 407.
/// Logs `<request line> auth=<Proxy-Authorization>`.
async fn proxy(tunnel_to: std::net::SocketAddr, require_auth: Option<&'static str>) -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
    let log = Log::default();
    let log2 = log.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let log = log2.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let Some(head) = read_request(&mut client, &mut buf).await else { return };
                let line = head.lines().next().unwrap_or("").to_owned();
                let auth = header(&head, "proxy-authorization");
                log.lock().unwrap().push(format!("{line} auth={}", auth.clone().unwrap_or_default()));
                if require_auth.is_some() && auth.as_deref() != require_auth {
                    let _ = client
                        .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n")
                        .await;
                    return;
                }
                if line.starts_with("CONNECT ") {
                    let mut upstream = tokio::net::TcpStream::connect(tunnel_to).await.unwrap();
                    client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                } else {
                    let body = r#"{"ContactId":"via-proxy"}"#;
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = client.write_all(response.as_bytes()).await;
                }
            });
        }
    });
    (url, log)
}

fn trusting_the_test_ca() -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(CA) {
        roots.add(cert.unwrap()).unwrap();
    }
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

fn config(endpoint: &str) -> ConfigBuilder {
    Config::builder()
        .region("us-west-2")
        .endpoint_url(endpoint)
        .credentials(Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE"))
        .retry(RetryConfig::default().with_initial_backoff(Duration::from_millis(1)))
}

fn input() -> StartThingInput {
    StartThingInput { instance_id: "i-1".into(), display_name: "Jane".into(), ..Default::default() }
}

fn logged(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

/// `user:pa:ss` in Basic.
const BASIC: &str = "Basic dXNlcjpwYTpzcw==";

#[tokio::test]
async fn https_goes_through_a_connect_tunnel_with_tls_verified_end_to_end() {
    let (tls_addr, tls_log) = tls_server().await;
    let (proxy_addr, proxy_log) = proxy(tls_addr, Some(BASIC)).await;
    let proxies = ProxyConfig::all(format!("http://user:pa%3Ass@{proxy_addr}"));
    let transport = HyperTransport::with_tls_config(trusting_the_test_ca(), Some(Duration::from_secs(3)), &proxies);
    let client = Client::new(config("https://service.proxied.test").transport(transport).build());
    let out = client.start_thing(input()).await.expect("through the tunnel");
    assert_eq!(out.contact_id.as_deref(), Some("via-tunnel"));
    assert_eq!(logged(&proxy_log), [format!("CONNECT service.proxied.test:443 HTTP/1.1 auth={BASIC}")]);
    let seen = logged(&tls_log);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].starts_with("PUT /things/i-1 HTTP/1.1 host=service.proxied.test"), "origin form inside: {seen:?}");
    // The password is in no Debug output.
    let dbg = format!("{:?} {:?}", client.handle(), proxies);
    assert!(!dbg.contains("pa%3Ass") && !dbg.contains("user:"), "{dbg}");
}

#[tokio::test]
async fn the_config_proxy_setting_reaches_the_default_transport_and_tls_is_still_verified() {
    let (tls_addr, tls_log) = tls_server().await;
    let (proxy_addr, proxy_log) = proxy(tls_addr, None).await;
    // The default transport trusts only the public roots: the test certificate is refused
    // inside the tunnel.
    let config = config("https://service.proxied.test").proxy(ProxyConfig::all(format!("http://{proxy_addr}"))).build();
    let err = Client::new(config).start_thing(input()).await.unwrap_err();
    match &err {
        SdkError::Transport(e) => assert_eq!(e.kind(), TransportErrorKind::Tls, "{e}"),
        other => panic!("expected a TLS failure, got {other:?}"),
    }
    assert_eq!(logged(&proxy_log), ["CONNECT service.proxied.test:443 HTTP/1.1 auth="], "not retried");
    assert!(logged(&tls_log).is_empty());
}

#[tokio::test]
async fn plain_http_goes_to_the_proxy_in_absolute_form_with_proxy_authorization() {
    let (tls_addr, _) = tls_server().await;
    let (proxy_addr, proxy_log) = proxy(tls_addr, Some(BASIC)).await;
    let vars = [("http_proxy", format!("http://user:pa%3Ass@{proxy_addr}")), ("AWS_REGION", "us-west-2".into())];
    let lookup = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone());
    let config = Config::builder_from_vars(lookup)
        .endpoint_url("http://service.proxied.test:8080")
        .credentials(Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE"))
        .allow_insecure_http(true)
        .build();
    let out = Client::new(config).start_thing(input()).await.unwrap();
    assert_eq!(out.contact_id.as_deref(), Some("via-proxy"));
    assert_eq!(logged(&proxy_log), [format!("PUT http://service.proxied.test:8080/things/i-1 HTTP/1.1 auth={BASIC}")]);
}

#[tokio::test]
async fn loopback_goes_direct_and_no_proxy_overrides_the_setting() {
    let (tls_addr, _) = tls_server().await;
    let (proxy_addr, proxy_log) = proxy(tls_addr, None).await;
    let direct = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let direct_url = format!("http://{}", direct.local_addr().unwrap());
    let direct_log = Log::default();
    let log2 = direct_log.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = direct.accept().await {
            tokio::spawn(serve_http(tcp, "direct", log2.clone()));
        }
    });
    let proxy_url = format!("http://{proxy_addr}");
    let vars = [("HTTP_PROXY", proxy_url.as_str()), ("HTTPS_PROXY", proxy_url.as_str())];
    let lookup = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
    let built = config(&direct_url).proxy(ProxyConfig::from_vars(lookup)).build();
    let out = Client::new(built).start_thing(input()).await.unwrap();
    assert_eq!(out.contact_id.as_deref(), Some("direct"), "loopback never goes through a proxy");
    assert_eq!(logged(&direct_log).len(), 1);
    assert!(logged(&proxy_log).is_empty(), "{:?}", logged(&proxy_log));

    // The setting reaches the default transport; no_proxy() overrides it (and the environment).
    let with = config(&direct_url).proxy(ProxyConfig::all(&proxy_url)).build();
    assert!(format!("{:?}", with.transport()).contains(&proxy_url), "{with:?}");
    let without = config(&direct_url).proxy(ProxyConfig::all(&proxy_url)).no_proxy().build();
    assert!(!format!("{:?}", without.transport()).contains("proxy"), "{without:?}");
    // A rebuilt configuration makes its default transport again, with the new setting...
    let rebuilt = with.to_builder().no_proxy().build();
    assert!(!format!("{:?}", rebuilt.transport()).contains("proxy"), "{rebuilt:?}");
    assert!(with.to_builder().build().proxy().unwrap().is_enabled());
    // ...and keeps a transport that was given (to which proxy settings do not apply).
    let given = config(&direct_url).transport(awslim_runtime::StubTransport::new()).build();
    assert!(given.proxy().is_none());
    assert!(
        format!("{:?}", given.to_builder().proxy(ProxyConfig::all(&proxy_url)).build().transport()).contains("Stub")
    );
}

#[tokio::test]
async fn a_proxy_that_wants_credentials_is_a_proxy_error_not_retried_and_never_shows_the_password() {
    let (tls_addr, _) = tls_server().await;
    let (proxy_addr, proxy_log) = proxy(tls_addr, Some(BASIC)).await;
    let proxies = ProxyConfig::all(format!("http://user:wrong-secret@{proxy_addr}"));
    let transport = HyperTransport::with_tls_config(trusting_the_test_ca(), None, &proxies);
    let err = Client::new(config("https://service.proxied.test").transport(transport).build())
        .start_thing(input())
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    match &err {
        SdkError::Transport(e) => assert_eq!(e.kind(), TransportErrorKind::Proxy, "{e}"),
        other => panic!("expected a proxy failure, got {other:?}"),
    }
    assert!(text.contains("proxy authorization required") && text.contains(&proxy_addr), "{text}");
    assert!(!text.contains("wrong-secret"), "{text}");
    assert_eq!(logged(&proxy_log).len(), 1, "not retried");

    let socks = ProxyConfig::from_vars(|n| (n == "HTTPS_PROXY").then(|| "socks5://u:pw@127.0.0.1:1".to_owned()));
    let err = Client::new(config("https://service.proxied.test").proxy(socks).build())
        .start_thing(input())
        .await
        .unwrap_err();
    let text = format!("{err}");
    assert!(text.contains("HTTPS_PROXY") && text.contains("only http:// proxies") && !text.contains("pw"), "{text}");
}
