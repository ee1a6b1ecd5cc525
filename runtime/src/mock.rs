//! Typed mocks for tests of code that uses a generated client (runtime feature `test-util`,
//! turned on by the generated crate's own `test-util` feature).
//!
//! A [`Rule`] belongs to one operation: it matches calls by their typed input and answers, in
//! sequence, with typed outputs, modeled errors or raw HTTP responses. A [`MockTransport`]
//! holds the rules and is the client's transport, so every call still goes through the whole
//! client: validation, endpoint, signing and — what makes retries testable — the retry loop. A
//! modeled error is sent as an HTTP error response with its code and status, so the client
//! classifies and retries it exactly as it would a real one; when the last answer is used, the
//! client's parser takes the typed value instead of reading the body. Nothing touches the
//! network. [`MockTransport::assert_all_used`] checks that every scripted answer was used.
//!
//! ```ignore
//! let get = awslim_gadgets::mock::get_gadget()
//!     .match_input(|i| i.gadget_id == "g1")
//!     .then_error(GetGadgetError::ThrottlingException(ThrottlingException::builder().build()))
//!     .then_output(GetGadgetOutput::builder().build());
//! let mocks = MockTransport::new().with_rule(&get);
//! let client = awslim_gadgets::Client::with_mocks(&mocks);
//! ```

use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;

use crate::error::{TransportError, TransportErrorKind};
use crate::transport::{BoxFuture, HttpTransport};

/// Put on a request by generated code (feature `test-util`): the operation and its typed input.
#[doc(hidden)]
#[derive(Clone)]
pub struct MockCall {
    operation: &'static str,
    input: Arc<dyn Any + Send + Sync>,
}

/// Attaches the typed input to a request, for a [`MockTransport`] to match on.
#[doc(hidden)]
pub fn attach_input<I: Clone + Send + Sync + 'static>(
    mut request: http::Request<Bytes>,
    operation: &'static str,
    input: &I,
) -> http::Request<Bytes> {
    request.extensions_mut().insert(MockCall { operation, input: Arc::new(input.clone()) });
    request
}

/// The typed answer riding on a mocked response, taken once by the generated parser.
#[derive(Clone)]
struct MockAnswer(Arc<Mutex<Option<Box<dyn Any + Send>>>>);

/// The typed answer of a mocked response, if it carries one (generated parsers call this).
/// An error gets the metadata of the response it came with (status, code, request id), read
/// by the service's protocol (`error_metadata`, the generated crate's
/// `SERVICE.error_metadata`), as a parsed one would.
#[doc(hidden)]
pub fn take_answer<O: 'static, E: MockError + 'static>(
    response: &http::Response<Bytes>,
    error_metadata: fn(&http::Response<Bytes>) -> crate::ErrorMetadata,
) -> Option<Result<O, E>> {
    let answer = response.extensions().get::<MockAnswer>()?;
    let taken = lock(&answer.0).take()?;
    let typed = *taken.downcast::<Result<O, E>>().ok()?;
    Some(typed.map_err(|e| e.with_meta(error_metadata(response))))
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a generated operation error tells a mock about itself, to be sent as a response.
pub trait MockError {
    /// The error code (`ThrottlingException`).
    fn mock_code(&self) -> String;
    /// The HTTP status the service would answer with.
    fn mock_status(&self) -> u16;
    /// The message, if any.
    fn mock_message(&self) -> Option<String>;
    /// The error with `meta` as its metadata.
    fn with_meta(self, meta: crate::error::ErrorMetadata) -> Self;
}

/// Decides whether a rule answers a call, from its input.
type Matcher<I> = Box<dyn Fn(&I) -> bool + Send + Sync>;

enum Answer<O, E> {
    Output(O),
    Error(E),
    Http(http::Response<Bytes>),
}

struct RuleState<I, O, E> {
    operation: &'static str,
    matcher: Option<Matcher<I>>,
    answers: VecDeque<Answer<O, E>>,
    calls: usize,
}

/// A rule for one operation: which inputs it matches and its answers, in order. Cheap to
/// clone; clones share the state, so keep one to ask [`Rule::calls`] afterwards.
pub struct Rule<I, O, E> {
    state: Arc<Mutex<RuleState<I, O, E>>>,
}

impl<I, O, E> Clone for Rule<I, O, E> {
    fn clone(&self) -> Self {
        Rule { state: Arc::clone(&self.state) }
    }
}

impl<I, O, E> fmt::Debug for Rule<I, O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = lock(&self.state);
        f.debug_struct("Rule")
            .field("operation", &s.operation)
            .field("answers_left", &s.answers.len())
            .field("calls", &s.calls)
            .finish()
    }
}

