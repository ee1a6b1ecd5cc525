//! Event streams, client to server (feature `event-stream-signing`): the input member of an
//! operation whose model targets a `@streaming` union is an [`EventStreamSender`], a stream of
//! the union's events that the client encodes, signs and sends as the request body while the
//! caller produces them.
//!
//! On the wire (the Smithy event-stream specification, and what the AWS SDKs send):
//!
//! - each event is one message (`:message-type` `event`, `:event-type` the union member,
//!   `:content-type`, the `@eventHeader` members as headers, the `@eventPayload` member or the
//!   JSON of the other members as payload), encoded by generated code and framed by the official
//!   `aws-smithy-eventstream` crate;
//! - when the request is signed with SigV4, each message travels inside an envelope message whose
//!   `:date` and `:chunk-signature` headers chain from the request's own signature
//!   ([`MessageSigner`], `aws-sigv4`'s `sign-eventstream`), and a signed empty envelope ends the
//!   stream; the request itself is signed with the payload hash
//!   `STREAMING-AWS4-HMAC-SHA256-EVENTS` (sent as `X-Amz-Content-Sha256`);
//! - when it is not signed (no auth, bearer tokens), the messages are sent as they are and the
//!   stream ends with the body.
//!
//! The runtime hands the request's signature to the body after signing it: generated code puts
//! an [`EventStreamBody`] on the request's extensions next to the body from [`request_body`].

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use super::{Message, MessageSigner};
use crate::body::ByteStream;
use crate::credentials::Credentials;

/// Any error a caller's event stream may end with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

type EventStream<T> = Pin<Box<dyn futures_core::Stream<Item = Result<T, BoxError>> + Send>>;

/// The events a call sends to the service, in order: from any [`futures_core::Stream`]
/// ([`from_stream`](Self::from_stream)), a list known up front
/// ([`from_events`](Self::from_events)), or a channel the caller feeds while the call runs
/// ([`channel`](Self::channel)). The stream ends when the source ends (the client then sends
/// the end of the stream); an error from the source ends the request body with that error.
///
/// Clones share one source (the events are sent once, by the call that takes it first), and
/// compare equal only to each other, so an input holding one stays `Clone` and `PartialEq`.
/// `Debug` shows nothing of the events.
pub struct EventStreamSender<T> {
    inner: Arc<Mutex<Option<EventStream<T>>>>,
}

impl<T> Clone for EventStreamSender<T> {
    fn clone(&self) -> Self {
        EventStreamSender { inner: Arc::clone(&self.inner) }
    }
}

impl<T> PartialEq for EventStreamSender<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl<T> fmt::Debug for EventStreamSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventStreamSender")
    }
}

impl<T: Send + 'static> Default for EventStreamSender<T> {
    /// No events: the stream ends at once.
    fn default() -> Self {
        EventStreamSender::from_events(Vec::new())
    }
}

impl<T: Send + 'static> EventStreamSender<T> {
    /// The events `stream` yields, sent as they come; an `Err` ends the request with it.
    pub fn from_stream<S, E>(stream: S) -> Self
    where
        S: futures_core::Stream<Item = Result<T, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        let mapped: EventStream<T> = Box::pin(MapErr(Box::pin(stream)));
        EventStreamSender { inner: Arc::new(Mutex::new(Some(mapped))) }
    }

    /// These events, then the end of the stream.
    pub fn from_events(events: impl IntoIterator<Item = T>) -> Self {
        let items: Vec<Result<T, BoxError>> = events.into_iter().map(Ok).collect();
        EventStreamSender { inner: Arc::new(Mutex::new(Some(Box::pin(Iter(items.into_iter()))))) }
    }

    /// A sender fed through the returned [`EventSink`]: events are sent as the sink is given
    /// them, and the stream ends when every clone of the sink is dropped. `buffer` events may
    /// wait to be sent before [`EventSink::send`] waits (at least 1).
    pub fn channel(buffer: usize) -> (EventSink<T>, Self) {
        let (tx, rx) = tokio::sync::mpsc::channel(buffer.max(1));
        let stream: EventStream<T> = Box::pin(Channel(rx));
        (EventSink { tx }, EventStreamSender { inner: Arc::new(Mutex::new(Some(stream))) })
    }

    /// The source, once (later callers get an empty stream).
    fn take(&self) -> Option<EventStream<T>> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
    }
}

