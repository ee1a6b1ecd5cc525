//! Smithy endpoint rules engine (work in progress).
