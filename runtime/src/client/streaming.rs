//! [`Handle::invoke_streaming`]: calls whose request body is read as it is sent and whose
//! successful response is handed to the operation's parser with its body unread (feature
//! `streaming`). `@streaming` blob operations use it; event streams build on it.
//!
//! The pipeline is [`Handle::invoke`]'s (endpoint, per-attempt headers, auth, standard retries),
//! with these differences:
//! - the body is signed with its SHA-256 when it is in memory, else with `UNSIGNED-PAYLOAD`
//!   (as the official SDK does for streaming bodies); `Content-Length` is sent when the length
//!   is known, else the transport uses chunked transfer encoding;
//! - a retry sends a replayed copy of the body ([`ByteStream::try_clone`]: bytes, or a file
//!   reopened from the start); a body that cannot be replayed ends the call with
//!   [`TransportErrorKind::BodyNotReplayable`] instead of retrying;
//! - an error response is read whole (within `max_response_body_size`) and parsed as usual; a
//!   successful one goes to the parser unread, outside the body size limit;
//! - the attempt and operation timeouts cover the call until the response head has arrived, not
//!   the reading of the body (which the caller does at its own pace); the attempt timeout applies
//!   only to requests whose body is in memory, since the head of an upload's response comes after
//!   the whole body, however long that takes to send (the connect timeout and the operation
//!   timeout, if set, still apply).

use std::sync::atomic::{AtomicU32, Ordering};

use http::header::HeaderValue;
use tracing::Instrument;

use super::{
    construction, finish, transport_retry_kind, ErrorSummary, Failure, Handle, OperationMeta, ParseFn, Target,
};
use crate::body::{ByteStream, ByteStreamErrorKind};
use crate::config::random_uuid_v4;
use crate::error::{
    ConstructionErrorKind, ResponseMeta, SdkError, TimeoutError, TimeoutKind, TransportError, TransportErrorKind,
};
use crate::json::ParseError;
use crate::retry::{classify_response, RetryKind};
use crate::transport::ResponseBodyLimit;

/// The parser of a successful streaming response: the head is read, the body is not.
pub type StreamParseFn<O> = fn(http::Response<ByteStream>) -> Result<O, ParseError>;

/// What a successful response goes to.
#[derive(Clone, Copy)]
enum Success<O, E> {
    /// Unread, to a streaming parser.
    Stream(StreamParseFn<O>),
    /// Read whole (within the body limit), to the bytes parser.
    Whole(ParseFn<O, E>),
}

impl Handle {
    /// Like [`Handle::invoke`] for a request body read as it is sent and a successful response
    /// handed to `parse` unread (see the [module docs](self)). Error responses (non-2xx) are read
    /// whole and go to `parse_error` as in `invoke`.
    pub async fn invoke_streaming<O, E>(
        &self,
        op: &'static OperationMeta,
        request: http::Request<ByteStream>,
        parse_error: ParseFn<O, E>,
        parse: StreamParseFn<O>,
    ) -> Result<O, SdkError<E>> {
        let invocation_id = random_uuid_v4();
        let attempts = AtomicU32::new(0);
        let call =
            || self.streaming_attempts(op, request, parse_error, Success::Stream(parse), &invocation_id, &attempts);
        self.streaming_call(op, &invocation_id, &attempts, call).await
    }

    /// Like [`Handle::invoke`] for a request body read as it is sent (see the
    /// [module docs](self)) and a response read whole, as `invoke` does: operations whose input
    /// streams and whose output does not.
    pub async fn invoke_upload<O, E>(
        &self,
        op: &'static OperationMeta,
        request: http::Request<ByteStream>,
        parse: ParseFn<O, E>,
    ) -> Result<O, SdkError<E>> {
        let invocation_id = random_uuid_v4();
        let attempts = AtomicU32::new(0);
        let call = || self.streaming_attempts(op, request, parse, Success::Whole(parse), &invocation_id, &attempts);
        self.streaming_call(op, &invocation_id, &attempts, call).await
    }

