//! Waiters for `@waitable` operations (runtime feature `waiters`), as Smithy's waiter
//! specification defines them.
//!
//! A generated crate implements [`Waitable`] once per waiter: the operation to poll, the
//! model's acceptors, and a JSON view of the operation's input and output keyed by Smithy
//! member names, over which the acceptors' JMESPath expressions are evaluated at run time
//! (what botocore does; see [`crate::jmespath`]). The client gets a
//! `wait_until_<waiter>(input)` method returning a [`Waiter`]; `.wait(max_wait)` polls until an
//! acceptor decides, and says which one did ([`Waited`]) or why it gave up ([`WaiterError`]).
//!
//! Polling: after each attempt the acceptors are tried in model order and the first match
//! decides (`success`, `failure` or `retry`); with none matching, an error response ends the
//! wait and anything else retries. Delays follow the specification's formula: exponential from
//! `minDelay`, capped at `maxDelay`, drawn at random between `minDelay` and that bound, and
//! shortened so the last attempt happens before `max_wait` runs out.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::error::{OperationError, ProvideErrorMetadata, SdkError};
use crate::jmespath;

/// The boxed future of one call.
pub type CallFuture<O, E> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<O, SdkError<E>>> + Send>>;

/// What an acceptor does when it matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcceptorState {
    /// The wait is over, successfully.
    Success,
    /// The wait is over: the resource reached a state it will not leave.
    Failure,
    /// Poll again.
    Retry,
}

/// How a path's result is compared with the expected value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathComparator {
    /// The result is a string equal to the expected one.
    StringEquals,
    /// The result is a boolean equal to the expected one (`"true"`/`"false"`).
    BooleanEquals,
    /// The result is a non-empty list whose elements all equal the expected string.
    AllStringEquals,
    /// The result is a list with at least one element equal to the expected string.
    AnyStringEquals,
}

/// When an acceptor matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Matcher {
    /// A JMESPath expression over the output.
    Output {
        /// The expression.
        path: &'static str,
        /// The expected value.
        expected: &'static str,
        /// The comparison.
        comparator: PathComparator,
    },
    /// A JMESPath expression over `{"input": ..., "output": ...}`.
    InputOutput {
        /// The expression.
        path: &'static str,
        /// The expected value.
        expected: &'static str,
        /// The comparison.
        comparator: PathComparator,
    },
    /// `true`: the call succeeded; `false`: it returned an error.
    Success(bool),
    /// The call returned a service error with this code (shape name).
    ErrorType(&'static str),
}

/// One acceptor of a waiter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Acceptor {
    /// What happens when it matches.
    pub state: AcceptorState,
    /// When it matches.
    pub matcher: Matcher,
}

/// Implemented by generated code for each waiter of a `@waitable` operation.
pub trait Waitable: 'static {
    /// The generated client.
    type Client: Clone + Send + Sync + 'static;
    /// The operation's input.
    type Input: Clone + Send + 'static;
    /// The operation's output.
    type Output: Send + 'static;
    /// The operation's error enum.
    type Error: ProvideErrorMetadata + Send + 'static;
    /// The waiter's name in the model.
    const NAME: &'static str;
    /// The model's acceptors, in order.
    const ACCEPTORS: &'static [Acceptor];
    /// The model's `minDelay` (default 2 s).
    const MIN_DELAY: Duration;
    /// The model's `maxDelay` (default 120 s).
    const MAX_DELAY: Duration;
    /// Calls the operation once.
    fn send(client: &Self::Client, input: Self::Input) -> CallFuture<Self::Output, Self::Error>;
    /// The input as JSON keyed by member names.
    fn input_view(input: &Self::Input) -> Value;
    /// The output as JSON keyed by member names.
    fn output_view(output: &Self::Output) -> Value;
}

/// A configured wait, not started yet.
pub struct Waiter<W: Waitable> {
    client: W::Client,
    input: W::Input,
    min_delay: Duration,
    max_delay: Duration,
}

impl<W: Waitable> fmt::Debug for Waiter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Waiter")
            .field("waiter", &W::NAME)
            .field("min_delay", &self.min_delay)
            .field("max_delay", &self.max_delay)
            .finish_non_exhaustive()
    }
}

