#!/usr/bin/env bash
# Calls per second and client CPU per call of awslim next to the official AWS SDK for Rust
# (issue 14), measured in one window against the same loopback server.
#
#   - the official client: a tiny binary making StartWebRTCContact with aws-sdk-connect ~1.220 +
#     aws-config 1 + tokio, built in its own project and target directory under SCRATCH_DIR
#     (kept there, so that a second run does not build it again: ~1,100 s of CPU the first time);
#   - awslim: `loopback --only awslim` (this repository's bench, release build).
#
# Each round starts `loopback --serve` (the same minimal HTTP/1.1 server the loopback bench uses,
# in its own process), warms the client up with a tenth of the calls, then makes CALLS calls from
# 4 concurrent callers on a 2-worker Tokio runtime and reads the process's CPU time. The two are
# run alternately (which goes first alternates too); the script prints every round, then
# min / median / max of awslim's calls/s and CPU per call as ratios to the official SDK's.
#
# usage: bench/sdk-calls.sh [SCRATCH_DIR] [CALLS] [ROUNDS]
#        (defaults: /tmp/awslim-sdk-calls, 20000, 5; delete SCRATCH_DIR when done)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=${1:-/tmp/awslim-sdk-calls}
calls=${2:-20000}
rounds=${3:-5}
mkdir -p "$scratch/sdk/src"

cat >"$scratch/sdk/Cargo.toml" <<'EOF'
[package]
name = "sdkcalls"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
aws-sdk-connect = "~1.220"
aws-config = { version = "1", features = ["behavior-version-latest"] }
tokio = { version = "1", features = ["rt-multi-thread", "time"] }
libc = "0.2"

[workspace]
EOF
cat >"$scratch/sdk/src/main.rs" <<'EOF'
//! usage: sdkcalls ADDRESS CALLS: prints "calls/s CPU-us/call" for CALLS calls from 4 callers.
use aws_sdk_connect::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_connect::types::ParticipantDetails;
use std::time::Instant;

fn process_cpu_secs() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec.
    assert_eq!(unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) }, 0);
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

async fn run(client: &aws_sdk_connect::Client, calls: usize) {
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                for _ in 0..calls / 4 {
                    let out = client
                        .start_web_rtc_contact()
                        .instance_id("deadbeef-1234-4321-abcd-0123456789ab")
                        .contact_flow_id("c0ffee00-1234-4321-abcd-0123456789ab")
                        .participant_details(ParticipantDetails::builder().display_name("Jane Doe").build().unwrap())
                        .send()
                        .await
                        .expect("official SDK call");
                    assert_eq!(out.contact_id(), Some("c-1"));
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("caller");
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().expect("server address");
    let calls: usize = args.next().expect("calls").parse().expect("calls");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-west-2"))
            .credentials_provider(Credentials::new(
                "AKIDEXAMPLE",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                None,
                None,
                "bench",
            ))
            .endpoint_url(format!("http://{addr}"))
            .load()
            .await;
        let client = aws_sdk_connect::Client::new(&config);
        run(&client, calls / 10).await;
        let (cpu, started) = (process_cpu_secs(), Instant::now());
        run(&client, calls).await;
        let per_call = (process_cpu_secs() - cpu) * 1e6 / calls as f64;
        println!("{:.0} {per_call:.1}", calls as f64 / started.elapsed().as_secs_f64());
    });
}
EOF

echo "building the official SDK's client in $scratch (slow the first time) and the loopback bench" >&2
(cd "$scratch/sdk" && CARGO_TARGET_DIR="$scratch/target" cargo build --release -q)
(cd "$repo" && cargo build --release -q -p awslim-bench --bin loopback)
sdk_bin="$scratch/target/release/sdkcalls"
loopback="$repo/target/release/loopback"

official() { # one measurement: prints "calls/s cpu-us"
    coproc server { "$loopback" --serve; }
    local addr
    read -r addr <&"${server[0]}"
    "$sdk_bin" "$addr" "$calls"
    exec {server[1]}>&- # the server ends when its stdin closes
    wait "$server_PID" 2>/dev/null || true
}
ours() {
    "$loopback" --only awslim --calls "$calls" |
        sed -nE 's/^awslim, 4 callers: ([0-9.]+) calls\/s, ([0-9.]+) client CPU us\/call$/\1 \2/p'
}

results=$(mktemp)
trap 'rm -f "$results"' EXIT
printf '%-6s %26s %26s\n' round "official: calls/s CPU us" "awslim: calls/s CPU us"
for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then
        o=$(official)
        a=$(ours)
    else
        a=$(ours)
        o=$(official)
    fi
    if [ -z "$o" ] || [ -z "$a" ]; then
        echo "round $round: a client printed no figures (official: '$o', awslim: '$a')" >&2
        exit 1
    fi
    printf '%-6s %26s %26s\n' "$round" "$o" "$a"
    echo "$o $a" >>"$results"
done
awk '
    { calls[NR] = $3 / $1; cpu[NR] = $4 / $2 }
    function show(name, v, n,   i, j, t) {
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
        printf "%-44s %.2f / %.2f / %.2f\n", name, v[1], v[int((n + 1) / 2)], v[n]
    }
    END {
        print "awslim vs official SDK, 4 callers            min / median / max"
        show("calls/s", calls, NR)
        show("client CPU per call", cpu, NR)
    }' "$results"
