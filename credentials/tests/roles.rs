//! Role credentials through the generated STS client (feature `sts`), against an STS double on
//! 127.0.0.1 speaking awsQuery: profiles with `role_arn` (one hop, two hops, `credential_source`)
//! and web identity (environment and profile).
#![cfg(feature = "sts")]

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use awslim_credentials::profile::ProfileCredentials;
use awslim_credentials::{CachingProvider, DefaultChain};
use awslim_runtime::ProvideCredentials;
use common::{context, form, reply, sts, Home, Server, CREDS_JSON};

fn expiry_2099() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(4_070_908_800)
}

/// The `Credential=<key>/<date>/<region>/sts/aws4_request` scope of a SigV4 Authorization header.
fn credential_scope(r: &common::Request) -> String {
    let auth = r.headers.get("authorization").cloned().unwrap_or_default();
    assert!(auth.starts_with("AWS4-HMAC-SHA256 "), "not signed with SigV4: {auth}");
    let scope = auth.split("Credential=").nth(1).unwrap_or("").split(',').next().unwrap_or("").to_owned();
    let parts: Vec<&str> = scope.split('/').collect();
    format!("{}/{}/{}", parts[0], parts[2], parts[3])
}

#[tokio::test]
async fn assume_role_is_signed_with_the_source_profile_and_sends_the_profile_settings() {
    let server = sts().await;
    let config = "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/hop1\nsource_profile = base\n\
                  external_id = ext-42\nrole_session_name = alice-session\nduration_seconds = 900\nregion = eu-west-1\n";
    let home =
        Home::new(Some(config), Some("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n"));
    let ctx = context(&home, &[("AWS_PROFILE", "dev"), ("AWS_ENDPOINT_URL_STS", &server.url)]);
    let c = ProfileCredentials::new(ctx).credentials().await.unwrap();
    assert_eq!(
        (c.access_key_id(), c.secret_access_key(), c.session_token()),
        ("ASIAHOP1", "hop1-secret", Some("hop1-token"))
    );
    assert_eq!(c.expires_after(), Some(expiry_2099()));
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let f = form(&requests[0].body);
    assert_eq!(f["Action"], "AssumeRole");
    assert_eq!(f["RoleArn"], "arn:aws:iam::123456789012:role/hop1");
    assert_eq!(f["RoleSessionName"], "alice-session");
    assert_eq!(f["ExternalId"], "ext-42");
    assert_eq!(f["DurationSeconds"], "900");
    assert_eq!(requests[0].path, "/");
    // Signed with the source profile's keys, for the profile's region.
    assert_eq!(credential_scope(&requests[0]), "AKIDBASE/eu-west-1/sts");
    assert!(!requests[0].headers.contains_key("x-amz-security-token"));
}

#[tokio::test]
async fn a_role_chain_of_two_hops_signs_each_hop_with_the_previous_hops_credentials() {
    let server = sts().await;
    let config = "[profile top]\nrole_arn = arn:aws:iam::2:role/hop2\nsource_profile = mid\n\
                  [profile mid]\nrole_arn = arn:aws:iam::1:role/hop1\nsource_profile = base\n\
                  [profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n";
    let home = Home::new(Some(config), None);
    let ctx =
        context(&home, &[("AWS_PROFILE", "top"), ("AWS_ENDPOINT_URL_STS", &server.url), ("AWS_REGION", "ap-south-1")]);
    let c = ProfileCredentials::new(ctx).credentials().await.unwrap();
    assert_eq!((c.access_key_id(), c.session_token()), ("ASIAHOP2", Some("hop2-token")));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let (first, second) = (form(&requests[0].body), form(&requests[1].body));
    assert_eq!(first["RoleArn"], "arn:aws:iam::1:role/hop1");
    assert_eq!(credential_scope(&requests[0]), "AKIDBASE/ap-south-1/sts");
    assert_eq!(second["RoleArn"], "arn:aws:iam::2:role/hop2");
    assert_eq!(credential_scope(&requests[1]), "ASIAHOP1/ap-south-1/sts");
    assert_eq!(requests[1].headers.get("x-amz-security-token").map(String::as_str), Some("hop1-token"));
    // No role_session_name: the default, as the SDKs make it (a prefix and the time).
    for f in [&first, &second] {
        let name = &f["RoleSessionName"];
        assert!(name.starts_with("awslim-") && name[7..].parse::<u128>().is_ok(), "{name}");
        assert!(!f.contains_key("ExternalId") && !f.contains_key("DurationSeconds"), "{f:?}");
    }
}

