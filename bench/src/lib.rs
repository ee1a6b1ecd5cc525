//! Benchmarks only: see `benches/` and `src/bin/loopback.rs`.
