//! The chain's order, when it stops, its errors, fast fallthrough, and the region chain.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use awslim_credentials::{load_region, DefaultChain, SourceError};
use common::{closed_port, context, imds, reply, Home, Server};

const PROFILE_KEYS: &str = "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n";

#[tokio::test]
async fn order_environment_profile_container_imds() {
    let home = Home::new(None, Some(PROFILE_KEYS));
    let metadata = imds(Arc::new(Mutex::new(Vec::new()))).await;
    let container = Server::start(|_| {
        reply(200, r#"{"AccessKeyId":"AKIDCONTAINER","SecretAccessKey":"c-secret","Token":"t","Expiration":"2099-01-01T00:00:00Z"}"#)
    })
    .await;
    let full = format!("{}/creds", container.url);
    let env = [("AWS_ACCESS_KEY_ID", "AKIDENV"), ("AWS_SECRET_ACCESS_KEY", "env-secret")];
    let all = [
        env[0],
        env[1],
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &metadata.url),
    ];
    let key = |vars: Vec<(&str, &str)>, home: &Home| {
        let chain = DefaultChain::with_context(context(home, &vars));
        async move { chain.load().await.unwrap().access_key_id().to_owned() }
    };
    assert_eq!(key(all.to_vec(), &home).await, "AKIDENV");
    assert_eq!(key(all[2..].to_vec(), &home).await, "AKIDPROFILE");
    let empty = Home::new(None, None);
    assert_eq!(key(all[2..].to_vec(), &empty).await, "AKIDCONTAINER");
    assert_eq!(key(all[3..].to_vec(), &empty).await, "ASIAIMDS");
    assert_eq!(container.requests().len(), 1, "the container is asked only when earlier sources have nothing");

    // Cached, as `from_env` does; `Debug` shows no secret and no IMDS session token.
    use awslim_runtime::ProvideCredentials;
    let cached = awslim_credentials::CachingProvider::new(DefaultChain::with_context(context(&empty, &all[3..])));
    assert_eq!(cached.provide_credentials().await.unwrap().access_key_id(), "ASIAIMDS");
    let dbg = format!("{cached:?} {cached:#?}");
    assert!(
        !dbg.contains("imds-secret-value") && !dbg.contains("imds-token-value") && !dbg.contains("token-"),
        "{dbg}"
    );
}

#[tokio::test]
async fn errors_list_every_source_and_no_secret_and_imds_off_ec2_ends_fast() {
    let home = Home::new(Some("[default]\nregion = us-east-1\n"), None);
    // IMDS points at a closed 127.0.0.1 port (common::context): connection refused.
    let chain = DefaultChain::with_context(context(&home, &[("AWS_SECRET_ACCESS_KEY", "lonely-secret")]));
    let start = Instant::now();
    let e = chain.load().await.unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(2), "took {:?}", start.elapsed());
    let sources: Vec<_> = e.tried.iter().map(|(s, _)| *s).collect();
    assert_eq!(sources, ["environment", "profile", "web identity", "container", "IMDS"]);
    assert!(e.tried.iter().all(|(_, e)| matches!(e, SourceError::NotConfigured(_))));
    let text = e.to_string();
    assert!(text.starts_with("no credentials found (tried environment: AWS_ACCESS_KEY_ID is not set; profile: profile `default` has no credentials; web identity:"), "{text}");
    assert!(text.contains("IMDS: IMDS at http://127.0.0.1:") && text.contains("not reachable"), "{text}");
    assert!(!text.contains("lonely-secret"), "{text}");
}

#[tokio::test]
async fn imds_that_never_answers_is_given_up_after_its_timeout() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let home = Home::new(None, None);
    let chain = DefaultChain::with_context(context(&home, &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url)]));
    let start = Instant::now();
    let e = chain.load().await.unwrap_err();
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(3), "took {took:?}");
    assert!(e.to_string().contains("no answer within 1000 ms"), "{e}");
}