impl<I, O, E> Rule<I, O, E>
where
    I: Send + Sync + 'static,
    O: Send + 'static,
    E: MockError + Send + 'static,
{
    /// A rule for `operation` that matches every input and has no answers yet (generated
    /// crates offer one constructor per operation in their `mock` module).
    pub fn new(operation: &'static str) -> Self {
        let state = RuleState { operation, matcher: None, answers: VecDeque::new(), calls: 0 };
        Rule { state: Arc::new(Mutex::new(state)) }
    }
    /// Only calls whose input satisfies `matcher` use this rule.
    #[must_use]
    pub fn match_input(self, matcher: impl Fn(&I) -> bool + Send + Sync + 'static) -> Self {
        lock(&self.state).matcher = Some(Box::new(matcher));
        self
    }
    /// Answers the next matching call with `output`.
    #[must_use]
    pub fn then_output(self, output: O) -> Self {
        lock(&self.state).answers.push_back(Answer::Output(output));
        self
    }
    /// Answers the next matching call with a modeled (or unhandled) error, sent as an HTTP
    /// error response with its code and status: a retryable one is retried by the client and
    /// the retry uses this rule's next answer.
    #[must_use]
    pub fn then_error(self, error: E) -> Self {
        lock(&self.state).answers.push_back(Answer::Error(error));
        self
    }
    /// Answers the next matching call with a raw HTTP response (a 503, a malformed body, ...).
    #[must_use]
    pub fn then_http(self, response: http::Response<Bytes>) -> Self {
        lock(&self.state).answers.push_back(Answer::Http(response));
        self
    }
    /// How many calls this rule answered.
    pub fn calls(&self) -> usize {
        lock(&self.state).calls
    }
    /// How many answers are left.
    pub fn answers_left(&self) -> usize {
        lock(&self.state).answers.len()
    }
}

/// A [`Rule`] with its types erased, as the transport holds it.
trait AnyRule: Send + Sync {
    fn operation(&self) -> &'static str;
    /// The next answer as a response, if the rule matches `input` and has answers left.
    fn answer(&self, input: &(dyn Any + Send + Sync)) -> Option<http::Response<Bytes>>;
    fn answers_left(&self) -> usize;
}

impl<I, O, E> AnyRule for Rule<I, O, E>
where
    I: Send + Sync + 'static,
    O: Send + 'static,
    E: MockError + Send + 'static,
{
    fn operation(&self) -> &'static str {
        lock(&self.state).operation
    }
    fn answer(&self, input: &(dyn Any + Send + Sync)) -> Option<http::Response<Bytes>> {
        let input = input.downcast_ref::<I>()?;
        let mut state = lock(&self.state);
        if state.answers.is_empty() || !state.matcher.as_ref().is_none_or(|m| m(input)) {
            return None;
        }
        let answer = state.answers.pop_front()?;
        state.calls += 1;
        let n = state.calls;
        Some(respond(answer, state.operation, n))
    }
    fn answers_left(&self) -> usize {
        self.answers_left()
    }
}

