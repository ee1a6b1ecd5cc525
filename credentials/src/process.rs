//! `credential_process`: runs the profile's command and reads the JSON it prints
//! (`{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}`).
//!
//! The command runs through the platform shell (`sh -c` / `cmd /C`), as in the AWS CLI and
//! SDKs. Its output is never shown in errors (it holds the secret); its stderr is, cut short.
//! A command still running after [`TIMEOUT`] is killed (the AWS SDK for Java's limit).

use std::io::Read;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use awslim_runtime::Credentials;

use crate::{wire, SourceError};

/// How long the command may run.
pub const TIMEOUT: Duration = Duration::from_secs(60);
/// The most output read from the command.
const MAX_OUTPUT: u64 = 64 * 1024;

/// Runs `command` (from the profile named `profile`) and parses what it prints.
pub async fn run(profile: &str, command: &str) -> Result<Credentials, SourceError> {
    run_with_timeout(profile, command, TIMEOUT).await
}

/// [`run`] with another time limit.
pub async fn run_with_timeout(profile: &str, command: &str, limit: Duration) -> Result<Credentials, SourceError> {
    let what = format!("credential_process of profile `{profile}`");
    let command_owned = command.to_owned();
    let output = tokio::task::spawn_blocking(move || run_blocking(&command_owned, limit))
        .await
        .map_err(|e| SourceError::Failed(format!("{what}: {e}")))?
        .map_err(|e| SourceError::Failed(format!("{what}: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(SourceError::Failed(format!("{what} failed ({}): {}", output.status, wire::shown(stderr.trim()))));
    }
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|_| SourceError::Failed(format!("{what}: its output is not a JSON object")))?;
    if doc.get("Version").and_then(serde_json::Value::as_u64) != Some(1) {
        return Err(SourceError::Failed(format!("{what}: its output must have \"Version\": 1")));
    }
    wire::parse_credentials(&output.stdout, &what).map_err(SourceError::Failed)
}

/// Runs the command, reading its output on threads (so a full pipe never blocks it) and
/// killing it after `limit`.
fn run_blocking(command: &str, limit: Duration) -> Result<Output, String> {
    let mut child = shell(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start: {e}"))?;
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            if let Some(p) = pipe {
                let _ = p.take(MAX_OUTPUT).read_to_end(&mut out);
            }
            out
        })
    };
    let stdout = reader(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = reader(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {} s; stopped", limit.as_secs_f32()));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = stdout.join().map_err(|_| "reading its output failed".to_owned())?;
    let stderr = stderr.join().map_err(|_| "reading its error output failed".to_owned())?;
    Ok(Output { status, stdout, stderr })
}

#[cfg(unix)]
fn shell(command: &str) -> std::process::Command {
    let mut c = std::process::Command::new("sh");
    c.arg("-c").arg(command);
    c
}

#[cfg(windows)]
fn shell(command: &str) -> std::process::Command {
    let mut c = std::process::Command::new("cmd.exe");
    c.arg("/C").arg(command);
    c
}
