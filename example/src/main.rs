//! Calls Amazon Connect `StartWebRTCContact` with the generated `awslim-connect` client.
//!
//! ```text
//! AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
//! cargo run -p awslim-example -- --region us-west-2 \
//!     --instance-id 12345678-1234-1234-1234-123456789012 \
//!     --contact-flow-id 87654321-4321-4321-4321-210987654321 \
//!     [--display-name "Jane Doe"] [--endpoint-url http://127.0.0.1:4566]
//! ```
//!
//! Region: `--region`, else `AWS_REGION` / `AWS_DEFAULT_REGION`. Credentials: `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (and with `--features aws-config` the shared
//! config files; with `--features full-chain` the whole default chain of `awslim-credentials`:
//! profiles with static keys, assumed roles, web identity, SSO or `credential_process`, then
//! container and instance credentials, and the region from the profile or IMDS).
//! `--endpoint-url` (or `AWS_ENDPOINT_URL`) sends to another server, e.g. a local
//! mock. `--anonymous` needs no keys at all: it signs with placeholder keys that mean nothing,
//! so it is accepted only with a loopback endpoint (`http://127.0.0.1:...`, `localhost`, `[::1]`).
//! Set `RUST_LOG`-style tracing up in your own app to see the runtime's spans.

use std::process::ExitCode;

use awslim_connect::types::{ParticipantDetails, StartWebRtcContactRequest};
use awslim_connect::Client;
use awslim_connect::{Credentials, SdkError};

struct Args {
    endpoint_url: Option<String>,
    region: Option<String>,
    instance_id: String,
    contact_flow_id: String,
    display_name: String,
    anonymous: bool,
}

const USAGE: &str = "usage: awslim-example --instance-id ID --contact-flow-id ID \
[--display-name NAME] [--region REGION] [--endpoint-url URL [--anonymous]]

Calls Amazon Connect StartWebRTCContact and prints the contact it created.
Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN);
--anonymous uses placeholder keys instead, only with a loopback --endpoint-url (a local mock).";

/// What the command line asks for: run, or print the usage and exit 0.
enum Parsed {
    Run(Args),
    Help,
}

fn parse_args() -> Result<Parsed, String> {
    let mut endpoint_url = None;
    let mut region = None;
    let mut instance_id = None;
    let mut contact_flow_id = None;
    let mut display_name = String::from("awslim example");
    let mut anonymous = false;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Ok(Parsed::Help);
        }
        if flag == "--anonymous" {
            anonymous = true;
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--endpoint-url" => endpoint_url = Some(value),
            "--region" => region = Some(value),
            "--instance-id" => instance_id = Some(value),
            "--contact-flow-id" => contact_flow_id = Some(value),
            "--display-name" => display_name = value,
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(Parsed::Run(Args {
        endpoint_url,
        region,
        instance_id: instance_id.ok_or_else(|| format!("--instance-id is required\n{USAGE}"))?,
        contact_flow_id: contact_flow_id.ok_or_else(|| format!("--contact-flow-id is required\n{USAGE}"))?,
        display_name,
        anonymous,
    }))
}

/// Whether `url` names this machine (the only place `--anonymous` may send to).
fn is_loopback(url: &str) -> bool {
    let Ok(uri) = url.parse::<awslim_connect::runtime::http::Uri>() else { return false };
    match uri.host() {
        Some(h) => {
            h == "localhost" || h.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        None => false,
    }
}

/// The config from the environment; with `full-chain`, the default credentials chain and (when
/// `find_region`) the region chain.
#[cfg(feature = "full-chain")]
async fn environment_config(find_region: bool) -> awslim_runtime::ConfigBuilder {
    if find_region {
        awslim_credentials::load_from_env().await
    } else {
        awslim_credentials::from_env()
    }
}

#[cfg(not(feature = "full-chain"))]
async fn environment_config(_find_region: bool) -> awslim_runtime::ConfigBuilder {
    awslim_connect::Config::builder_from_env()
}

// The runtime is built by hand rather than with `#[tokio::main]`: that macro alone would put
// tokio-macros and syn, a tenth of the example's build, into its dependencies.
fn main() -> ExitCode {
    match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => {
            eprintln!("cannot start the Tokio runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let args = match parse_args() {
        Ok(Parsed::Run(a)) => a,
        Ok(Parsed::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };

    // Environment first (region, endpoint, credentials), then the command line on top.
    let mut config = environment_config(args.region.is_none()).await.app_name("awslim-example");
    if let Some(region) = args.region {
        config = config.region(region);
    }
    if let Some(url) = args.endpoint_url {
        config = config.endpoint_url(url);
    }
    if args.anonymous {
        let local = config.clone().build().endpoint_url().is_some_and(is_loopback);
        if !local {
            eprintln!("--anonymous needs a loopback --endpoint-url (e.g. http://127.0.0.1:4566)\n{USAGE}");
            return ExitCode::from(2);
        }
        config = config.credentials(Credentials::new("anonymous", "anonymous"));
    }
    let client = Client::new(config.build());

    let input = StartWebRtcContactRequest::builder()
        .contact_flow_id(args.contact_flow_id)
        .instance_id(args.instance_id)
        .participant_details(ParticipantDetails::builder().display_name(args.display_name).build())
        .build();

    match client.start_web_rtc_contact(input).await {
        Ok(out) => {
            println!("contact id:      {}", out.contact_id().unwrap_or("-"));
            println!("participant id:  {}", out.participant_id().unwrap_or("-"));
            // The participant token is a credential for the call: say whether we got one only.
            println!("participant token received: {}", out.participant_token().is_some());
            if let Some(meeting) = out.connection_data().and_then(|c| c.meeting()) {
                println!("meeting id:      {}", meeting.meeting_id().unwrap_or("-"));
                println!("media region:    {}", meeting.media_region().unwrap_or("-"));
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("StartWebRTCContact failed: {err}");
            if let SdkError::Service { error, .. } = &err {
                eprintln!("  code: {}", error.meta().code().unwrap_or("-"));
            }
            if let Some(id) = err.request_id() {
                eprintln!("  request id: {id}");
            }
            ExitCode::FAILURE
        }
    }
}