#[tokio::test]
async fn credential_source_gives_the_credentials_assume_role_is_signed_with() {
    let config = "[profile env]\nrole_arn = arn:aws:iam::1:role/fromenv\ncredential_source = Environment\n\
                  [profile ecs]\nrole_arn = arn:aws:iam::1:role/fromecs\ncredential_source = EcsContainer\n\
                  [profile bad]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Lambda\n";
    let home = Home::new(Some(config), None);
    let server = sts().await;
    let container = Server::start(|_| reply(200, CREDS_JSON)).await;
    let full = format!("{}/creds", container.url);
    let vars = |profile: &'static str| {
        vec![
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "env-secret"),
            ("AWS_PROFILE", profile),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full.as_str()),
            ("AWS_ENDPOINT_URL_STS", server.url.as_str()),
        ]
    };
    let c = ProfileCredentials::new(context(&home, &vars("env"))).credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "ASIAFROMENV");
    let c = ProfileCredentials::new(context(&home, &vars("ecs"))).credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "ASIAFROMECS");
    let requests = server.requests();
    assert_eq!(credential_scope(&requests[0]), "AKIDENV/us-east-1/sts");
    // The container's credentials (ASIAIMDS in the double's document) signed the second call.
    assert_eq!(credential_scope(&requests[1]), "ASIAIMDS/us-east-1/sts");
    assert_eq!(requests[1].headers.get("x-amz-security-token").map(String::as_str), Some("imds-token-value"));
    let e = ProfileCredentials::new(context(&home, &vars("bad"))).credentials().await.unwrap_err().to_string();
    assert!(e.contains("`Lambda` is not one of"), "{e}");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn sts_errors_name_the_profile_and_role_and_mfa_is_refused_before_any_call() {
    let server = sts().await;
    let config = "[profile no]\nrole_arn = arn:aws:iam::1:role/denied\nsource_profile = base\n\
                  [profile mfa]\nrole_arn = arn:aws:iam::1:role/hop1\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/alice\n\
                  [profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n";
    let home = Home::new(Some(config), None);
    let load = |p: &'static str| {
        let ctx = context(&home, &[("AWS_PROFILE", p), ("AWS_ENDPOINT_URL_STS", &server.url)]);
        async move { ProfileCredentials::new(ctx).credentials().await.unwrap_err().to_string() }
    };
    let e = load("no").await;
    assert!(e.starts_with("profile `no`: AssumeRole arn:aws:iam::1:role/denied: AssumeRole: service returned an error: AccessDenied (HTTP 403): not allowed"), "{e}");
    assert!(!e.contains("base-secret"), "{e}");
    let before = server.requests().len();
    let e = load("mfa").await;
    assert!(e.contains("profile `mfa`: `mfa_serial` is not supported"), "{e}");
    assert_eq!(server.requests().len(), before, "nothing is sent for an MFA profile");
}

#[tokio::test]
async fn web_identity_from_the_environment_is_unsigned_and_rereads_the_token_file() {
    let server = sts().await;
    let home = Home::new(None, None);
    let token_file = home.path("token");
    std::fs::write(&token_file, "jwt-one\n").unwrap();
    let file = token_file.to_string_lossy().into_owned();
    let ctx = context(
        &home,
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", &file),
            ("AWS_ROLE_ARN", "arn:aws:iam::1:role/irsa"),
            ("AWS_ROLE_SESSION_NAME", "pod-7"),
            ("AWS_REGION", "eu-central-1"),
            ("AWS_ENDPOINT_URL_STS", &server.url),
            // Ambient keys are not in the chain before web identity here (profile-less), but
            // they must never sign the web identity call either.
        ],
    );
    let chain = DefaultChain::with_context(ctx);
    let c = chain.load().await.unwrap();
    assert_eq!((c.access_key_id(), c.expires_after()), ("ASIAIRSA", Some(expiry_2099())));
    // The token is rotated on disk: the next refresh reads the new one.
    std::fs::write(&token_file, "jwt-two").unwrap();
    chain.load().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for (r, token) in requests.iter().zip(["jwt-one", "jwt-two"]) {
        let f = form(&r.body);
        assert_eq!(f["Action"], "AssumeRoleWithWebIdentity");
        assert_eq!(f["RoleArn"], "arn:aws:iam::1:role/irsa");
        assert_eq!(f["RoleSessionName"], "pod-7");
        assert_eq!(f["WebIdentityToken"], token);
        assert!(!r.headers.contains_key("authorization"), "web identity calls go unsigned");
    }
    // Errors never show the token.
    std::fs::write(&token_file, "jwt-secret-three").unwrap();
    let denied = context(
        &home,
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", &file),
            ("AWS_ROLE_ARN", "arn:aws:iam::1:role/denied"),
            ("AWS_ENDPOINT_URL_STS", &server.url),
        ],
    );
    let e = DefaultChain::with_context(denied).load().await.unwrap_err().to_string();
    assert!(
        e.starts_with("credentials from web identity failed: AssumeRoleWithWebIdentity arn:aws:iam::1:role/denied:"),
        "{e}"
    );
    assert!(!e.contains("jwt-secret-three"), "{e}");
}

