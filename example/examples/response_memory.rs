//! Peak-memory probe for large responses: serves one hostile response from a server on
//! 127.0.0.1 (written in small chunks, so the server itself holds almost nothing) and calls
//! `StartWebRTCContact` against it once. Run under `/usr/bin/time -v` and read "Maximum
//! resident set size":
//!
//! ```sh
//! cargo build --release -p awslim-example --example response_memory
//! /usr/bin/time -v target/release/examples/response_memory big     # 200 MB string member
//! /usr/bin/time -v target/release/examples/response_memory zeros   # 50 MB array of 0 in an unknown member
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

use awslim_connect::types::{ParticipantDetails, StartWebRtcContactRequest};
use awslim_connect::{Client, Config};
use awslim_runtime::Credentials;

const MB: usize = 1_000_000;

fn write_body(stream: &mut TcpStream, mode: &str) -> std::io::Result<()> {
    let (head, fill, repeat, tail): (&str, &[u8], usize, &str) = match mode {
        "big" => (r#"{"ContactId":"c","Padding":""#, &[b'a'; 1000], 200 * MB / 1000, r#""}"#),
        _ => (r#"{"ContactId":"c","Unknown":[0"#, &[b',', b'0'].repeat(500), 50 * MB / 1000, "]}"),
    };
    let len = head.len() + fill.len() * repeat + tail.len();
    write!(stream, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len}\r\n\r\n{head}")?;
    for _ in 0..repeat {
        stream.write_all(fill)?;
    }
    stream.write_all(tail.as_bytes())
}

fn serve(listener: TcpListener, mode: String) {
    let Ok((mut stream, _)) = listener.accept() else { return };
    let mut reader = BufReader::new(stream.try_clone().expect("clone socket"));
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            content_length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; content_length];
    let _ = reader.read_exact(&mut body);
    let _ = write_body(&mut stream, &mode);
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "big".to_owned());
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || serve(listener, mode));
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET"))
        .endpoint_url(url)
        .max_attempts(1)
        .build();
    let input = StartWebRtcContactRequest::builder()
        .instance_id("12345678-1234-1234-1234-123456789012")
        .contact_flow_id("87654321-4321-4321-4321-210987654321")
        .participant_details(ParticipantDetails::builder().display_name("Ana").build())
        .build();
    match Client::new(config).start_web_rtc_contact(input).await {
        Ok(out) => println!("ok: contact id {:?}", out.contact_id()),
        Err(e) => println!("error: {e}"),
    }
}
