//! The call pipeline with the default hyper transport against a real HTTP/1.1 server on
//! 127.0.0.1 (a tiny scripted server on a Tokio TCP listener).

mod reference_operation;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use awslim_runtime::error::{TimeoutKind, TransportErrorKind};
use awslim_runtime::{Config, ConfigBuilder, Credentials, RetryConfig, SdkError};
use reference_operation::{Client, StartThingError, StartThingInput};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with the next request.
#[derive(Clone, Debug)]
enum Action {
    Respond(u16, &'static str),
    /// Close the connection without answering (the client sees a reset/closed connection).
    Reset,
    /// Read the request, then say nothing for a long time.
    Stall,
}

#[derive(Debug, Clone)]
struct Seen {
    head: String,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    }
}

struct Server {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    script: Arc<Mutex<VecDeque<Action>>>,
}

impl Server {
    async fn start(actions: Vec<Action>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(VecDeque::from(actions)));
        let (seen2, script2) = (seen.clone(), script.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(serve_connection(stream, seen2.clone(), script2.clone()));
            }
        });
        Server { url, seen, script }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn serve_connection(mut stream: TcpStream, seen: Arc<Mutex<Vec<Seen>>>, script: Arc<Mutex<VecDeque<Action>>>) {
    let mut buf = Vec::new();
    loop {
        // Read one request head.
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length").then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buf[head_end..head_end + length].to_vec();
        buf.drain(..head_end + length);
        seen.lock().unwrap().push(Seen { head, body });

        let action = script.lock().unwrap().pop_front().unwrap_or(Action::Respond(500, "{}"));
        match action {
            Action::Respond(status, body) => {
                let n = seen.lock().unwrap().len();
                let response = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n\
                     x-amzn-requestid: req-{n}\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                if stream.write_all(response.as_bytes()).await.is_err() {
                    return;
                }
            }
            Action::Reset => {
                // SO_LINGER 0 makes the close an RST.
                #[allow(deprecated)] // zero linger: close with RST, no blocking
                let _ = stream.set_linger(Some(Duration::ZERO));
                return;
            }
            Action::Stall => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                return;
            }
        }
    }
}

