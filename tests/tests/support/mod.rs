//! A scripted HTTP/1.1 test server on 127.0.0.1 (real TCP, Tokio) for end-to-end tests of
//! generated clients, and an independent SigV4 verifier (hmac + sha2, not the client's signer).
//!
//! * [`TestServer::scripted`] answers requests from a queue of [`Action`]s;
//!   [`TestServer::start`] asks a closure for each request (for stateful servers).
//! * Every request is recorded ([`Recorded`]) with its SigV4 check already done
//!   ([`Recorded::signature`]).
//! * Everything is bounded: the accept loop and every connection stop after
//!   [`MAX_LIFETIME`], reads give up after [`IDLE_TIMEOUT`], and dropping the server aborts
//!   all of its tasks.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

/// Test credentials: the server knows the secret to check signatures.
pub const ACCESS_KEY: &str = "AKIDE2ETESTEXAMPLE";
pub const SECRET_KEY: &str = "e2eSECRETkey/DoNotLeak+wJalrXUtnFEMI";
pub const SESSION_TOKEN: &str = "e2eSESSIONtoken/DoNotLeak";
pub const REGION: &str = "us-west-2";
pub const SIGNING_NAME: &str = "connect";

/// No server task lives longer than this.
pub const MAX_LIFETIME: Duration = Duration::from_secs(120);
/// A connection with no complete request for this long is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest request head accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted.
const MAX_BODY: usize = 8 * 1024 * 1024;
/// Most requests served on one connection.
const MAX_REQUESTS_PER_CONNECTION: usize = 100_000;

/// One request as it arrived on the wire.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Arrival order on this server, from 0.
    pub seq: usize,
    /// Which TCP connection it came on (from 0, in accept order).
    pub connection: usize,
    pub method: String,
    /// The request target, e.g. `/contact/webrtc`.
    pub target: String,
    pub version: String,
    /// Header names lowercased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The server's own SigV4 check of this request.
    pub signature: Result<SigV4, String>,
}

impl Recorded {
    /// A request built by hand (for checking the verifier itself); not signature-checked.
    pub fn new(method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Recorded {
        Recorded {
            seq: 0,
            connection: 0,
            method: method.to_owned(),
            target: target.to_owned(),
            version: "HTTP/1.1".to_owned(),
            headers: headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), (*v).to_owned())).collect(),
            body: body.to_vec(),
            signature: Err("not checked".to_owned()),
        }
    }
    /// First value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }
    /// Every value of a header.
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().filter(|(k, _)| *k == name).map(|(_, v)| v.as_str()).collect()
    }
    /// The path (target without the query).
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
    /// The body as JSON (panics with the body text if it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("request body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    /// `ClientToken` of a JSON body.
    pub fn client_token(&self) -> Option<String> {
        serde_json::from_slice::<serde_json::Value>(&self.body).ok()?.get("ClientToken")?.as_str().map(str::to_owned)
    }
    /// `amz-sdk-request: attempt=N; max=M` as `(N, M)`.
    pub fn attempt(&self) -> Option<(u32, u32)> {
        let v = self.header("amz-sdk-request")?;
        let mut attempt = None;
        let mut max = None;
        for part in v.split(';') {
            let (k, val) = part.trim().split_once('=')?;
            match k {
                "attempt" => attempt = val.parse().ok(),
                "max" => max = val.parse().ok(),
                _ => {}
            }
        }
        Some((attempt?, max?))
    }
    /// Panics unless the server's SigV4 check passed; returns what it found.
    pub fn assert_signed(&self) -> &SigV4 {
        match &self.signature {
            Ok(s) => s,
            Err(e) => panic!("request #{} has no valid SigV4 signature: {e}\nheaders: {:#?}", self.seq, self.headers),
        }
    }
}

/// A response to send.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// A response with a JSON body and `Content-Type: application/json`.
    pub fn json(status: u16, body: impl Into<String>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into().into_bytes(),
        }
    }
    /// A restJson1 error: `X-Amzn-ErrorType: <code>` and a JSON body.
    pub fn error(status: u16, code: &str, body: impl Into<String>) -> Response {
        Response::json(status, body).header("X-Amzn-ErrorType", code)
    }
    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }
    /// Adds `x-amzn-RequestId`.
    pub fn request_id(self, id: &str) -> Response {
        self.header("x-amzn-RequestId", id)
    }
}

