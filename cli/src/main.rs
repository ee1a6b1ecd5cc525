//! The `awslim` command. Everything it does is in the library (`awslim::run`), which
//! `cargo xtask` uses too.

use clap::Parser;

fn main() -> std::process::ExitCode {
    awslim::run(awslim::Cli::parse())
}
