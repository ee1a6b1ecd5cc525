#!/usr/bin/env bash
# Build cost of awslim next to the official AWS SDK for Rust (issue 14), measured in one window:
#
#   1. a clean release build of `awslim-example` (this repository) in its own target directory;
#   2. a clean release build of a tiny binary making the same StartWebRTCContact call with
#      aws-sdk-connect ~1.220 + aws-config 1 + tokio, in its own project and target directory.
#
# Each is run under /usr/bin/time -v; the script prints user+sys CPU seconds, peak RSS and the
# ratios. Everything goes to a scratch directory outside the repository (the official SDK is never
# added to the workspace), deleted at the end. Needs crates.io and ~3 GB of free disk.
#
# usage: bench/build-cost.sh [SCRATCH_DIR]        (default: /tmp/awslim-build-cost)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=${1:-/tmp/awslim-build-cost}
if [ -e "$scratch" ]; then
    echo "$scratch exists; give a new directory" >&2
    exit 2
fi
mkdir -p "$scratch/sdk/src"
trap 'rm -rf "$scratch"' EXIT
export CARGO_INCREMENTAL=0

cat >"$scratch/sdk/Cargo.toml" <<'EOF'
[package]
name = "sdkcmp"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
aws-sdk-connect = "~1.220"
aws-config = { version = "1", features = ["behavior-version-latest"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }

[workspace]
EOF
cat >"$scratch/sdk/src/main.rs" <<'EOF'
use aws_sdk_connect::types::ParticipantDetails;

#[tokio::main]
async fn main() {
    let config = aws_config::load_from_env().await;
    let client = aws_sdk_connect::Client::new(&config);
    let out = client
        .start_web_rtc_contact()
        .instance_id("deadbeef-1234-4321-abcd-0123456789ab")
        .contact_flow_id("c0ffee00-1234-4321-abcd-0123456789ab")
        .participant_details(ParticipantDetails::builder().display_name("Jane Doe").build().unwrap())
        .send()
        .await;
    println!("{:?}", out.map(|o| o.contact_id));
}
EOF

# Download first, so the timed builds only compile.
(cd "$scratch/sdk" && cargo fetch -q)
(cd "$repo" && cargo fetch -q)

measure() { # name, project directory, target directory, cargo arguments...
    local name=$1 dir=$2 target=$3
    shift 3
    (cd "$dir" && CARGO_TARGET_DIR="$target" /usr/bin/time -v cargo build --release -q "$@") \
        2>"$scratch/$name.time" >/dev/null
    awk -v name="$name" '
        /User time/ {u=$NF} /System time/ {s=$NF} /Maximum resident set size/ {r=$NF}
        END {printf "%s\t%.1f\t%.0f\n", name, u+s, r/1024}' "$scratch/$name.time"
}

awslim=$(measure awslim "$repo" "$scratch/awslim-target" -p awslim-example)
sdk=$(measure sdk "$scratch/sdk" "$scratch/sdk-target")
printf '%-44s %12s %14s\n' "clean release build" "CPU s (u+s)" "peak RSS MB"
for line in "$awslim" "$sdk"; do
    IFS=$'\t' read -r name cpu rss <<<"$line"
    label=$([ "$name" = awslim ] && echo "awslim-example" || echo "aws-sdk-connect + aws-config + tokio")
    printf '%-44s %12s %14s\n' "$label" "$cpu" "$rss"
done
IFS=$'\t' read -r _ a_cpu a_rss <<<"$awslim"
IFS=$'\t' read -r _ s_cpu s_rss <<<"$sdk"
awk -v ac="$a_cpu" -v sc="$s_cpu" -v ar="$a_rss" -v sr="$s_rss" \
    'BEGIN {printf "awslim / official SDK: CPU 1/%.1f, peak RSS 1/%.1f\n", sc/ac, sr/ar}'
