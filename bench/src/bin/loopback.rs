//! Loopback benchmark of the generated client (issue 14's ratios).
//!
//! `cargo run --release -p awslim-bench --bin loopback -- [--calls N] [--rounds R] [--save FILE] [--compare FILE]
//! [--only raw|awslim|transport|in-memory]`
//!
//! 1. **Throughput and client CPU**: a minimal HTTP/1.1 server runs in a *child process* (this
//!    binary with `--serve`), so this process's CPU time is the client's alone. Each round
//!    measures a raw hyper client (the runtime's HTTP stack, no signing, no JSON, a fixed
//!    request) and the generated client, sequentially and with 4 concurrent callers: calls per
//!    second and client CPU per call. Then the client's own transport (`HyperTransport`) alone,
//!    sending one request the client signed again and again ("transport only"): the HTTP part of
//!    a call without the rest; and the same after as much plain computation per call as a whole
//!    in-memory call takes ("transport + busy"): what the client's work outside HTTP would cost
//!    over HTTP if it were nothing but computation. The machine is shared, so what counts is the
//!    *ratio* to the raw client measured in the same round; min/median/max over the rounds are
//!    printed.
//! 2. **CPU per step**: the pieces of a call on one thread (thread CPU time): input build and
//!    validation, JSON serialization, endpoint rules evaluation, SigV4 signing of the headers the
//!    client signs, response parsing, and a whole call over the in-memory transport (everything
//!    but HTTP); "call glue" is the whole call less the steps.
//!
//! 3. **Allocations per in-memory call** (the stub transport's own included), counted on the
//!    calling thread: a figure that does not depend on the machine's load.
//!
//! `--save FILE` writes the medians as `name<TAB>value` lines; `--compare FILE` prints them next
//! to this run's (before/after a change). Only ratios are comparable across runs.
//!
//! `--only WHICH` runs one client alone for `--calls` calls and prints its figures, for a
//! profiler: `raw`, `awslim` or `transport` with 4 callers over HTTP, or `in-memory` (whole
//! calls over the in-memory transport on one thread, no server). E.g. `perf record -g` on
//! `--only awslim`, or `valgrind --tool=callgrind` on `--only in-memory`, whose instruction
//! counts do not move with the machine's load (valgrind runs SHA-256 without SHA extensions,
//! so signing weighs more there than on the CPU).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{BufRead, Write as _};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use awslim_connect::types::{ParticipantDetails, StartWebRtcContactRequest};
use awslim_connect::{Client, Config};
use awslim_runtime::bytes::Bytes;
use awslim_runtime::sign::{sign_request, SigningOptions};
use awslim_runtime::{http, Credentials, StubTransport};
use http_body_util::{BodyExt, Full};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The system allocator, counting the allocations each thread makes (a thread-local counter:
/// no shared cache line between the callers).
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count_allocation() {
    // `try_with`: a thread being torn down still allocates, uncounted.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every method forwards to `System` unchanged; counting neither allocates nor panics.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_allocation();
        // SAFETY: the caller's contract for `alloc` is `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_allocation();
        // SAFETY: as `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_allocation();
        // SAFETY: `ptr` came from `System` with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Allocations (and reallocations) this thread made so far.
fn thread_allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

const RESPONSE_BODY: &str = r#"{"ContactId":"c-1","ParticipantId":"p-1","ParticipantToken":"pt-1"}"#;
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// Answers every request on a kept-alive connection with the same small JSON body.
async fn serve(stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let (mut reader, mut writer) = stream.into_split();
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-amzn-requestid: r-1\r\ncontent-length: {}\r\n\r\n{RESPONSE_BODY}",
        RESPONSE_BODY.len()
    );
    let mut buf = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    loop {
        // Read one request: headers, then Content-Length bytes of body.
        let header_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match tokio::time::timeout(Duration::from_secs(30), reader.read(&mut chunk)).await {
                Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                _ => return,
            }
        };
        let head = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < header_end + length {
            match reader.read(&mut chunk).await {
                Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                _ => return,
            }
        }
        buf.drain(..header_end + length);
        if writer.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// `--serve`: the server process. Prints its address, serves until its stdin closes (the parent
/// exited or dropped the pipe), then exits.
fn run_server() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
        println!("{}", listener.local_addr().expect("address"));
        std::io::stdout().flush().expect("stdout");
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream));
            }
        });
        tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            while std::io::stdin().read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {}
        })
        .await
        .expect("stdin watcher");
    });
}

