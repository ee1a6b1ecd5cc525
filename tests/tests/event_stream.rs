//! Server-to-client event streams end to end: the `event-stream` fixture's client against an
//! HTTP/1.1 server on 127.0.0.1 that frames messages with the official encoder and sends them in
//! odd-sized chunked pieces, some only after the client has read the first event.

use std::time::Duration;

use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use awslim_gadget_events::operation::subscribe_gadget_events::SubscribeGadgetEventsError;
use awslim_gadget_events::runtime::event_stream::EventStreamError;
use awslim_gadget_events::types::{GadgetEventStream, Level, SubscribeGadgetEventsInput};
use awslim_gadget_events::{Client, Config, Credentials, SdkError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

const READINGS: usize = 2_000;

fn s(v: &str) -> HeaderValue {
    HeaderValue::String(v.to_owned().into())
}

fn message(headers: Vec<(&str, HeaderValue)>, payload: &[u8]) -> Vec<u8> {
    let mut m = Message::new(payload.to_vec());
    for (name, value) in headers {
        m = m.add_header(Header::new(name.to_owned(), value));
    }
    let mut out = Vec::new();
    aws_smithy_eventstream::frame::write_message_to(&m, &mut out).unwrap();
    out
}

fn event(kind: &str, mut headers: Vec<(&str, HeaderValue)>, payload: &[u8]) -> Vec<u8> {
    headers.insert(0, (":message-type", s("event")));
    headers.insert(1, (":event-type", s(kind)));
    message(headers, payload)
}

/// Reads one request head (and a Content-Length body) and returns the request line.
async fn read_request(conn: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        conn.read_exact(&mut byte).await.unwrap();
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).unwrap();
    let len = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    conn.read_exact(&mut body).await.unwrap();
    assert!(head.contains("authorization: AWS4-HMAC-SHA256"), "{head}");
    head.lines().next().unwrap().to_owned()
}

/// Writes `bytes` as chunked-encoding pieces of `piece` bytes, flushing each.
async fn send_chunked(conn: &mut TcpStream, bytes: &[u8], piece: usize) {
    for part in bytes.chunks(piece) {
        conn.write_all(format!("{:x}\r\n", part.len()).as_bytes()).await.unwrap();
        conn.write_all(part).await.unwrap();
        conn.write_all(b"\r\n").await.unwrap();
        conn.flush().await.unwrap();
    }
}

async fn start_stream(conn: &mut TcpStream) {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/vnd.amazon.eventstream\r\nx-session-id: s-42\r\nx-amzn-requestid: r-7\r\ntransfer-encoding: chunked\r\n\r\n";
    conn.write_all(head.as_bytes()).await.unwrap();
}

fn client(port: u16) -> Client {
    Client::new(
        Config::builder()
            .region("us-west-2")
            .endpoint_url(format!("http://127.0.0.1:{port}"))
            .credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
            .operation_timeout(Duration::from_secs(20))
            .build(),
    )
}

fn input() -> SubscribeGadgetEventsInput {
    SubscribeGadgetEventsInput::builder().gadget_id("g-1").since(5i64).build()
}