#[tokio::test]
async fn a_configured_source_that_fails_stops_the_chain() {
    let metadata = imds(Arc::new(Mutex::new(Vec::new()))).await;
    let empty = Home::new(None, None);
    // The container endpoint answers 500: the chain must not fall through to the instance role.
    let container = Server::start(|_| reply(500, "")).await;
    let full = format!("{}/creds", container.url);
    let chain = DefaultChain::with_context(context(
        &empty,
        &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full), ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &metadata.url)],
    ));
    let e = chain.load().await.unwrap_err();
    assert_eq!(e.tried.last().unwrap().0, "container");
    assert!(
        e.to_string().starts_with("credentials from container failed: container endpoint http://127.0.0.1:"),
        "{e}"
    );
    assert!(metadata.requests().is_empty());
    // Web identity (EKS IRSA) set up but its token file missing: reported, never replaced by
    // the node's role.
    let chain = DefaultChain::with_context(context(
        &empty,
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/token"),
            ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r"),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &metadata.url),
        ],
    ));
    let e = chain.load().await.unwrap_err().to_string();
    #[cfg(feature = "sts")]
    let expected = "credentials from web identity failed: web identity token file `/var/run/secrets/token`:";
    #[cfg(not(feature = "sts"))]
    let expected =
        "credentials from web identity failed: web identity (AssumeRoleWithWebIdentity) needs the `sts` feature";
    assert!(e.starts_with(expected), "{e}");
    assert!(metadata.requests().is_empty());
    // A profile that is not set up (no keys) does not stop it.
    let home = Home::new(Some("[default]\nregion = us-east-1\n"), None);
    let chain = DefaultChain::with_context(context(&home, &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &metadata.url)]));
    assert_eq!(chain.load().await.unwrap().access_key_id(), "ASIAIMDS");
    // Environment with a key but no secret is a broken setup.
    let chain = DefaultChain::with_context(context(&home, &[("AWS_ACCESS_KEY_ID", "AKID")]));
    let e = chain.load().await.unwrap_err().to_string();
    assert_eq!(e, "credentials from environment failed: AWS_SECRET_ACCESS_KEY is not set");
}

#[tokio::test]
async fn region_environment_then_profile_then_imds() {
    let metadata = imds(Arc::new(Mutex::new(Vec::new()))).await;
    let home = Home::new(Some("[default]\nregion = eu-central-2\n[profile other]\noutput = json\n"), None);
    let m = ("AWS_EC2_METADATA_SERVICE_ENDPOINT", metadata.url.as_str());
    let region = |vars: Vec<(&'static str, &'static str)>| {
        let mut v: Vec<(&str, &str)> = vec![m];
        v.extend(vars);
        let ctx = context(&home, &v);
        async move { load_region(&ctx).await }
    };
    assert_eq!(region(vec![("AWS_REGION", "ap-south-1"), ("AWS_DEFAULT_REGION", "x")]).await.unwrap(), "ap-south-1");
    assert_eq!(region(vec![("AWS_DEFAULT_REGION", "sa-east-1")]).await.unwrap(), "sa-east-1");
    assert_eq!(region(vec![]).await.unwrap(), "eu-central-2");
    assert_eq!(region(vec![("AWS_PROFILE", "other")]).await.unwrap(), "eu-west-3");
    let closed = format!("http://127.0.0.1:{}", closed_port());
    let e = load_region(&context(&home, &[("AWS_PROFILE", "other"), ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &closed)]))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("no region found (tried environment: AWS_REGION and AWS_DEFAULT_REGION are not set; profile: profile `other` has no region; IMDS:"), "{e}");
}

#[tokio::test]
async fn from_env_builds_a_config_whose_provider_resolves_lazily() {
    // Nothing is read when the config is built: building it cannot fail or block.
    let config = awslim_credentials::from_env().region("us-east-1").build();
    assert!(format!("{:?}", config.credentials_provider()).contains("CachingProvider"));
}
