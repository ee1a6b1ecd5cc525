//! `@streaming` blobs end to end: the `streaming` fixture (`awslim-blobs`) against the scripted
//! HTTP/1.1 server on 127.0.0.1. Uploads from a file (Content-Length) and from a reader
//! (chunked), signed with `UNSIGNED-PAYLOAD` and checked by the server's own SigV4 verifier;
//! downloads read chunk by chunk past the response-size limit; retries that replay a file body
//! and a reader body that cannot be replayed.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use awslim_blobs::operation::get_blob::GetBlobError;
use awslim_blobs::types::{EchoBlobInput, GetBlobInput, PutBlobInput};
use awslim_blobs::{Client, Config, SdkError};
use awslim_runtime::error::TransportErrorKind;
use awslim_runtime::{ByteStream, Credentials, RetryConfig};
use support::{verify_sigv4_with, Action, Recorded, Response, TestServer, ACCESS_KEY, REGION, SECRET_KEY};

fn client(server: &TestServer) -> Client {
    Client::new(
        Config::builder()
            .region(REGION)
            .endpoint_url(server.url.clone())
            .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY))
            .retry(RetryConfig::default().with_initial_backoff(Duration::from_millis(1)))
            // Streamed bodies are not subject to it; error bodies are.
            .max_response_body_size(Some(64 * 1024))
            .build(),
    )
}

fn pattern(from: usize, n: usize) -> Vec<u8> {
    (from..from + n).map(|i| (i % 251) as u8).collect()
}

/// The server's own SigV4 check for the `blobs` signing name.
fn signature_ok(r: &Recorded) {
    if let Err(e) = verify_sigv4_with(r, ACCESS_KEY, SECRET_KEY, REGION, "blobs", SystemTime::now()) {
        panic!("signature rejected: {e}");
    }
}

async fn temp_file(name: &str, content: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("awslim-streaming-{}-{name}", std::process::id()));
    tokio::fs::write(&path, content).await.unwrap();
    path
}

