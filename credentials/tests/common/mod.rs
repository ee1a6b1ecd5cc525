//! A minimal HTTP/1.1 server on 127.0.0.1 for the credential endpoint tests, a temporary
//! HOME, and a tracing subscriber that records warnings.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use awslim_credentials::Context;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: String,
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

pub fn reply(status: u16, body: &str) -> Reply {
    Reply { status, headers: Vec::new(), body: body.to_owned() }
}

type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

pub struct Server {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    pub async fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let seen = requests.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let (handler, seen) = (handler.clone(), seen.clone());
                tokio::spawn(serve(stream, handler, seen));
            }
        });
        Server { url, requests }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

async fn serve(mut stream: tokio::net::TcpStream, handler: Handler, seen: Arc<Mutex<Vec<Request>>>) {
    let mut buf = Vec::new();
    loop {
        let mut chunk = [0u8; 4096];
        let n = match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let mut lines = head.split("\r\n");
            let mut first = lines.next().unwrap_or("").split(' ');
            let method = first.next().unwrap_or("").to_owned();
            let path = first.next().unwrap_or("").to_owned();
            let headers: HashMap<String, String> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .collect();
            let length: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
            if buf.len() < end + 4 + length {
                continue; // the body is not all here yet
            }
            buf.drain(..end + 4);
            let body = String::from_utf8_lossy(&buf.drain(..length).collect::<Vec<u8>>()).into_owned();
            let request = Request { method, path, headers, body };
            seen.lock().unwrap().push(request.clone());
            let r = handler(&request);
            let mut out = format!("HTTP/1.1 {} X\r\ncontent-length: {}\r\n", r.status, r.body.len());
            for (k, v) in &r.headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("\r\n");
            out.push_str(&r.body);
            if stream.write_all(out.as_bytes()).await.is_err() {
                return;
            }
        }
    }
}

/// A temporary HOME with `.aws/config` and `.aws/credentials` (when given).
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new(config: Option<&str>, credentials: Option<&str>) -> Home {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
        if let Some(c) = config {
            std::fs::write(dir.path().join(".aws/config"), c).unwrap();
        }
        if let Some(c) = credentials {
            std::fs::write(dir.path().join(".aws/credentials"), c).unwrap();
        }
        Home { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// A context with `vars`, a temporary HOME, and IMDS and the service clients (`AWS_ENDPOINT_URL`)
/// pointed at a closed 127.0.0.1 port unless
/// the variables say otherwise (no test reaches anything but 127.0.0.1).
pub fn context(home: &Home, vars: &[(&str, &str)]) -> Context {
    let mut map: HashMap<String, String> = HashMap::new();
    map.insert("HOME".into(), home.dir.path().to_string_lossy().into_owned());
    map.insert("AWS_EC2_METADATA_SERVICE_ENDPOINT".into(), format!("http://127.0.0.1:{}", closed_port()));
    // STS, SSO and SSO-OIDC go to a closed local port unless a test points them at its server.
    map.insert("AWS_ENDPOINT_URL".into(), format!("http://127.0.0.1:{}", closed_port()));
    for (k, v) in vars {
        map.insert(k.to_string(), v.to_string());
    }
    Context::from_vars(map)
}

/// A 127.0.0.1 port nothing listens on.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

pub const CREDS_JSON: &str = r#"{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS","SecretAccessKey":"imds-secret-value","Token":"imds-token-value","Expiration":"2099-01-01T00:00:00Z"}"#;

/// An IMDS double: tokens required (`token-N`, TTL header echoed), a token listed in
/// `stale` gets 401, role `web-role`, region `eu-west-3`.
pub async fn imds(stale: Arc<Mutex<Vec<String>>>) -> Server {
    let issued = Arc::new(Mutex::new(0u32));
    Server::start(move |r| {
        if r.method == "PUT" && r.path == "/latest/api/token" {
            let Some(ttl) = r.headers.get("x-aws-ec2-metadata-token-ttl-seconds").cloned() else {
                return reply(400, "");
            };
            let mut n = issued.lock().unwrap();
            *n += 1;
            let mut rep = reply(200, &format!("token-{n}"));
            rep.headers.push(("x-aws-ec2-metadata-token-ttl-seconds", ttl));
            return rep;
        }
        let Some(token) = r.headers.get("x-aws-ec2-metadata-token") else { return reply(401, "") };
        if r.method != "GET" || stale.lock().unwrap().contains(token) {
            return reply(401, "");
        }
        match r.path.as_str() {
            "/latest/meta-data/iam/security-credentials/" => reply(200, "web-role\n"),
            "/latest/meta-data/iam/security-credentials/web-role" => reply(200, CREDS_JSON),
            "/latest/meta-data/placement/region" => reply(200, "eu-west-3"),
            _ => reply(404, ""),
        }
    })
    .await
}

/// Records the messages of `WARN` events (a tiny `tracing` subscriber; no extra crate).
#[derive(Default, Clone)]
pub struct Warnings(pub Arc<Mutex<Vec<String>>>);

impl tracing::Subscriber for Warnings {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Text(String);
        impl tracing::field::Visit for Text {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.push_str(&format!("{}={:?} ", field.name(), value));
            }
        }
        if *event.metadata().level() == tracing::Level::WARN {
            let mut text = Text(String::new());
            event.record(&mut text);
            self.0.lock().unwrap().push(text.0);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Decodes an `application/x-www-form-urlencoded` body (test helper: `+` and `%XX`).
pub fn form(body: &str) -> HashMap<String, String> {
    let decode = |s: &str| {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                    i += 2;
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8(out).unwrap()
    };
    body.split('&').filter_map(|p| p.split_once('=')).map(|(k, v)| (decode(k), decode(v))).collect()
}

/// An STS double speaking awsQuery: `AssumeRole` and `AssumeRoleWithWebIdentity` answer with
/// credentials named after the role (`.../hop1` -> `ASIAHOP1`, `hop1-secret`, `hop1-token`,
/// expiring 2099-01-01); a role named `denied` gets `AccessDenied` (403).
pub async fn sts() -> Server {
    Server::start(|r| {
        let f = form(&r.body);
        let action = f.get("Action").cloned().unwrap_or_default();
        let role = f.get("RoleArn").and_then(|a| a.rsplit('/').next()).unwrap_or("").to_owned();
        if r.method != "POST" || f.get("Version").map(String::as_str) != Some("2011-06-15") {
            return reply(400, "");
        }
        if role == "denied" {
            return reply(
                403,
                "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed</Message></Error><RequestId>r-1</RequestId></ErrorResponse>",
            );
        }
        let body = format!(
            "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result><Credentials>\
             <AccessKeyId>ASIA{}</AccessKeyId><SecretAccessKey>{role}-secret</SecretAccessKey>\
             <SessionToken>{role}-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>\
             </Credentials></{action}Result><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></{action}Response>",
            role.to_ascii_uppercase()
        );
        let mut rep = reply(200, &body);
        rep.headers.push(("content-type", "text/xml".into()));
        rep
    })
    .await
}
