//! Streaming bodies (feature `streaming`): [`ByteStream`], the type of `@streaming` blob members
//! in both directions, and of the response body handed to a caller unread.
//!
//! A request body comes from bytes, a file ([`ByteStream::from_path`]), any
//! [`tokio::io::AsyncRead`] ([`ByteStream::from_reader`]) or any [`futures_core::Stream`] of
//! bytes ([`ByteStream::from_stream`]), with a known length when there is one. It is sent as it
//! is read, never gathered in memory by the default transport. Bytes and files can be replayed
//! for a retry (a file is reopened and read from the start); readers and streams cannot, and a
//! call that would retry with one fails saying so.
//!
//! A response body is read at the caller's pace: [`ByteStream::next`], the
//! [`futures_core::Stream`] impl, [`ByteStream::into_async_read`], or
//! [`ByteStream::collect`] with an explicit size limit. The HTTP connection goes back to the
//! pool when the body has been read to the end; dropping it unread closes the connection
//! (unless the rest has already arrived).

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, ReadBuf};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type BoxBody = Pin<Box<dyn Body<Data = Bytes, Error = BoxError> + Send>>;
type BoxStream = Pin<Box<dyn futures_core::Stream<Item = Result<Bytes, BoxError>> + Send>>;
type OpenFuture = Pin<Box<dyn Future<Output = std::io::Result<tokio::fs::File>> + Send>>;

/// How much a file or reader body reads at a time.
const CHUNK: usize = 64 * 1024;

/// What went wrong with a [`ByteStream`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ByteStreamErrorKind {
    /// Reading the source (file, reader, stream, connection) failed.
    Read,
    /// [`ByteStream::collect`] found more bytes than its limit.
    TooLarge,
    /// The body was already read (a reader or stream cannot be read twice).
    Consumed,
}

/// An error reading a [`ByteStream`]; the message holds the whole cause.
#[derive(Debug)]
pub struct ByteStreamError {
    kind: ByteStreamErrorKind,
    message: String,
}

impl ByteStreamError {
    fn new(kind: ByteStreamErrorKind, message: impl Into<String>) -> Self {
        ByteStreamError { kind, message: message.into() }
    }

    fn read(what: &str, e: &(dyn std::error::Error + 'static)) -> Self {
        let mut message = format!("reading the {what}: {e}");
        let mut cur = e.source();
        while let Some(s) = cur {
            let text = s.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            cur = s.source();
        }
        ByteStreamError::new(ByteStreamErrorKind::Read, message)
    }

    /// What went wrong.
    pub fn kind(&self) -> ByteStreamErrorKind {
        self.kind
    }
}

impl fmt::Display for ByteStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ByteStreamError {}

impl From<ByteStreamError> for std::io::Error {
    fn from(e: ByteStreamError) -> Self {
        std::io::Error::other(e)
    }
}

enum FileState {
    Closed,
    Opening(OpenFuture),
    Open(tokio::fs::File),
}

enum Kind {
    /// In memory; replayable.
    Bytes(Option<Bytes>),
    /// A file, opened on first read; replayable by reopening it.
    File { path: Arc<PathBuf>, state: FileState },
    /// Any reader; read once.
    Reader(Pin<Box<dyn AsyncRead + Send>>),
    /// Any stream of chunks; read once.
    Stream(BoxStream),
    /// An HTTP body (a response from the transport); read once.
    Http(BoxBody),
}

/// A body that is sent or received as it is read (see the [module docs](self)).
pub struct ByteStream {
    kind: Kind,
    /// The number of bytes it holds, when known (sent as `Content-Length`).
    len: Option<u64>,
    done: bool,
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.kind {
            Kind::Bytes(_) => "bytes",
            Kind::File { .. } => "file",
            Kind::Reader(_) => "reader",
            Kind::Stream(_) => "stream",
            Kind::Http(_) => "http",
        };
        // Never the content (it may be secret), nor the file name.
        f.debug_struct("ByteStream").field("source", &source).field("len", &self.len).finish()
    }
}

impl Default for ByteStream {
    fn default() -> Self {
        ByteStream::from(Bytes::new())
    }
}

impl From<Bytes> for ByteStream {
    fn from(bytes: Bytes) -> Self {
        ByteStream { len: Some(bytes.len() as u64), kind: Kind::Bytes(Some(bytes)), done: false }
    }
}

impl From<Vec<u8>> for ByteStream {
    fn from(v: Vec<u8>) -> Self {
        ByteStream::from(Bytes::from(v))
    }
}

impl From<String> for ByteStream {
    fn from(s: String) -> Self {
        ByteStream::from(Bytes::from(s))
    }
}

impl From<&'static str> for ByteStream {
    fn from(s: &'static str) -> Self {
        ByteStream::from(Bytes::from_static(s.as_bytes()))
    }
}

impl From<&'static [u8]> for ByteStream {
    fn from(s: &'static [u8]) -> Self {
        ByteStream::from(Bytes::from_static(s))
    }
}