    /// Runs `call` in the call's span, within the operation timeout.
    async fn streaming_call<O, E, F>(
        &self,
        op: &'static OperationMeta,
        invocation_id: &str,
        attempts: &AtomicU32,
        call: impl FnOnce() -> F,
    ) -> Result<O, SdkError<E>>
    where
        F: std::future::Future<Output = Result<O, SdkError<E>>>,
    {
        let span = tracing::info_span!(
            "awslim.call",
            service = self.inner.service.sdk_id,
            operation = op.name,
            invocation_id = %invocation_id,
            streaming = true,
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        async {
            let result = self.within_operation_timeout(attempts, call).await;
            tracing::Span::current().record("attempts", attempts.load(Ordering::Relaxed));
            if let Err(e) = &result {
                tracing::debug!(error = %ErrorSummary(e), "call failed");
            }
            result
        }
        .instrument(span)
        .await
    }

    async fn streaming_attempts<O, E>(
        &self,
        op: &'static OperationMeta,
        request: http::Request<ByteStream>,
        parse_error: ParseFn<O, E>,
        success: Success<O, E>,
        invocation_id: &str,
        attempts: &AtomicU32,
    ) -> Result<O, SdkError<E>> {
        let config = &self.inner.config;
        let (parts, body) = request.into_parts();
        let target = self.target::<E>(&parts.uri, &parts.extensions, op.auth)?;
        let max_attempts = config.retry().max_attempts.max(1);
        let attempt_timeout = config.timeouts().attempt;
        let invocation_id = HeaderValue::from_str(invocation_id)
            .map_err(|_| construction(ConstructionErrorKind::Request, "invalid invocation id"))?;
        let limit = config.max_response_body_size().map(ResponseBodyLimit);
        let replay = body.try_clone();
        let mut first = Some(body);
        let mut last_retry_cost: Option<u32> = None;
        let mut skew_corrected = false;

        for attempt in 1..=max_attempts {
            attempts.store(attempt, Ordering::Relaxed);
            // `replay` is checked before any retry, so a later attempt always has a copy.
            let Some(body) = first.take().or_else(|| replay.as_ref().and_then(ByteStream::try_clone)) else {
                unreachable!("retries happen only with a replayable body")
            };
            let req = self.streaming_request(&parts, &target, body, attempt, max_attempts, &invocation_id, op).await?;
            // The response head of an upload comes after the whole body: a body that is not in
            // memory (a file, a reader) may take longer than any attempt timeout to send.
            let attempt_timeout = attempt_timeout.filter(|_| req.body().bytes().is_some());
            let send = config.transport().send_streaming(req, attempt_timeout);
            let outcome = match attempt_timeout {
                Some(limit) => tokio::time::timeout(limit, send).await.map_err(|_| limit),
                None => Ok(send.await),
            };
            let (kind, failure) = match outcome {
                Ok(Ok(response)) if response.status().is_success() => {
                    tracing::Span::current().record("status", response.status().as_u16());
                    if config.retry().use_retry_quota {
                        self.inner.quota.release(last_retry_cost);
                    }
                    return match success {
                        Success::Stream(parse) => parse_streaming(response, parse),
                        Success::Whole(parse) => match read_error_response(response, limit).await {
                            Ok(response) => finish(response, parse),
                            Err(e) => Err(SdkError::Transport(e)),
                        },
                    };
                }
                Ok(Ok(response)) => {
                    let response = read_error_response(response, limit).await;
                    match response {
                        Ok(response) => {
                            let meta = (self.inner.service.error_metadata)(&response);
                            // Rejected for our clock: the offset is learned, and the request
                            // signed again and retried once when its body can be sent again.
                            if !skew_corrected && self.correct_clock(&meta, &response) {
                                skew_corrected = true;
                                if attempt < max_attempts && replay.is_some() {
                                    continue;
                                }
                            }
                            let kind = classify_response(meta.status(), meta.code(), op.retryable_errors);
                            (kind, Failure::Response(response))
                        }
                        Err(e) => (RetryKind::No, Failure::Transport(e)),
                    }
                }
                Ok(Err(error)) => (transport_retry_kind(&error), failure_transport(error)),
                Err(limit) => {
                    (RetryKind::Timeout, Failure::Timeout(TimeoutError::new(TimeoutKind::Attempt, limit, attempt)))
                }
            };
            tracing::debug!(attempt, ?kind, "streaming attempt failed");

            if kind.is_retryable() && attempt < max_attempts {
                if replay.is_none() {
                    return Err(not_replayable(op, attempt, &failure));
                }
                let cost = if config.retry().use_retry_quota { self.inner.quota.acquire(kind) } else { Some(0) };
                if let Some(cost) = cost {
                    last_retry_cost = Some(cost);
                    tokio::time::sleep(config.retry().backoff(attempt, fastrand::f64())).await;
                    continue;
                }
            }
            return match failure {
                Failure::Response(response) => finish(response, parse_error),
                Failure::Transport(e) => Err(SdkError::Transport(e)),
                Failure::Timeout(e) => Err(SdkError::Timeout(e)),
            };
        }
        unreachable!("the last attempt always returns")
    }

    /// One attempt's request: the call's parts, the per-attempt headers, the body's length and
    /// the signature (with `UNSIGNED-PAYLOAD` unless the body is in memory).
    #[allow(clippy::too_many_arguments)]
    async fn streaming_request<E>(
        &self,
        parts: &http::request::Parts,
        target: &Target,
        body: ByteStream,
        attempt: u32,
        max_attempts: u32,
        invocation_id: &HeaderValue,
        op: &'static OperationMeta,
    ) -> Result<http::Request<ByteStream>, SdkError<E>> {
        // Signed as a bytes request: the body's own bytes when in memory, else nothing and
        // `UNSIGNED-PAYLOAD`.
        let in_memory = body.bytes().cloned();
        let body_len = body.len();
        let mut req = self.attempt_request(
            parts,
            target,
            in_memory.clone().unwrap_or_default(),
            body_len,
            attempt,
            max_attempts,
            invocation_id,
        );
        #[cfg(feature = "event-stream-signing")]
        let events = parts.extensions.get::<crate::event_stream::EventStreamBody>().cloned();
        #[cfg(not(feature = "event-stream-signing"))]
        let events: Option<()> = None;
        if events.is_some() {
            // Signed as `STREAMING-AWS4-HMAC-SHA256-EVENTS`; each message is signed as it is sent.
            req.extensions_mut().insert(crate::sign::EventStreamPayload);
        } else if in_memory.is_none() || parts.extensions.get::<crate::sign::UnsignedPayload>().is_some() {
            req.extensions_mut().insert(crate::sign::UnsignedPayload);
        }
        let signing_time = self.inner.clock.now();
        // Hashed per attempt: a streaming body in memory is the rare case.
        crate::auth::authorize(
            &mut req,
            &target.auth,
            &self.inner.config,
            self.inner.service,
            op.name,
            signing_time,
            &mut None,
        )
        .await
        .map_err(SdkError::Construction)?;
        let (mut parts, _) = req.into_parts();
        parts.extensions.remove::<crate::sign::UnsignedPayload>();
        parts.extensions.remove::<crate::sign::EventStreamPayload>();
        #[cfg(feature = "event-stream-signing")]
        if let Some(events) = events {
            // The body's messages chain from this attempt's signature (none: sent unsigned).
            let signature = parts.extensions.remove::<crate::event_stream::RequestSignature>();
            events.seed(signature, self.inner.clock.millis(), self.inner.config.validate_requests());
        }
        Ok(http::Request::from_parts(parts, body))
    }
}

fn failure_transport(error: TransportError) -> Failure {
    tracing::debug!(error = %error, "transport error");
    Failure::Transport(error)
}

/// Reads an error response whole, within the body limit.
async fn read_error_response(
    response: http::Response<ByteStream>,
    limit: Option<ResponseBodyLimit>,
) -> Result<http::Response<bytes::Bytes>, TransportError> {
    let (parts, body) = response.into_parts();
    let max = limit.map_or(u64::MAX, |l| l.0);
    match body.collect(max).await {
        Ok(bytes) => Ok(http::Response::from_parts(parts, bytes)),
        Err(e) if e.kind() == ByteStreamErrorKind::TooLarge => Err(limit.map_or_else(
            || TransportError::new(TransportErrorKind::ResponseTooLarge, e.to_string()),
            |l| l.exceeded(parts.status, None),
        )),
        Err(e) => Err(TransportError::new(TransportErrorKind::Io, e.to_string())),
    }
}

fn parse_streaming<O, E>(response: http::Response<ByteStream>, parse: StreamParseFn<O>) -> Result<O, SdkError<E>> {
    let meta = ResponseMeta::from_response(&response);
    parse(response).map_err(|error| SdkError::ResponseParse { error, meta })
}

fn not_replayable<E>(op: &OperationMeta, attempt: u32, failure: &Failure) -> SdkError<E> {
    let why = match failure {
        Failure::Response(r) => format!("HTTP {}", r.status().as_u16()),
        Failure::Transport(e) => e.to_string(),
        Failure::Timeout(e) => e.to_string(),
    };
    SdkError::Transport(TransportError::new(
        TransportErrorKind::BodyNotReplayable,
        format!(
            "{}: attempt {attempt} failed ({why}) and would be retried, but the request body cannot be replayed \
             (it is read once from a reader or stream); pass bytes or ByteStream::from_path to allow retries",
            op.name
        ),
    ))
}
