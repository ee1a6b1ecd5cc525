//! Client-to-server and bidirectional event streams end to end: the `event-stream` fixture's
//! client against a hyper server on 127.0.0.1 that reads the signed envelopes as they arrive,
//! recomputes every `:chunk-signature` by hand (HMAC-SHA256 over the documented string to sign,
//! chained from the request's own signature; not aws-sigv4), checks the encoded events inside,
//! and (bidirectional, over HTTP/2) answers each one with an output event while the client is
//! still sending.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use awslim_gadget_events::runtime::event_stream::EventStreamSender;
use awslim_gadget_events::types::{
    AudioCommand, ConfigureCommand, ControlGadgetInput, Detail, GadgetCommandStream, GadgetEventStream, Level,
    MoveCommand, SayCommand, StopCommand, UploadReadingsInput,
};
use awslim_gadget_events::{Client, Config, Credentials};
use bytes::{Buf, Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn client(port: u16) -> Client {
    Client::new(
        Config::builder()
            .region("us-west-2")
            .endpoint_url(format!("http://127.0.0.1:{port}"))
            .credentials(Credentials::new("AKIDEXAMPLE", SECRET))
            .operation_timeout(Duration::from_secs(20))
            .build(),
    )
}

fn header<'m>(m: &'m Message, name: &str) -> Option<&'m HeaderValue> {
    m.headers().iter().find(|h| h.name().as_str() == name).map(|h| h.value())
}

fn text<'m>(m: &'m Message, name: &str) -> &'m str {
    match header(m, name) {
        Some(HeaderValue::String(s)) => s.as_str(),
        other => panic!("header {name}: {other:?}"),
    }
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

fn sha_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

/// `(YYYYMMDD, YYYYMMDDTHHMMSSZ)` of `secs` since the epoch (proleptic Gregorian, UTC).
fn date_texts(secs: i64) -> (String, String) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let day = format!("{y:04}{m:02}{d:02}");
    let full = format!("{day}T{:02}{:02}{:02}Z", rem / 3600, (rem / 60) % 60, rem % 60);
    (day, full)
}

/// Checks envelopes against the chain that starts at the request's signature.
struct Verifier {
    prev: String,
    region: &'static str,
    service: &'static str,
}

impl Verifier {
    /// Verifies `envelope`'s signature and returns the message inside (`None`: the end).
    fn open(&mut self, envelope: &Message) -> Option<Message> {
        let Some(HeaderValue::Timestamp(date)) = header(envelope, ":date") else { panic!(":date missing") };
        let Some(HeaderValue::ByteArray(got)) = header(envelope, ":chunk-signature") else {
            panic!(":chunk-signature missing")
        };
        assert_eq!(envelope.headers().len(), 2, "an envelope has only :date and :chunk-signature");
        let secs = date.secs();
        assert_eq!(date.subsec_nanos(), 0, "whole seconds are signed");
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        assert!((secs - now).abs() < 60, "signed now: {secs} vs {now}");
        let (day, full) = date_texts(secs);
        // The `:date` header as encoded on the wire: name length, name, type 8, i64 milliseconds.
        let mut date_header = vec![5u8];
        date_header.extend(b":date");
        date_header.push(8);
        date_header.extend((secs * 1000).to_be_bytes());
        let scope = format!("{day}/{}/{}/aws4_request", self.region, self.service);
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{full}\n{scope}\n{}\n{}\n{}",
            self.prev,
            sha_hex(&date_header),
            sha_hex(envelope.payload())
        );
        let key = [day.as_str(), self.region, self.service, "aws4_request"]
            .iter()
            .fold(format!("AWS4{SECRET}").into_bytes(), |k, part| hmac(&k, part.as_bytes()));
        let want = hex::encode(hmac(&key, string_to_sign.as_bytes()));
        assert_eq!(hex::encode(got), want, "chunk signature");
        self.prev = want;
        if envelope.payload().is_empty() {
            None
        } else {
            Some(aws_smithy_eventstream::frame::read_message_from(envelope.payload().clone()).unwrap())
        }
    }
}