fn stored(size: usize) -> Action {
    Action::Respond(Response::json(200, format!(r#"{{"Size":{size}}}"#)).header("ETag", "\"e-1\""))
}

#[tokio::test]
async fn a_file_upload_is_streamed_with_its_length_and_an_unsigned_payload() {
    let content = pattern(0, 3 * 1024 * 1024 + 17);
    let path = temp_file("upload", &content).await;
    let server = TestServer::scripted([stored(content.len())]).await;
    let input = PutBlobInput::builder().key("k1").tag("t").body(ByteStream::from_path(&path).await.unwrap()).build();
    let out = client(&server).put_blob(input).await.expect("stored");
    assert_eq!(out.size, Some(content.len() as i64));
    assert_eq!(out.e_tag.as_deref(), Some("\"e-1\""));
    let r = &server.requests()[0];
    assert_eq!((r.method.as_str(), r.path()), ("PUT", "/blobs/k1"));
    assert_eq!(r.header("content-length"), Some(content.len().to_string().as_str()));
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    assert_eq!(r.header("x-blob-tag"), Some("t"));
    assert_eq!(r.header("x-amz-content-sha256"), Some("UNSIGNED-PAYLOAD"));
    assert!(r.body == content, "the file arrives whole");
    signature_ok(r);
    let _ = tokio::fs::remove_file(&path).await;
}

#[tokio::test]
async fn a_body_in_memory_is_signed_with_its_hash() {
    let server = TestServer::scripted([stored(5)]).await;
    let input = PutBlobInput::builder().key("k2").body("hello").build();
    client(&server).put_blob(input).await.expect("stored");
    let r = &server.requests()[0];
    assert_eq!(r.header("x-amz-content-sha256"), None);
    assert_eq!(r.header("content-length"), Some("5"));
    assert_eq!(r.body, b"hello");
    signature_ok(r);
}

#[tokio::test]
async fn a_reader_of_unknown_length_is_sent_chunked() {
    let content = pattern(3, 300_000);
    let server = TestServer::scripted([stored(content.len())]).await;
    let body = ByteStream::from_reader(std::io::Cursor::new(content.clone()), None);
    client(&server).put_blob(PutBlobInput::builder().key("k3").body(body).build()).await.expect("stored");
    let r = &server.requests()[0];
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.header("content-length"), None);
    assert_eq!(r.header("x-amz-content-sha256"), Some("UNSIGNED-PAYLOAD"));
    assert!(r.body == content);
    signature_ok(r);
}

#[tokio::test]
async fn a_stream_of_known_length_is_sent_with_content_length() {
    struct Chunks(Vec<&'static [u8]>);
    impl futures_core::Stream for Chunks {
        type Item = Result<awslim_runtime::bytes::Bytes, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            let next = (!self.0.is_empty()).then(|| self.0.remove(0));
            std::task::Poll::Ready(next.map(|c| Ok(awslim_runtime::bytes::Bytes::from_static(c))))
        }
    }
    let server = TestServer::scripted([stored(11)]).await;
    let body = ByteStream::from_stream(Chunks(vec![b"hello", b" ", b"world"]), Some(11));
    client(&server).put_blob(PutBlobInput::builder().key("ks").body(body).build()).await.expect("stored");
    let r = &server.requests()[0];
    assert_eq!(r.header("content-length"), Some("11"));
    assert_eq!(r.header("transfer-encoding"), None);
    assert_eq!(r.body, b"hello world");
    signature_ok(r);
}

#[tokio::test]
async fn a_retry_sends_the_file_again_from_the_start() {
    let content = pattern(9, 200_000);
    let path = temp_file("retry", &content).await;
    let server =
        TestServer::scripted([Action::Respond(Response::error(503, "ServiceUnavailable", "{}")), stored(200_000)])
            .await;
    let input = PutBlobInput::builder().key("k4").body(ByteStream::from_path(&path).await.unwrap()).build();
    client(&server).put_blob(input).await.expect("stored on the second attempt");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert!(r.body == content, "attempt {:?} sent the whole file", r.attempt());
        signature_ok(r);
    }
    assert_eq!(requests[1].attempt(), Some((2, 3)));
    let _ = tokio::fs::remove_file(&path).await;
}

#[tokio::test]
async fn a_reader_body_is_not_retried_and_the_error_says_why() {
    let server =
        TestServer::scripted([Action::Respond(Response::error(503, "ServiceUnavailable", "{}")), stored(4)]).await;
    let body = ByteStream::from_reader(std::io::Cursor::new(b"once".to_vec()), Some(4));
    let err = client(&server).put_blob(PutBlobInput::builder().key("k5").body(body).build()).await.unwrap_err();
    match &err {
        SdkError::Transport(e) => {
            assert_eq!(e.kind(), TransportErrorKind::BodyNotReplayable);
            let text = e.to_string();
            assert!(text.contains("cannot be replayed") && text.contains("PutBlob"), "{text}");
        }
        other => panic!("expected BodyNotReplayable, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 1, "no second attempt");
}

#[tokio::test]
async fn a_download_is_read_chunk_by_chunk_past_the_response_limit() {
    // 8 MiB against a 64 KiB response limit, chunked (no Content-Length).
    let unit = pattern(0, 251 * 1024);
    let sent = Arc::new(AtomicUsize::new(0));
    let response = Response { status: 200, headers: vec![("x-blob-tag".into(), "big".into())], body: unit.clone() };
    let server = TestServer::scripted([Action::Chunked(response, 32, sent.clone())]).await;
    let mut out = client(&server).get_blob(GetBlobInput::builder().key("k6").build()).await.expect("head");
    assert_eq!(out.tag.as_deref(), Some("big"), "headers are read before the body");
    let (mut read, mut chunks) = (0usize, 0usize);
    while let Some(chunk) = out.body.next().await {
        let chunk = chunk.expect("chunk");
        assert!(chunk[..] == pattern(read, chunk.len())[..], "bytes in order at offset {read}");
        read += chunk.len();
        chunks += 1;
    }
    assert_eq!(read, unit.len() * 32);
    assert!(chunks > 32, "{chunks} chunks");
    let r = &server.requests()[0];
    assert_eq!(r.header("content-length"), None, "a GET sends no body");
    signature_ok(r);
}

#[tokio::test]
async fn echo_streams_both_ways_and_reads_as_async_read() {
    use tokio::io::AsyncReadExt;
    let server = TestServer::start(|r: &Recorded| {
        Action::Respond(Response { status: 202, headers: vec![], body: r.body.iter().rev().copied().collect() })
    })
    .await;
    let body = ByteStream::from_reader(std::io::Cursor::new(b"stressed".to_vec()), None);
    let out = client(&server).echo_blob(EchoBlobInput::builder().body(body).build()).await.expect("echo");
    assert_eq!(out.status, Some(202));
    let mut text = String::new();
    out.body.into_async_read().read_to_string(&mut text).await.unwrap();
    assert_eq!(text, "desserts");
}

#[tokio::test]
async fn collect_has_an_explicit_limit() {
    let server = TestServer::scripted([
        Action::Respond(Response { status: 200, headers: vec![], body: pattern(0, 1000) }),
        Action::Respond(Response { status: 200, headers: vec![], body: pattern(0, 1000) }),
    ])
    .await;
    let c = client(&server);
    let out = c.get_blob(GetBlobInput::builder().key("k7").build()).await.unwrap();
    assert_eq!(out.content_length, Some(1000));
    assert_eq!(out.body.collect(1000).await.unwrap().len(), 1000);
    let out = c.get_blob(GetBlobInput::builder().key("k7").build()).await.unwrap();
    let err = out.body.collect(999).await.unwrap_err();
    assert_eq!(err.kind(), awslim_runtime::body::ByteStreamErrorKind::TooLarge);
}

#[tokio::test]
async fn the_connection_is_reused_once_the_body_is_read() {
    let small = || Action::Respond(Response { status: 200, headers: vec![], body: pattern(0, 100_000) });
    let big = Response { status: 200, headers: vec![], body: pattern(0, 251 * 1024) };
    let server = TestServer::scripted([small(), Action::Chunked(big, 64, Arc::default()), small()]).await;
    let c = client(&server);
    let get = || c.get_blob(GetBlobInput::builder().key("k9").build());
    // Read to the end: the connection goes back to the pool.
    let out = get().await.unwrap();
    assert_eq!(out.body.collect(u64::MAX).await.unwrap().len(), 100_000);
    // 16 MiB dropped unread: that connection is closed, the next call opens another.
    drop(get().await.unwrap());
    get().await.unwrap().body.collect(u64::MAX).await.unwrap();
    let connections: Vec<usize> = server.requests().iter().map(|r| r.connection).collect();
    assert_eq!(connections[0], connections[1], "{connections:?}");
    assert_ne!(connections[1], connections[2], "{connections:?}");
}

#[tokio::test]
async fn an_error_response_is_a_typed_error() {
    let server =
        TestServer::scripted([Action::Respond(Response::error(404, "NoSuchBlob", r#"{"Message":"gone"}"#))]).await;
    let err = client(&server).get_blob(GetBlobInput::builder().key("k8").build()).await.unwrap_err();
    match err {
        SdkError::Service { error: GetBlobError::NoSuchBlob(e), .. } => assert_eq!(e.message.as_deref(), Some("gone")),
        other => panic!("expected NoSuchBlob, got {other:?}"),
    }
}

/// 1 GiB generated by the server as it is sent and read chunk by chunk: memory stays bounded
/// (run alone under `/usr/bin/time -v` to see the peak RSS; not timed).
#[tokio::test]
#[ignore = "moves 1 GiB over loopback; run with --ignored"]
async fn a_one_gigabyte_download_in_bounded_memory() {
    let unit = pattern(0, 1024 * 1024);
    let sent = Arc::new(AtomicUsize::new(0));
    let response = Response { status: 200, headers: vec![], body: unit };
    let server = TestServer::scripted([Action::Chunked(response, 1024, sent.clone())]).await;
    let mut out = client(&server).get_blob(GetBlobInput::builder().key("huge").build()).await.expect("head");
    let mut read = 0u64;
    let mut largest = 0usize;
    while let Some(chunk) = out.body.next().await {
        let chunk = chunk.expect("chunk");
        largest = largest.max(chunk.len());
        read += chunk.len() as u64;
        // The server is never far ahead: what it sent and what we read differ by socket buffers.
        assert!(sent.load(Ordering::SeqCst) as u64 - read < 64 * 1024 * 1024);
    }
    assert_eq!(read, 1024 * 1024 * 1024);
    println!("read {read} bytes; largest chunk {largest} bytes");
}
