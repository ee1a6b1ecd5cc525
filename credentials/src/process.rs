//! `credential_process`: runs the profile's command and reads the JSON it prints
//! (`{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}`).
//!
//! The command runs through the platform shell (`sh -c` / `cmd /C`), as in the AWS CLI and
//! SDKs. Its output is never shown in errors (it holds the secret); its stderr is, cut short.

use awslim_runtime::Credentials;

use crate::{wire, SourceError};

/// Runs `command` (from the profile named `profile`) and parses what it prints.
pub async fn run(profile: &str, command: &str) -> Result<Credentials, SourceError> {
    let what = format!("credential_process of profile `{profile}`");
    let command_owned = command.to_owned();
    let output = tokio::task::spawn_blocking(move || shell(&command_owned).output())
        .await
        .map_err(|e| SourceError::Failed(format!("{what}: {e}")))?
        .map_err(|e| SourceError::Failed(format!("{what} could not start: {e}")))?;
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
