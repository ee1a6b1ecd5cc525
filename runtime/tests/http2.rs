//! The `http2` feature of the default hyper transport: a request marked `Version::HTTP_2` goes
//! over TLS with ALPN `h2` (what Transcribe Streaming requires) to a local hyper HTTP/2 server,
//! its body streamed; a plain HTTP/1.1 request of the same transport still uses HTTP/1.1.
//! The server's certificate is the test CA's (`tests/fixtures/proxy-tls`, test-only keys),
//! trusted by the client for 127.0.0.1 through a verifier that checks the chain but not the name.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use awslim_runtime::body::ByteStream;
use awslim_runtime::{HttpTransport, HyperTransport, ProxyConfig};
use bytes::Bytes;
use http_body_util::BodyExt;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tokio::net::TcpListener;

const CA: &[u8] = include_bytes!("fixtures/proxy-tls/ca.pem");
const CERT: &[u8] = include_bytes!("fixtures/proxy-tls/server.pem");
const KEY: &[u8] = include_bytes!("fixtures/proxy-tls/server.key");

/// The webpki verifier of the test CA, for the certificate's own name whatever the URL says.
#[derive(Debug)]
struct TestCa(Arc<rustls::client::WebPkiServerVerifier>);

impl ServerCertVerifier for TestCa {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let name = ServerName::try_from("service.proxied.test").unwrap();
        self.0.verify_server_cert(end_entity, intermediates, &name, ocsp, now)
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

fn client_tls() -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(CA) {
        roots.add(cert.unwrap()).unwrap();
    }
    let verifier =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build().unwrap();
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(TestCa(verifier)))
        .with_no_client_auth()
}

/// A TLS server offering `h2` and `http/1.1`: answers with the HTTP version, the negotiated
/// protocol and the request body it read.
async fn server() -> std::net::SocketAddr {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(CERT).map(Result::unwrap).collect();
    let key = PrivateKeyDer::from_pem_slice(KEY).unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let tls = acceptor.accept(tcp).await.unwrap();
                let alpn = String::from_utf8_lossy(tls.get_ref().1.alpn_protocol().unwrap_or(b"none")).into_owned();
                let h2 = alpn == "h2";
                let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let alpn = alpn.clone();
                    async move {
                        let version = format!("{:?}", req.version());
                        let body = req.into_body().collect().await.unwrap().to_bytes();
                        let text = format!("{version} {alpn} {}", String::from_utf8_lossy(&body));
                        Ok::<_, Infallible>(hyper::Response::new(http_body_util::Full::new(Bytes::from(text))))
                    }
                });
                let io = hyper_util::rt::TokioIo::new(tls);
                if h2 {
                    let _ = hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
                        .serve_connection(io, service)
                        .await;
                } else {
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                }
            });
        }
    });
    addr
}

fn chunks(parts: &[&'static str]) -> ByteStream {
    struct Iter(std::vec::IntoIter<Result<Bytes, std::io::Error>>);
    impl futures_core::Stream for Iter {
        type Item = Result<Bytes, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.next())
        }
    }
    let items: Vec<_> = parts.iter().map(|p| Ok(Bytes::from_static(p.as_bytes()))).collect();
    ByteStream::from_stream(Iter(items.into_iter()), None)
}

#[tokio::test]
async fn http2_requests_negotiate_h2_by_alpn_and_others_stay_on_http1() {
    let addr = server().await;
    let transport =
        HyperTransport::with_tls_config(client_tls(), Some(Duration::from_secs(3)), &ProxyConfig::disabled());
    let uri = format!("https://127.0.0.1:{}/stream", addr.port());

    let mut request = http::Request::builder().method("POST").uri(&uri).body(chunks(&["one ", "two"])).unwrap();
    *request.version_mut() = http::Version::HTTP_2;
    let response = transport.send_streaming(request, None).await.unwrap();
    let body = response.into_body().collect(1 << 20).await.unwrap();
    assert_eq!(body, "HTTP/2.0 h2 one two");

    let request = http::Request::builder().method("POST").uri(&uri).body(Bytes::from_static(b"plain")).unwrap();
    let response = transport.send(request, None).await.unwrap();
    // The HTTP/1.1 client offers no ALPN at all (as before the feature): the server falls back.
    assert_eq!(response.body(), "HTTP/1.1 none plain");
}