/// What the server does with a request it has read.
#[derive(Clone, Debug)]
pub enum Action {
    /// Answer (keep-alive).
    Respond(Response),
    /// Reset the connection without answering (SO_LINGER 0, then close: the peer gets RST).
    Reset,
    /// Close the connection without answering (FIN).
    Close,
    /// Say nothing for this long, then close.
    Stall(Duration),
    /// Send the head with this response's status and headers and `Content-Length: declared`,
    /// then only the body bytes given, then close.
    Truncated(Response, usize),
    /// Send the head and the first half of the body, then say nothing for this long, then
    /// close.
    StallMidBody(Response, Duration),
    /// Answer, then close the connection (no `Connection: close` header: the client finds
    /// out when it next uses the connection).
    RespondAndClose(Response),
    /// Answer without `Content-Length` (`Transfer-Encoding: chunked`): the body in chunks of
    /// 64 KiB, `repeat` times over; records how many bytes the client took in `sent`.
    Chunked(Response, usize, Arc<AtomicUsize>),
}

impl Action {
    /// `Respond(Response::json(status, body))`.
    pub fn json(status: u16, body: impl Into<String>) -> Action {
        Action::Respond(Response::json(status, body))
    }
}

type Handler = dyn Fn(&Recorded) -> Action + Send + Sync;

struct State {
    requests: Mutex<Vec<Recorded>>,
    handler: Box<Handler>,
    connections: AtomicUsize,
    tasks: Mutex<Vec<AbortHandle>>,
    secret: String,
}

/// A running test server; stops when dropped (and after [`MAX_LIFETIME`] in any case).
pub struct TestServer {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    state: Arc<State>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        for t in self.state.tasks.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
            t.abort();
        }
    }
}

impl TestServer {
    /// A server that asks `handler` what to do with each request.
    pub async fn start(handler: impl Fn(&Recorded) -> Action + Send + Sync + 'static) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(State {
            requests: Mutex::new(Vec::new()),
            handler: Box::new(handler),
            connections: AtomicUsize::new(0),
            tasks: Mutex::new(Vec::new()),
            secret: SECRET_KEY.to_owned(),
        });
        let st = state.clone();
        let accept = tokio::spawn(async move {
            let _ = tokio::time::timeout(MAX_LIFETIME, async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        return;
                    };
                    let id = st.connections.fetch_add(1, Ordering::SeqCst);
                    let conn_state = st.clone();
                    let task = tokio::spawn(async move {
                        let _ = tokio::time::timeout(MAX_LIFETIME, serve_connection(stream, id, conn_state)).await;
                    });
                    let mut tasks = st.tasks.lock().unwrap_or_else(|e| e.into_inner());
                    tasks.retain(|t| !t.is_finished());
                    tasks.push(task.abort_handle());
                }
            })
            .await;
        });
        state.tasks.lock().unwrap().push(accept.abort_handle());
        TestServer { url, state }
    }

    /// A server that answers from a queue; when the queue is empty it answers
    /// `418 ScriptExhausted` (not retried by clients, so a test fails visibly).
    pub async fn scripted(actions: impl IntoIterator<Item = Action>) -> TestServer {
        let queue = Mutex::new(actions.into_iter().collect::<VecDeque<_>>());
        TestServer::start(move |_| {
            queue.lock().unwrap().pop_front().unwrap_or_else(|| {
                Action::Respond(Response::error(
                    418,
                    "ScriptExhausted",
                    r#"{"Message":"the test server's script is exhausted"}"#,
                ))
            })
        })
        .await
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// How many TCP connections were accepted.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n")
}

