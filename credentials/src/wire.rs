//! What the container endpoint, IMDS and `credential_process` have in common: one bounded
//! HTTP exchange and the credentials JSON document.

use std::time::{Duration, SystemTime};

use awslim_runtime::Credentials;
use bytes::Bytes;

use crate::Context;

/// The largest response body read from a credentials endpoint.
const MAX_BODY: u64 = 64 * 1024;

/// Sends one request with a total time limit; the body is bounded.
pub(crate) async fn send(
    ctx: &Context,
    mut request: http::Request<Bytes>,
    limit: Duration,
) -> Result<http::Response<Bytes>, String> {
    request.extensions_mut().insert(awslim_runtime::transport::ResponseBodyLimit(MAX_BODY));
    match tokio::time::timeout(limit, ctx.http().send(request, Some(limit))).await {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {} ms", limit.as_millis())),
    }
}

/// Service text shown in an error: control characters escaped, at most 200 characters.
pub(crate) fn shown(text: &str) -> String {
    let escaped: String = text.chars().flat_map(char::escape_debug).collect();
    match escaped.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &escaped[..i]),
        None => escaped,
    }
}

/// Parses `{"AccessKeyId", "SecretAccessKey", "Token" | "SessionToken", "Expiration"}` (the
/// container endpoint, IMDS and `credential_process` documents). `what` names the source in
/// errors, which never quote the document.
pub(crate) fn parse_credentials(body: &[u8], what: &str) -> Result<Credentials, String> {
    let doc: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("{what}: the response is not JSON ({e})"))?;
    let field = |name: &str| doc.get(name).and_then(|v| v.as_str()).filter(|v| !v.is_empty());
    if let Some(code) = field("Code").filter(|c| *c != "Success") {
        let message = field("Message").unwrap_or("");
        return Err(format!("{what}: Code {} {}", shown(code), shown(message)));
    }
    let key = field("AccessKeyId").ok_or_else(|| format!("{what}: the response has no AccessKeyId"))?;
    let secret = field("SecretAccessKey").ok_or_else(|| format!("{what}: the response has no SecretAccessKey"))?;
    let mut credentials = Credentials::new(key, secret);
    if let Some(token) = field("Token").or_else(|| field("SessionToken")) {
        credentials = credentials.with_session_token(token);
    }
    if let Some(expiration) = field("Expiration") {
        credentials = credentials.with_expiry(parse_rfc3339(expiration).map_err(|e| format!("{what}: {e}"))?);
    }
    Ok(credentials)
}

pub(crate) fn parse_rfc3339(text: &str) -> Result<SystemTime, String> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(SystemTime::from)
        .map_err(|e| format!("Expiration `{}` is not an RFC 3339 time ({e})", shown(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_document() {
        let c = parse_credentials(
            br#"{"AccessKeyId":"AKID","SecretAccessKey":"S3CR3T","Token":"TOK","Expiration":"2030-01-02T03:04:05Z"}"#,
            "x",
        )
        .unwrap();
        assert_eq!((c.access_key_id(), c.secret_access_key(), c.session_token()), ("AKID", "S3CR3T", Some("TOK")));
        assert_eq!(c.expires_after().unwrap(), SystemTime::UNIX_EPOCH + Duration::from_secs(1_893_553_445));
        let e = parse_credentials(br#"{"AccessKeyId":"AKID","SecretAccessKey":"S3CR3T","Expiration":"soon"}"#, "x")
            .unwrap_err();
        assert!(e.contains("Expiration `soon`") && !e.contains("S3CR3T"), "{e}");
        let e =
            parse_credentials(br#"{"Code":"AssumeRoleUnauthorizedAccess","Message":"no\nrole"}"#, "IMDS").unwrap_err();
        assert_eq!(e, "IMDS: Code AssumeRoleUnauthorizedAccess no\\nrole");
        assert!(parse_credentials(br#"{"SecretAccessKey":"S3CR3T"}"#, "x").unwrap_err().contains("AccessKeyId"));
    }
}
