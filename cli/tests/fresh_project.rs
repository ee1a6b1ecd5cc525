//! The README section "Using awslim in your own project", step by step, in a fresh directory
//! outside this workspace: `cargo install --path cli`, `cargo new`, `awslim slice`,
//! `awslim generate`, a `main.rs` that calls the service, `cargo run` against a local server.
//!
//! Offline: the runtime comes from this checkout by path, and the workspace's `Cargo.lock`
//! pins the same crate versions the workspace already has. It builds a whole project with its
//! own target directory (`target/fresh-project`, kept between runs), so it is slow the first
//! time and is left out of the plain `cargo test`; run it with
//! `cargo test -p awslim --test fresh_project -- --ignored` (`.ci/run` does).

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{cmd:?} failed\nstdout: {stdout}\nstderr: {stderr}");
    stdout.into_owned()
}

fn cargo(dir: &Path, target: &Path) -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(dir).env("CARGO_TARGET_DIR", target).env_remove("RUSTFLAGS");
    c
}

/// The README's `src/main.rs`, word for word.
const MAIN_RS: &str = r#"use awslim_connect::types::{ParticipantDetails, StartWebRtcContactRequest};
use awslim_connect::{Client, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Region, credentials and (for a local mock) AWS_ENDPOINT_URL from the environment.
    let client = Client::new(Config::from_env());
    let input = StartWebRtcContactRequest::builder()
        .instance_id("12345678-1234-1234-1234-123456789012")
        .contact_flow_id("87654321-4321-4321-4321-210987654321")
        .participant_details(ParticipantDetails::builder().display_name("Ana").build())
        .build();
    match client.start_web_rtc_contact(input).await {
        Ok(out) => println!("contact {}", out.contact_id().unwrap_or("-")),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
"#;

/// Answers one request with a StartWebRTCContact response; returns the request line.
fn one_shot_server() -> (u16, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let (mut first, mut length) = (String::new(), 0);
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if first.is_empty() {
                first = line.clone();
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let json = r#"{"ContactId":"fresh-contact","ParticipantId":"p"}"#;
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{json}",
            json.len()
        );
        (&stream).write_all(response.as_bytes()).unwrap();
        first
    });
    (port, handle)
}

#[test]
#[ignore = "builds a whole project (minutes the first time): cargo test -p awslim --test fresh_project -- --ignored"]
fn using_awslim_in_your_own_project() {
    let root = repo();
    let target = root.join("target/fresh-project");
    let work = std::env::temp_dir().join(format!("awslim-fresh-{}", std::process::id()));
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&work).unwrap();

    // 1. Install the command.
    let install = work.join("install");
    run(cargo(&work, &target)
        .args(["install", "--offline", "--locked", "--debug", "--quiet", "--path"])
        .arg(root.join("cli"))
        .arg("--root")
        .arg(&install));
    let awslim = install.join("bin/awslim");
    let mut published = work.join("published");
    fs::create_dir_all(&published).unwrap();
    published.push("connect-2017-08-08.json");
    fs::copy(root.join("model/connect.json"), &published).unwrap();

    // 2. A fresh project (not inside any workspace).
    run(cargo(&work, &target).args(["new", "--quiet", "--vcs", "none", "--bin", "myapp"]));
    let app = work.join("myapp");
    fs::copy(root.join("Cargo.lock"), app.join("Cargo.lock")).unwrap();

    // 3. Slice the published model down to the operations the app calls.
    run(Command::new(&awslim)
        .current_dir(&app)
        .args(["slice", "--operations", "StartWebRTCContact", "--out", "connect.json", "--model"])
        .arg(&published));

    // 4. Generate the client crate in the project, the runtime from the awslim checkout.
    run(Command::new(&awslim)
        .current_dir(&app)
        .args(["generate", "--model", "connect.json", "--out", "connect", "--runtime-path"])
        .arg(root.join("runtime")));
    let generated = fs::read_to_string(app.join("connect/Cargo.toml")).unwrap();
    assert!(!generated.contains("path = \"/"), "no absolute path:\n{generated}");
    run(Command::new(&awslim).current_dir(&app).args(["check", "connect"]));

    // 5. Depend on it (one dependency, plus tokio for main).
    let mut manifest = fs::read_to_string(app.join("Cargo.toml")).unwrap();
    manifest.push_str(
        "awslim-connect = { path = \"connect\" }\ntokio = { version = \"1\", features = [\"macros\", \"rt\"] }\n",
    );
    fs::write(app.join("Cargo.toml"), manifest).unwrap();
    fs::write(app.join("src/main.rs"), MAIN_RS).unwrap();

    // 6. Build and call (a local server stands in for AWS).
    run(cargo(&app, &target).args(["build", "--offline", "--quiet"]));
    let (port, server) = one_shot_server();
    let out = run(cargo(&app, &target)
        .args(["run", "--offline", "--quiet"])
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}")));
    assert_eq!(out.trim(), "contact fresh-contact");
    assert!(server.join().unwrap().starts_with("PUT /contact/webrtc "));
    fs::remove_dir_all(&work).unwrap();
}