/// How a wait ended well.
#[derive(Debug)]
#[non_exhaustive]
pub struct Waited<O, E> {
    /// The index (in model order) of the `success` acceptor that matched.
    pub acceptor: usize,
    /// Calls made.
    pub attempts: u32,
    /// Time spent.
    pub elapsed: Duration,
    /// The last call's result (an error when a `success` acceptor matches an error, as
    /// deletion waiters do).
    pub last: Result<O, SdkError<E>>,
}

/// Why a wait ended badly.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaiterErrorKind<O, E> {
    /// A `failure` acceptor matched.
    FailureState {
        /// Its index, in model order.
        acceptor: usize,
        /// The last call's result.
        last: Result<O, SdkError<E>>,
    },
    /// A call failed and no acceptor matched its error.
    UnexpectedError(SdkError<E>),
    /// `max_wait` ran out before an acceptor decided.
    Timeout {
        /// The limit.
        max_wait: Duration,
    },
    /// An acceptor's JMESPath expression could not be parsed (a model the generator could not
    /// check; reported instead of guessing).
    InvalidAcceptor {
        /// Its index.
        acceptor: usize,
        /// What is wrong.
        message: String,
    },
}

/// Why a wait ended badly, with the waiter's name and effort.
#[derive(Debug)]
#[non_exhaustive]
pub struct WaiterError<O, E> {
    /// The waiter's name in the model.
    pub waiter: &'static str,
    /// Calls made.
    pub attempts: u32,
    /// Time spent.
    pub elapsed: Duration,
    /// What happened.
    pub kind: WaiterErrorKind<O, E>,
}

impl<O, E: fmt::Display + OperationError> fmt::Display for WaiterError<O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "waiter `{}` gave up after {} attempt(s) in {:?}: ", self.waiter, self.attempts, self.elapsed)?;
        match &self.kind {
            WaiterErrorKind::FailureState { acceptor, last: Err(e) } => {
                write!(f, "failure acceptor {acceptor} matched the error: {e}")
            }
            WaiterErrorKind::FailureState { acceptor, .. } => write!(f, "failure acceptor {acceptor} matched"),
            WaiterErrorKind::UnexpectedError(e) => write!(f, "an error no acceptor expects: {e}"),
            WaiterErrorKind::Timeout { max_wait } => write!(f, "no acceptor decided within {max_wait:?}"),
            WaiterErrorKind::InvalidAcceptor { acceptor, message } => {
                write!(f, "acceptor {acceptor} has an invalid path: {message}")
            }
        }
    }
}

impl<O: fmt::Debug, E: fmt::Debug + fmt::Display + OperationError> std::error::Error for WaiterError<O, E> {}

impl<W: Waitable> Waiter<W> {
    /// A wait starting from `input`, with the model's delays.
    #[doc(hidden)]
    pub fn new(client: W::Client, input: W::Input) -> Self {
        Waiter { client, input, min_delay: W::MIN_DELAY, max_delay: W::MAX_DELAY }
    }
    /// Overrides the model's `minDelay`.
    #[must_use]
    pub fn min_delay(mut self, delay: Duration) -> Self {
        self.min_delay = delay;
        self
    }
    /// Overrides the model's `maxDelay`.
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Polls until an acceptor decides or `max_wait` runs out.
    pub async fn wait(
        self,
        max_wait: Duration,
    ) -> Result<Waited<W::Output, W::Error>, WaiterError<W::Output, W::Error>> {
        let started = tokio::time::Instant::now();
        let input_view = W::input_view(&self.input);
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let result = W::send(&self.client, self.input.clone()).await;
            let give_up = |kind| WaiterError { waiter: W::NAME, attempts, elapsed: started.elapsed(), kind };
            let decision = decide::<W>(&input_view, &result);
            match (decision, result) {
                (Err((acceptor, message)), _) => {
                    return Err(give_up(WaiterErrorKind::InvalidAcceptor { acceptor, message }))
                }
                (Ok(Some((acceptor, AcceptorState::Success))), last) => {
                    return Ok(Waited { acceptor, attempts, elapsed: started.elapsed(), last })
                }
                (Ok(Some((acceptor, AcceptorState::Failure))), last) => {
                    return Err(give_up(WaiterErrorKind::FailureState { acceptor, last }))
                }
                (Ok(None), Err(error)) => return Err(give_up(WaiterErrorKind::UnexpectedError(error))),
                _ => {}
            }
            let remaining = max_wait.saturating_sub(started.elapsed());
            match delay(attempts, self.min_delay, self.max_delay, remaining, fastrand::f64()) {
                Some(d) => tokio::time::sleep(d).await,
                None => return Err(give_up(WaiterErrorKind::Timeout { max_wait })),
            }
        }
    }
}