/// Reads one request; `None` on EOF, error, timeout or a malformed request.
async fn read_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> Option<(String, String, String, Vec<(String, String)>, Vec<u8>)> {
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(end) = find_head_end(buf) {
            break end;
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
        let n = tokio::time::timeout(IDLE_TIMEOUT, stream.read(&mut chunk)).await.ok()?.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buf[..head_end].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let version = request_line.next()?.to_owned();
    let mut headers = Vec::new();
    for line in lines {
        let (k, v) = line.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    if headers.iter().any(|(k, v)| k == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked")) {
        // Streaming bodies of unknown length.
        buf.drain(..head_end + 4);
        let body = read_chunked(stream, buf).await?;
        return Some((method, target, version, headers, body));
    }
    let len: usize = match headers.iter().find(|(k, _)| k == "content-length") {
        Some((_, v)) => v.parse().ok()?,
        None => 0,
    };
    if len > MAX_BODY {
        return None;
    }
    buf.drain(..head_end + 4);
    while buf.len() < len {
        let n = tokio::time::timeout(IDLE_TIMEOUT, stream.read(&mut chunk)).await.ok()?.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body: Vec<u8> = buf.drain(..len).collect();
    Some((method, target, version, headers, body))
}

/// Reads more bytes into `buf` (`None` on EOF, error or timeout).
async fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<()> {
    let mut chunk = [0u8; 16 * 1024];
    let n = tokio::time::timeout(IDLE_TIMEOUT, stream.read(&mut chunk)).await.ok()?.ok()?;
    if n == 0 {
        return None;
    }
    buf.extend_from_slice(&chunk[..n]);
    Some(())
}

/// A `Transfer-Encoding: chunked` body (no trailers), at most [`MAX_BODY`] bytes.
async fn read_chunked(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(i) = buf.windows(2).position(|w| w == b"\r\n") {
                break i;
            }
            fill(stream, buf).await?;
        };
        let line = std::str::from_utf8(&buf[..line_end]).ok()?;
        let size = usize::from_str_radix(line.split(';').next()?.trim(), 16).ok()?;
        if body.len() + size > MAX_BODY {
            return None;
        }
        buf.drain(..line_end + 2);
        while buf.len() < size + 2 {
            fill(stream, buf).await?;
        }
        body.extend_from_slice(&buf[..size]);
        buf.drain(..size + 2);
        if size == 0 {
            return Some(body);
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        418 => "I'm a teapot",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

fn head_bytes(r: &Response, content_length: usize) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {content_length}\r\n\r\n"));
    head.into_bytes()
}

async fn serve_connection(mut stream: TcpStream, connection: usize, state: Arc<State>) {
    let mut buf = Vec::new();
    for _ in 0..MAX_REQUESTS_PER_CONNECTION {
        let Some((method, target, version, headers, body)) = read_request(&mut stream, &mut buf).await else {
            return;
        };
        let mut recorded =
            Recorded { seq: 0, connection, method, target, version, headers, body, signature: Err(String::new()) };
        recorded.signature = verify_sigv4(&recorded, &state.secret, SystemTime::now());
        {
            let mut requests = state.requests.lock().unwrap_or_else(|e| e.into_inner());
            recorded.seq = requests.len();
            requests.push(recorded.clone());
        }
        let action = (state.handler)(&recorded);
        match action {
            Action::Respond(r) => {
                let mut out = head_bytes(&r, r.body.len());
                out.extend_from_slice(&r.body);
                if stream.write_all(&out).await.is_err() || stream.flush().await.is_err() {
                    return;
                }
            }
            Action::Reset => {
                let _ = stream.set_zero_linger();
                drop(stream);
                return;
            }
            Action::Close => {
                let _ = stream.shutdown().await;
                return;
            }
            Action::Stall(d) => {
                tokio::time::sleep(d).await;
                return;
            }
            Action::StallMidBody(r, d) => {
                let mut out = head_bytes(&r, r.body.len());
                out.extend_from_slice(&r.body[..r.body.len() / 2]);
                let _ = stream.write_all(&out).await;
                let _ = stream.flush().await;
                tokio::time::sleep(d).await;
                return;
            }
            Action::RespondAndClose(r) => {
                let mut out = head_bytes(&r, r.body.len());
                out.extend_from_slice(&r.body);
                let _ = stream.write_all(&out).await;
                let _ = stream.flush().await;
                let _ = stream.shutdown().await;
                return;
            }
            Action::Chunked(r, repeat, sent) => {
                let mut head = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
                for (k, v) in &r.headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("Transfer-Encoding: chunked\r\n\r\n");
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for _ in 0..repeat {
                    for chunk in r.body.chunks(64 * 1024) {
                        let mut out = format!("{:x}\r\n", chunk.len()).into_bytes();
                        out.extend_from_slice(chunk);
                        out.extend_from_slice(b"\r\n");
                        if stream.write_all(&out).await.is_err() {
                            return;
                        }
                        sent.fetch_add(chunk.len(), Ordering::SeqCst);
                    }
                }
                let _ = stream.write_all(b"0\r\n\r\n").await;
                let _ = stream.flush().await;
            }
            Action::Truncated(r, declared) => {
                let mut out = head_bytes(&r, declared);
                out.extend_from_slice(&r.body[..r.body.len().min(declared)]);
                let _ = stream.write_all(&out).await;
                let _ = stream.flush().await;
                let _ = stream.shutdown().await;
                return;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Independent SigV4 verification.

/// What a valid `Authorization` header said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigV4 {
    pub access_key: String,
    /// `YYYYMMDD`
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key size");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// RFC 3986 percent-encoding of everything but unreserved characters (and `/` if asked).
fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::new();
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `YYYYMMDD'T'HHMMSS'Z'` → seconds since the epoch.
fn parse_amz_date(s: &str) -> Option<i64> {
    if s.len() != 16 || &s[8..9] != "T" || !s.ends_with('Z') {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (n(0..4)?, n(4..6)?, n(6..8)?);
    let (hh, mm, ss) = (n(9..11)?, n(11..13)?, n(13..15)?);
    // Days from civil (H. Hinnant).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Checks the SigV4 `Authorization` header of a recorded request from scratch: canonical
/// request (method, double-encoded path, sorted query, the signed headers as received,
/// payload hash from `x-amz-content-sha256` or the body), string to sign, signing key, and
/// signature; also the credential scope (`us-west-2`/`connect`), the access key, and that
/// `x-amz-date` is within 15 minutes of `now`.
pub fn verify_sigv4(req: &Recorded, secret: &str, now: SystemTime) -> Result<SigV4, String> {
    verify_sigv4_with(req, ACCESS_KEY, secret, REGION, SIGNING_NAME, now)
}

/// [`verify_sigv4`] for any key, region and service.
pub fn verify_sigv4_with(
    req: &Recorded,
    expected_access_key: &str,
    secret: &str,
    expected_region: &str,
    expected_service: &str,
    now: SystemTime,
) -> Result<SigV4, String> {
    let auth = req.header("authorization").ok_or("no Authorization header")?;
    let rest = auth.strip_prefix("AWS4-HMAC-SHA256 ").ok_or_else(|| format!("not AWS4-HMAC-SHA256: {auth}"))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=').ok_or("malformed Authorization")?;
        match k {
            "Credential" => credential = Some(v),
            "SignedHeaders" => signed = Some(v),
            "Signature" => signature = Some(v),
            other => return Err(format!("unexpected Authorization field {other}")),
        }
    }
    let credential = credential.ok_or("no Credential")?;
    let signed = signed.ok_or("no SignedHeaders")?;
    let signature = signature.ok_or("no Signature")?;
    let scope_parts: Vec<&str> = credential.split('/').collect();
    let [access_key, date, region, service, terminator] = scope_parts[..] else {
        return Err(format!("malformed Credential {credential}"));
    };
    if terminator != "aws4_request" {
        return Err(format!("scope does not end in aws4_request: {credential}"));
    }
    if access_key != expected_access_key {
        return Err(format!("unexpected access key {access_key}"));
    }
    if region != expected_region || service != expected_service {
        return Err(format!("scope {region}/{service}, expected {expected_region}/{expected_service}"));
    }
    let amz_date = req.header("x-amz-date").ok_or("no x-amz-date")?;
    if !amz_date.starts_with(date) {
        return Err(format!("x-amz-date {amz_date} does not match scope date {date}"));
    }
    let when = parse_amz_date(amz_date).ok_or_else(|| format!("bad x-amz-date {amz_date}"))?;
    let now = now.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    if (now - when).abs() > 15 * 60 {
        return Err(format!("x-amz-date {amz_date} is more than 15 min off"));
    }
    let signed_headers: Vec<String> = signed.split(';').map(str::to_owned).collect();
    let mut sorted = signed_headers.clone();
    sorted.sort();
    sorted.dedup();
    if sorted != signed_headers {
        return Err(format!("SignedHeaders not sorted/unique: {signed}"));
    }
    for required in ["host", "x-amz-date"] {
        if !signed_headers.iter().any(|h| h == required) {
            return Err(format!("{required} is not signed: {signed}"));
        }
    }

    // Canonical URI: the path as sent, encoded once more (non-S3 double encoding).
    let (path, query) = match req.target.split_once('?') {
        Some((p, q)) => (p, q),
        None => (req.target.as_str(), ""),
    };
    let canonical_uri = if path.is_empty() { "/".to_owned() } else { uri_encode(path, true) };
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (uri_encode(&percent_decode(k), false), uri_encode(&percent_decode(v), false))
        })
        .collect();
    pairs.sort();
    let canonical_query = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let mut canonical_headers = String::new();
    for name in &signed_headers {
        let values = req.headers_named(name);
        if values.is_empty() {
            return Err(format!("signed header {name} was not received"));
        }
        let joined =
            values.iter().map(|v| v.split_whitespace().collect::<Vec<_>>().join(" ")).collect::<Vec<_>>().join(",");
        canonical_headers.push_str(&format!("{name}:{joined}\n"));
    }
    let payload_hash = match req.header("x-amz-content-sha256") {
        Some(h) => h.to_owned(),
        None => sha256_hex(&req.body),
    };
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method, canonical_uri, canonical_query, canonical_headers, signed, payload_hash
    );
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let string_to_sign = format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", sha256_hex(canonical_request.as_bytes()));
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    let expected = hex::encode(hmac(&k_signing, string_to_sign.as_bytes()));
    if expected != signature {
        return Err(format!(
            "signature mismatch: got {signature}, expected {expected}\n\
             canonical request:\n{canonical_request}\nstring to sign:\n{string_to_sign}"
        ));
    }
    Ok(SigV4 {
        access_key: access_key.to_owned(),
        date: date.to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
        signed_headers,
        signature: signature.to_owned(),
    })
}

/// Whether `s` is a lowercase hyphenated UUID version 4 (RFC 4122 variant).
pub fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}

/// A small deterministic PRNG (SplitMix64) for fault injection.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}