/// Feeds an [`EventStreamSender::channel`]. Clones feed the same stream; dropping the last one
/// ends it.
pub struct EventSink<T> {
    tx: tokio::sync::mpsc::Sender<Result<T, BoxError>>,
}

impl<T> Clone for EventSink<T> {
    fn clone(&self) -> Self {
        EventSink { tx: self.tx.clone() }
    }
}

impl<T> fmt::Debug for EventSink<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventSink")
    }
}

/// The call that was sending the events has ended (it failed, or its body was dropped); the
/// event is handed back.
pub struct EventSinkClosed<T>(pub T);

impl<T> fmt::Debug for EventSinkClosed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventSinkClosed")
    }
}

impl<T> fmt::Display for EventSinkClosed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the event stream is closed: the call sending it has ended")
    }
}

impl<T> std::error::Error for EventSinkClosed<T> {}

impl<T> EventSink<T> {
    /// Queues `event` to be sent, waiting while the buffer is full.
    pub async fn send(&self, event: T) -> Result<(), EventSinkClosed<T>> {
        self.tx.send(Ok(event)).await.map_err(|e| match e.0 {
            Ok(event) => EventSinkClosed(event),
            Err(_) => unreachable!("only events are sent here"),
        })
    }

    /// Ends the request body with `error` (the call fails with it) instead of the end of the
    /// stream.
    pub async fn fail(&self, error: impl Into<BoxError>) {
        let _ = self.tx.send(Err(error.into())).await;
    }
}

/// Encodes one event as a message (generated code), first checking it against the model's
/// constraints when the `bool` says so (`Config::validate_requests`); the error names the member
/// that could not be sent and why.
pub type EventWriteFn<T> = fn(&T, bool) -> Result<Message, String>;

/// What the body learns once the request is signed.
enum Seed {
    /// Not signed yet (a body polled before its request was authorized: a bug).
    Pending,
    /// The request went unsigned: messages are sent as they are.
    Unsigned,
    /// SigV4: the chain starts at the request's signature.
    Signed(MessageSigner, /* clock offset in ms (service minus local) */ i64),
}

/// What the runtime tells the body after authorizing the request.
struct Started {
    seed: Seed,
    validate: bool,
}

/// The request extension linking an event-stream body (from [`request_body`]) to the request's
/// signature. The runtime fills it after authorizing each attempt.
#[derive(Clone)]
pub struct EventStreamBody {
    seed: Arc<Mutex<Option<Started>>>,
}

impl fmt::Debug for EventStreamBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventStreamBody")
    }
}

/// A SigV4 request signature and what produced it: the seed of an event stream's signatures.
/// Put on a request's extensions by the signer when the request carries an [`EventStreamBody`].
#[derive(Clone)]
pub(crate) struct RequestSignature {
    pub(crate) credentials: Credentials,
    pub(crate) region: String,
    pub(crate) signing_name: String,
    pub(crate) signature: String,
}

impl fmt::Debug for RequestSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestSignature").field("region", &self.region).finish_non_exhaustive()
    }
}

impl EventStreamBody {
    /// Called by the runtime after signing: `signature` is `None` for an unsigned request;
    /// `validate`: check each event against the model's constraints before sending it.
    pub(crate) fn seed(&self, signature: Option<RequestSignature>, clock_offset_millis: i64, validate: bool) {
        let seed = match signature {
            None => Seed::Unsigned,
            Some(s) => Seed::Signed(
                MessageSigner::new(&s.credentials, s.region, s.signing_name, s.signature),
                clock_offset_millis,
            ),
        };
        *self.seed.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Started { seed, validate });
    }
}

