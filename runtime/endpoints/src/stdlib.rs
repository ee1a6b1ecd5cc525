//! The rules engine's string functions (no regex engine; `uriEncode` is the `percent-encoding` crate's).

/// `substring(input, start, stop, reverse)`: `None` when the input is not ASCII or the
/// range does not fit. With `reverse`, the range counts from the end.
pub(crate) fn substring(input: &str, start: i64, stop: i64, reverse: bool) -> Option<String> {
    if !input.is_ascii() || start < 0 || start >= stop {
        return None;
    }
    let len = input.len();
    let (start, stop) = (usize::try_from(start).ok()?, usize::try_from(stop).ok()?);
    if stop > len {
        return None;
    }
    let (from, to) = if reverse { (len - stop, len - start) } else { (start, stop) };
    input.get(from..to).map(str::to_owned)
}

/// RFC 3986 percent-encoding of everything but the unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`), upper-case hex, UTF-8 bytes.
pub(crate) fn uri_encode(input: &str) -> String {
    const UNRESERVED: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    percent_encoding::utf8_percent_encode(input, UNRESERVED).to_string()
}

/// One DNS label: 1 to 63 characters, letters, digits and `-`, not starting with `-`.
fn is_host_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes[0].is_ascii_alphanumeric()
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

/// `isValidHostLabel(value, allowSubDomains)`.
pub(crate) fn is_valid_host_label(value: &str, allow_sub_domains: bool) -> bool {
    if allow_sub_domains {
        value.split('.').all(is_host_label)
    } else {
        is_host_label(value)
    }
}

/// Four dot-separated decimal numbers 0-255.
fn is_ipv4(host: &str) -> bool {
    looks_like_ipv4(host) && host.split('.').all(|part| part.parse::<u8>().is_ok())
}

/// Four dot-separated runs of digits, in range or not (`999.999.999.999` is not a host
/// name either).
fn looks_like_ipv4(host: &str) -> bool {
    let mut count = 0;
    for part in host.split('.') {
        count += 1;
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    count == 4
}

/// `aws.isVirtualHostableS3Bucket(value, allowSubDomains)`: usable as a DNS name in
/// virtual-hosted-style S3 addressing.
pub(crate) fn is_virtual_hostable_s3_bucket(value: &str, allow_sub_domains: bool) -> bool {
    let bytes = value.as_bytes();
    if bytes.len() < 3 || bytes.len() > 63 {
        return false;
    }
    let label_ok = |label: &str| {
        let b = label.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
    };
    if allow_sub_domains {
        value.split('.').all(label_ok) && !looks_like_ipv4(value)
    } else {
        label_ok(value)
    }
}

/// The parts of a URL that `parseURL` exposes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Url {
    pub scheme: String,
    pub authority: String,
    pub path: String,
    pub normalized_path: String,
    pub is_ip: bool,
}