fn config(url: &str) -> ConfigBuilder {
    Config::builder()
        .region("us-west-2")
        .endpoint_url(url)
        .credentials(Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE"))
        .retry(RetryConfig::default().with_initial_backoff(Duration::from_millis(5)))
}

fn input() -> StartThingInput {
    StartThingInput { instance_id: "i-1".into(), display_name: "Jane".into(), ..Default::default() }
}

const OK: &str = r#"{"ContactId":"c-1"}"#;

fn attempts(seen: &[Seen]) -> Vec<String> {
    seen.iter().map(|s| s.header("amz-sdk-request").unwrap()).collect()
}

#[tokio::test]
async fn success_over_real_http() {
    let server = Server::start(vec![Action::Respond(200, OK), Action::Respond(200, OK)]).await;
    let client = Client::new(config(&server.url).build());
    // Two calls: the second reuses the pooled keep-alive connection.
    for _ in 0..2 {
        let out = client.start_thing(input()).await.unwrap();
        assert_eq!(out.contact_id.as_deref(), Some("c-1"));
    }
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(seen[0].head.starts_with("PUT /things/i-1 HTTP/1.1\r\n"), "{}", seen[0].head);
    let host = seen[0].header("host").unwrap();
    assert_eq!(format!("http://{host}"), server.url);
    assert!(seen[0].header("authorization").unwrap().contains("/us-west-2/thing/aws4_request"));
    let body: serde_json::Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(body["DisplayName"], "Jane");
    assert_ne!(seen[0].header("amz-sdk-invocation-id"), seen[1].header("amz-sdk-invocation-id"));
}

async fn retried_once(first: Action) -> Vec<Seen> {
    let server = Server::start(vec![first, Action::Respond(200, OK)]).await;
    let client = Client::new(config(&server.url).attempt_timeout(Duration::from_millis(300)).build());
    let out = client.start_thing(input()).await.unwrap();
    assert_eq!(out.contact_id.as_deref(), Some("c-1"));
    let seen = server.seen();
    assert_eq!(attempts(&seen), ["attempt=1; max=3", "attempt=2; max=3"]);
    assert_eq!(seen[0].header("amz-sdk-invocation-id"), seen[1].header("amz-sdk-invocation-id"));
    // Each attempt is signed (afresh: invoke_stub.rs rotates the credentials to show it); the
    // attempt header is not signed, so two attempts in the same second carry the same signature.
    for s in &seen {
        let auth = s.header("authorization").unwrap();
        assert!(auth.contains("SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-user-agent,"), "{auth}");
    }
    seen
}

#[tokio::test]
async fn http_500_then_200() {
    retried_once(Action::Respond(500, r#"{"message":"internal"}"#)).await;
}

#[tokio::test]
async fn http_503_then_200() {
    retried_once(Action::Respond(503, "<html>busy</html>")).await;
}

#[tokio::test]
async fn connection_reset_then_200() {
    retried_once(Action::Reset).await;
}

#[tokio::test]
async fn stalled_response_hits_attempt_timeout_then_200() {
    let started = Instant::now();
    retried_once(Action::Stall).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn http_429_until_attempts_exhausted() {
    let server = Server::start(vec![Action::Respond(429, r#"{"message":"Rate exceeded"}"#); 3]).await;
    let client = Client::new(config(&server.url).build());
    let err = client.start_thing(input()).await.unwrap_err();
    assert_eq!(attempts(&server.seen()), ["attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3"]);
    assert_eq!(err.request_id(), Some("req-3"));
    assert!(matches!(&err, SdkError::Service { error: StartThingError::Unhandled(_), meta } if meta.status() == 429));
    assert!(server.script.lock().unwrap().is_empty());
}

#[tokio::test]
async fn http_400_not_retried() {
    let server = Server::start(vec![
        Action::Respond(400, r#"{"code":"InvalidParameterException","message":"bad"}"#),
        Action::Respond(200, OK),
    ])
    .await;
    let client = Client::new(config(&server.url).build());
    let err = client.start_thing(input()).await.unwrap_err();
    assert_eq!(server.seen().len(), 1);
    assert!(matches!(err.into_service_error(), Some(StartThingError::InvalidParameter(_))));
}

#[tokio::test]
async fn all_attempts_stall() {
    let server = Server::start(vec![Action::Stall, Action::Stall]).await;
    let client = Client::new(config(&server.url).max_attempts(2).attempt_timeout(Duration::from_millis(100)).build());
    let err = client.start_thing(input()).await.unwrap_err();
    assert!(matches!(&err, SdkError::Timeout(t) if t.kind() == TimeoutKind::Attempt), "{err:?}");
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    // Bind then drop to get a port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = Client::new(config(&format!("http://127.0.0.1:{port}")).build());
    let err = client.start_thing(input()).await.unwrap_err();
    match &err {
        SdkError::Transport(e) => assert_eq!(e.kind(), TransportErrorKind::Connect, "{e}"),
        other => panic!("unexpected {other:?}"),
    }
    // Display names the cause ("Connection refused"); source() must not say it again.
    let shown = err.to_string();
    assert!(shown.to_ascii_lowercase().contains("refused"), "{shown}");
    let mut next = std::error::Error::source(&err);
    while let Some(e) = next {
        assert!(!shown.contains(&e.to_string()), "source `{e}` repeats Display `{shown}`");
        next = e.source();
    }
}

#[tokio::test]
async fn tls_handshake_failure_is_a_tls_error_and_not_retried() {
    // A server that answers the TLS ClientHello with plain HTTP.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(Mutex::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            *counter.lock().unwrap() += 1;
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n").await;
        }
    });
    let client = Client::new(config(&format!("https://127.0.0.1:{port}")).build());
    let err = client.start_thing(input()).await.unwrap_err();
    match &err {
        SdkError::Transport(e) => assert_eq!(e.kind(), TransportErrorKind::Tls, "{e}"),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(*connections.lock().unwrap(), 1);
}