/// The request's checks common to both operations; returns the verifier seeded with its
/// signature.
fn check_request_head(req: &hyper::Request<Incoming>) -> Verifier {
    let h = |n: &str| req.headers().get(n).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    assert_eq!(h("content-type"), "application/vnd.amazon.eventstream");
    assert_eq!(h("x-amz-content-sha256"), "STREAMING-AWS4-HMAC-SHA256-EVENTS");
    let auth = h("authorization");
    assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"), "{auth}");
    assert!(auth.contains("/us-west-2/gadgetevents/aws4_request"), "{auth}");
    assert!(auth.contains("x-amz-content-sha256"), "the payload hash header is signed: {auth}");
    assert!(req.headers().get("content-length").is_none(), "the length is unknown");
    let seed = auth.rsplit("Signature=").next().unwrap().to_owned();
    Verifier { prev: seed, region: "us-west-2", service: "gadgetevents" }
}

/// Reads whole messages from a request body as they arrive.
struct Messages {
    body: Incoming,
    buf: BytesMut,
}

impl Messages {
    async fn next(&mut self) -> Option<Message> {
        loop {
            if self.buf.len() >= 4 {
                let total = (&self.buf[..4]).get_u32() as usize;
                if self.buf.len() >= total {
                    let frame = self.buf.split_to(total).freeze();
                    return Some(aws_smithy_eventstream::frame::read_message_from(frame).unwrap());
                }
            }
            match self.body.frame().await {
                Some(Ok(f)) => {
                    if let Ok(data) = f.into_data() {
                        self.buf.extend_from_slice(&data);
                    }
                }
                Some(Err(e)) => panic!("reading the request body: {e}"),
                None => {
                    assert!(self.buf.is_empty(), "the body ended inside a message");
                    return None;
                }
            }
        }
    }
}

/// What the server saw of one event: its type and a summary of its headers and payload.
fn describe(m: &Message) -> String {
    assert_eq!(text(m, ":message-type"), "event");
    let kind = text(m, ":event-type").to_owned();
    let mut parts = vec![kind];
    for h in m.headers() {
        let name = h.name().as_str();
        if name == ":message-type" || name == ":event-type" {
            continue;
        }
        let v = match h.value() {
            HeaderValue::String(s) => format!("{:?}", s.as_str()),
            HeaderValue::Bool(b) => format!("bool {b}"),
            HeaderValue::Int32(n) => format!("i32 {n}"),
            HeaderValue::Int64(n) => format!("i64 {n}"),
            HeaderValue::ByteArray(b) => format!("bytes {:?}", &b[..]),
            HeaderValue::Timestamp(t) => format!("ts {}", t.to_millis().unwrap()),
            other => format!("{other:?}"),
        };
        parts.push(format!("{name}={v}"));
    }
    parts.push(format!("payload={}", String::from_utf8_lossy(m.payload())));
    parts.join(" ")
}

fn event_message(kind: &str, payload: &[u8]) -> Bytes {
    let m = Message::new(payload.to_vec())
        .add_header(Header::new(":message-type", HeaderValue::String("event".into())))
        .add_header(Header::new(":event-type", HeaderValue::String(kind.to_owned().into())));
    let mut out = Vec::new();
    aws_smithy_eventstream::frame::write_message_to(&m, &mut out).unwrap();
    Bytes::from(out)
}

/// A response body fed by a channel (the server's output events).
struct ChannelBody(mpsc::UnboundedReceiver<Bytes>);

impl hyper::body::Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0.poll_recv(cx).map(|o| o.map(|b| Ok(Frame::data(b))))
    }
}