/// `parseURL`: `http`/`https` URLs without a query or fragment. `None` otherwise.
pub(crate) fn parse_url(input: &str) -> Option<Url> {
    let (scheme, rest) = input.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    if rest.contains(['?', '#']) {
        return None;
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if authority.is_empty()
        || authority.contains('@')
        || authority.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        || path.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (inside, after) = bracketed.split_once(']')?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        if !is_ipv6(inside) {
            return None;
        }
        (authority.get(..inside.len() + 2)?, port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() || (!host.starts_with('[') && host.contains(['[', ']'])) {
        return None;
    }
    if let Some(port) = port {
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || port.parse::<u16>().is_err() {
            return None;
        }
    }
    let is_ip = host.starts_with('[') || looks_like_ipv4(host);
    let normalized_path = if path.ends_with('/') { path.to_owned() } else { format!("{path}/") };
    Some(Url {
        scheme: scheme.to_ascii_lowercase(),
        authority: authority.to_owned(),
        path: path.to_owned(),
        normalized_path,
        is_ip,
    })
}

/// A loose IPv6 check: hex groups and colons (optionally an embedded IPv4 tail), at most
/// one `::`.
fn is_ipv6(s: &str) -> bool {
    if s.len() < 2 || !s.contains(':') {
        return false;
    }
    let (head, v4_tail) = match s.rsplit_once(':') {
        Some((head, tail)) if tail.contains('.') => (head, Some(tail)),
        _ => (s, None),
    };
    if let Some(tail) = v4_tail {
        if !is_ipv4(tail) {
            return false;
        }
    }
    if head.matches("::").count() > 1 {
        return false;
    }
    let compressed = head.contains("::");
    let groups: Vec<&str> = head.split(':').filter(|g| !g.is_empty()).collect();
    let max = if v4_tail.is_some() { 6 } else { 8 };
    if groups.len() > max || (!compressed && groups.len() != max) {
        return false;
    }
    groups.iter().all(|g| g.len() <= 4 && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `split(value, delimiter, limit)`: limit 0 splits on every delimiter, limit n > 0 yields
/// at most n parts. An empty delimiter yields `None`.
pub(crate) fn split(value: &str, delimiter: &str, limit: usize) -> Option<Vec<String>> {
    if delimiter.is_empty() {
        return None;
    }
    Some(if limit == 0 {
        value.split(delimiter).map(str::to_owned).collect()
    } else {
        value.splitn(limit, delimiter).map(str::to_owned).collect()
    })
}

/// The parts of an ARN that `aws.parseArn` exposes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Arn {
    pub partition: String,
    pub service: String,
    pub region: String,
    pub account_id: String,
    pub resource_id: Vec<String>,
}

/// `aws.parseArn`: `arn:partition:service:region:account:resource`, where partition,
/// service and resource are not empty; the resource splits on `:` and `/`.
pub(crate) fn parse_arn(input: &str) -> Option<Arn> {
    let mut parts = input.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account_id = parts.next()?;
    let resource = parts.next()?;
    if partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    Some(Arn {
        partition: partition.to_owned(),
        service: service.to_owned(),
        region: region.to_owned(),
        account_id: account_id.to_owned(),
        resource_id: resource.split([':', '/']).map(str::to_owned).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substrings() {
        assert_eq!(substring("abcdefg", 0, 4, false).as_deref(), Some("abcd"));
        assert_eq!(substring("abcdefg", 0, 4, true).as_deref(), Some("defg"));
        assert_eq!(substring("defg", 1, 3, false).as_deref(), Some("ef"));
        assert_eq!(substring("abc", 0, 4, false), None);
        assert_eq!(substring("\u{fdfd}", 0, 1, false), None);
        assert_eq!(substring("abc", 2, 2, false), None);
        assert_eq!(substring("abc", -1, 2, false), None);
    }

    #[test]
    fn uri_encoding() {
        assert_eq!(uri_encode("a b/c~d"), "a%20b%2Fc~d");
        assert_eq!(uri_encode("\u{1F639}"), "%F0%9F%98%B9");
        assert_eq!(uri_encode(""), "");
    }

    #[test]
    fn host_labels() {
        assert!(is_valid_host_label("us-east-1", false));
        assert!(is_valid_host_label("3aws4", false));
        assert!(!is_valid_host_label("a.b", false));
        assert!(is_valid_host_label("a.b", true));
        assert!(!is_valid_host_label("", true));
        assert!(!is_valid_host_label("a.", true));
        assert!(!is_valid_host_label("a.-b", true));
        assert!(!is_valid_host_label("-a", false));
        assert!(is_valid_host_label(&"a".repeat(63), false));
        assert!(!is_valid_host_label(&"a".repeat(64), false));
    }

    #[test]
    fn s3_buckets() {
        assert!(is_virtual_hostable_s3_bucket("my-bucket", false));
        assert!(!is_virtual_hostable_s3_bucket("my.bucket", false));
        assert!(is_virtual_hostable_s3_bucket("my.bucket", true));
        assert!(!is_virtual_hostable_s3_bucket("My-Bucket", false));
        assert!(!is_virtual_hostable_s3_bucket("ab", false));
        assert!(!is_virtual_hostable_s3_bucket("bucket-", false));
        assert!(!is_virtual_hostable_s3_bucket("a..b", true));
        assert!(!is_virtual_hostable_s3_bucket("a.-b", true));
        assert!(!is_virtual_hostable_s3_bucket("192.168.1.1", true));
        assert!(!is_virtual_hostable_s3_bucket("999.999.999.999", true));
        assert!(is_virtual_hostable_s3_bucket("192.168.1.word", true));
        assert!(is_virtual_hostable_s3_bucket("a.b-c", true));
        assert!(is_virtual_hostable_s3_bucket("123", true));
        assert!(!is_virtual_hostable_s3_bucket("abc.", true));
        assert!(!is_virtual_hostable_s3_bucket("abc_def", true));
        assert!(!is_virtual_hostable_s3_bucket(&"a".repeat(64), false));
    }

    #[test]
    fn urls() {
        let u = parse_url("https://example.com:8443/a/b").unwrap();
        assert_eq!(u.scheme, "https");
        assert_eq!(u.authority, "example.com:8443");
        assert_eq!(u.path, "/a/b");
        assert_eq!(u.normalized_path, "/a/b/");
        assert!(!u.is_ip);
        assert_eq!(parse_url("http://h").unwrap().normalized_path, "/");
        assert!(parse_url("http://10.0.0.1:80").unwrap().is_ip);
        assert!(parse_url("http://[::1]:80/").unwrap().is_ip);
        assert!(parse_url("http://[fe80::1%eth0]").is_none());
        assert!(parse_url("ftp://example.com").is_none());
        assert!(parse_url("https://example.com?x=1").is_none());
        assert!(parse_url("https://example.com:x").is_none());
        assert!(parse_url("https://example.com:99999").is_none());
        assert!(parse_url("https://").is_none());
        assert!(parse_url("example.com").is_none());
        assert!(parse_url("https://a b.com").is_none());
    }

    #[test]
    fn ip_addresses() {
        assert!(is_ipv4("0.0.0.0"));
        assert!(!is_ipv4("256.0.0.1"));
        assert!(!is_ipv4("1.2.3"));
        assert!(!is_ipv4("1.2.3.1000"));
        assert!(looks_like_ipv4("999.999.999.999"));
        assert!(!looks_like_ipv4("999.999.abc.blah"));
        assert!(is_ipv6("2001:db8:85a3:8d3:1319:8a2e:370:7348"));
        assert!(is_ipv6("::1"));
        assert!(is_ipv6("::ffff:192.168.0.1"));
        assert!(!is_ipv6("1::2::3"));
        assert!(!is_ipv6("12345::"));
    }

    #[test]
    fn splitting() {
        assert_eq!(split("a--b--c", "--", 0).unwrap(), ["a", "b", "c"]);
        assert_eq!(split("a--b--c", "--", 2).unwrap(), ["a", "b--c"]);
        assert_eq!(split("", "--", 0).unwrap(), [""]);
        assert_eq!(split("aaa", "aa", 0).unwrap(), ["", "a"]);
        assert_eq!(split("abc", "", 0), None);
    }

    #[test]
    fn arns() {
        let arn = parse_arn("arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap:x").unwrap();
        assert_eq!(arn.partition, "aws");
        assert_eq!(arn.service, "s3");
        assert_eq!(arn.region, "us-west-2");
        assert_eq!(arn.account_id, "123456789012");
        assert_eq!(arn.resource_id, ["accesspoint", "my-ap", "x"]);
        let arn = parse_arn("arn:aws:iam:::role/r").unwrap();
        assert_eq!(arn.region, "");
        assert_eq!(arn.resource_id, ["role", "r"]);
        assert!(parse_arn("arn:aws:s3:::").is_none());
        assert!(parse_arn("arn::s3:::x").is_none());
        assert!(parse_arn("nope:aws:s3:::x").is_none());
        assert!(parse_arn("arn:aws:s3").is_none());
    }
}