/// The first acceptor that matches `result`, with its state; `Err` for an invalid path.
fn decide<W: Waitable>(
    input_view: &Value,
    result: &Result<W::Output, SdkError<W::Error>>,
) -> Result<Option<(usize, AcceptorState)>, (usize, String)> {
    let mut output_view = None;
    for (i, acceptor) in W::ACCEPTORS.iter().enumerate() {
        let matched = match (&acceptor.matcher, result) {
            (Matcher::Success(want), r) => *want == r.is_ok(),
            (Matcher::ErrorType(code), Err(e)) => e
                .as_service_error()
                .and_then(|e| e.meta().code())
                .is_some_and(|c| c == code.rsplit('#').next().unwrap_or(code)),
            (Matcher::Output { path, expected, comparator }, Ok(out)) => {
                let view = output_view.get_or_insert_with(|| W::output_view(out));
                path_matches(path, view, expected, *comparator).map_err(|e| (i, e))?
            }
            (Matcher::InputOutput { path, expected, comparator }, Ok(out)) => {
                let view = serde_json::json!({ "input": input_view, "output": W::output_view(out) });
                path_matches(path, &view, expected, *comparator).map_err(|e| (i, e))?
            }
            _ => false,
        };
        if matched {
            return Ok(Some((i, acceptor.state)));
        }
    }
    Ok(None)
}

/// Evaluates `path` over `data` and compares the result as the specification says.
pub fn path_matches(path: &str, data: &Value, expected: &str, comparator: PathComparator) -> Result<bool, String> {
    let ast = jmespath::parse(path).map_err(|e| format!("`{path}`: {e}"))?;
    let result = jmespath::evaluate(&ast, data);
    let is = |v: &Value| v.as_str() == Some(expected);
    Ok(match comparator {
        PathComparator::StringEquals => is(&result),
        PathComparator::BooleanEquals => result.as_bool().is_some_and(|b| b.to_string() == expected),
        PathComparator::AllStringEquals => result.as_array().is_some_and(|a| !a.is_empty() && a.iter().all(is)),
        PathComparator::AnyStringEquals => result.as_array().is_some_and(|a| a.iter().any(is)),
    })
}

/// The delay before attempt `attempt + 1`, by the specification's formula; `None` when the
/// remaining time does not allow another attempt. `random` is in `[0, 1)`.
pub fn delay(attempt: u32, min: Duration, max: Duration, remaining: Duration, random: f64) -> Option<Duration> {
    if remaining <= min {
        return None;
    }
    let (min_s, max_s) = (min.as_secs_f64(), max.as_secs_f64().max(min.as_secs_f64()));
    let ceiling = if min_s > 0.0 { (max_s / min_s).log2() + 1.0 } else { f64::INFINITY };
    let bound = if f64::from(attempt) > ceiling { max_s } else { min_s * 2f64.powi(attempt as i32 - 1) };
    let mut delay = min_s + (bound.min(max_s) - min_s) * random;
    let remaining_s = remaining.as_secs_f64();
    if remaining_s - delay <= min_s {
        delay = remaining_s - min_s;
    }
    Some(Duration::from_secs_f64(delay.max(0.0)))
}

/// A value as JSON keyed by Smithy member names, the data waiter paths are evaluated on.
/// Generated crates with waiters implement it for their structures, unions and enums.
pub trait View {
    /// The view: objects for structures (absent members left out), arrays for lists,
    /// strings for enums, epoch seconds for timestamps, base64 for blobs.
    fn view(&self) -> Value;
}

/// Builds the object view of a structure.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct ViewObject(serde_json::Map<String, Value>);

impl ViewObject {
    /// An empty object.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a member, unless its view is `null` (an absent optional member).
    pub fn member<T: View + ?Sized>(&mut self, name: &str, value: &T) {
        let v = value.view();
        if !v.is_null() {
            self.0.insert(name.to_owned(), v);
        }
    }
    /// The object.
    pub fn finish(self) -> Value {
        Value::Object(self.0)
    }
}