/// Starts the server child; it ends when the returned handle (its stdin) is dropped.
fn start_server() -> (std::process::Child, std::net::SocketAddr) {
    let exe = std::env::current_exe().expect("own path");
    let mut child = std::process::Command::new(exe)
        .arg("--serve")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the server process");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("server address");
    let addr = line.trim().parse().expect("server prints its address");
    (child, addr)
}

/// CPU time (user + system) of this process or of the calling thread.
fn cpu_time(clock: libc::clockid_t) -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; both clocks exist on every Linux.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn process_cpu() -> Duration {
    cpu_time(libc::CLOCK_PROCESS_CPUTIME_ID)
}

fn thread_cpu() -> Duration {
    cpu_time(libc::CLOCK_THREAD_CPUTIME_ID)
}

fn input() -> StartWebRtcContactRequest {
    StartWebRtcContactRequest::builder()
        .instance_id("deadbeef-1234-4321-abcd-0123456789ab")
        .contact_flow_id("c0ffee00-1234-4321-abcd-0123456789ab")
        .participant_details(ParticipantDetails::builder().display_name("Jane Doe").build())
        .build()
}

type RawClient = hyper_util::client::legacy::Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

async fn raw_call(client: &RawClient, url: &str) {
    let body = Bytes::from_static(br#"{"ContactFlowId":"c0ffee00-1234-4321-abcd-0123456789ab","InstanceId":"deadbeef-1234-4321-abcd-0123456789ab","ParticipantDetails":{"DisplayName":"Jane Doe"}}"#);
    let request = hyper::Request::builder()
        .method("PUT")
        .uri(url)
        .header("content-type", "application/json")
        .body(Full::new(body))
        .expect("request");
    let response = client.request(request).await.expect("raw call");
    let bytes = response.into_body().collect().await.expect("raw body").to_bytes();
    assert_eq!(bytes.len(), RESPONSE_BODY.len());
}

/// One measurement: calls per second and client CPU per call.
#[derive(Clone, Copy)]
struct Sample {
    calls_per_sec: f64,
    cpu_us_per_call: f64,
}

/// Runs `calls` calls split over `callers` concurrent tasks.
async fn measure<F, Fut>(calls: usize, callers: usize, call: &Arc<F>) -> Sample
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let per_caller = (calls / callers).max(1);
    let cpu = process_cpu();
    let started = Instant::now();
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let call = Arc::clone(call);
            tokio::spawn(async move {
                for _ in 0..per_caller {
                    call().await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("caller");
    }
    let total = (per_caller * callers) as f64;
    Sample {
        calls_per_sec: total / started.elapsed().as_secs_f64(),
        cpu_us_per_call: (process_cpu() - cpu).as_secs_f64() * 1e6 / total,
    }
}

/// min, median, max.
fn stats(values: &[f64]) -> (f64, f64, f64) {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

/// Collected figures, printed as `min / median / max` rows.
#[derive(Default)]
struct Report {
    rows: Vec<(String, Vec<f64>, usize)>,
}

impl Report {
    fn add(&mut self, name: &str, value: f64, decimals: usize) {
        match self.rows.iter_mut().find(|(n, _, _)| n == name) {
            Some((_, values, _)) => values.push(value),
            None => self.rows.push((name.to_owned(), vec![value], decimals)),
        }
    }

    /// `sample`'s calls/s and CPU per call as ratios to `raw`'s, as rows `{names[i]}, {label}`.
    fn add_vs_raw(&mut self, names: [&str; 2], label: &str, sample: Sample, raw: Sample) {
        self.add(&format!("{}, {label}", names[0]), sample.calls_per_sec / raw.calls_per_sec, 2);
        self.add(&format!("{}, {label}", names[1]), sample.cpu_us_per_call / raw.cpu_us_per_call, 2);
    }

    fn print(&self, before: &[(String, f64)]) {
        let header = if before.is_empty() { "" } else { "  before (median)" };
        println!("{:<54} {:>32}{header}", "", "min / median / max");
        for (name, values, d) in &self.rows {
            let (min, med, max) = stats(values);
            let cell = format!("{min:.d$} / {med:.d$} / {max:.d$}", d = *d);
            let old = before.iter().find(|(n, _)| n == name).map(|(_, v)| format!("  {v:>15.d$}", d = *d));
            println!("{name:<54} {cell:>32}{}", old.unwrap_or_default());
        }
    }

    fn medians(&self) -> String {
        self.rows.iter().map(|(name, values, _)| format!("{name}\t{}\n", stats(values).1)).collect()
    }
}

fn read_saved(path: &str) -> Vec<(String, f64)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("--compare {path}: {e}"));
    text.lines()
        .filter_map(|l| l.split_once('\t'))
        .filter_map(|(name, v)| Some((name.to_owned(), v.parse().ok()?)))
        .collect()
}

struct Args {
    calls: usize,
    rounds: usize,
    save: Option<String>,
    compare: Option<String>,
    only: Option<Only>,
}

/// `--only`: one client alone.
#[derive(Clone, Copy, PartialEq)]
enum Only {
    Raw,
    Awslim,
    Transport,
    InMemory,
}

fn parse_args() -> Args {
    let mut out = Args { calls: 20_000, rounds: 5, save: None, compare: None, only: None };
    let mut args = std::env::args().skip(1);
    let usage = "usage: loopback [--calls N] [--rounds R] [--save FILE] [--compare FILE] \
                 [--only raw|awslim|transport|in-memory]";
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{a} needs a value; {usage}"));
        match a.as_str() {
            "--calls" => out.calls = value().parse().expect("--calls N"),
            "--rounds" => out.rounds = value().parse::<usize>().expect("--rounds R").max(1),
            "--save" => out.save = Some(value()),
            "--compare" => out.compare = Some(value()),
            "--only" => {
                out.only = Some(match value().as_str() {
                    "raw" => Only::Raw,
                    "awslim" => Only::Awslim,
                    "transport" => Only::Transport,
                    "in-memory" => Only::InMemory,
                    other => {
                        eprintln!("{usage} (unknown client {other})");
                        std::process::exit(2);
                    }
                })
            }
            other => {
                eprintln!("{usage} (unknown argument {other})");
                std::process::exit(2);
            }
        }
    }
    out
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--serve") {
        return run_server();
    }
    let args = parse_args();
    if args.only == Some(Only::InMemory) {
        return in_memory_only(&args);
    }
    let before = args.compare.as_deref().map(read_saved).unwrap_or_default();
    let mut report = Report::default();
    let (server, addr) = start_server();
    let signed = {
        let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("runtime");
        recorded_request(&rt, Some(addr))
    };
    // The least of 5 short measurements: this machine's noise only ever adds.
    let busy_us = (0..5).map(|_| in_memory_call_us(args.calls / 10)).fold(f64::INFINITY, f64::min);
    let busy_iterations = busy_iterations_for(busy_us);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(loopback(&args, addr, signed, busy_iterations, &mut report));
    drop(rt);
    if args.only.is_some() {
        return;
    }
    steps(&args, &mut report);
    drop(server.stdin);

    println!(
        "\nawslim loopback benchmark: {} rounds, {} calls per measurement; server in a child process, \
         client CPU = this process's CPU time",
        args.rounds, args.calls
    );
    report.print(&before);
    if let Some(path) = &args.save {
        std::fs::write(path, report.medians()).unwrap_or_else(|e| panic!("--save {path}: {e}"));
        println!("medians saved to {path}");
    }
}

