//! Loopback throughput: calls per second of the generated client against a minimal HTTP/1.1
//! server on 127.0.0.1, next to a raw HTTP client (the same hyper stack, no signing, no JSON)
//! measured in the same run as the baseline.
//!
//! `cargo run --release -p awslim-bench --bin loopback -- [--calls N]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use awslim_connect::types::{ParticipantDetails, StartWebRtcContactRequest};
use awslim_connect::{Client, Config};
use awslim_runtime::bytes::Bytes;
use awslim_runtime::Credentials;
use http_body_util::{BodyExt, Full};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const RESPONSE_BODY: &str = r#"{"ContactId":"c-1","ParticipantId":"p-1","ParticipantToken":"pt-1"}"#;

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

async fn start_server() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream));
        }
    });
    addr
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

/// Runs `calls` calls split over `callers` concurrent tasks; returns calls per second.
async fn measure<F, Fut>(calls: usize, callers: usize, call: F) -> f64
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let call = Arc::new(call);
    let started = Instant::now();
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let call = Arc::clone(&call);
            tokio::spawn(async move {
                for _ in 0..calls / callers {
                    call().await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("caller");
    }
    (calls / callers * callers) as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut calls = 5_000usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--calls" => calls = args.next().and_then(|n| n.parse().ok()).expect("--calls N"),
            other => {
                eprintln!("usage: loopback [--calls N] (unknown argument {other})");
                std::process::exit(2);
            }
        }
    }
    let addr = start_server().await;
    let url = format!("http://{addr}/contact/webrtc");

    let raw: RawClient = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(hyper_util::client::legacy::connect::HttpConnector::new());
    let client = Client::new(
        Config::builder()
            .region("us-west-2")
            .credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
            .endpoint_url(format!("http://{addr}"))
            .build(),
    );
    let ours = move || {
        let client = client.clone();
        async move {
            let out = client.start_web_rtc_contact(input()).await.expect("awslim call");
            assert_eq!(out.contact_id(), Some("c-1"));
        }
    };
    let raw_fn = {
        let raw = raw.clone();
        let url = url.clone();
        move || {
            let raw = raw.clone();
            let url = url.clone();
            async move { raw_call(&raw, &url).await }
        }
    };

    // Warm up connections and allocators.
    measure(calls / 10, 4, raw_fn.clone()).await;
    measure(calls / 10, 4, ours.clone()).await;

    println!("loopback, {calls} calls each, server and client share this machine's cores");
    println!("{:<48} {:>12} {:>16}", "client", "calls/s", "vs raw client");
    for callers in [1, 4] {
        let baseline = measure(calls, callers, raw_fn.clone()).await;
        let awslim = measure(calls, callers, ours.clone()).await;
        let label = if callers == 1 { "sequential" } else { "4 concurrent callers" };
        println!("{:<48} {:>12.0} {:>16}", format!("raw hyper client, {label}"), baseline, "1.00");
        println!("{:<48} {:>12.0} {:>16.2}", format!("awslim StartWebRTCContact, {label}"), awslim, awslim / baseline);
    }
}
