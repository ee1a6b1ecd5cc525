//! Wire-protocol helpers shared by generated (de)serializers.

pub mod rest_json;

/// The `Content-MD5` header value for a body: base64 of its MD5 digest (RustCrypto's `md-5`).
#[cfg(feature = "checksum-md5")]
pub fn content_md5(body: &[u8]) -> String {
    use md5::Digest as _;
    crate::json::base64_encode(&md5::Md5::digest(body))
}

#[cfg(all(test, feature = "checksum-md5"))]
mod tests {
    #[test]
    fn content_md5_of_known_bodies() {
        assert_eq!(super::content_md5(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
        assert_eq!(super::content_md5(b"abc"), "kAFQmDzST7DWlj99KOF/cg==");
    }
}
