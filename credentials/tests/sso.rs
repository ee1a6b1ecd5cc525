//! SSO credentials through the generated SSO and SSO-OIDC clients (feature `sso`), against
//! doubles on 127.0.0.1, with the token cache in a temporary HOME.
#![cfg(feature = "sso")]

mod common;

use std::time::{Duration, SystemTime};

use awslim_credentials::profile::ProfileCredentials;
use awslim_credentials::sso::cache_file;
use common::{context, reply, Home, Server};
use serde_json::Value;

const CONFIG: &str = "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n\
                      [sso-session corp]\nsso_start_url = https://d-123.awsapps.com/start\nsso_region = eu-west-1\n\
                      [profile legacy]\nsso_start_url = https://d-123.awsapps.com/start\nsso_region = eu-west-1\n\
                      sso_account_id = 111122223333\nsso_role_name = ReadOnly\n";

fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
    let dt = time::OffsetDateTime::from_unix_timestamp(secs as i64).unwrap();
    dt.format(&time::format_description::well_known::Rfc3339).unwrap()
}

fn write_token(home: &Home, key: &str, doc: Value) -> std::path::PathBuf {
    let path = cache_file(home.dir.path(), key);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    path
}

/// SSO (`GET /federation/credentials`) and SSO-OIDC (`POST /token`) on one server: role
/// credentials for the bearer token `good-token` or `refreshed-token`; a refresh turns
/// refresh token `rt-1` into `refreshed-token` / `rt-2`.
async fn sso_server() -> Server {
    Server::start(|r| {
        if r.method == "POST" && r.path == "/token" {
            let body: Value = serde_json::from_str(&r.body).unwrap_or_default();
            if body["grantType"] == "refresh_token" && body["refreshToken"] == "rt-1" && body["clientSecret"] == "cs-1" {
                return reply(200, r#"{"accessToken":"refreshed-token","expiresIn":28800,"refreshToken":"rt-2","tokenType":"Bearer"}"#);
            }
            return reply(400, r#"{"error":"invalid_grant","error_description":"bad refresh"}"#);
        }
        if r.method == "GET" && r.path.starts_with("/federation/credentials?") {
            let token = r.headers.get("x-amz-sso_bearer_token").map(String::as_str);
            if !matches!(token, Some("good-token" | "refreshed-token")) {
                let mut rep = reply(401, r#"{"message":"Session token not found or invalid"}"#);
                rep.headers.push(("x-amzn-errortype", "UnauthorizedException".into()));
                return rep;
            }
            let role = r.path.split("role_name=").nth(1).unwrap_or("").split('&').next().unwrap_or("").to_owned();
            return reply(
                200,
                &format!(
                    r#"{{"roleCredentials":{{"accessKeyId":"ASIASSO{}","secretAccessKey":"sso-secret","sessionToken":"sso-session-token","expiration":4070908800000}}}}"#,
                    role.to_ascii_uppercase()
                ),
            );
        }
        reply(404, "")
    })
    .await
}

fn vars<'a>(profile: &'a str, server: &'a Server) -> Vec<(&'a str, &'a str)> {
    vec![("AWS_PROFILE", profile), ("AWS_ENDPOINT_URL_SSO", &server.url), ("AWS_ENDPOINT_URL_SSO_OIDC", &server.url)]
}

#[tokio::test]
async fn sso_session_with_a_valid_cached_token_gets_role_credentials() {
    let server = sso_server().await;
    let home = Home::new(Some(CONFIG), None);
    let later = SystemTime::now() + Duration::from_secs(3600);
    write_token(&home, "corp", serde_json::json!({"accessToken": "good-token", "expiresAt": rfc3339(later)}));
    let c = ProfileCredentials::new(context(&home, &vars("dev", &server))).credentials().await.unwrap();
    assert_eq!(
        (c.access_key_id(), c.secret_access_key(), c.session_token()),
        ("ASIASSOADMIN", "sso-secret", Some("sso-session-token"))
    );
    assert_eq!(c.expires_after(), Some(SystemTime::UNIX_EPOCH + Duration::from_secs(4_070_908_800)));
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "a valid token is not refreshed");
    let r = &requests[0];
    assert!(r.path.contains("account_id=111122223333") && r.path.contains("role_name=Admin"), "{}", r.path);
    assert!(!r.headers.contains_key("authorization"), "GetRoleCredentials goes unsigned");
}

#[tokio::test]
async fn a_token_near_expiry_is_refreshed_and_written_back_to_the_cache() {
    let server = sso_server().await;
    let home = Home::new(Some(CONFIG), None);
    let soon = SystemTime::now() + Duration::from_secs(60); // inside the 5-minute window
    let registration = SystemTime::now() + Duration::from_secs(86_400);
    let path = write_token(
        &home,
        "corp",
        serde_json::json!({
            "accessToken": "old-token", "expiresAt": rfc3339(soon), "refreshToken": "rt-1",
            "clientId": "cid-1", "clientSecret": "cs-1", "registrationExpiresAt": rfc3339(registration),
            "region": "eu-west-1", "startUrl": "https://d-123.awsapps.com/start"
        }),
    );
    let c = ProfileCredentials::new(context(&home, &vars("dev", &server))).credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "ASIASSOADMIN");
    let requests = server.requests();
    assert_eq!(requests.iter().map(|r| r.method.as_str()).collect::<Vec<_>>(), ["POST", "GET"]);
    let body: Value = serde_json::from_str(&requests[0].body).unwrap();
    assert_eq!(body["clientId"], "cid-1");
    assert_eq!(body["grantType"], "refresh_token");
    assert_eq!(requests[1].headers["x-amz-sso_bearer_token"], "refreshed-token");
    // Written back: new token, refresh token and expiry; the other fields kept.
    let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!((doc["accessToken"].as_str(), doc["refreshToken"].as_str()), (Some("refreshed-token"), Some("rt-2")));
    assert_eq!(
        (doc["clientId"].as_str(), doc["startUrl"].as_str()),
        (Some("cid-1"), Some("https://d-123.awsapps.com/start"))
    );
    let expires =
        time::OffsetDateTime::parse(doc["expiresAt"].as_str().unwrap(), &time::format_description::well_known::Rfc3339)
            .unwrap();
    let in_secs = (expires - time::OffsetDateTime::now_utc()).whole_seconds();
    assert!((28_700..=28_800).contains(&in_secs), "{in_secs}");
    // Nothing but the cache file is left in the directory (the temporary file was renamed).
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, [path.file_name().unwrap().to_owned()]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // The next call uses the refreshed token without refreshing again.
    ProfileCredentials::new(context(&home, &vars("dev", &server))).credentials().await.unwrap();
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn an_expired_token_without_a_refresh_token_is_a_clear_error_without_secrets() {
    let server = sso_server().await;
    let home = Home::new(Some(CONFIG), None);
    let past = SystemTime::now() - Duration::from_secs(60);
    write_token(&home, "corp", serde_json::json!({"accessToken": "expired-secret-token", "expiresAt": rfc3339(past)}));
    let e = ProfileCredentials::new(context(&home, &vars("dev", &server))).credentials().await.unwrap_err().to_string();
    assert!(
        e.starts_with("profile `dev`: SSO (sso_session `corp`): the cached token expired and cannot be refreshed"),
        "{e}"
    );
    assert!(e.ends_with("run `aws sso login --sso-session corp`"), "{e}");
    assert!(!e.contains("expired-secret-token"), "{e}");
    assert!(server.requests().is_empty());
    // A refresh the service refuses, with the token already expired: the error says so.
    write_token(
        &home,
        "corp",
        serde_json::json!({"accessToken": "expired-secret-token", "expiresAt": rfc3339(past), "refreshToken": "rt-bad",
                           "clientId": "cid-1", "clientSecret": "cs-1"}),
    );
    let e = ProfileCredentials::new(context(&home, &vars("dev", &server))).credentials().await.unwrap_err().to_string();
    assert!(e.contains("the cached token expired and refreshing it failed: SSO-OIDC CreateToken"), "{e}");
    assert!(!e.contains("rt-bad") && !e.contains("cs-1") && !e.contains("expired-secret-token"), "{e}");
    // No cache file at all.
    let other = Home::new(Some(CONFIG), None);
    let e =
        ProfileCredentials::new(context(&other, &vars("dev", &server))).credentials().await.unwrap_err().to_string();
    assert!(e.contains("cannot read the cached token") && e.contains("aws sso login --sso-session corp"), "{e}");
}

#[tokio::test]
async fn a_refresh_that_fails_while_the_token_is_still_valid_keeps_using_it() {
    let server = sso_server().await;
    let home = Home::new(Some(CONFIG), None);
    let soon = SystemTime::now() + Duration::from_secs(120);
    let path = write_token(
        &home,
        "corp",
        serde_json::json!({"accessToken": "good-token", "expiresAt": rfc3339(soon), "refreshToken": "rt-bad",
                           "clientId": "cid-1", "clientSecret": "cs-1"}),
    );
    let before = std::fs::read(&path).unwrap();
    let warnings = common::Warnings::default();
    let _guard = tracing::subscriber::set_default(warnings.clone());
    let c = ProfileCredentials::new(context(&home, &vars("dev", &server))).credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "ASIASSOADMIN");
    assert_eq!(std::fs::read(&path).unwrap(), before, "nothing written");
    let logged = warnings.0.lock().unwrap().join("\n");
    assert!(logged.contains("refreshing the SSO token failed"), "{logged}");
    assert!(!logged.contains("rt-bad") && !logged.contains("good-token"), "{logged}");
}

#[tokio::test]
async fn legacy_sso_start_url_profiles_read_the_token_named_after_the_start_url() {
    let server = sso_server().await;
    let home = Home::new(Some(CONFIG), None);
    let later = SystemTime::now() + Duration::from_secs(3600);
    write_token(
        &home,
        "https://d-123.awsapps.com/start",
        serde_json::json!({"accessToken": "good-token", "expiresAt": rfc3339(later)}),
    );
    let c = ProfileCredentials::new(context(&home, &vars("legacy", &server))).credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "ASIASSOREADONLY");
    // The service refusing the token: named, not shown.
    write_token(
        &home,
        "https://d-123.awsapps.com/start",
        serde_json::json!({"accessToken": "revoked-token", "expiresAt": rfc3339(later)}),
    );
    let e =
        ProfileCredentials::new(context(&home, &vars("legacy", &server))).credentials().await.unwrap_err().to_string();
    assert!(
        e.starts_with("profile `legacy`: SSO (sso_start_url `https://d-123.awsapps.com/start`): GetRoleCredentials: service returned an error: UnauthorizedException (HTTP 401)"),
        "{e}"
    );
    assert!(!e.contains("revoked-token"), "{e}");
}
