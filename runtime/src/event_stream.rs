//! Event streams, server to client (feature `event-stream`): the output member of an operation
//! whose model targets a `@streaming` union becomes an [`EventReceiver`], an async stream of the
//! union's events read from the response body as they arrive.
//!
//! Framing, header parsing and both CRC checks are the official `aws-smithy-eventstream`
//! crate's ([`read_message_from`](aws_smithy_eventstream::frame::read_message_from)); this module
//! only bounds and gathers the bytes of one message at a time, and dispatches on the
//! `:message-type` header as the Smithy event-stream specification says:
//!
//! - `event`: the `:event-type` names the union member; generated code reads its headers
//!   (`@eventHeader`) and payload (`@eventPayload`, else the JSON of the other members). An event
//!   type the model does not know becomes the union's `Unknown` member (name and payload).
//! - `exception`: the `:exception-type` names a union member targeting an `@error` structure:
//!   [`EventStreamError::Modeled`]; an unknown one is [`EventStreamError::Service`].
//! - `error`: [`EventStreamError::Service`] with `:error-code` and `:error-message`.
//!
//! An error ends the stream. A message longer than [`MAX_MESSAGE_LEN`] (the specification's
//! 16 MiB) is an error before anything is allocated for it.
//!
//! Client to server (feature `event-stream-signing`): `EventStreamSender` holds the events an
//! input sends; the request body carries them as messages in SigV4-signed envelopes (see the
//! `sender` module's docs and `MessageSigner`).

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::{Buf, Bytes, BytesMut};

pub use aws_smithy_types::event_stream::{Header, HeaderValue, Message};

use crate::body::{ByteStream, ByteStreamError};
use crate::json::ParseError;
use crate::text::Bounded;

/// The largest message the specification allows (prelude, headers, payload and CRCs).
pub const MAX_MESSAGE_LEN: usize = 16 * 1024 * 1024;
/// The smallest valid message: prelude (12 bytes) and message CRC (4 bytes).
const MIN_MESSAGE_LEN: usize = 16;

/// Which kind of message generated code is asked to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// `:message-type` `event`; the name is the `:event-type`.
    Event,
    /// `:message-type` `exception`; the name is the `:exception-type`.
    Exception,
}

/// Reads one message into the stream's union: `Ok(None)` for an exception type the model does
/// not know (an unknown event type is the union's `Unknown` member, never `None`).
pub type EventParseFn<T> = fn(MessageKind, &str, &Message) -> Result<Option<T>, ParseError>;

/// Why an event stream ended early.
#[derive(Debug)]
#[non_exhaustive]
pub enum EventStreamError<T> {
    /// The service sent an exception event the model describes (a union member targeting an
    /// `@error` structure); the value is that member.
    Modeled(T),
    /// The service sent an error the model does not describe.
    Service {
        /// `:error-code`, or the unknown `:exception-type`.
        code: String,
        /// `:error-message`, or the exception payload's `message`.
        message: Option<String>,
    },
    /// A message was malformed: framing, checksum, size, a missing header, or a payload that
    /// does not have the model's shape.
    Decode(String),
    /// Reading the response body failed (or it ended inside a message).
    Read(ByteStreamError),
}

impl<T: fmt::Debug> fmt::Display for EventStreamError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventStreamError::Modeled(e) => write!(f, "the service sent an error event: {e:?}"),
            EventStreamError::Service { code, message } => {
                write!(f, "the service sent an error event: {}", Bounded::new(code))?;
                match message {
                    Some(m) => write!(f, ": {}", Bounded::new(m)),
                    None => Ok(()),
                }
            }
            EventStreamError::Decode(m) => write!(f, "invalid event stream message: {}", Bounded::new(m)),
            EventStreamError::Read(e) => write!(f, "reading the event stream: {e}"),
        }
    }
}

impl<T: fmt::Debug> std::error::Error for EventStreamError<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EventStreamError::Read(e) => Some(e),
            _ => None,
        }
    }
}

struct Reader<T> {
    body: ByteStream,
    buf: BytesMut,
    parse: EventParseFn<T>,
    done: bool,
}

/// The events of a `@streaming` union member, in the order the service sent them.
///
/// Read with `next().await` or as a [`futures_core::Stream`]. Clones share one stream (each
/// event goes to whichever clone asks first), and compare equal only to each other. `Debug`
/// shows nothing of the content.
pub struct EventReceiver<T> {
    inner: Arc<Mutex<Reader<T>>>,
}

