//! An official SDK credentials provider and region in an awslim config (feature `aws-sdk-interop`).

use std::time::{Duration, SystemTime};

use aws_credential_types::credential_fn::provide_credentials_fn;
use aws_credential_types::provider::error::CredentialsError as SdkError;
use awslim_credentials::interop::{with_sdk, SdkCredentials};
use awslim_runtime::ProvideCredentials;

#[tokio::test]
async fn sdk_provider_and_region_feed_an_awslim_config() {
    let expiry = SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000);
    let sdk = provide_credentials_fn(move || async move {
        Ok(aws_credential_types::Credentials::new(
            "AKIDSDK",
            "sdk-secret",
            Some("sdk-token".into()),
            Some(expiry),
            "test",
        ))
    });
    let region = aws_types::region::Region::new("eu-south-2");
    let config = with_sdk(awslim_runtime::Config::builder(), sdk, Some(&region)).build();
    assert_eq!(config.region(), Some("eu-south-2"));
    let c = config.credentials_provider().provide_credentials().await.unwrap();
    assert_eq!(
        (c.access_key_id(), c.secret_access_key(), c.session_token()),
        ("AKIDSDK", "sdk-secret", Some("sdk-token"))
    );
    assert_eq!(c.expires_after(), Some(expiry));

    let failing = SdkCredentials(provide_credentials_fn(|| async { Err(SdkError::not_loaded("no profile")) }));
    let e = failing.provide_credentials().await.unwrap_err();
    assert!(e.to_string().starts_with("SDK credentials provider:"), "{e}");
}
