//! Shared config/credentials files through the optional `aws-config` feature:
//! `cargo test -p awslim-runtime --features aws-config --test profile_files`.
#![cfg(feature = "aws-config")]

use awslim_runtime::credentials::{CredentialsChain, ProfileCredentials};
use awslim_runtime::{Config, ProvideCredentials};

// One test function: it changes process environment variables.
#[tokio::test]
async fn credentials_and_region_from_profile_files() {
    let dir = std::env::temp_dir().join(format!("awslim-profile-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config_file = dir.join("config");
    let credentials_file = dir.join("credentials");
    std::fs::write(
        &config_file,
        "[default]\nregion = eu-west-3\n\n[profile other]\nregion = ap-south-1\n\n\
         [profile assumed]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = default\n",
    )
    .unwrap();
    std::fs::write(
        &credentials_file,
        "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = PROFILESECRET\n\n\
         [other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = OTHERSECRET\naws_session_token = OTHERTOKEN\n",
    )
    .unwrap();
    // This test binary has only this one test, so changing the environment races with nothing.
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_PROFILE",
    ] {
        std::env::remove_var(var);
    }
    std::env::set_var("AWS_CONFIG_FILE", &config_file);
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &credentials_file);

    let c = ProfileCredentials::new().provide_credentials().await.unwrap();
    assert_eq!((c.access_key_id(), c.secret_access_key(), c.session_token()), ("AKIDPROFILE", "PROFILESECRET", None));
    let c = ProfileCredentials::with_profile("other").provide_credentials().await.unwrap();
    assert_eq!(c.session_token(), Some("OTHERTOKEN"));
    assert!(!format!("{c:?}").contains("OTHERSECRET"));

    let err = ProfileCredentials::with_profile("assumed").provide_credentials().await.unwrap_err();
    assert!(err.to_string().contains("role_arn"), "{err}");
    let err = ProfileCredentials::with_profile("nope").provide_credentials().await.unwrap_err();
    assert!(err.to_string().contains("`nope` not found"), "{err}");

    // No env credentials: the default chain falls through to the profile.
    let c = CredentialsChain::default_chain().provide_credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "AKIDPROFILE");
    let config = Config::load_from_env().await;
    assert_eq!(config.region(), Some("eu-west-3"));
    std::env::set_var("AWS_REGION", "us-east-2");
    assert_eq!(Config::load_from_env().await.region(), Some("us-east-2"), "env wins over the profile");

    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", dir.join("missing"));
    std::env::set_var("AWS_CONFIG_FILE", dir.join("missing-too"));
    let err = CredentialsChain::default_chain().provide_credentials().await.unwrap_err();
    assert!(err.to_string().contains("AWS_ACCESS_KEY_ID"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