/// `signed`: a request the client signed for the server, replayed by "transport only".
async fn loopback(
    args: &Args,
    addr: std::net::SocketAddr,
    signed: awslim_runtime::transport::RecordedRequest,
    busy_iterations: u64,
    report: &mut Report,
) {
    let url = format!("http://{addr}/contact/webrtc");
    let raw: RawClient = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(hyper_util::client::legacy::connect::HttpConnector::new());
    let client = Client::new(
        Config::builder()
            .region("us-west-2")
            .credentials(Credentials::new("AKIDEXAMPLE", SECRET))
            .endpoint_url(format!("http://{addr}"))
            .build(),
    );
    let ours = Arc::new(move || {
        let client = client.clone();
        async move {
            let out = client.start_web_rtc_contact(input()).await.expect("awslim call");
            assert_eq!(out.contact_id(), Some("c-1"));
        }
    });
    let raw_fn = Arc::new(move || {
        let raw = raw.clone();
        let url = url.clone();
        async move { raw_call(&raw, &url).await }
    });
    // The client's own transport replaying one signed request: the HTTP part of a call alone.
    let signed = Arc::new(signed);
    let transport = Arc::new(awslim_runtime::transport::HyperTransport::new(None));
    let transport_fn = Arc::new(move || {
        let (transport, signed) = (Arc::clone(&transport), Arc::clone(&signed));
        async move {
            use awslim_runtime::transport::HttpTransport as _;
            let response = transport.send(copy_request(&signed), None).await.expect("transport call");
            assert_eq!(response.body().len(), RESPONSE_BODY.len());
        }
    });

    // The same, after as much computation as a whole in-memory call: what a client would get
    // whose every cost outside HTTP were as large as ours but had nothing to do with HTTP.
    let busy_transport_fn = {
        let transport_fn = Arc::clone(&transport_fn);
        Arc::new(move || {
            busy(busy_iterations);
            transport_fn()
        })
    };
    if let Some(which) = args.only {
        return match which {
            Only::Raw => only("raw client", args, &raw_fn).await,
            Only::Awslim => only("awslim", args, &ours).await,
            Only::Transport | Only::InMemory => only("transport only", args, &transport_fn).await,
        };
    }
    // Warm up connections and allocators.
    measure(args.calls / 10, 4, &raw_fn).await;
    measure(args.calls / 10, 4, &ours).await;
    measure(args.calls / 10, 4, &transport_fn).await;

    for round in 0..args.rounds {
        for (callers, label) in [(1, "sequential"), (4, "4 callers")] {
            // Alternate which goes first, so neither always follows the other.
            let (raw, awslim) = if round % 2 == 0 {
                let raw = measure(args.calls, callers, &raw_fn).await;
                (raw, measure(args.calls, callers, &ours).await)
            } else {
                let awslim = measure(args.calls, callers, &ours).await;
                (measure(args.calls, callers, &raw_fn).await, awslim)
            };
            report.add_vs_raw(["calls/s vs raw client", "client CPU/call vs raw client"], label, awslim, raw);
            let transport = measure(args.calls, callers, &transport_fn).await;
            let names = ["transport only: calls/s vs raw", "transport only: client CPU/call vs raw"];
            report.add_vs_raw(names, label, transport, raw);
            let busy = measure(args.calls, callers, &busy_transport_fn).await;
            let names = ["transport + busy: calls/s vs raw", "transport + busy: client CPU/call vs raw"];
            report.add_vs_raw(names, label, busy, raw);
            report.add(&format!("raw client calls/s, {label}"), raw.calls_per_sec, 0);
            report.add(&format!("awslim calls/s, {label}"), awslim.calls_per_sec, 0);
            report.add(&format!("raw client CPU us/call, {label}"), raw.cpu_us_per_call, 1);
            report.add(&format!("awslim CPU us/call, {label}"), awslim.cpu_us_per_call, 1);
        }
    }
}

