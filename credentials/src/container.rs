//! Container credentials: ECS (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, on
//! `http://169.254.170.2`) and EKS Pod Identity or any local agent
//! (`AWS_CONTAINER_CREDENTIALS_FULL_URI`), with the authorization token from
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read on every request, it is rotated) or
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
//!
//! A full URI must be `https`, or `http` to a loopback address (`127.0.0.0/8`, `::1`,
//! `localhost`) or to the ECS/EKS agents (`169.254.170.2`, `169.254.170.23`, `fd00:ec2::23`),
//! the hosts the AWS SDKs allow; anything else is refused before sending.

use std::net::IpAddr;
use std::time::Duration;

use awslim_runtime::transport::BoxFuture;
use awslim_runtime::{Credentials, CredentialsError, ProvideCredentials};
use bytes::Bytes;

use crate::{wire, Context, SourceError};

/// The limit of the request to the container endpoint.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);
const ECS_HOST: &str = "http://169.254.170.2";

/// The container credentials source.
#[derive(Debug, Clone)]
pub struct ContainerCredentials {
    ctx: Context,
}

impl ContainerCredentials {
    /// Reads its settings from `ctx`.
    pub fn new(ctx: Context) -> Self {
        ContainerCredentials { ctx }
    }

    /// The URI to ask (`NotConfigured` when neither variable is set).
    pub fn uri(&self) -> Result<http::Uri, SourceError> {
        if let Some(relative) = self.ctx.var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            if !relative.starts_with('/') {
                return Err(SourceError::Failed(format!(
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI `{}` does not start with `/`",
                    wire::shown(&relative)
                )));
            }
            return format!("{ECS_HOST}{relative}").parse().map_err(|e| {
                SourceError::Failed(format!("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a URI path ({e})"))
            });
        }
        let Some(full) = self.ctx.var("AWS_CONTAINER_CREDENTIALS_FULL_URI") else {
            return Err(SourceError::NotConfigured(
                "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set".into(),
            ));
        };
        let uri: http::Uri = full
            .parse()
            .map_err(|e| SourceError::Failed(format!("AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URI ({e})")))?;
        let host = uri.host().unwrap_or("");
        let allowed = match uri.scheme_str() {
            Some("https") => !host.is_empty(),
            Some("http") => allowed_http_host(host),
            _ => false,
        };
        if !allowed || uri.authority().is_some_and(|a| a.as_str().contains('@')) {
            return Err(SourceError::Failed(format!(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI host `{}` is not allowed: use https, or http to a loopback \
                 address or the ECS/EKS agent (169.254.170.2, 169.254.170.23, fd00:ec2::23)",
                wire::shown(host)
            )));
        }
        Ok(uri)
    }

    fn authorization(&self) -> Result<Option<http::HeaderValue>, SourceError> {
        let token = match self.ctx.var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            Some(path) => Some(std::fs::read_to_string(&path).map_err(|e| {
                SourceError::Failed(format!("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE `{}`: {e}", wire::shown(&path)))
            })?),
            None => self.ctx.var("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
        };
        let Some(token) = token.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) else { return Ok(None) };
        // `HeaderValue` refuses CR/LF and other control characters (no header injection).
        let mut value = http::HeaderValue::from_str(&token).map_err(|_| {
            SourceError::Failed("the container authorization token holds characters not allowed in a header".into())
        })?;
        value.set_sensitive(true);
        Ok(Some(value))
    }

    /// Asks the endpoint.
    pub async fn credentials(&self) -> Result<Credentials, SourceError> {
        let uri = self.uri()?;
        let mut request = http::Request::get(uri.clone());
        if let Some(token) = self.authorization()? {
            request = request.header(http::header::AUTHORIZATION, token);
        }
        let request = request.body(Bytes::new()).map_err(|e| SourceError::Failed(format!("container: {e}")))?;
        let shown_uri = wire::shown(&format!(
            "{}://{}{}",
            uri.scheme_str().unwrap_or(""),
            uri.authority().map_or("", |a| a.as_str()),
            uri.path()
        ));
        let response = wire::send(&self.ctx, request, REQUEST_TIMEOUT)
            .await
            .map_err(|e| SourceError::Failed(format!("container endpoint {shown_uri}: {e}")))?;
        let what = format!("container endpoint {shown_uri}");
        if !response.status().is_success() {
            let detail = wire::parse_credentials(response.body(), &what).err().unwrap_or_default();
            return Err(SourceError::Failed(format!("{what}: HTTP {} {detail}", response.status().as_u16())));
        }
        wire::parse_credentials(response.body(), &what).map_err(SourceError::Failed)
    }
}

fn allowed_http_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(ip) if ip.is_loopback() => true,
        Ok(IpAddr::V4(v4)) => v4.octets() == [169, 254, 170, 2] || v4.octets() == [169, 254, 170, 23],
        Ok(IpAddr::V6(v6)) => v6.segments() == [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x23],
        Err(_) => false,
    }
}

impl ProvideCredentials for ContainerCredentials {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move { self.credentials().await.map_err(|e| CredentialsError::new(e.to_string())) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(vars: &[(&str, &str)]) -> ContainerCredentials {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ContainerCredentials::new(Context::from_vars(map))
    }

    #[test]
    fn relative_uri_goes_to_the_ecs_agent_and_wins_over_full() {
        let c = with(&[
            ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/x"),
        ]);
        assert_eq!(c.uri().unwrap().to_string(), "http://169.254.170.2/v2/credentials/abc");
        assert!(matches!(
            with(&[("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "@evil.com/x")]).uri(),
            Err(SourceError::Failed(_))
        ));
    }

    #[test]
    fn full_uri_host_rules() {
        for ok in [
            "http://127.0.0.1:80/creds",
            "http://127.1.2.3/creds",
            "http://localhost/creds",
            "http://[::1]:8080/creds",
            "http://169.254.170.2/creds",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
            "https://creds.example.com/x",
        ] {
            assert!(with(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", ok)]).uri().is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/creds",
            "http://169.254.169.254/latest",
            "http://10.0.0.1/x",
            "http://user@127.0.0.1/x",
            "ftp://127.0.0.1/x",
            "http://127.0.0.1.evil.com/x",
        ] {
            let e = with(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", bad)]).uri().unwrap_err();
            assert!(matches!(e, SourceError::Failed(_)), "{bad}: {e}");
        }
        assert!(matches!(with(&[]).uri(), Err(SourceError::NotConfigured(_))));
    }

    #[test]
    fn token_with_newline_is_refused_without_showing_it() {
        let c = with(&[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/x"),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "secret-token\r\nX-Evil: 1"),
        ]);
        let e = c.authorization().unwrap_err();
        assert!(!e.to_string().contains("secret-token"), "{e}");
    }
}