impl<T> Clone for EventReceiver<T> {
    fn clone(&self) -> Self {
        EventReceiver { inner: Arc::clone(&self.inner) }
    }
}

impl<T> PartialEq for EventReceiver<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl<T> fmt::Debug for EventReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventReceiver")
    }
}

impl<T> Default for EventReceiver<T> {
    /// A stream with no events (what a missing member is read as).
    fn default() -> Self {
        EventReceiver::new(ByteStream::default(), |_, _, _| Ok(None))
    }
}

impl<T> EventReceiver<T> {
    /// Events read from `body` with the generated `parse`.
    #[doc(hidden)]
    pub fn new(body: ByteStream, parse: EventParseFn<T>) -> Self {
        let reader = Reader { body, buf: BytesMut::new(), parse, done: false };
        EventReceiver { inner: Arc::new(Mutex::new(reader)) }
    }

    /// A stream of already-framed messages (for tests and mocks): `bytes` holds whole messages.
    pub fn from_bytes(bytes: impl Into<Bytes>, parse: EventParseFn<T>) -> Self {
        EventReceiver::new(ByteStream::from(bytes.into()), parse)
    }

    /// The next event; `None` when the stream has ended (normally or after an error).
    pub async fn next(&mut self) -> Option<Result<T, EventStreamError<T>>> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    /// Reads every remaining event, stopping at the first error.
    pub async fn collect(mut self) -> Result<Vec<T>, EventStreamError<T>> {
        let mut out = Vec::new();
        while let Some(e) = self.next().await {
            out.push(e?);
        }
        Ok(out)
    }

    fn poll_event(&self, cx: &mut Context<'_>) -> Poll<Option<Result<T, EventStreamError<T>>>> {
        // A poisoned lock only means another clone panicked mid-poll; the state is still whole.
        let mut reader = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        reader.poll_event(cx)
    }
}

impl<T> futures_core::Stream for EventReceiver<T> {
    type Item = Result<T, EventStreamError<T>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.poll_event(cx)
    }
}

impl<T> Reader<T> {
    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, EventStreamError<T>>>> {
        loop {
            if self.done {
                return Poll::Ready(None);
            }
            match self.take_message() {
                Err(e) => return Poll::Ready(Some(self.fail(e))),
                Ok(Some(message)) => match dispatch(&message, self.parse) {
                    Ok(event) => return Poll::Ready(Some(Ok(event))),
                    Err(e) => return Poll::Ready(Some(self.fail(e))),
                },
                Ok(None) => {}
            }
            match futures_core::Stream::poll_next(Pin::new(&mut self.body), cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => self.buf.extend_from_slice(&chunk),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(self.fail(EventStreamError::Read(e)))),
                Poll::Ready(None) if self.buf.is_empty() => {
                    self.done = true;
                    return Poll::Ready(None);
                }
                Poll::Ready(None) => {
                    let why = format!("the stream ended inside a message ({} bytes left over)", self.buf.len());
                    return Poll::Ready(Some(self.fail(EventStreamError::Decode(why))));
                }
            }
        }
    }

    fn fail(&mut self, e: EventStreamError<T>) -> Result<T, EventStreamError<T>> {
        self.done = true;
        self.buf = BytesMut::new();
        Err(e)
    }

    /// The next whole message in the buffer, checked by the official decoder.
    fn take_message(&mut self) -> Result<Option<Message>, EventStreamError<T>> {
        if self.buf.len() < 4 {
            return Ok(None);
        }
        let total = (&self.buf[..4]).get_u32() as usize;
        if !(MIN_MESSAGE_LEN..=MAX_MESSAGE_LEN).contains(&total) {
            return Err(EventStreamError::Decode(format!(
                "a message declares {total} bytes; the specification allows {MIN_MESSAGE_LEN} to {MAX_MESSAGE_LEN}"
            )));
        }
        if self.buf.len() < total {
            self.buf.reserve(total - self.buf.len());
            return Ok(None);
        }
        let frame = self.buf.split_to(total).freeze();
        aws_smithy_eventstream::frame::read_message_from(frame)
            .map(Some)
            .map_err(|e| EventStreamError::Decode(e.to_string()))
    }
}

/// The string value of header `name`.
pub fn header_str<'a>(message: &'a Message, name: &str) -> Option<&'a str> {
    message
        .headers()
        .iter()
        .find(|h| h.name().as_str() == name)
        .and_then(|h| h.value().as_string().ok())
        .map(|s| s.as_str())
}