fn commands() -> Vec<GadgetCommandStream> {
    vec![
        GadgetCommandStream::Move(
            MoveCommand::builder()
                .step(3)
                .level(Level::High)
                .fast(true)
                .at(awslim_gadget_events::runtime::DateTime::from_secs_and_nanos(1_700_000_000, 250_000_000))
                .sequence(9_000_000_000i64)
                .tag(awslim_gadget_events::runtime::Blob::new(vec![1, 2]))
                .target("door")
                .speed(1.5)
                .build(),
        ),
        GadgetCommandStream::Audio(
            AudioCommand::builder().chunk(awslim_gadget_events::runtime::Blob::new(b"\x00\x01pcm".to_vec())).build(),
        ),
        GadgetCommandStream::Say(SayCommand::builder().text("héllo").build()),
        GadgetCommandStream::Configure(
            ConfigureCommand::builder().name("cfg").detail(Detail::builder().name("n").count(2).build()).build(),
        ),
        GadgetCommandStream::Stop(StopCommand::builder().build()),
    ]
}

/// What the server must see for [`commands`], in order (headers and JSON members in the
/// generated structures' member order).
const EXPECTED: [&str; 5] = [
    r#"Move :content-type="application/json" At=ts 1700000000250 Fast=bool true Level="high" Sequence=i64 9000000000 Step=i32 3 Tag=bytes [1, 2] payload={"Speed":1.5,"Target":"door"}"#,
    "Audio :content-type=\"application/octet-stream\" payload=\u{0}\u{1}pcm",
    "Say :content-type=\"text/plain\" payload=héllo",
    r#"Configure :content-type="application/json" Name="cfg" payload={"Count":2,"Name":"n"}"#,
    "Stop payload=",
];

/// Bidirectional over HTTP/2: each command is answered before the next is sent, so the output
/// is read while the input is still open; every envelope's signature is checked.
#[tokio::test]
async fn bidirectional_events_over_http2_with_every_chunk_signature_verified() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel::<String>();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let seen_tx = seen_tx.clone();
            async move {
                assert_eq!(req.version(), hyper::Version::HTTP_2);
                assert_eq!(req.method(), hyper::Method::POST);
                assert_eq!(req.uri().path(), "/gadgets/g-1/control");
                assert_eq!(req.headers()["x-mode"], "fast");
                let mut verifier = check_request_head(&req);
                let (out_tx, out_rx) = mpsc::unbounded_channel::<Bytes>();
                let mut messages = Messages { body: req.into_body(), buf: BytesMut::new() };
                tokio::spawn(async move {
                    let mut ended = false;
                    while let Some(envelope) = messages.next().await {
                        assert!(!ended, "nothing after the end envelope");
                        match verifier.open(&envelope) {
                            Some(inner) => {
                                let d = describe(&inner);
                                let kind = text(&inner, ":event-type").to_owned();
                                seen_tx.send(d).unwrap();
                                // Answer at once: the client reads it before sending more.
                                let _ = out_tx.send(event_message("Note", format!("got {kind}").as_bytes()));
                            }
                            None => {
                                ended = true;
                                seen_tx.send("end".to_owned()).unwrap();
                                let _ = out_tx.send(event_message("Finished", b""));
                            }
                        }
                    }
                    assert!(ended, "the stream ends with a signed empty envelope");
                    // Dropping `out_tx` ends the response.
                });
                let response = hyper::Response::builder()
                    .header("content-type", "application/vnd.amazon.eventstream")
                    .header("x-session-id", "s-9")
                    .body(ChannelBody(out_rx))
                    .unwrap();
                Ok::<_, Infallible>(response)
            }
        });
        hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
            .serve_connection(hyper_util::rt::TokioIo::new(tcp), service)
            .await
            .unwrap();
    });

    let (sink, sender) = EventStreamSender::channel(1);
    let input = ControlGadgetInput::builder().gadget_id("g-1").mode("fast").commands(sender).build();
    let mut out = client(port).control_gadget(input).await.unwrap();
    assert_eq!(out.session_id.as_deref(), Some("s-9"));
    for (command, expected) in commands().into_iter().zip(EXPECTED) {
        let kind = expected.split(' ').next().unwrap().to_owned();
        sink.send(command).await.unwrap();
        match out.events.next().await {
            Some(Ok(GadgetEventStream::Note(n))) => assert_eq!(n.text.as_deref(), Some(format!("got {kind}").as_str())),
            other => panic!("expected the answer to {kind}, got {other:?}"),
        }
        assert_eq!(seen_rx.recv().await.unwrap(), expected);
    }
    drop(sink);
    match out.events.next().await {
        Some(Ok(GadgetEventStream::Finished(_))) => {}
        other => panic!("expected Finished, got {other:?}"),
    }
    assert!(out.events.next().await.is_none());
    assert_eq!(seen_rx.recv().await.unwrap(), "end");
    server.abort();
}