fn respond<O: Send + 'static, E: MockError + Send + 'static>(
    answer: Answer<O, E>,
    operation: &str,
    n: usize,
) -> http::Response<Bytes> {
    let request_id = format!("mock-{operation}-{n}");
    let (status, code, body, typed): (u16, Option<String>, String, Box<dyn Any + Send>) = match answer {
        Answer::Http(response) => return response,
        Answer::Output(o) => (200, None, "{}".to_owned(), Box::new(Ok::<O, E>(o))),
        Answer::Error(e) => {
            let code = e.mock_code();
            let mut body = serde_json::json!({ "__type": code });
            if let Some(message) = e.mock_message() {
                body["message"] = serde_json::Value::String(message);
            }
            (e.mock_status(), Some(code), body.to_string(), Box::new(Err::<O, E>(e)))
        }
    };
    let mut response = http::Response::new(Bytes::from(body));
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_REQUEST);
    let headers = response.headers_mut();
    headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    if let Ok(id) = http::HeaderValue::try_from(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    if let Some(Ok(code)) = code.map(http::HeaderValue::try_from) {
        headers.insert("x-amzn-errortype", code);
    }
    response.extensions_mut().insert(MockAnswer(Arc::new(Mutex::new(Some(typed)))));
    response
}

/// A transport that answers from typed [`Rule`]s; see the [module docs](self).
#[derive(Clone, Default)]
pub struct MockTransport {
    rules: Arc<Mutex<Vec<Arc<dyn AnyRule>>>>,
    unmatched: Arc<Mutex<Vec<&'static str>>>,
}

impl fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockTransport")
            .field("rules", &lock(&self.rules).len())
            .field("unmatched", &*lock(&self.unmatched))
            .finish()
    }
}

impl MockTransport {
    /// No rules yet.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a rule; for each call the first rule (in the order added) that matches and has
    /// answers left answers it.
    #[must_use]
    pub fn with_rule<I, O, E>(self, rule: &Rule<I, O, E>) -> Self
    where
        I: Send + Sync + 'static,
        O: Send + 'static,
        E: MockError + Send + 'static,
    {
        lock(&self.rules).push(Arc::new(rule.clone()));
        self
    }
    /// Operations called with no rule left to answer them, in call order.
    pub fn unmatched(&self) -> Vec<&'static str> {
        lock(&self.unmatched).clone()
    }
    /// Rules with answers left, as `Operation (n answers left)`.
    pub fn unused(&self) -> Vec<String> {
        lock(&self.rules)
            .iter()
            .filter(|r| r.answers_left() > 0)
            .map(|r| format!("{} ({} answer(s) left)", r.operation(), r.answers_left()))
            .collect()
    }
    /// Panics (this is for tests) unless every answer of every rule was used and no call went
    /// unanswered.
    #[track_caller]
    pub fn assert_all_used(&self) {
        let unused = self.unused();
        let unmatched = self.unmatched();
        assert!(
            unused.is_empty() && unmatched.is_empty(),
            "mock rules not used up: {unused:?}; calls no rule answered: {unmatched:?}"
        );
    }
}

impl HttpTransport for MockTransport {
    fn send(
        &self,
        request: http::Request<Bytes>,
        _timeout: Option<Duration>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, TransportError>> {
        let result = match request.extensions().get::<MockCall>() {
            None => Err(TransportError::new(
                TransportErrorKind::Other,
                "MockTransport got a request without a typed input (build the client's crate with its `test-util` feature)",
            )),
            Some(call) => {
                let rules: Vec<Arc<dyn AnyRule>> = lock(&self.rules).clone();
                let answer = rules.iter().filter(|r| r.operation() == call.operation).find_map(|r| r.answer(&*call.input));
                answer.ok_or_else(|| {
                    lock(&self.unmatched).push(call.operation);
                    TransportError::new(
                        TransportErrorKind::Other,
                        format!("no mock rule with answers left matches this `{}` call", call.operation),
                    )
                })
            }
        };
        Box::pin(async move { result })
    }
}
