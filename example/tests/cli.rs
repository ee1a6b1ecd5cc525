//! The example program as a user runs it: `--help`, and `--anonymous` against a local server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Command;

fn example() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_awslim-example"));
    // No keys anywhere: --anonymous must not need them.
    for var in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_PROFILE"] {
        c.env_remove(var);
    }
    c.env("AWS_CONFIG_FILE", "/nonexistent").env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
    c
}

#[test]
fn help_exits_0_on_stdout() {
    let out = example().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("--instance-id") && stdout.contains("--anonymous"), "{stdout}");
    assert!(out.stderr.is_empty());
}

#[test]
fn anonymous_mode_is_only_for_loopback_endpoints() {
    let out = example()
        .args(["--instance-id", "i", "--contact-flow-id", "f", "--region", "us-east-1", "--anonymous"])
        .args(["--endpoint-url", "https://connect.us-east-1.amazonaws.com"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}

#[test]
fn anonymous_call_against_a_local_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            head.push_str(&line);
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let json = r#"{"ContactId":"contact-1","ParticipantId":"participant-1","ParticipantToken":"secret"}"#;
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{json}",
            json.len()
        );
        (&stream).write_all(response.as_bytes()).unwrap();
        (head, String::from_utf8(body).unwrap())
    });
    let out = example()
        .args(["--instance-id", "inst", "--contact-flow-id", "flow", "--region", "us-east-1", "--anonymous"])
        .args(["--endpoint-url", &format!("http://127.0.0.1:{port}")])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("contact-1"), "{stdout}");
    assert!(!stdout.contains("secret"), "the participant token is never printed");
    let (head, body) = server.join().unwrap();
    assert!(head.starts_with("PUT /contact/webrtc "), "{head}");
    assert!(body.contains("\"InstanceId\":\"inst\""), "{body}");
}
