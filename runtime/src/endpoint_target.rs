//! A resolved endpoint made ready for requests once, when it is resolved (and cached with it):
//! its URL parsed and split into the parts each request's URI is built from, and its headers
//! checked. A call then joins those parts with its own path instead of parsing a URL again.

use std::sync::Arc;

use awslim_endpoints::Endpoint;
use http::header::{HeaderName, HeaderValue};
use http::uri::{Authority, PathAndQuery, Scheme};

use crate::endpoint_guard;

/// A resolved endpoint, ready for requests.
#[derive(Debug)]
pub(crate) struct PreparedEndpoint {
    /// What the rules engine resolved, put on each attempt's request for transports to see.
    pub(crate) endpoint: Arc<Endpoint>,
    /// The endpoint's headers, checked.
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    scheme: Scheme,
    authority: Authority,
    /// The URL's path without trailing slashes (empty for none).
    base_path: String,
}

impl PreparedEndpoint {
    /// Refuses a URL that is not absolute or holds user info, and headers that are not valid
    /// HTTP (the message says which).
    pub(crate) fn new(endpoint: Endpoint) -> Result<Self, String> {
        let url = &endpoint.url;
        let base: http::Uri = url.parse().map_err(|e| format!("resolved endpoint `{url}` is not a URL: {e}"))?;
        let (Some(scheme), Some(authority)) = (base.scheme(), base.authority()) else {
            return Err(format!("resolved endpoint `{url}` has no scheme or host"));
        };
        if authority.as_str().contains('@') {
            // The prefix would land in the user info, and the URL may carry a password.
            return Err("the endpoint URL must not contain user info (`user@`)".to_owned());
        }
        let (scheme, authority) = (scheme.clone(), authority.clone());
        let base_path = base.path().trim_end_matches('/').to_owned();
        let headers = checked_headers(&endpoint)?;
        Ok(PreparedEndpoint { endpoint: Arc::new(endpoint), headers, scheme, authority, base_path })
    }

    /// The URI of a request whose `relative` URI (path and optional query, percent-encoded)
    /// goes after the endpoint's path, with `prefix` (an operation's host prefix, checked here)
    /// before its host. With `path_from_endpoint`, a relative path of just `/` is the
    /// endpoint's path itself (no trailing slash added).
    pub(crate) fn uri(
        &self,
        prefix: &str,
        relative: &http::Uri,
        path_from_endpoint: bool,
    ) -> Result<http::Uri, String> {
        endpoint_guard::check_host_prefix(prefix)?;
        let invalid = |e: &dyn std::fmt::Display| format!("request URI is invalid: {e}");
        let authority = if prefix.is_empty() {
            self.authority.clone()
        } else {
            Authority::try_from(format!("{prefix}{}", self.authority)).map_err(|e| invalid(&e))?
        };
        let path_and_query = match relative.path_and_query() {
            Some(pq) if self.base_path.is_empty() => pq.clone(),
            _ => {
                let mut relative = relative.path_and_query().map_or("/", PathAndQuery::as_str);
                if path_from_endpoint && !self.base_path.is_empty() {
                    relative = relative
                        .strip_prefix('/')
                        .filter(|rest| rest.is_empty() || rest.starts_with('?'))
                        .unwrap_or(relative);
                }
                PathAndQuery::try_from([self.base_path.as_str(), relative].concat()).map_err(|e| invalid(&e))?
            }
        };
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(authority);
        parts.path_and_query = Some(path_and_query);
        http::Uri::from_parts(parts).map_err(|e| invalid(&e))
    }
}

fn checked_headers(endpoint: &Endpoint) -> Result<Vec<(HeaderName, HeaderValue)>, String> {
    let mut headers = Vec::new();
    for (name, values) in &endpoint.headers {
        let name =
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| format!("endpoint header `{name}` is invalid"))?;
        for v in values {
            let v = HeaderValue::from_str(v).map_err(|_| format!("endpoint header `{name}` has an invalid value"))?;
            headers.push((name.clone(), v));
        }
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(url: &str) -> PreparedEndpoint {
        PreparedEndpoint::new(Endpoint { url: url.to_owned(), ..Default::default() }).expect(url)
    }

    /// What the client built before endpoints were prepared: one string, parsed.
    fn joined_and_parsed(url: &str, prefix: &str, relative: &str, path_from_endpoint: bool) -> Option<String> {
        let base: http::Uri = url.parse().ok()?;
        let base_path = base.path().trim_end_matches('/');
        let mut relative_pq = relative;
        if !base_path.is_empty() && path_from_endpoint {
            relative_pq =
                relative_pq.strip_prefix('/').filter(|r| r.is_empty() || r.starts_with('?')).unwrap_or(relative_pq);
        }
        let whole = format!("{}://{prefix}{}{base_path}{relative_pq}", base.scheme_str()?, base.authority()?);
        whole.parse::<http::Uri>().ok().map(|u| u.to_string())
    }

    #[test]
    fn request_uris_are_the_joined_url_parsed() {
        let urls = [
            "https://svc.us-west-2.amazonaws.com",
            "https://svc.us-west-2.amazonaws.com/",
            "http://127.0.0.1:8080/base/",
            "http://[::1]:9000/a/b",
            "https://example.com/path?ignored=1",
            "https://example.com//",
        ];
        let relatives = ["/", "/x/y%20z", "/?a=1&b", "/contact/webrtc?x=%2F", "/a//b/"];
        for url in urls {
            let endpoint = prepared(url);
            for relative in relatives {
                let rel: http::Uri = relative.parse().unwrap();
                for prefix in ["", "data-", "abc.def."] {
                    for path_from_endpoint in [false, true] {
                        let ours = endpoint.uri(prefix, &rel, path_from_endpoint).map(|u| u.to_string()).ok();
                        let reference = joined_and_parsed(url, prefix, relative, path_from_endpoint);
                        assert_eq!(ours, reference, "{url} {prefix:?} {relative} {path_from_endpoint}");
                    }
                }
            }
        }
    }

    #[test]
    fn bad_endpoints_and_prefixes_are_refused_with_the_reason() {
        let refuse =
            |url: &str| PreparedEndpoint::new(Endpoint { url: url.to_owned(), ..Default::default() }).unwrap_err();
        assert!(refuse("not a url").contains("is not a URL"), "{}", refuse("not a url"));
        assert!(refuse("/relative").contains("has no scheme or host"));
        assert!(refuse("https://user:pw@example.com").contains("user info"));
        let mut endpoint = Endpoint { url: "https://example.com".to_owned(), ..Default::default() };
        endpoint.headers.insert("bad header".to_owned(), vec!["v".to_owned()]);
        assert!(PreparedEndpoint::new(endpoint).unwrap_err().contains("`bad header` is invalid"));
        let rel: http::Uri = "/".parse().unwrap();
        let error = prepared("https://example.com").uri("bad_label.", &rel, false).unwrap_err();
        assert!(error.contains("not made of DNS labels"), "{error}");
    }

    #[test]
    fn endpoint_headers_are_kept_in_order() {
        let mut endpoint = Endpoint { url: "https://example.com".to_owned(), ..Default::default() };
        endpoint.headers.insert("x-a".to_owned(), vec!["1".to_owned(), "2".to_owned()]);
        let prepared = PreparedEndpoint::new(endpoint).unwrap();
        let values: Vec<_> = prepared.headers.iter().map(|(n, v)| format!("{n}={}", v.to_str().unwrap())).collect();
        assert_eq!(values, ["x-a=1", "x-a=2"]);
    }
}
