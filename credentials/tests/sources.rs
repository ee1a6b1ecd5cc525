//! Each source alone, against servers on 127.0.0.1 and files in a temporary HOME.

mod common;

use std::sync::{Arc, Mutex};

use awslim_credentials::container::ContainerCredentials;
use awslim_credentials::imds::ImdsClient;
use awslim_credentials::profile::ProfileCredentials;
use awslim_credentials::SourceError;
use common::{context, imds, reply, Home, Server, CREDS_JSON};

#[tokio::test]
async fn profile_static_keys_from_the_credentials_file_and_aws_profile() {
    let home = Home::new(
        Some("[profile work]\nregion = eu-north-1\n"),
        Some("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n\n[work]\naws_access_key_id = AKIDWORK\naws_secret_access_key = s2\naws_session_token = t2\n"),
    );
    let c = ProfileCredentials::new(context(&home, &[])).credentials().await.unwrap();
    assert_eq!((c.access_key_id(), c.secret_access_key()), ("AKIDDEFAULT", "s1"));
    let c = ProfileCredentials::new(context(&home, &[("AWS_PROFILE", "work")])).credentials().await.unwrap();
    assert_eq!((c.access_key_id(), c.session_token()), ("AKIDWORK", Some("t2")));
    let e = ProfileCredentials::new(context(&home, &[("AWS_PROFILE", "nope")])).credentials().await.unwrap_err();
    assert!(matches!(&e, SourceError::Failed(m) if m.contains("`nope`")), "{e:?}");
}

#[tokio::test]
async fn profile_without_files_or_keys_is_not_configured() {
    let home = Home::new(None, None);
    for vars in [&[][..], &[("AWS_PROFILE", "work")][..]] {
        let e = ProfileCredentials::new(context(&home, vars)).credentials().await.unwrap_err();
        assert_eq!(e, SourceError::NotConfigured("no shared config or credentials file".into()));
    }
    let home = Home::new(Some("[default]\nregion = us-east-1\n"), None);
    let e = ProfileCredentials::new(context(&home, &[])).credentials().await.unwrap_err();
    assert_eq!(e, SourceError::NotConfigured("profile `default` has no credentials".into()));
    let home = Home::new(Some("[default]\naws_access_key_id = AKID\n"), None);
    let e = ProfileCredentials::new(context(&home, &[])).credentials().await.unwrap_err();
    assert!(matches!(&e, SourceError::Failed(m) if m.contains("no aws_secret_access_key")), "{e:?}");
}

