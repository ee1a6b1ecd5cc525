//! Chained SigV4 signatures of client-to-server event-stream messages (feature
//! `event-stream-signing`), computed by `aws-sigv4`'s `sign-eventstream`.
//!
//! Each message travels wrapped in an envelope whose `:date` and `:chunk-signature` headers sign
//! the encoded message together with the previous signature; the first message chains from the
//! signature of the HTTP request that opened the stream, and an empty envelope ends the stream.

use std::fmt;
use std::time::SystemTime;

use aws_smithy_runtime_api::client::identity::Identity;

use super::Message;
use crate::credentials::Credentials;

/// Signs the messages of one event stream in order, each signature seeding the next.
pub struct MessageSigner {
    identity: Identity,
    region: String,
    signing_name: String,
    last_signature: String,
}

/// Never shows the credentials or signatures.
impl fmt::Debug for MessageSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageSigner").field("region", &self.region).field("signing_name", &self.signing_name).finish()
    }
}

/// Signing a message failed (it could not be encoded).
#[derive(Debug)]
pub struct MessageSigningError(String);

impl fmt::Display for MessageSigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "signing an event-stream message: {}", self.0)
    }
}

impl std::error::Error for MessageSigningError {}

impl MessageSigner {
    /// A signer whose chain starts at `request_signature`, the hex signature of the request that
    /// opened the stream.
    pub fn new(
        credentials: &Credentials,
        region: impl Into<String>,
        signing_name: impl Into<String>,
        request_signature: impl Into<String>,
    ) -> Self {
        MessageSigner {
            identity: credentials.to_aws().into(),
            region: region.into(),
            signing_name: signing_name.into(),
            last_signature: request_signature.into(),
        }
    }

    /// The envelope carrying `message`, signed at `time` (whole seconds are signed).
    pub fn sign(&mut self, message: &Message, time: SystemTime) -> Result<Message, MessageSigningError> {
        let params = self.params(time)?;
        let (signed, signature) = aws_sigv4::event_stream::sign_message(message, &self.last_signature, &params)
            .map_err(|e| MessageSigningError(e.to_string()))?
            .into_parts();
        self.last_signature = signature;
        Ok(signed)
    }

    /// The signed empty envelope that ends the stream.
    pub fn sign_end(&mut self, time: SystemTime) -> Result<Message, MessageSigningError> {
        let params = self.params(time)?;
        let (signed, signature) = aws_sigv4::event_stream::sign_empty_message(&self.last_signature, &params)
            .map_err(|e| MessageSigningError(e.to_string()))?
            .into_parts();
        self.last_signature = signature;
        Ok(signed)
    }

    fn params(&self, time: SystemTime) -> Result<aws_sigv4::event_stream::SigningParams<'_>, MessageSigningError> {
        aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&self.identity)
            .region(&self.region)
            .name(&self.signing_name)
            .time(time)
            .settings(())
            .build()
            .map_err(|e| MessageSigningError(e.to_string()))
    }
}