/// `--only`: `call` alone with 4 callers, after a warm-up.
async fn only<F, Fut>(label: &str, args: &Args, call: &Arc<F>)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    measure(args.calls / 10, 4, call).await;
    let s = measure(args.calls, 4, call).await;
    println!("{label}, 4 callers: {:.0} calls/s, {:.1} client CPU us/call", s.calls_per_sec, s.cpu_us_per_call);
}

/// `--only in-memory`: whole calls over the in-memory transport on this thread.
fn in_memory_only(args: &Args) {
    let us = in_memory_call_us(args.calls);
    println!("whole call, in-memory transport: {us:.2} CPU us/call over {} calls", args.calls);
}

/// Thread CPU of a whole call over the in-memory transport, in microseconds (`calls` calls).
fn in_memory_call_us(calls: usize) -> f64 {
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("runtime");
    let stub = StubTransport::new();
    let client = stub_client(&stub, None);
    let input = input();
    per_call_us(calls.max(100), || in_memory_call(&rt, &stub, &client, &input))
}

/// Busy work: `iterations` rounds of a multiply-xorshift (no memory, no calls).
fn busy(iterations: u64) -> u64 {
    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
    for _ in 0..iterations {
        x = (x ^ (x >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    }
    std::hint::black_box(x)
}

/// How many rounds of [`busy`] take `us` microseconds of this thread's CPU; printed.
fn busy_iterations_for(us: f64) -> u64 {
    const SAMPLE: u64 = 5_000_000;
    let per_round = (0..5).map(|_| per_call_us(1, || busy(SAMPLE))).fold(f64::INFINITY, f64::min) / SAMPLE as f64;
    println!("busy work: {us:.2} us of computation per call (a whole in-memory call's CPU)");
    (us / per_round) as u64
}

/// One whole call over the in-memory transport.
fn in_memory_call(
    rt: &tokio::runtime::Runtime,
    stub: &StubTransport,
    client: &Client,
    input: &StartWebRtcContactRequest,
) -> impl Sized {
    stub.push_json(200, RESPONSE_BODY);
    let out = rt.block_on(client.start_web_rtc_contact(input.clone())).expect("stub call");
    stub.take_requests();
    out
}

/// `sent` as a request to send again.
fn copy_request(sent: &awslim_runtime::transport::RecordedRequest) -> http::Request<Bytes> {
    let mut request = http::Request::new(sent.body.clone());
    *request.method_mut() = sent.method.clone();
    *request.uri_mut() = sent.uri.clone();
    *request.headers_mut() = sent.headers.clone();
    request
}

/// Thread CPU per iteration of `f`, in microseconds.
fn per_call_us<T>(iterations: usize, mut f: impl FnMut() -> T) -> f64 {
    let cpu = thread_cpu();
    for _ in 0..iterations {
        std::hint::black_box(f());
    }
    (thread_cpu() - cpu).as_secs_f64() * 1e6 / iterations as f64
}

/// The request exactly as the client sent it over the in-memory transport (to `endpoint`, else
/// to the region's endpoint).
fn recorded_request(
    rt: &tokio::runtime::Runtime,
    endpoint: Option<std::net::SocketAddr>,
) -> awslim_runtime::transport::RecordedRequest {
    let stub = StubTransport::new();
    let client = stub_client(&stub, endpoint);
    stub.push_json(200, RESPONSE_BODY);
    rt.block_on(client.start_web_rtc_contact(input())).expect("stub call");
    stub.take_requests().pop().expect("one request")
}

fn stub_client(stub: &StubTransport, endpoint: Option<std::net::SocketAddr>) -> Client {
    let mut config = Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new("AKIDEXAMPLE", SECRET))
        .transport(stub.clone());
    if let Some(addr) = endpoint {
        config = config.endpoint_url(format!("http://{addr}"));
    }
    Client::new(config.build())
}

/// A copy of `sent` holding only the headers its signature covers (less those the signer adds),
/// to sign again.
fn signable_copy(sent: &awslim_runtime::transport::RecordedRequest) -> http::Request<Bytes> {
    let auth = sent.header("authorization").expect("the client signs");
    let signed = auth.split("SignedHeaders=").nth(1).and_then(|s| s.split(',').next()).expect("SignedHeaders");
    let mut request = http::Request::new(sent.body.clone());
    *request.method_mut() = sent.method.clone();
    *request.uri_mut() = sent.uri.clone();
    for name in signed.split(';').filter(|n| !matches!(*n, "host" | "x-amz-date" | "x-amz-security-token")) {
        for value in sent.headers.get_all(name) {
            request.headers_mut().append(http::HeaderName::from_bytes(name.as_bytes()).expect("name"), value.clone());
        }
    }
    request
}

fn steps(args: &Args, report: &mut Report) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("runtime");
    let sent = recorded_request(&rt, None);
    let unsigned = signable_copy(&sent);
    let creds = Credentials::new("AKIDEXAMPLE", SECRET);
    let config = Config::builder().region("us-west-2").credentials(creds.clone()).build();
    let rules =
        awslim_runtime::endpoints::RuleSet::from_json(awslim_connect::SERVICE.endpoint_rule_set).expect("rules");
    let response = http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .header("x-amzn-requestid", "r-1")
        .body(Bytes::from_static(RESPONSE_BODY.as_bytes()))
        .expect("response");
    let stub = StubTransport::new();
    let client = stub_client(&stub, None);
    let n = (args.calls * 2).max(100);
    // As the client signs: the derived key kept between calls.
    let key_cache = awslim_runtime::sign::SigningKeyCache::default();

    for _ in 0..args.rounds {
        let build = per_call_us(n, || {
            let input = input();
            input.validate().expect("valid");
            input
        });
        let input = input();
        let serialize = per_call_us(n, || {
            let mut writer = awslim_runtime::json::JsonWriter::new();
            let mut object = writer.value().object();
            awslim_connect::json::ser_start_web_rtc_contact_request(&input, &mut object);
            object.finish();
            Bytes::from(writer.finish())
        });
        let endpoint = per_call_us(n, || {
            let params =
                awslim_runtime::endpoint::call_params(&rules, &awslim_connect::SERVICE, &config, None).expect("params");
            rules.resolve(&params).expect("endpoint")
        });
        let sign = per_call_us(n, || {
            let mut request = unsigned.clone();
            let mut options = SigningOptions::new("us-west-2", "connect", SystemTime::now());
            options.key_cache = Some(&key_cache);
            sign_request(&mut request, &creds, &options).expect("signed");
            request
        });
        let parse = per_call_us(n, || {
            let body = awslim_runtime::json::parse_body_as(
                response.body(),
                &awslim_connect::json::SCHEMA_START_WEB_RTC_CONTACT_RESPONSE,
            )
            .expect("json");
            awslim_connect::json::de_start_web_rtc_contact_response(&body).expect("output")
        });
        let whole_call = || in_memory_call(&rt, &stub, &client, &input);
        let whole = per_call_us(n, whole_call);
        let before = thread_allocations();
        for _ in 0..100 {
            std::hint::black_box(whole_call());
        }
        let allocations = (thread_allocations() - before) as f64 / 100.0;
        report.add("allocations per whole in-memory call (stub's included)", allocations, 1);
        report.add("step CPU us: build input + validate", build, 2);
        report.add("step CPU us: serialize JSON", serialize, 2);
        report.add("step CPU us: endpoint rules (uncached)", endpoint, 2);
        report.add("step CPU us: SigV4 sign (headers the client signs)", sign, 2);
        report.add("step CPU us: parse response", parse, 2);
        report.add("step CPU us: whole call, in-memory transport", whole, 2);
        report.add("step CPU us: rest (endpoint as used, glue, stub)", whole - (build + serialize + sign + parse), 2);
    }
    let signed = sent.header("authorization").and_then(|a| a.split("SignedHeaders=").nth(1)).unwrap_or("");
    println!("headers the client signs: {}", signed.split(',').next().unwrap_or(""));
}
