//! [`CachingProvider`]: asks its source once, keeps the credentials until shortly before they
//! expire, and lets concurrent callers share one refresh.
//!
//! The cache lives in the runtime (`awslim_runtime::credentials::cache`), where every
//! [`Config`](awslim_runtime::Config) uses it for the provider it is given; this module
//! re-exports it so that existing code keeps working.

pub use awslim_runtime::credentials::cache::{
    CachingProvider, NO_EXPIRY_LIFETIME, REFRESH_JITTER, REFRESH_MARGIN, RETRY_AFTER_FAILURE,
};