impl ByteStream {
    /// The contents of the file at `path`, read as it is sent; its length (from the file's
    /// metadata, now) is sent as `Content-Length`. A retry reopens the file and sends it from
    /// the start, so do not change the file during the call.
    pub async fn from_path(path: impl AsRef<Path>) -> std::io::Result<ByteStream> {
        let path = path.as_ref().to_path_buf();
        let meta = tokio::fs::metadata(&path).await?;
        if !meta.is_file() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"));
        }
        Ok(ByteStream {
            kind: Kind::File { path: Arc::new(path), state: FileState::Closed },
            len: Some(meta.len()),
            done: false,
        })
    }

    /// Everything `reader` yields, read once as it is sent; `len` is its length if known
    /// (`Content-Length`; without it the body is sent with chunked transfer encoding). A call
    /// with such a body is not retried after it was sent.
    pub fn from_reader(reader: impl AsyncRead + Send + 'static, len: Option<u64>) -> ByteStream {
        ByteStream { kind: Kind::Reader(Box::pin(reader)), len, done: false }
    }

    /// Every chunk of `stream`, read once as it is sent; `len` as in [`from_reader`](Self::from_reader).
    pub fn from_stream<S, E>(stream: S, len: Option<u64>) -> ByteStream
    where
        S: futures_core::Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        ByteStream { kind: Kind::Stream(Box::pin(MapErr(Box::pin(stream)))), len, done: false }
    }

    /// An HTTP body (for transports handing back a response unread); its exact size hint, if
    /// any, is the length.
    pub fn from_body<B>(body: B) -> ByteStream
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let len = body.size_hint().exact();
        let done = body.is_end_stream();
        ByteStream { kind: Kind::Http(Box::pin(http_body_util::BodyExt::map_err(body, Into::into))), len, done }
    }

    /// The length in bytes, when known.
    pub fn len(&self) -> Option<u64> {
        self.len
    }

    /// Whether the body is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len == Some(0)
    }

    /// The content, when it is in memory (then requests are signed with its hash).
    pub fn bytes(&self) -> Option<&Bytes> {
        match &self.kind {
            Kind::Bytes(b) => b.as_ref(),
            _ => None,
        }
    }

    /// Whether [`try_clone`](Self::try_clone) works: bytes and files, not readers, streams or
    /// HTTP bodies.
    pub fn is_replayable(&self) -> bool {
        matches!(self.kind, Kind::Bytes(_) | Kind::File { .. })
    }

    /// A copy that reads the same content from the start (bytes: shared; file: reopened), or
    /// `None` for a body that can be read only once.
    pub fn try_clone(&self) -> Option<ByteStream> {
        let kind = match &self.kind {
            Kind::Bytes(b) => Kind::Bytes(b.clone()),
            Kind::File { path, .. } => Kind::File { path: path.clone(), state: FileState::Closed },
            _ => return None,
        };
        Some(ByteStream { kind, len: self.len, done: false })
    }

    /// The next chunk, `None` at the end.
    pub async fn next(&mut self) -> Option<Result<Bytes, ByteStreamError>> {
        std::future::poll_fn(|cx| self.poll_chunk(cx)).await
    }

    /// Reads the rest into memory; more than `limit` bytes is an error
    /// ([`ByteStreamErrorKind::TooLarge`]) found before the excess is held.
    pub async fn collect(mut self, limit: u64) -> Result<Bytes, ByteStreamError> {
        if let Some(n) = self.len.filter(|n| *n > limit) {
            return Err(too_large(limit, Some(n)));
        }
        if let Kind::Bytes(b) = &mut self.kind {
            return Ok(b.take().unwrap_or_default());
        }
        let mut out = BytesMut::new();
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            if (out.len() + chunk.len()) as u64 > limit {
                return Err(too_large(limit, None));
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out.freeze())
    }

    /// A [`tokio::io::AsyncRead`] over the rest of the body.
    pub fn into_async_read(self) -> ByteStreamReader {
        ByteStreamReader { stream: self, pending: Bytes::new() }
    }

    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, ByteStreamError>>> {
        if self.done {
            return Poll::Ready(None);
        }
        let polled = match &mut self.kind {
            Kind::Bytes(b) => Poll::Ready(b.take().filter(|b| !b.is_empty()).map(Ok)),
            Kind::File { path, state } => poll_file(path, state, cx),
            Kind::Reader(r) => poll_reader(r.as_mut(), cx),
            Kind::Stream(s) => {
                s.as_mut().poll_next(cx).map(|c| c.map(|r| r.map_err(|e| ByteStreamError::read("body stream", &*e))))
            }
            Kind::Http(b) => poll_http(b.as_mut(), cx),
        };
        match ready!(polled) {
            None => {
                self.done = true;
                Poll::Ready(None)
            }
            Some(Err(e)) => {
                self.done = true;
                Poll::Ready(Some(Err(e)))
            }
            Some(Ok(chunk)) => Poll::Ready(Some(Ok(chunk))),
        }
    }
}