/// The request body carrying `sender`'s events (each encoded by `write`), and the extension to
/// put on the request so the runtime can hand it the request's signature. The body is read once
/// (a call with it is not retried after sending).
#[doc(hidden)]
pub fn request_body<T: Send + 'static>(
    sender: EventStreamSender<T>,
    write: EventWriteFn<T>,
) -> (ByteStream, EventStreamBody) {
    let link = EventStreamBody { seed: Arc::new(Mutex::new(None)) };
    let events = sender.take().unwrap_or_else(|| Box::pin(Iter(Vec::new().into_iter())));
    let body = Envelopes { events, write, link: link.clone(), signer: None, validate: true, state: State::Start };
    (ByteStream::from_stream(body, None), link)
}

enum State {
    Start,
    Sending,
    Ended,
}

/// The request body: each event encoded, signed when the request is, and framed.
struct Envelopes<T> {
    events: EventStream<T>,
    write: EventWriteFn<T>,
    link: EventStreamBody,
    /// `Some` once started for a signed request (with the clock offset).
    signer: Option<(MessageSigner, i64)>,
    validate: bool,
    state: State,
}

/// Why the request body stopped.
#[derive(Debug)]
struct BodyError(String);

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BodyError {}

fn now(offset_millis: i64) -> SystemTime {
    let local = SystemTime::now();
    let shift = Duration::from_millis(offset_millis.unsigned_abs());
    if offset_millis >= 0 {
        local + shift
    } else {
        local.checked_sub(shift).unwrap_or(local)
    }
}

fn frame(message: &Message) -> Result<Bytes, BoxError> {
    let mut out = Vec::new();
    aws_smithy_eventstream::frame::write_message_to(message, &mut out)
        .map_err(|e| BodyError(format!("framing an event-stream message: {e}")))?;
    Ok(Bytes::from(out))
}

impl<T> Envelopes<T> {
    /// Takes the seed at the first poll: the request has been signed by then.
    fn start(&mut self) -> Result<(), BoxError> {
        let started = self.link.seed.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        let seed = started.map_or(Seed::Pending, |s| {
            self.validate = s.validate;
            s.seed
        });
        match seed {
            Seed::Pending => {
                return Err(Box::new(BodyError(
                    "the event stream was sent before its request was authorized".to_owned(),
                )))
            }
            Seed::Unsigned => {}
            Seed::Signed(signer, offset) => self.signer = Some((signer, offset)),
        }
        self.state = State::Sending;
        Ok(())
    }

    fn wrap(&mut self, message: &Message) -> Result<Bytes, BoxError> {
        match &mut self.signer {
            None => frame(message),
            Some((signer, offset)) => {
                let envelope = signer.sign(message, now(*offset)).map_err(|e| BodyError(e.to_string()))?;
                frame(&envelope)
            }
        }
    }
}

impl<T> futures_core::Stream for Envelopes<T> {
    type Item = Result<Bytes, BoxError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // `Envelopes` holds only boxed and plain fields: it is `Unpin`.
        let this = self.get_mut();
        if let State::Start = this.state {
            if let Err(e) = this.start() {
                this.state = State::Ended;
                return Poll::Ready(Some(Err(e)));
            }
        }
        if let State::Ended = this.state {
            return Poll::Ready(None);
        }
        match this.events.as_mut().poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(event))) => {
                let framed = (this.write)(&event, this.validate)
                    .map_err(|e| -> BoxError { Box::new(BodyError(format!("encoding an event: {e}"))) })
                    .and_then(|message| this.wrap(&message));
                if framed.is_err() {
                    this.state = State::Ended;
                }
                Poll::Ready(Some(framed))
            }
            Poll::Ready(Some(Err(e))) => {
                this.state = State::Ended;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(None) => {
                this.state = State::Ended;
                match &mut this.signer {
                    // An unsigned stream ends with the body.
                    None => Poll::Ready(None),
                    Some((signer, offset)) => {
                        let end = signer
                            .sign_end(now(*offset))
                            .map_err(|e| -> BoxError { Box::new(BodyError(e.to_string())) });
                        Poll::Ready(Some(end.and_then(|m| frame(&m))))
                    }
                }
            }
        }
    }
}

struct MapErr<S>(Pin<Box<S>>);