/// Client to server only, over HTTP/1.1 (chunked): the answer comes after the last envelope.
#[tokio::test]
async fn input_stream_over_http1_is_signed_and_answered_at_the_end() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let service = hyper::service::service_fn(|req: hyper::Request<Incoming>| async move {
            assert_eq!(req.version(), hyper::Version::HTTP_11);
            assert_eq!(req.uri().path(), "/readings");
            assert_eq!(req.headers()["transfer-encoding"], "chunked");
            let mut verifier = check_request_head(&req);
            let mut messages = Messages { body: req.into_body(), buf: BytesMut::new() };
            let mut seen = Vec::new();
            while let Some(envelope) = messages.next().await {
                match verifier.open(&envelope) {
                    Some(inner) => seen.push(describe(&inner)),
                    None => seen.push("end".to_owned()),
                }
            }
            let mut want: Vec<String> = EXPECTED.iter().map(|s| s.to_string()).collect();
            want.push("end".to_owned());
            assert_eq!(seen, want);
            let body = format!(r#"{{"Accepted":{}}}"#, seen.len() - 1);
            Ok::<_, Infallible>(
                hyper::Response::builder()
                    .header("content-type", "application/json")
                    .body(http_body_util::Full::new(Bytes::from(body)))
                    .unwrap(),
            )
        });
        hyper::server::conn::http1::Builder::new()
            .serve_connection(hyper_util::rt::TokioIo::new(tcp), service)
            .await
            .unwrap();
    });
    let input = UploadReadingsInput::builder().commands(EventStreamSender::from_events(commands())).build();
    let out = client(port).upload_readings(input).await.unwrap();
    assert_eq!(out.accepted, Some(5));
    server.abort();
}

/// Sends `events` to a server that reads whatever arrives; returns the call's error with its
/// sources.
async fn failed_upload(events: Vec<GadgetCommandStream>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let service = hyper::service::service_fn(|req: hyper::Request<Incoming>| async move {
            // Read what arrives; the body fails at the bad event.
            let _ = req.into_body().collect().await;
            Ok::<_, Infallible>(hyper::Response::new(http_body_util::Full::new(Bytes::from_static(b"{}"))))
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(hyper_util::rt::TokioIo::new(tcp), service)
            .await;
    });
    let input = UploadReadingsInput::builder().commands(EventStreamSender::from_events(events)).build();
    let err = client(port).upload_readings(input).await.unwrap_err();
    let mut chain = format!("{err}");
    assert!(chain.contains("UploadReadings"), "{chain}");
    let mut cur = std::error::Error::source(&err);
    while let Some(e) = cur {
        chain.push_str(&format!(" / {e}"));
        cur = e.source();
    }
    server.abort();
    chain
}

/// An event the model does not know cannot be sent: the call fails naming it.
#[tokio::test]
async fn an_unknown_event_fails_the_call_with_its_name() {
    let unknown = GadgetCommandStream::Unknown(awslim_gadget_events::runtime::UnknownMember::new(
        "Teleport",
        awslim_gadget_events::runtime::Document::Null,
    ));
    let chain = failed_upload(vec![GadgetCommandStream::Stop(StopCommand::builder().build()), unknown]).await;
    assert!(chain.contains("the event `Teleport` is not in the model"), "{chain}");
}

/// Events are checked against the model's constraints before they are sent, as inputs are.
#[tokio::test]
async fn an_event_breaking_a_constraint_fails_the_call_naming_the_member() {
    let empty = GadgetCommandStream::Say(SayCommand::builder().text("").build());
    let chain = failed_upload(vec![empty]).await;
    assert!(chain.contains("Say.Text"), "{chain}");
}