fn dispatch<T>(message: &Message, parse: EventParseFn<T>) -> Result<T, EventStreamError<T>> {
    let decode = |e: ParseError| EventStreamError::Decode(e.to_string());
    let required = |name: &str| {
        header_str(message, name).ok_or_else(|| EventStreamError::Decode(format!("a message has no `{name}` header")))
    };
    match required(":message-type")? {
        "event" => {
            let name = required(":event-type")?;
            match parse(MessageKind::Event, name, message).map_err(decode)? {
                Some(event) => Ok(event),
                None => Err(EventStreamError::Decode(format!("the event type `{name}` cannot be read"))),
            }
        }
        "exception" => {
            let name = required(":exception-type")?;
            match parse(MessageKind::Exception, name, message).map_err(decode)? {
                Some(error) => Err(EventStreamError::Modeled(error)),
                None => Err(EventStreamError::Service { code: name.to_owned(), message: payload_message(message) }),
            }
        }
        "error" => Err(EventStreamError::Service {
            code: header_str(message, ":error-code").unwrap_or("").to_owned(),
            message: header_str(message, ":error-message").map(str::to_owned),
        }),
        other => Err(EventStreamError::Decode(format!("unknown `:message-type` `{other}`"))),
    }
}

/// The `message` (or `Message`) member of a JSON exception payload.
fn payload_message(message: &Message) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(message.payload()).ok()?;
    let o = v.as_object()?;
    o.get("message").or_else(|| o.get("Message")).and_then(|m| m.as_str()).map(str::to_owned)
}

/// Header accessors for generated event readers: each returns `Ok(None)` when the header is
/// absent and an error naming it when it has another type.
#[doc(hidden)]
pub mod headers {
    use super::{HeaderValue, Message};
    use crate::json::ParseError;
    use crate::types::{Blob, DateTime};

    fn find<'a>(message: &'a Message, name: &str) -> Option<&'a HeaderValue> {
        message.headers().iter().find(|h| h.name().as_str() == name).map(|h| h.value())
    }

    fn wrong(name: &str, want: &str) -> ParseError {
        ParseError::new(format!("the event header `{name}` is not {want}"))
    }

    macro_rules! accessor {
        ($fn_name:ident, $ty:ty, $want:literal, $($pat:pat => $val:expr),+) => {
            pub fn $fn_name(message: &Message, name: &str) -> Result<Option<$ty>, ParseError> {
                match find(message, name) {
                    None => Ok(None),
                    $(Some($pat) => Ok(Some($val)),)+
                    Some(_) => Err(wrong(name, $want)),
                }
            }
        };
    }

    accessor!(boolean, bool, "a boolean", HeaderValue::Bool(b) => *b);
    accessor!(byte, i8, "a byte", HeaderValue::Byte(b) => *b);
    accessor!(short, i16, "a short", HeaderValue::Int16(n) => *n, HeaderValue::Byte(n) => i16::from(*n));
    accessor!(integer, i32, "an integer", HeaderValue::Int32(n) => *n, HeaderValue::Int16(n) => i32::from(*n), HeaderValue::Byte(n) => i32::from(*n));
    accessor!(long, i64, "a long", HeaderValue::Int64(n) => *n, HeaderValue::Int32(n) => i64::from(*n), HeaderValue::Int16(n) => i64::from(*n), HeaderValue::Byte(n) => i64::from(*n));
    accessor!(string, String, "a string", HeaderValue::String(s) => s.as_str().to_owned());
    accessor!(blob, Blob, "a byte array", HeaderValue::ByteArray(b) => Blob::new(b.to_vec()));

    pub fn timestamp(message: &Message, name: &str) -> Result<Option<DateTime>, ParseError> {
        match find(message, name) {
            None => Ok(None),
            Some(HeaderValue::Timestamp(t)) => Ok(Some(DateTime::from_secs_and_nanos(t.secs(), t.subsec_nanos()))),
            Some(_) => Err(wrong(name, "a timestamp")),
        }
    }
}

#[cfg(feature = "event-stream-signing")]
mod signer;
#[cfg(feature = "event-stream-signing")]
pub use signer::MessageSigner;
#[cfg(feature = "event-stream-signing")]
mod sender;
#[cfg(feature = "event-stream-signing")]
pub(crate) use sender::RequestSignature;
#[cfg(feature = "event-stream-signing")]
pub use sender::{
    request_body, write, BoxError, EventSink, EventSinkClosed, EventStreamBody, EventStreamSender, EventWriteFn,
};

#[cfg(test)]
mod tests;