#[cfg(all(feature = "sts", feature = "sso"))]
#[tokio::test]
async fn broken_profile_settings_are_named_not_ignored() {
    let config = "[default]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n[sso-session corp]\nsso_start_url = https://x\n\
                  [profile legacy]\nsso_start_url = https://x\nsso_account_id = 1\nsso_role_name = r\n\
                  [profile web]\nrole_arn = arn:aws:iam::1:role/r\nweb_identity_token_file = /nonexistent/t\n\
                  [profile mfa]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/u\n\
                  [profile duration]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\nduration_seconds = 1h\n\
                  [profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n\
                  [profile loop1]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = loop2\n\
                  [profile loop2]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = loop1\n\
                  [profile nosource]\nrole_arn = arn:aws:iam::1:role/r\n\
                  [profile webonly]\nweb_identity_token_file = /nonexistent/t\n";
    let home = Home::new(Some(config), None);
    let load = |p: &'static str| {
        let ctx = context(&home, &[("AWS_PROFILE", p)]);
        async move { ProfileCredentials::new(ctx).credentials().await.unwrap_err().to_string() }
    };
    let cases = [
        ("default", "profile `default`: [sso-session corp] has no `sso_region`"),
        ("legacy", "profile `legacy`: `sso_region` is missing"),
        ("web", "profile `web`: web identity token file `/nonexistent/t`:"),
        ("mfa", "profile `mfa`: `mfa_serial` is not supported"),
        ("duration", "profile `duration`: `duration_seconds` `1h` is not a positive number of seconds"),
        ("loop1", "chain loops or is too long: loop1 -> loop2 -> loop1"),
        ("nosource", "`role_arn` needs `source_profile` or `credential_source`"),
        ("webonly", "`web_identity_token_file` without `role_arn`"),
    ];
    for (profile, expected) in cases {
        let e = load(profile).await;
        assert!(e.contains(expected), "{profile}: {e}");
        assert!(!e.contains("base-secret"), "{e}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn credential_process_output_is_parsed_and_never_shown() {
    let home = Home::new(None, None);
    let ok = home.path("ok.sh");
    std::fs::write(
        &ok,
        "printf '%s' '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \"proc-secret\", \
         \"SessionToken\": \"proc-token\", \"Expiration\": \"2099-05-06T07:08:09Z\"}'\n",
    )
    .unwrap();
    let v2 = home.path("v2.sh");
    std::fs::write(&v2, "echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"proc-secret\"}'\n")
        .unwrap();
    let fail = home.path("fail.sh");
    std::fs::write(&fail, "echo 'token expired, run login' >&2; exit 3\n").unwrap();
    let config = format!(
        "[profile ok]\ncredential_process = sh {}\n[profile v2]\ncredential_process = sh {}\n[profile fail]\ncredential_process = sh {}\n",
        ok.display(),
        v2.display(),
        fail.display()
    );
    std::fs::write(home.path(".aws/config"), config).unwrap();
    let c = ProfileCredentials::new(context(&home, &[("AWS_PROFILE", "ok")])).credentials().await.unwrap();
    assert_eq!(
        (c.access_key_id(), c.secret_access_key(), c.session_token()),
        ("AKIDPROC", "proc-secret", Some("proc-token"))
    );
    assert!(c.expires_after().is_some());
    let e = ProfileCredentials::new(context(&home, &[("AWS_PROFILE", "v2")])).credentials().await.unwrap_err();
    assert!(e.to_string().contains("\"Version\": 1") && !e.to_string().contains("proc-secret"), "{e}");
    let e = ProfileCredentials::new(context(&home, &[("AWS_PROFILE", "fail")])).credentials().await.unwrap_err();
    assert!(matches!(&e, SourceError::Failed(m) if m.contains("token expired, run login")), "{e:?}");
}

#[cfg(unix)]
#[tokio::test]
async fn credential_process_that_hangs_is_stopped() {
    let start = std::time::Instant::now();
    let e = awslim_credentials::process::run_with_timeout("slow", "sleep 30", std::time::Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(start.elapsed() < std::time::Duration::from_secs(5), "{:?}", start.elapsed());
    assert!(e.to_string().contains("still running after 0.3 s; stopped"), "{e}");
}

#[tokio::test]
async fn container_full_uri_with_token_file_read_on_every_request() {
    let home = Home::new(None, None);
    let server = Server::start(|r| match r.headers.get("authorization").map(String::as_str) {
        Some("token-a") | Some("token-b") => reply(200, CREDS_JSON),
        _ => reply(403, r#"{"Code":"AccessDenied","Message":"bad token"}"#),
    })
    .await;
    let token_file = home.path("token");
    std::fs::write(&token_file, "token-a\n").unwrap();
    let uri = format!("{}/v1/credentials", server.url);
    let token_path = token_file.to_string_lossy().into_owned();
    let ctx = context(
        &home,
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", &token_path),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored-when-file-set"),
        ],
    );
    let source = ContainerCredentials::new(ctx);
    let c = source.credentials().await.unwrap();
    assert_eq!((c.access_key_id(), c.session_token()), ("ASIAIMDS", Some("imds-token-value")));
    std::fs::write(&token_file, "token-b").unwrap();
    source.credentials().await.unwrap();
    std::fs::write(&token_file, "wrong").unwrap();
    let e = source.credentials().await.unwrap_err().to_string();
    assert!(e.contains("HTTP 403") && e.contains("AccessDenied bad token") && !e.contains("wrong"), "{e}");
    let seen: Vec<_> = server.requests().iter().map(|r| r.headers["authorization"].clone()).collect();
    assert_eq!(seen, ["token-a", "token-b", "wrong"]);
    assert!(server.requests().iter().all(|r| r.method == "GET" && r.path == "/v1/credentials"));
    // The token variable is used when there is no file.
    let ctx = context(
        &home,
        &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri), ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "token-a")],
    );
    ContainerCredentials::new(ctx).credentials().await.unwrap();
}