/// Many events of every kind arrive typed and in order; the first is read before the server
/// has sent the rest (the body is not gathered first).
#[tokio::test]
async fn many_events_arrive_typed_and_in_order_as_they_are_sent() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (first_read_tx, first_read_rx) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let (mut conn, _) = listener.accept().await.unwrap();
        let line = read_request(&mut conn).await;
        assert_eq!(line, "POST /gadgets/g-1/events?since=5 HTTP/1.1");
        start_stream(&mut conn).await;
        let started = event(
            "Started",
            vec![
                ("SessionId", s("s-42")),
                ("Sequence", HeaderValue::Int64(5)),
                ("At", HeaderValue::Timestamp(aws_smithy_types::DateTime::from_secs(1_700_000_000))),
                ("Verbose", HeaderValue::Bool(true)),
            ],
            br#"{"Model":"X1","Tags":["a","b"],"Ignored":{"deep":[1,2]}}"#,
        );
        send_chunked(&mut conn, &started, 7).await;
        // Nothing more until the client has the first event in hand.
        first_read_rx.await.unwrap();
        let mut rest = Vec::new();
        for i in 0..READINGS {
            let level = if i % 2 == 0 { "low" } else { "brand-new" };
            let payload = format!(r#"{{"Value":{i}.5}}"#);
            rest.extend(event(
                "Reading",
                vec![("Index", HeaderValue::Int32(i as i32)), ("Level", s(level))],
                payload.as_bytes(),
            ));
        }
        rest.extend(event(
            "Chunk",
            vec![("Digest", HeaderValue::ByteArray(vec![1, 2, 3].into()))],
            &[0, 159, 146, 150],
        ));
        rest.extend(event("Note", vec![], "héllo".as_bytes()));
        rest.extend(event("Detail", vec![], br#"{"Name":"n","Count":3}"#));
        rest.extend(event("Sparkle", vec![], br#"{"brand":"new"}"#));
        rest.extend(event("Finished", vec![], b""));
        send_chunked(&mut conn, &rest, 4093).await;
        conn.write_all(b"0\r\n\r\n").await.unwrap();
        conn.flush().await.unwrap();
    });

    let mut out = client(port).subscribe_gadget_events(input()).await.unwrap();
    assert_eq!(out.session_id.as_deref(), Some("s-42"));
    assert_eq!(out.request_id(), Some("r-7"));
    let started = match out.events.next().await {
        Some(Ok(GadgetEventStream::Started(e))) => e,
        other => panic!("{other:?}"),
    };
    assert_eq!(started.session_id.as_deref(), Some("s-42"));
    assert_eq!(started.sequence, 5);
    assert_eq!(started.at.map(|t| t.secs()), Some(1_700_000_000));
    assert_eq!(started.verbose, Some(true));
    assert_eq!(started.model.as_deref(), Some("X1"));
    assert_eq!(started.tags, Some(vec!["a".to_owned(), "b".to_owned()]));
    first_read_tx.send(()).unwrap();

    for i in 0..READINGS {
        match out.events.next().await {
            Some(Ok(GadgetEventStream::Reading(r))) => {
                assert_eq!(r.index, i as i32);
                assert_eq!(r.value, Some(i as f64 + 0.5));
                let want = if i % 2 == 0 { Level::Low } else { Level::from("brand-new") };
                assert_eq!(r.level, Some(want));
            }
            other => panic!("reading {i}: {other:?}"),
        }
    }
    let rest = out.events.clone().collect().await.unwrap();
    assert_eq!(rest.len(), 5, "{rest:?}");
    match &rest[0] {
        GadgetEventStream::Chunk(c) => {
            assert_eq!(c.data.as_ref().map(|d| d.as_bytes().to_vec()), Some(vec![0, 159, 146, 150]));
            assert_eq!(c.digest.as_ref().map(|d| d.as_bytes().to_vec()), Some(vec![1, 2, 3]));
            assert_eq!(c.index, None);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&rest[1], GadgetEventStream::Note(n) if n.text.as_deref() == Some("héllo")), "{:?}", rest[1]);
    match &rest[2] {
        GadgetEventStream::Detail(d) => {
            let d = d.detail.as_ref().unwrap();
            assert_eq!((d.name.as_deref(), d.count), (Some("n"), Some(3)));
        }
        other => panic!("{other:?}"),
    }
    match &rest[3] {
        GadgetEventStream::Unknown(u) => {
            assert_eq!(u.name(), "Sparkle");
            assert_eq!(u.value(), &serde_json::json!({"brand": "new"}));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(rest[4], GadgetEventStream::Finished(_)));
    assert!(out.events.next().await.is_none());
    server.await.unwrap();
}

/// Serves one stream of `messages` (already framed) and closes it.
async fn serve_once(messages: Vec<u8>) -> (u16, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (mut conn, _) = listener.accept().await.unwrap();
        read_request(&mut conn).await;
        start_stream(&mut conn).await;
        send_chunked(&mut conn, &messages, 100).await;
        conn.write_all(b"0\r\n\r\n").await.unwrap();
        conn.flush().await.unwrap();
    });
    (port, task)
}

/// A modeled exception event is a typed error (with its members) and ends the stream.
#[tokio::test]
async fn modeled_exception_event_is_typed() {
    let mut bytes = event("Reading", vec![("Index", HeaderValue::Int32(1))], b"{}");
    bytes.extend(message(
        vec![(":message-type", s("exception")), (":exception-type", s("Overheated"))],
        br#"{"message":"too hot","Celsius":120}"#,
    ));
    bytes.extend(event("Finished", vec![], b""));
    let (port, server) = serve_once(bytes).await;
    let mut out = client(port).subscribe_gadget_events(input()).await.unwrap();
    assert!(matches!(out.events.next().await, Some(Ok(GadgetEventStream::Reading(_)))));
    match out.events.next().await {
        Some(Err(EventStreamError::Modeled(GadgetEventStream::Overheated(e)))) => {
            assert_eq!(e.celsius, Some(120));
            assert_eq!(e.message.as_deref(), Some("too hot"));
        }
        other => panic!("{other:?}"),
    }
    assert!(out.events.next().await.is_none(), "an exception ends the stream");
    server.await.unwrap();
}

/// `:message-type` `error` and an exception the model does not describe keep code and message.
#[tokio::test]
async fn unmodeled_errors_keep_code_and_message() {
    let bytes = message(
        vec![(":message-type", s("error")), (":error-code", s("InternalFailure")), (":error-message", s("sorry"))],
        b"",
    );
    let (port, server) = serve_once(bytes).await;
    let mut out = client(port).subscribe_gadget_events(input()).await.unwrap();
    let err = out.events.next().await.unwrap().unwrap_err();
    assert!(
        matches!(&err, EventStreamError::Service { code, message } if code == "InternalFailure" && message.as_deref() == Some("sorry")),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "the service sent an error event: InternalFailure: sorry");
    server.await.unwrap();

    let bytes =
        message(vec![(":message-type", s("exception")), (":exception-type", s("Melted"))], br#"{"message":"gone"}"#);
    let (port, server) = serve_once(bytes).await;
    let mut out = client(port).subscribe_gadget_events(input()).await.unwrap();
    match out.events.next().await {
        Some(Err(EventStreamError::Service { code, message })) => {
            assert_eq!((code.as_str(), message.as_deref()), ("Melted", Some("gone")))
        }
        other => panic!("{other:?}"),
    }
    server.await.unwrap();
}

/// A bad frame mid-stream is an error naming the problem, after the good events before it.
#[tokio::test]
async fn corrupt_message_ends_the_stream_with_an_error() {
    let mut bytes = event("Finished", vec![], b"");
    let mut bad = event("Note", vec![], b"text");
    let n = bad.len();
    bad[n - 6] ^= 0x55; // payload byte: the message CRC no longer matches
    bytes.extend(bad);
    let (port, server) = serve_once(bytes).await;
    let mut out = client(port).subscribe_gadget_events(input()).await.unwrap();
    assert!(matches!(out.events.next().await, Some(Ok(GadgetEventStream::Finished(_)))));
    let err = out.events.next().await.unwrap().unwrap_err();
    assert!(matches!(err, EventStreamError::Decode(_)), "{err:?}");
    assert!(out.events.next().await.is_none());
    server.await.unwrap();
}

/// An HTTP error before the stream starts is the operation's typed error.
#[tokio::test]
async fn http_error_before_the_stream_is_the_operation_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (mut conn, _) = listener.accept().await.unwrap();
        read_request(&mut conn).await;
        let body = r#"{"message":"no such gadget"}"#;
        let head = format!(
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-amzn-errortype: ValidationException\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        conn.write_all(head.as_bytes()).await.unwrap();
        conn.write_all(body.as_bytes()).await.unwrap();
        conn.flush().await.unwrap();
    });
    let err = client(port).subscribe_gadget_events(input()).await.unwrap_err();
    match &err {
        SdkError::Service { error, .. } => match error {
            SubscribeGadgetEventsError::ValidationException(v) => assert_eq!(v.message(), Some("no such gadget")),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    server.await.unwrap();
}

/// Client-to-server building block: each envelope's `:chunk-signature` is recomputed here from
/// the documented string to sign (HMAC-SHA256 by hand, not aws-sigv4), chaining from the
/// request's signature; the envelope's payload is the encoded message; an empty envelope ends.
#[test]
fn message_signatures_chain_from_the_request_signature() {
    use awslim_runtime::event_stream::MessageSigner;
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};
    use std::time::UNIX_EPOCH;

    fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
        let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
        m.update(data);
        m.finalize().into_bytes().to_vec()
    }
    let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    let creds = Credentials::new("AKIDEXAMPLE", secret);
    let seed = "e1d8e8c8815e60969f2a34765c9a15945ffc0badbaa4b7e3b163ea19131e949b";
    let mut signer = MessageSigner::new(&creds, "us-east-1", "transcribe", seed);
    let key = ["20240102", "us-east-1", "transcribe", "aws4_request"]
        .iter()
        .fold(format!("AWS4{secret}").into_bytes(), |k, part| hmac(&k, part.as_bytes()));

    let mut prev = seed.to_owned();
    for (i, text) in ["one", "two", ""].iter().enumerate() {
        let secs = 1_704_164_645 + i as u64; // 2024-01-02T03:04:05Z onwards
        let time = UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(789);
        let inner = if text.is_empty() { None } else { Some(event("AudioEvent", vec![], text.as_bytes())) };
        let envelope = match &inner {
            Some(bytes) => {
                let m = aws_smithy_eventstream::frame::read_message_from(&bytes[..]).unwrap();
                signer.sign(&m, time).unwrap()
            }
            None => signer.sign_end(time).unwrap(),
        };
        assert_eq!(envelope.payload().as_ref(), inner.as_deref().unwrap_or(&[]), "the payload is the encoded message");
        let header = |n: &str| envelope.headers().iter().find(|h| h.name().as_str() == n).unwrap().value().clone();
        let HeaderValue::Timestamp(date) = header(":date") else { panic!(":date") };
        assert_eq!(date.secs() as u64, secs, "whole seconds are signed");
        let HeaderValue::ByteArray(got) = header(":chunk-signature") else { panic!(":chunk-signature") };
        // The `:date` header as encoded on the wire: name length, name, type 8, i64 milliseconds.
        let mut date_header = vec![5u8];
        date_header.extend(b":date");
        date_header.push(8);
        date_header.extend((secs as i64 * 1000).to_be_bytes());
        let sha = |b: &[u8]| hex::encode(Sha256::digest(b));
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{}\n20240102/us-east-1/transcribe/aws4_request\n{prev}\n{}\n{}",
            time_text(secs),
            sha(&date_header),
            sha(inner.as_deref().unwrap_or(&[]))
        );
        let want = hmac(&key, string_to_sign.as_bytes());
        assert_eq!(hex::encode(&got), hex::encode(&want), "message {i}");
        prev = hex::encode(want);
    }
}

/// `YYYYMMDDTHHMMSSZ` for seconds on 2024-01-02 (the only day the test signs on).
fn time_text(secs: u64) -> String {
    let day_start = 1_704_153_600; // 2024-01-02T00:00:00Z
    let s = secs - day_start;
    format!("20240102T{:02}{:02}{:02}Z", s / 3600, (s / 60) % 60, s % 60)
}