impl<S, T, E> futures_core::Stream for MapErr<S>
where
    S: futures_core::Stream<Item = Result<T, E>>,
    E: Into<BoxError>,
{
    type Item = Result<T, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.as_mut().poll_next(cx).map(|o| o.map(|r| r.map_err(Into::into)))
    }
}

struct Iter<T>(std::vec::IntoIter<T>);

impl<T> Unpin for Iter<T> {}

impl<T> futures_core::Stream for Iter<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<T>> {
        Poll::Ready(self.0.next())
    }
}

struct Channel<T>(tokio::sync::mpsc::Receiver<Result<T, BoxError>>);

impl<T> futures_core::Stream for Channel<T> {
    type Item = Result<T, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// Message headers for generated event writers.
#[doc(hidden)]
pub mod write {
    use super::Message;
    use crate::types::{Blob, DateTime};
    use aws_smithy_types::event_stream::{Header, HeaderValue};

    /// A new message: `:message-type` `event` and `:event-type` `name` (for an `@error` member,
    /// `exception` and `:exception-type`), and `:content-type` when there is a payload type.
    pub fn message(exception: bool, name: &str, content_type: Option<&str>, payload: Vec<u8>) -> Message {
        let (kind, type_header) = if exception { ("exception", ":exception-type") } else { ("event", ":event-type") };
        let mut m = Message::new(payload)
            .add_header(Header::new(":message-type", HeaderValue::String(kind.into())))
            .add_header(Header::new(type_header, HeaderValue::String(name.to_owned().into())));
        if let Some(ct) = content_type {
            m = m.add_header(Header::new(":content-type", HeaderValue::String(ct.to_owned().into())));
        }
        m
    }