fn too_large(limit: u64, declared: Option<u64>) -> ByteStreamError {
    let what = declared.map_or_else(|| "the body is".to_owned(), |n| format!("the body's length {n} is"));
    ByteStreamError::new(ByteStreamErrorKind::TooLarge, format!("{what} over the collect limit of {limit} bytes"))
}

fn poll_file(
    path: &Arc<PathBuf>,
    state: &mut FileState,
    cx: &mut Context<'_>,
) -> Poll<Option<Result<Bytes, ByteStreamError>>> {
    loop {
        match state {
            FileState::Closed => {
                let path = path.clone();
                *state = FileState::Opening(Box::pin(async move { tokio::fs::File::open(&*path).await }));
            }
            FileState::Opening(f) => match ready!(f.as_mut().poll(cx)) {
                Ok(file) => *state = FileState::Open(file),
                Err(e) => return Poll::Ready(Some(Err(ByteStreamError::read("file", &e)))),
            },
            FileState::Open(file) => {
                return poll_reader(Pin::new(file), cx);
            }
        }
    }
}

fn poll_reader<R: AsyncRead + ?Sized>(
    reader: Pin<&mut R>,
    cx: &mut Context<'_>,
) -> Poll<Option<Result<Bytes, ByteStreamError>>> {
    let mut buf = vec![0u8; CHUNK];
    let mut read_buf = ReadBuf::new(&mut buf);
    match ready!(reader.poll_read(cx, &mut read_buf)) {
        Err(e) => Poll::Ready(Some(Err(ByteStreamError::read("body reader", &e)))),
        Ok(()) => {
            let n = read_buf.filled().len();
            if n == 0 {
                return Poll::Ready(None);
            }
            buf.truncate(n);
            Poll::Ready(Some(Ok(Bytes::from(buf))))
        }
    }
}

fn poll_http(
    mut body: Pin<&mut (dyn Body<Data = Bytes, Error = BoxError> + Send)>,
    cx: &mut Context<'_>,
) -> Poll<Option<Result<Bytes, ByteStreamError>>> {
    loop {
        match ready!(body.as_mut().poll_frame(cx)) {
            None => return Poll::Ready(None),
            Some(Err(e)) => return Poll::Ready(Some(Err(ByteStreamError::read("response body", &*e)))),
            // Trailers carry no data.
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) if data.is_empty() => continue,
                Ok(data) => return Poll::Ready(Some(Ok(data))),
                Err(_) => continue,
            },
        }
    }
}

impl futures_core::Stream for ByteStream {
    type Item = Result<Bytes, ByteStreamError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_chunk(cx)
    }
}

/// Sends the body as it is read (the default transport's request body).
impl Body for ByteStream {
    type Data = Bytes;
    type Error = ByteStreamError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        self.get_mut().poll_chunk(cx).map(|c| c.map(|r| r.map(Frame::data)))
    }

    fn is_end_stream(&self) -> bool {
        self.done || self.len == Some(0)
    }

    fn size_hint(&self) -> SizeHint {
        match self.len {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
        }
    }
}

/// [`ByteStream::into_async_read`].
pub struct ByteStreamReader {
    stream: ByteStream,
    pending: Bytes,
}

impl fmt::Debug for ByteStreamReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStreamReader").field("stream", &self.stream).finish_non_exhaustive()
    }
}

impl AsyncRead for ByteStreamReader {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        while this.pending.is_empty() {
            match ready!(this.stream.poll_chunk(cx)) {
                None => return Poll::Ready(Ok(())),
                Some(Err(e)) => return Poll::Ready(Err(e.into())),
                Some(Ok(chunk)) => this.pending = chunk,
            }
        }
        let n = this.pending.len().min(buf.remaining());
        buf.put_slice(&this.pending.split_to(n));
        Poll::Ready(Ok(()))
    }
}

/// Erases a stream's error type (the stream is boxed, so no pin projection is needed).
struct MapErr<S>(Pin<Box<S>>);

impl<S, E> futures_core::Stream for MapErr<S>
where
    S: futures_core::Stream<Item = Result<Bytes, E>>,
    E: Into<BoxError>,
{
    type Item = Result<Bytes, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.as_mut().poll_next(cx).map(|c| c.map(|r| r.map_err(Into::into)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_neither_content_nor_file_name() {
        let text = format!("{:?}", ByteStream::from("secret-content"));
        assert_eq!(text, r#"ByteStream { source: "bytes", len: Some(14) }"#);
        let file = ByteStream {
            kind: Kind::File { path: Arc::new(PathBuf::from("/secret/name.txt")), state: FileState::Closed },
            len: Some(3),
            done: false,
        };
        let text = format!("{file:?}");
        assert!(!text.contains("secret") && text.contains("file"), "{text}");
    }

    #[test]
    fn only_bytes_and_files_replay() {
        let bytes = ByteStream::from("abc");
        assert!(bytes.try_clone().is_some_and(|c| c.bytes() == Some(&Bytes::from_static(b"abc"))));
        let reader = ByteStream::from_reader(std::io::Cursor::new(vec![1u8]), Some(1));
        assert!(!reader.is_replayable() && reader.try_clone().is_none());
    }
}