#[tokio::test]
async fn imds_v2_token_role_then_credentials_and_region() {
    let home = Home::new(None, None);
    let server = imds(Arc::new(Mutex::new(Vec::new()))).await;
    let client = ImdsClient::new(context(&home, &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &server.url)]));
    let c = client.credentials().await.unwrap();
    assert_eq!((c.access_key_id(), c.secret_access_key()), ("ASIAIMDS", "imds-secret-value"));
    assert_eq!(client.region().await.unwrap(), "eu-west-3");
    let r = server.requests();
    let paths: Vec<_> = r.iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    assert_eq!(
        paths,
        [
            "PUT /latest/api/token",
            "GET /latest/meta-data/iam/security-credentials/",
            "GET /latest/meta-data/iam/security-credentials/web-role",
            "GET /latest/meta-data/placement/region",
        ],
        "one token, reused"
    );
    assert_eq!(r[0].headers["x-aws-ec2-metadata-token-ttl-seconds"], "21600");
    assert!(r[1..].iter().all(|r| r.headers["x-aws-ec2-metadata-token"] == "token-1"));
    assert!(!format!("{client:?}").contains("token-1"), "{client:?}");
}

#[tokio::test]
async fn imds_stale_token_gets_401_and_one_new_token() {
    let home = Home::new(None, None);
    let stale = Arc::new(Mutex::new(Vec::new()));
    let server = imds(stale.clone()).await;
    let client = ImdsClient::new(context(&home, &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &server.url)]));
    client.region().await.unwrap();
    stale.lock().unwrap().push("token-1".to_owned());
    assert_eq!(client.region().await.unwrap(), "eu-west-3");
    assert_eq!(server.requests().iter().filter(|r| r.method == "PUT").count(), 2);
    // A server that refuses every token: an error, not a loop.
    stale.lock().unwrap().push("token-2".to_owned());
    stale.lock().unwrap().push("token-3".to_owned());
    let e = client.region().await.unwrap_err();
    assert!(e.to_string().contains("HTTP 401"), "{e}");
}

#[tokio::test]
async fn imds_settings_disabled_mode_and_bad_endpoint() {
    let home = Home::new(Some("[default]\nec2_metadata_service_endpoint_mode = IPv6\n"), None);
    let ctx = |vars: &[(&str, &str)]| {
        let mut v = vec![("AWS_EC2_METADATA_SERVICE_ENDPOINT", "")];
        v.extend_from_slice(vars);
        ImdsClient::new(context(&home, &v))
    };
    assert_eq!(ctx(&[]).endpoint().await.unwrap(), "http://[fd00:ec2::254]");
    assert_eq!(
        ctx(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipv4")]).endpoint().await.unwrap(),
        "http://169.254.169.254"
    );
    assert!(matches!(
        ctx(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv5")]).endpoint().await,
        Err(SourceError::Failed(_))
    ));
    assert!(matches!(
        ctx(&[("AWS_EC2_METADATA_DISABLED", "TRUE")]).endpoint().await,
        Err(SourceError::NotConfigured(_))
    ));
    let bad = ctx(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT", "file:///etc/passwd")]);
    assert!(matches!(bad.endpoint().await, Err(SourceError::Failed(_))));
}