    pub fn boolean(m: Message, name: &str, v: bool) -> Message {
        m.add_header(Header::new(name.to_owned(), HeaderValue::Bool(v)))
    }
    pub fn byte(m: Message, name: &str, v: i8) -> Message {
        m.add_header(Header::new(name.to_owned(), HeaderValue::Byte(v)))
    }
    pub fn short(m: Message, name: &str, v: i16) -> Message {
        m.add_header(Header::new(name.to_owned(), HeaderValue::Int16(v)))
    }
    pub fn integer(m: Message, name: &str, v: i32) -> Message {
        m.add_header(Header::new(name.to_owned(), HeaderValue::Int32(v)))
    }
    pub fn long(m: Message, name: &str, v: i64) -> Message {
        m.add_header(Header::new(name.to_owned(), HeaderValue::Int64(v)))
    }
    pub fn string(m: Message, name: &str, v: &str) -> Message {
        m.add_header(Header::new(name.to_owned(), HeaderValue::String(v.to_owned().into())))
    }
    pub fn blob(m: Message, name: &str, v: &Blob) -> Message {
        m.add_header(Header::new(name.to_owned(), HeaderValue::ByteArray(v.as_bytes().to_vec().into())))
    }
    /// Event-stream timestamps are milliseconds since the epoch.
    pub fn timestamp(m: Message, name: &str, v: &DateTime) -> Message {
        let t = aws_smithy_types::DateTime::from_secs_and_nanos(v.secs(), v.subsec_nanos());
        m.add_header(Header::new(name.to_owned(), HeaderValue::Timestamp(t)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(n: &u32, validate: bool) -> Result<Message, String> {
        if validate && *n > 100 {
            return Err("`N`: over 100".to_owned());
        }
        if *n == 0 {
            return Err("`Zero`: cannot be sent".to_owned());
        }
        Ok(write::integer(write::message(false, "n", Some("text/plain"), n.to_string().into_bytes()), "n", *n as i32))
    }

    fn frames(mut bytes: &[u8]) -> Vec<Message> {
        let mut out = Vec::new();
        while !bytes.is_empty() {
            let total = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
            out.push(aws_smithy_eventstream::frame::read_message_from(&bytes[..total]).unwrap());
            bytes = &bytes[total..];
        }
        out
    }

    fn names(m: &Message) -> Vec<&str> {
        m.headers().iter().map(|h| h.name().as_str()).collect()
    }

    #[tokio::test]
    async fn an_unsigned_body_is_the_messages_themselves() {
        let (body, link) = request_body(EventStreamSender::from_events([1u32, 22]), write);
        link.seed(None, 0, true);
        let bytes = body.collect(u64::MAX).await.unwrap();
        let got = frames(&bytes);
        assert_eq!(got.len(), 2, "no end message when unsigned");
        assert_eq!(names(&got[0]), [":message-type", ":event-type", ":content-type", "n"]);
        assert_eq!(got[1].payload().as_ref(), b"22");
        assert_eq!(super::super::header_str(&got[0], ":event-type"), Some("n"));
    }

    #[tokio::test]
    async fn a_signed_body_wraps_each_message_and_ends_with_an_empty_envelope() {
        let (body, link) = request_body(EventStreamSender::from_events([5u32]), write);
        let seed = RequestSignature {
            credentials: Credentials::new("AKID", "SECRET"),
            region: "us-east-1".into(),
            signing_name: "svc".into(),
            signature: "00".repeat(32),
        };
        assert!(!format!("{seed:?}").contains("SECRET"));
        link.seed(Some(seed), 0, true);
        let bytes = body.collect(u64::MAX).await.unwrap();
        let got = frames(&bytes);
        assert_eq!(got.len(), 2);
        for envelope in &got {
            assert_eq!(names(envelope), [":chunk-signature", ":date"]);
        }
        let inner = aws_smithy_eventstream::frame::read_message_from(got[0].payload().clone()).unwrap();
        assert_eq!(inner.payload().as_ref(), b"5");
        assert!(got[1].payload().is_empty());
    }

    #[tokio::test]
    async fn a_body_read_before_its_request_is_signed_fails() {
        let (body, _link) = request_body(EventStreamSender::from_events([1u32]), write);
        let e = body.collect(u64::MAX).await.unwrap_err();
        assert!(e.to_string().contains("before its request was authorized"), "{e}");
    }

    #[tokio::test]
    async fn an_event_that_cannot_be_encoded_ends_the_body_with_why() {
        let (body, link) = request_body(EventStreamSender::from_events([1u32, 0, 2]), write);
        link.seed(None, 0, true);
        let e = body.collect(u64::MAX).await.unwrap_err();
        assert!(e.to_string().contains("encoding an event: `Zero`: cannot be sent"), "{e}");
    }

    #[tokio::test]
    async fn events_are_checked_unless_validation_is_off() {
        for validate in [true, false] {
            let (body, link) = request_body(EventStreamSender::from_events([101u32]), write);
            link.seed(None, 0, validate);
            let result = body.collect(u64::MAX).await;
            match (validate, result) {
                (true, Err(e)) => assert!(e.to_string().contains("`N`: over 100"), "{e}"),
                (false, Ok(bytes)) => assert_eq!(frames(&bytes)[0].payload().as_ref(), b"101"),
                (v, other) => panic!("validate {v}: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn a_channel_ends_when_every_sink_is_dropped_and_reports_a_closed_call() {
        let (sink, sender) = EventStreamSender::channel(4);
        let clone = sender.clone();
        assert_eq!(sender, clone);
        assert_eq!(format!("{sender:?}"), "EventStreamSender");
        let (body, link) = request_body(sender, write);
        link.seed(None, 0, true);
        sink.send(3).await.unwrap();
        let second = sink.clone();
        second.send(4).await.unwrap();
        drop((sink, second));
        let got = frames(&body.collect(u64::MAX).await.unwrap());
        assert_eq!(got.iter().map(|m| m.payload().to_vec()).collect::<Vec<_>>(), [b"3".to_vec(), b"4".to_vec()]);
        // The source was taken by the first body: a clone sends nothing.
        let (body, link) = request_body(clone, write);
        link.seed(None, 0, true);
        assert!(body.collect(u64::MAX).await.unwrap().is_empty());

        let (sink, sender) = EventStreamSender::channel(1);
        drop(request_body(sender, write));
        match sink.send(9).await {
            Err(EventSinkClosed(9)) => {}
            other => panic!("{other:?}"),
        }
    }
}
