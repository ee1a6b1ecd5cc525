//! The region chain: `AWS_REGION`, `AWS_DEFAULT_REGION`, the selected profile's `region`,
//! then the instance's region from IMDS.

use std::fmt;

use crate::imds::ImdsClient;
use crate::{profile, Context};

/// No source named a region; each source tried and what it said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionError {
    /// `(source, what it said)`.
    pub tried: Vec<(&'static str, String)>,
}

impl fmt::Display for RegionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tried: Vec<String> = self.tried.iter().map(|(s, e)| format!("{s}: {e}")).collect();
        write!(f, "no region found (tried {})", tried.join("; "))
    }
}

impl std::error::Error for RegionError {}

/// Resolves the region.
pub async fn load_region(ctx: &Context) -> Result<String, RegionError> {
    for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(region) = ctx.var(var) {
            return Ok(region);
        }
    }
    let mut tried = vec![("environment", "AWS_REGION and AWS_DEFAULT_REGION are not set".to_owned())];
    match profile::selected(ctx).await {
        Ok(Some(p)) => match p.get("region").map(str::trim).filter(|r| !r.is_empty()) {
            Some(region) => return Ok(region.to_owned()),
            None => tried.push(("profile", format!("profile `{}` has no region", p.name()))),
        },
        Ok(None) => tried.push(("profile", "no shared config file or no such profile".to_owned())),
        Err(e) => tried.push(("profile", e.to_string())),
    }
    match ImdsClient::new(ctx.clone()).region().await {
        Ok(region) => Ok(region),
        Err(e) => {
            tried.push(("IMDS", e.to_string()));
            Err(RegionError { tried })
        }
    }
}
