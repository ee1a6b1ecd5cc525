//! Test-only crate: the tests are in `tests/`. The doctests below pin the compile-time
//! guarantees of the generated builders.
//!
//! Building an input with every required member compiles:
//!
//! ```
//! use awslim_connect::types::{ParticipantDetails, StartWebRtcContactRequest};
//!
//! let input = StartWebRtcContactRequest::builder()
//!     .instance_id("instance")
//!     .contact_flow_id("flow")
//!     .participant_details(ParticipantDetails::builder().display_name("Ana").build())
//!     .description("optional members have setters")
//!     .build();
//! assert_eq!(input.instance_id(), "instance");
//! ```
//!
//! Required members may be set in any order, and optional ones in between:
//!
//! ```
//! use awslim_connect::types::{ParticipantDetails, StartWebRtcContactRequest};
//!
//! let input = StartWebRtcContactRequest::builder()
//!     .participant_details(ParticipantDetails::builder().display_name("Ana").build())
//!     .client_token("token")
//!     .contact_flow_id("flow")
//!     .instance_id("instance")
//!     .build();
//! assert_eq!(input.client_token(), Some("token"));
//! ```
//!
//! Leaving out a required member is a compile error, not a runtime one:
//!
//! ```compile_fail,E0277
//! use awslim_connect::types::{ParticipantDetails, StartWebRtcContactRequest};
//!
//! let input = StartWebRtcContactRequest::builder()
//!     .instance_id("instance")
//!     .participant_details(ParticipantDetails::builder().display_name("Ana").build())
//!     .build(); // ContactFlowId is missing
//! ```
//!
//! The same holds for nested structures:
//!
//! ```compile_fail,E0277
//! let details = awslim_connect::types::ParticipantDetails::builder().build(); // DisplayName is missing
//! ```
//!
//! Structures are `#[non_exhaustive]`: they cannot be built by a struct literal outside the
//! crate, so adding an optional member later breaks nobody.
//!
//! ```compile_fail,E0639
//! let details = awslim_connect::types::ParticipantDetails { display_name: "Ana".to_owned() };
//! ```

/// The README, so that its Rust examples are compiled as doctests.
#[doc = include_str!("../../README.md")]
pub mod readme {}
