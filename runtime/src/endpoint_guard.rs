//! Checks on where a call goes, applied after endpoint resolution: plain `http://` only to
//! loopback unless the configuration opts in, host prefixes that are DNS labels, and the
//! configured endpoint URL honoured even when the service's rules have no `SDK::Endpoint`.

use std::net::IpAddr;

/// Whether `host` (as [`http::Uri::host`] gives it: IPv6 in brackets) is a loopback address
/// (`127.0.0.0/8`, `::1`, IPv4-mapped loopback) or `localhost`.
pub(crate) fn is_loopback(host: &str) -> bool {
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if let Ok(ip) = host.parse::<IpAddr>() {
        return ip.to_canonical().is_loopback();
    }
    host.strip_suffix('.').unwrap_or(host).eq_ignore_ascii_case("localhost")
}

/// Refuses a signed request over plain `http://` to a host that is not loopback, unless
/// `allowed`.
pub(crate) fn check_plain_http(uri: &http::Uri, allowed: bool) -> Result<(), String> {
    if allowed || uri.scheme() != Some(&http::uri::Scheme::HTTP) {
        return Ok(());
    }
    let host = uri.host().unwrap_or("");
    if is_loopback(host) {
        return Ok(());
    }
    Err(format!(
        "refusing to send over plain http:// to `{host}`, which is not a loopback address: the signature, \
         session token and body would cross the network unencrypted; use an https:// endpoint, or set \
         Config::builder().allow_insecure_http(true) to allow it"
    ))
}

/// Checks a host prefix (the operation's `@endpoint` `hostPrefix` with its `@hostLabel`
/// values filled in): only DNS labels (letters, digits, hyphens; 1 to 63 characters), each
/// followed by a dot except possibly the last, which joins the endpoint's first label.
pub(crate) fn check_host_prefix(prefix: &str) -> Result<(), String> {
    if prefix.is_empty() {
        return Ok(());
    }
    let labels: Vec<&str> = prefix.split('.').collect();
    let (last, whole) = labels.split_last().expect("split yields at least one part");
    let valid = |l: &str| l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if whole.iter().all(|l| !l.is_empty() && valid(l)) && valid(last) {
        return Ok(());
    }
    Err(format!(
        "the host prefix {:?} is not made of DNS labels (letters, digits and hyphens, 1 to 63 characters, \
         separated by dots)",
        crate::text::Bounded::new(prefix)
    ))
}

/// Replaces the resolved endpoint's URL with the configured one when the service's rule set
/// has no `SDK::Endpoint` parameter (with one, the rules already used it). The rest of the
/// resolution (headers, auth scheme properties) is kept.
pub(crate) fn apply_endpoint_url(
    mut endpoint: awslim_endpoints::Endpoint,
    rule_set: &awslim_endpoints::RuleSet,
    endpoint_url: Option<&str>,
) -> awslim_endpoints::Endpoint {
    let Some(url) = endpoint_url else { return endpoint };
    if !rule_set.parameters().iter().any(|p| p.built_in.as_deref() == Some("SDK::Endpoint")) {
        endpoint.url = url.to_owned();
    }
    endpoint
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for host in ["127.0.0.1", "127.1.2.3", "[::1]", "localhost", "LocalHost", "localhost.", "[::ffff:127.0.0.1]"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["10.0.0.1", "128.0.0.1", "[::2]", "localhost.example", "example.com", "evil-localhost", ""] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn plain_http_needs_loopback_or_opt_in() {
        let remote: http::Uri = "http://10.1.2.3:8080/x".parse().unwrap();
        let err = check_plain_http(&remote, false).unwrap_err();
        assert!(err.contains("allow_insecure_http(true)") && err.contains("10.1.2.3"), "{err}");
        assert!(check_plain_http(&remote, true).is_ok());
        assert!(check_plain_http(&"http://127.0.0.1:1/".parse().unwrap(), false).is_ok());
        assert!(check_plain_http(&"http://[::1]:1/".parse().unwrap(), false).is_ok());
        assert!(check_plain_http(&"https://10.1.2.3/".parse().unwrap(), false).is_ok());
    }

    #[test]
    fn host_prefixes() {
        for ok in ["", "data.", "acme-01.data.", "data-", "a.b-"] {
            assert!(check_host_prefix(ok).is_ok(), "{ok:?}");
        }
        for bad in ["evil.example/", "user@", ".data.", "a..b.", "x:1.", "a b.", &format!("{}.", "a".repeat(64))] {
            assert!(check_host_prefix(bad).is_err(), "{bad:?}");
        }
    }
}
