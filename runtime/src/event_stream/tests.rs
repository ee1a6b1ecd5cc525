use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use bytes::Bytes;

use super::*;

/// A test union: `Text(String)` events carry the payload; `Boom` is the modeled exception.
#[derive(Debug, PartialEq)]
enum Ev {
    Text(String),
    Count(i32),
    Boom(String),
    Unknown(String),
}

fn parse(kind: MessageKind, name: &str, m: &Message) -> Result<Option<Ev>, ParseError> {
    let text = || String::from_utf8_lossy(m.payload()).into_owned();
    Ok(match (kind, name) {
        (MessageKind::Event, "text") => Some(Ev::Text(text())),
        (MessageKind::Event, "count") => Some(Ev::Count(headers::integer(m, "n")?.unwrap_or(0))),
        (MessageKind::Event, other) => Some(Ev::Unknown(other.to_owned())),
        (MessageKind::Exception, "boom") => Some(Ev::Boom(text())),
        (MessageKind::Exception, _) => None,
    })
}

fn frame(headers: &[(&str, HeaderValue)], payload: &[u8]) -> Vec<u8> {
    let mut m = Message::new(Bytes::copy_from_slice(payload));
    for (name, value) in headers {
        m = m.add_header(Header::new(name.to_string(), value.clone()));
    }
    let mut out = Vec::new();
    aws_smithy_eventstream::frame::write_message_to(&m, &mut out).unwrap();
    out
}

fn s(v: &str) -> HeaderValue {
    HeaderValue::String(v.to_owned().into())
}

fn event(kind: &str, extra: &[(&str, HeaderValue)], payload: &[u8]) -> Vec<u8> {
    let mut h = vec![(":message-type", s("event")), (":event-type", s(kind))];
    h.extend(extra.iter().cloned());
    frame(&h, payload)
}

async fn read_all(bytes: Vec<u8>) -> Vec<Result<Ev, String>> {
    let mut r = EventReceiver::from_bytes(bytes, parse);
    let mut out = Vec::new();
    while let Some(e) = r.next().await {
        out.push(e.map_err(|e| e.to_string()));
    }
    out
}

#[tokio::test]
async fn events_in_order_then_end() {
    let mut bytes = event("text", &[], b"hello");
    bytes.extend(event("count", &[("n", HeaderValue::Int32(7))], b""));
    bytes.extend(event("newKind", &[], b"{}"));
    let got = read_all(bytes).await;
    assert_eq!(got, vec![Ok(Ev::Text("hello".into())), Ok(Ev::Count(7)), Ok(Ev::Unknown("newKind".into()))]);
}

#[tokio::test]
async fn messages_split_across_chunks() {
    let mut bytes = event("text", &[], b"one");
    bytes.extend(event("text", &[], b"two"));
    let chunks: Vec<Result<Bytes, std::io::Error>> = bytes.chunks(3).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    let body = ByteStream::from_stream(futures_stream(chunks), None);
    let got = EventReceiver::new(body, parse).collect().await.unwrap();
    assert_eq!(got, vec![Ev::Text("one".into()), Ev::Text("two".into())]);
}

fn futures_stream(
    items: Vec<Result<Bytes, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    struct Iter(std::vec::IntoIter<Result<Bytes, std::io::Error>>);
    impl futures_core::Stream for Iter {
        type Item = Result<Bytes, std::io::Error>;
        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            Poll::Ready(self.0.next())
        }
    }
    Iter(items.into_iter())
}

#[tokio::test]
async fn modeled_exception_is_typed_and_ends_the_stream() {
    let mut bytes = frame(&[(":message-type", s("exception")), (":exception-type", s("boom"))], b"bad");
    bytes.extend(event("text", &[], b"never read"));
    let mut r = EventReceiver::from_bytes(bytes, parse);
    match r.next().await {
        Some(Err(EventStreamError::Modeled(Ev::Boom(m)))) => assert_eq!(m, "bad"),
        other => panic!("{other:?}"),
    }
    assert!(r.next().await.is_none());
}

#[tokio::test]
async fn unmodeled_exception_and_error_messages() {
    let bytes = frame(&[(":message-type", s("exception")), (":exception-type", s("Other"))], br#"{"message":"why"}"#);
    match EventReceiver::from_bytes(bytes, parse).next().await {
        Some(Err(EventStreamError::Service { code, message })) => {
            assert_eq!((code.as_str(), message.as_deref()), ("Other", Some("why")))
        }
        other => panic!("{other:?}"),
    }
    let bytes = frame(
        &[(":message-type", s("error")), (":error-code", s("internal-error")), (":error-message", s("oops"))],
        b"",
    );
    let got = read_all(bytes).await;
    assert_eq!(got, vec![Err("the service sent an error event: internal-error: oops".to_owned())]);
}

#[tokio::test]
async fn missing_message_type_is_an_error() {
    let got = read_all(frame(&[(":event-type", s("text"))], b"x")).await;
    assert_eq!(got, vec![Err("invalid event stream message: a message has no `:message-type` header".to_owned())]);
}

#[tokio::test]
async fn corrupt_crc_is_an_error() {
    let mut bytes = event("text", &[], b"hello");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    let got = read_all(bytes).await;
    assert!(
        matches!(&got[..], [Err(e)] if e.contains("checksum") || e.contains("crc") || e.contains("CRC")),
        "{got:?}"
    );
}

#[tokio::test]
async fn oversized_length_is_refused_before_reading_it() {
    // A prelude declaring 1 GiB: refused from its first four bytes, nothing reserved.
    let mut bytes = (1u32 << 30).to_be_bytes().to_vec();
    bytes.extend([0u8; 12]);
    let got = read_all(bytes).await;
    assert_eq!(got.len(), 1);
    assert!(got[0].as_ref().unwrap_err().contains("declares 1073741824 bytes"), "{got:?}");
}

#[tokio::test]
async fn truncated_stream_is_an_error() {
    let bytes = event("text", &[], b"hello");
    let got = read_all(bytes[..bytes.len() - 3].to_vec()).await;
    assert!(matches!(&got[..], [Err(e)] if e.contains("ended inside a message")), "{got:?}");
}

#[tokio::test]
async fn header_of_the_wrong_type_names_it() {
    let got = read_all(event("count", &[("n", s("seven"))], b"")).await;
    assert!(matches!(&got[..], [Err(e)] if e.contains("`n` is not an integer")), "{got:?}");
}
