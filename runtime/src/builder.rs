//! Support for the typestate builders of generated structures.
//!
//! A generated builder has one type parameter per required member. The parameter starts as
//! [`Missing`] and becomes the member's type once its setter has been called; `build()` is only
//! callable when no parameter is [`Missing`] any more, so forgetting a required member is a
//! compile error rather than a runtime "missing field" error.

/// Marks a required member that has not been set yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Missing;

/// Implemented by the value of a required member once it has been set.
///
/// Generated crates no longer use this generic trait in `build()`: each required member gets
/// its own marker trait (`types::builders::required::<Struct>Needs<Member>`) whose compiler
/// message names the member and its setter. It stays for code written against it.
///
/// A builder's `build()` requires `Param: Required<MemberType>` for each required member;
/// [`Missing`] does not implement it, so the compiler rejects a `build()` call that would leave
/// a required member unset.
#[diagnostic::on_unimplemented(
    message = "a required member has not been set",
    label = "this required member is still `Missing`",
    note = "call the setter of every required member before `build()`"
)]
pub trait Required<T> {
    /// The value that was set.
    fn into_value(self) -> T;
}

impl<T> Required<T> for T {
    #[inline]
    fn into_value(self) -> T {
        self
    }
}