#[tokio::test]
async fn web_identity_in_a_profile_and_as_the_source_of_a_role_chain() {
    let server = sts().await;
    let home = Home::new(None, None);
    let token_file = home.path("token");
    std::fs::write(&token_file, "jwt-profile").unwrap();
    let config = format!(
        "[profile web]\nrole_arn = arn:aws:iam::1:role/webrole\nweb_identity_token_file = {}\nrole_session_name = s1\n\
         [profile chained]\nrole_arn = arn:aws:iam::1:role/after\nsource_profile = web\n",
        token_file.display()
    );
    std::fs::write(home.path(".aws/config"), config).unwrap();
    let ctx = context(&home, &[("AWS_PROFILE", "chained"), ("AWS_ENDPOINT_URL_STS", &server.url)]);
    // Cached as the default provider is: the second call is served from the cache.
    let provider = CachingProvider::new(ProfileCredentials::new(ctx));
    let c = provider.provide_credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "ASIAAFTER");
    provider.provide_credentials().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "two hops once, then the cache");
    let (first, second) = (form(&requests[0].body), form(&requests[1].body));
    assert_eq!(
        (first["Action"].as_str(), first["WebIdentityToken"].as_str()),
        ("AssumeRoleWithWebIdentity", "jwt-profile")
    );
    assert_eq!(first["RoleSessionName"], "s1");
    assert_eq!(second["Action"], "AssumeRole");
    assert_eq!(credential_scope(&requests[1]), "ASIAWEBROLE/us-east-1/sts");
}

#[tokio::test]
async fn sts_endpoints_are_regional_unless_legacy_is_asked_for() {
    // No endpoint override: the STS rules choose the URL; the stub transport sends nothing.
    let stub = Arc::new(awslim_runtime::StubTransport::new());
    let ok = "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAX</AccessKeyId>\
              <SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>\
              <Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>";
    let config = "[profile dev]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n\
                  [profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n";
    let home = Home::new(Some(config), None);
    let cases = [
        (vec![("AWS_REGION", "ap-northeast-1")], "https://sts.ap-northeast-1.amazonaws.com/", "ap-northeast-1"),
        (
            vec![("AWS_REGION", "ap-northeast-1"), ("AWS_STS_REGIONAL_ENDPOINTS", "legacy")],
            "https://sts.amazonaws.com/",
            "us-east-1",
        ),
        (
            vec![("AWS_REGION", "eu-south-2"), ("AWS_STS_REGIONAL_ENDPOINTS", "legacy")],
            "https://sts.eu-south-2.amazonaws.com/",
            "eu-south-2",
        ),
        (vec![], "https://sts.us-east-1.amazonaws.com/", "us-east-1"),
    ];
    for (vars, url, signing_region) in cases {
        stub.push_response(http::Response::builder().status(200).body(bytes::Bytes::from(ok)).unwrap());
        let mut map: std::collections::HashMap<String, String> =
            [("HOME", home.dir.path().to_string_lossy().as_ref()), ("AWS_PROFILE", "dev")]
                .iter()
                .chain(vars.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        map.insert("AWS_EC2_METADATA_DISABLED".into(), "true".into());
        let ctx = awslim_credentials::Context::from_vars(map).with_transport(stub.clone());
        ProfileCredentials::new(ctx).credentials().await.unwrap();
        let sent = stub.take_requests();
        assert_eq!(sent[0].uri.to_string(), url);
        let auth = sent[0].headers["authorization"].to_str().unwrap().to_owned();
        assert!(auth.contains(&format!("/{signing_region}/sts/aws4_request")), "{auth}");
    }
    let ctx = awslim_credentials::Context::from_vars(
        [
            ("HOME", home.dir.path().to_string_lossy().into_owned()),
            ("AWS_PROFILE", "dev".into()),
            ("AWS_STS_REGIONAL_ENDPOINTS", "global".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
    )
    .with_transport(stub.clone());
    let e = ProfileCredentials::new(ctx).credentials().await.unwrap_err().to_string();
    assert!(e.contains("AWS_STS_REGIONAL_ENDPOINTS `global` is not `regional` or `legacy`"), "{e}");
}

#[test]
fn debug_of_the_sts_clients_credentials_hides_the_secret_key_and_the_session_token() {
    // `clients/customizations/sts.json` marks the session token @sensitive (the published
    // model does not).
    let c = awslim_sts::types::Credentials::builder()
        .access_key_id("ASIAVISIBLE")
        .secret_access_key("hidden-secret")
        .session_token("hidden-session-token")
        .expiration(awslim_runtime::DateTime::from_secs_f64(0.0).unwrap())
        .build();
    let shown = format!("{c:?}");
    assert!(shown.contains("ASIAVISIBLE"), "{shown}");
    assert!(!shown.contains("hidden-secret") && !shown.contains("hidden-session-token"), "{shown}");
}
