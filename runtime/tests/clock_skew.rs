//! Clock-skew correction against a real HTTP server on 127.0.0.1 whose clock is an hour ahead:
//! it checks the `X-Amz-Date` of every request as AWS does, rejects a skewed one with
//! `InvalidSignatureException` and its own `Date`, and the client signs again with the
//! service's time and retries once; later calls of the client use the learned offset.

mod reference_operation;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use awslim_runtime::{Config, Credentials, RetryConfig, StubTransport};
use reference_operation::{Client, StartThingInput};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const SERVER_AHEAD: Duration = Duration::from_secs(3600);
/// How far a request's time may be from the server's (AWS: 5 minutes for most services).
const ALLOWED: Duration = Duration::from_secs(5 * 60);

#[derive(Clone, Debug)]
struct Seen {
    amz_date: SystemTime,
    amz_sdk_request: String,
    body: String,
    accepted: bool,
}

fn server_now() -> SystemTime {
    SystemTime::now() + SERVER_AHEAD
}

/// `20261202T234500Z` to a time.
fn parse_amz_date(v: &str) -> SystemTime {
    let n = |r: std::ops::Range<usize>| v[r].parse::<u16>().unwrap();
    assert_eq!((v.len(), &v[8..9], &v[15..]), (16, "T", "Z"), "{v}");
    let month = time::Month::try_from(n(4..6) as u8).unwrap();
    let date = time::Date::from_calendar_date(n(0..4) as i32, month, n(6..8) as u8).unwrap();
    let t = date.with_hms(n(9..11) as u8, n(11..13) as u8, n(13..15) as u8).unwrap().assume_utc();
    UNIX_EPOCH + Duration::from_secs(t.unix_timestamp() as u64)
}

fn header(head: &str, name: &str) -> Option<String> {
    head.lines().skip(1).find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

async fn serve(mut stream: TcpStream, seen: Arc<Mutex<Vec<Seen>>>) {
    let mut buf = Vec::new();
    loop {
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
        let length: usize = header(&head, "content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = String::from_utf8_lossy(&buf[head_end..head_end + length]).into_owned();
        buf.drain(..head_end + length);

        let now = server_now();
        let amz_date = parse_amz_date(&header(&head, "x-amz-date").expect("signed request"));
        let skew = now.duration_since(amz_date).unwrap_or_else(|e| e.duration());
        let accepted = skew <= ALLOWED;
        let amz_sdk_request = header(&head, "amz-sdk-request").unwrap_or_default();
        seen.lock().unwrap().push(Seen { amz_date, amz_sdk_request, body, accepted });
        let (status, extra, body) = if accepted {
            (200, String::new(), r#"{"ContactId":"c-1"}"#.to_owned())
        } else {
            let message = r#"{"message":"Signature expired: the request time is too far from the server time"}"#;
            (403, "x-amzn-errortype: InvalidSignatureException\r\n".to_owned(), message.to_owned())
        };
        let response = format!(
            "HTTP/1.1 {status} X\r\ndate: {}\r\n{extra}content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            httpdate::fmt_http_date(now),
            body.len()
        );
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

async fn start() -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream, seen2.clone()));
        }
    });
    (url, seen)
}

fn input() -> StartThingInput {
    StartThingInput { instance_id: "i-1".into(), display_name: "Jane".into(), ..Default::default() }
}

fn near(a: SystemTime, b: SystemTime) -> bool {
    a.duration_since(b).unwrap_or_else(|e| e.duration()) < Duration::from_secs(60)
}

#[tokio::test]
async fn a_skewed_clock_is_corrected_from_the_date_header_and_the_call_retried_once() {
    let (url, seen) = start().await;
    let config = Config::builder()
        .region("us-west-2")
        .endpoint_url(url)
        .credentials(Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE"))
        .build();
    let client = Client::new(config);

    let out = client.start_thing(input()).await.expect("corrected and retried");
    assert_eq!(out.contact_id.as_deref(), Some("c-1"));
    let first = seen.lock().unwrap().clone();
    assert_eq!(first.len(), 2, "{first:?}");
    assert!(!first[0].accepted && first[1].accepted, "{first:?}");
    assert!(near(first[0].amz_date, SystemTime::now()), "first signed with the local clock");
    assert!(near(first[1].amz_date, server_now()), "then with the server's");
    assert_eq!(
        (first[0].amz_sdk_request.as_str(), first[1].amz_sdk_request.as_str()),
        ("attempt=1; max=3", "attempt=2; max=3")
    );
    assert!(first[0].body.contains("\"ClientToken\""), "{}", first[0].body);
    assert_eq!(first[0].body, first[1].body, "the same idempotency token");
    let offset = client.handle().clock_offset_millis();
    assert!((offset - 3_600_000).abs() < 5_000, "{offset}");

    // Later calls of the same client start with the corrected clock.
    client.start_thing(input()).await.unwrap();
    let all = seen.lock().unwrap().clone();
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(all[2].accepted && near(all[2].amz_date, server_now()));
}

#[tokio::test]
async fn with_retries_disabled_the_offset_is_still_learned_for_the_next_call() {
    let (url, seen) = start().await;
    let config = Config::builder()
        .region("us-west-2")
        .endpoint_url(url)
        .credentials(Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE"))
        .retry(RetryConfig::disabled())
        .build();
    let client = Client::new(config);
    let err = client.start_thing(input()).await.unwrap_err();
    assert!(err.to_string().contains("InvalidSignatureException"), "{err}");
    assert_eq!(seen.lock().unwrap().len(), 1);
    client.start_thing(input()).await.unwrap();
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_signature_error_with_a_good_clock_is_not_retried() {
    let stub = StubTransport::new();
    let response = awslim_runtime::http::Response::builder()
        .status(403)
        .header("date", httpdate::fmt_http_date(SystemTime::now()))
        .header("x-amzn-errortype", "SignatureDoesNotMatch")
        .body(awslim_runtime::bytes::Bytes::from_static(b"{\"message\":\"wrong secret\"}"))
        .unwrap();
    stub.push_response(response);
    let config = Config::builder()
        .region("us-west-2")
        .endpoint_url("http://localhost:8080")
        .credentials(Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE"))
        .transport(stub.clone())
        .build();
    let client = Client::new(config);
    let err = client.start_thing(input()).await.unwrap_err();
    assert!(err.to_string().contains("SignatureDoesNotMatch"), "{err}");
    assert_eq!(stub.requests().len(), 1);
    assert_eq!(client.handle().clock_offset_millis(), 0);
}