macro_rules! view_as_json {
    ($($t:ty),*) => {$(
        impl View for $t {
            fn view(&self) -> Value {
                Value::from(self.clone())
            }
        }
    )*};
}
view_as_json!(String, bool, i8, i16, i32, i64, f32, f64);

impl View for str {
    fn view(&self) -> Value {
        Value::String(self.to_owned())
    }
}
impl View for () {
    fn view(&self) -> Value {
        Value::Object(serde_json::Map::new())
    }
}
impl<T: View> View for Option<T> {
    fn view(&self) -> Value {
        self.as_ref().map_or(Value::Null, View::view)
    }
}
impl<T: View + ?Sized> View for Box<T> {
    fn view(&self) -> Value {
        (**self).view()
    }
}
impl<T: View> View for Vec<T> {
    fn view(&self) -> Value {
        Value::Array(self.iter().map(View::view).collect())
    }
}
impl<K: View, V: View> View for std::collections::BTreeMap<K, V> {
    fn view(&self) -> Value {
        let entries = self.iter().map(|(k, v)| {
            let key = match k.view() {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (key, v.view())
        });
        Value::Object(entries.collect())
    }
}
impl View for Value {
    fn view(&self) -> Value {
        self.clone()
    }
}
impl View for crate::DateTime {
    fn view(&self) -> Value {
        Value::from(self.as_secs_f64())
    }
}
impl View for crate::Blob {
    fn view(&self) -> Value {
        use base64::Engine as _;
        Value::String(base64::engine::general_purpose::STANDARD.encode(self.as_ref()))
    }
}
impl View for crate::BigInteger {
    fn view(&self) -> Value {
        serde_json::from_str(self.as_str()).unwrap_or_else(|_| Value::String(self.as_str().to_owned()))
    }
}
impl View for crate::BigDecimal {
    fn view(&self) -> Value {
        serde_json::from_str(self.as_str()).unwrap_or_else(|_| Value::String(self.as_str().to_owned()))
    }
}

/// The view of a union holding member `name`.
#[doc(hidden)]
pub fn union_view<T: View + ?Sized>(name: &str, value: &T) -> Value {
    let mut object = ViewObject::new();
    object.0.insert(name.to_owned(), value.view());
    object.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn comparators() {
        let data = json!({"S": "READY", "B": true, "L": ["READY", "READY"], "M": ["READY", "FAILED"], "E": []});
        let m = |p, e, c| path_matches(p, &data, e, c).unwrap();
        assert!(m("S", "READY", PathComparator::StringEquals));
        assert!(!m("B", "READY", PathComparator::StringEquals));
        assert!(m("B", "true", PathComparator::BooleanEquals));
        assert!(!m("B", "false", PathComparator::BooleanEquals));
        assert!(m("L", "READY", PathComparator::AllStringEquals));
        assert!(!m("M", "READY", PathComparator::AllStringEquals));
        assert!(!m("E", "READY", PathComparator::AllStringEquals), "an empty list is not `all`");
        assert!(m("M", "FAILED", PathComparator::AnyStringEquals));
        assert!(!m("Missing", "FAILED", PathComparator::AnyStringEquals));
        assert!(path_matches("S[", &data, "x", PathComparator::StringEquals).is_err());
    }

    #[test]
    fn delays_follow_the_specification() {
        let s = Duration::from_secs;
        let hour = s(3600);
        // Attempt n is bounded by min * 2^(n-1), capped at max; random picks within [min, bound].
        assert_eq!(delay(1, s(2), s(120), hour, 0.999_999).unwrap(), s(2));
        assert_eq!(delay(3, s(2), s(120), hour, 0.0).unwrap(), s(2));
        assert!((delay(3, s(2), s(120), hour, 1.0).unwrap().as_secs_f64() - 8.0).abs() < 1e-9);
        assert!((delay(20, s(2), s(120), hour, 1.0).unwrap().as_secs_f64() - 120.0).abs() < 1e-9);
        // Near the end, the delay leaves exactly `min` for the last attempt; with no room, stop.
        assert_eq!(delay(20, s(2), s(120), s(10), 1.0).unwrap(), s(8));
        assert_eq!(delay(1, s(2), s(120), s(2), 0.5), None);
    }
}
