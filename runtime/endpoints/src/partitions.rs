//! The AWS partitions table used by `aws.partition`.
//!
//! Every partition's region pattern has the form `^(p1|p2|..)-\w+-\d+$`: one of a few
//! literal prefixes, a dash, a word, a dash, a number. [`RegionPattern`] matches exactly
//! that form by hand, so no regex engine is needed.

use std::fmt;

/// What `aws.partition` returns for a region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartitionInfo {
    /// Partition name (`aws`, `aws-cn`, ...).
    pub name: &'static str,
    /// DNS suffix of regular endpoints.
    pub dns_suffix: &'static str,
    /// DNS suffix of dual-stack (IPv4 + IPv6) endpoints.
    pub dual_stack_dns_suffix: &'static str,
    /// Whether FIPS endpoints exist.
    pub supports_fips: bool,
    /// Whether dual-stack endpoints exist.
    pub supports_dual_stack: bool,
    /// The region global endpoints are served from.
    pub implicit_global_region: &'static str,
}

/// Matches region names of the form `<prefix>-<word>-<digits>`, where `<prefix>` is one of
/// a fixed list (it may itself contain dashes, e.g. `us-gov`), `<word>` is one or more of
/// `[A-Za-z0-9_]` and `<digits>` one or more of `[0-9]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegionPattern {
    /// The accepted prefixes.
    pub prefixes: &'static [&'static str],
}

impl RegionPattern {
    /// Whether `region` has this pattern's form.
    pub fn matches(&self, region: &str) -> bool {
        self.prefixes.iter().any(|prefix| {
            let Some(rest) = region.strip_prefix(prefix).and_then(|r| r.strip_prefix('-')) else {
                return false;
            };
            // `\w` excludes `-`, so the word ends at the first dash.
            let Some((word, number)) = rest.split_once('-') else {
                return false;
            };
            !word.is_empty()
                && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !number.is_empty()
                && number.bytes().all(|b| b.is_ascii_digit())
        })
    }
}

/// Renders the pattern as the equivalent regular expression.
impl fmt::Display for RegionPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let escape = |p: &str| p.replace('-', "\\-");
        f.write_str("^")?;
        match self.prefixes {
            [one] => f.write_str(&escape(one))?,
            many => {
                f.write_str("(")?;
                for (i, p) in many.iter().enumerate() {
                    if i > 0 {
                        f.write_str("|")?;
                    }
                    f.write_str(&escape(p))?;
                }
                f.write_str(")")?;
            }
        }
        f.write_str("\\-\\w+\\-\\d+$")
    }
}

/// One AWS partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// Partition id.
    pub id: &'static str,
    /// Region names of this partition that are matched by name, before any pattern.
    pub regions: &'static [&'static str],
    /// Region names of the partition's form.
    pub region_pattern: RegionPattern,
    /// What `aws.partition` returns.
    pub info: PartitionInfo,
}

/// Every known partition, in lookup order. The first (`aws`) is also the fallback.
pub static PARTITIONS: &[Partition] = &[
    Partition {
        id: "aws",
        regions: &[
            "af-south-1",
            "ap-east-1",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-south-1",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-southeast-3",
            "ca-central-1",
            "eu-central-1",
            "eu-north-1",
            "eu-south-1",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "me-central-1",
            "me-south-1",
            "sa-east-1",
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
            "aws-global",
        ],
        region_pattern: RegionPattern { prefixes: &["us", "eu", "ap", "sa", "ca", "me", "af"] },
        info: PartitionInfo {
            name: "aws",
            dns_suffix: "amazonaws.com",
            dual_stack_dns_suffix: "api.aws",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "us-east-1",
        },
    },
    Partition {
        id: "aws-us-gov",
        regions: &["us-gov-west-1", "us-gov-east-1", "aws-us-gov-global"],
        region_pattern: RegionPattern { prefixes: &["us-gov"] },
        info: PartitionInfo {
            name: "aws-us-gov",
            dns_suffix: "amazonaws.com",
            dual_stack_dns_suffix: "api.aws",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "us-gov-west-1",
        },
    },
    Partition {
        id: "aws-cn",
        regions: &["cn-north-1", "cn-northwest-1", "aws-cn-global"],
        region_pattern: RegionPattern { prefixes: &["cn"] },
        info: PartitionInfo {
            name: "aws-cn",
            dns_suffix: "amazonaws.com.cn",
            dual_stack_dns_suffix: "api.amazonwebservices.com.cn",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "cn-northwest-1",
        },
    },
    Partition {
        id: "aws-iso",
        regions: &["us-iso-east-1", "us-iso-west-1", "aws-iso-global"],
        region_pattern: RegionPattern { prefixes: &["us-iso"] },
        info: PartitionInfo {
            name: "aws-iso",
            dns_suffix: "c2s.ic.gov",
            dual_stack_dns_suffix: "c2s.ic.gov",
            supports_fips: true,
            supports_dual_stack: false,
            implicit_global_region: "us-iso-east-1",
        },
    },
    Partition {
        id: "aws-iso-b",
        regions: &["us-isob-east-1", "aws-iso-b-global"],
        region_pattern: RegionPattern { prefixes: &["us-isob"] },
        info: PartitionInfo {
            name: "aws-iso-b",
            dns_suffix: "sc2s.sgov.gov",
            dual_stack_dns_suffix: "sc2s.sgov.gov",
            supports_fips: true,
            supports_dual_stack: false,
            implicit_global_region: "us-isob-east-1",
        },
    },
    Partition {
        id: "aws-iso-e",
        regions: &[],
        region_pattern: RegionPattern { prefixes: &["eu-isoe"] },
        info: PartitionInfo {
            name: "aws-iso-e",
            dns_suffix: "cloud.adc-e.uk",
            dual_stack_dns_suffix: "cloud.adc-e.uk",
            supports_fips: true,
            supports_dual_stack: false,
            implicit_global_region: "eu-isoe-west-1",
        },
    },
    Partition {
        id: "aws-iso-f",
        regions: &[],
        region_pattern: RegionPattern { prefixes: &["us-isof"] },
        info: PartitionInfo {
            name: "aws-iso-f",
            dns_suffix: "csp.hci.ic.gov",
            dual_stack_dns_suffix: "csp.hci.ic.gov",
            supports_fips: true,
            supports_dual_stack: false,
            implicit_global_region: "us-isof-south-1",
        },
    },
    Partition {
        id: "aws-eusc",
        regions: &["eusc-de-east-1"],
        region_pattern: RegionPattern { prefixes: &["eusc-de"] },
        info: PartitionInfo {
            name: "aws-eusc",
            dns_suffix: "amazonaws.eu",
            dual_stack_dns_suffix: "amazonaws.eu",
            supports_fips: true,
            supports_dual_stack: false,
            implicit_global_region: "eusc-de-east-1",
        },
    },
];

/// The partition of `region`: an exact region-name match first, then the first matching
/// region pattern, and otherwise `aws`.
pub fn partition_for(region: &str) -> &'static Partition {
    PARTITIONS
        .iter()
        .find(|p| p.regions.contains(&region))
        .or_else(|| PARTITIONS.iter().find(|p| p.region_pattern.matches(region)))
        .unwrap_or(&PARTITIONS[0])
}

/// What `aws.partition(region)` returns.
pub fn partition(region: &str) -> &'static PartitionInfo {
    &partition_for(region).info
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(region: &str) -> &'static str {
        partition_for(region).id
    }

    #[test]
    fn pattern_matching() {
        let aws = &PARTITIONS[0].region_pattern;
        for yes in ["us-east-1", "eu-west-3", "ap-southeast-10", "af-x_y-0", "me-A1-9"] {
            assert!(aws.matches(yes), "{yes}");
        }
        for no in [
            "us-gov-west-1",
            "us-east",
            "us-east-",
            "us--1",
            "us-east-1a",
            "us-east-1-",
            "xx-east-1",
            "us",
            "",
            "cn-north-1",
            "us-east-1 ",
            "us-e.st-1",
        ] {
            assert!(!aws.matches(no), "{no}");
        }
        let gov = &PARTITIONS[1].region_pattern;
        assert!(gov.matches("us-gov-west-1"));
        assert!(!gov.matches("us-govx-west-1"));
        assert!(!gov.matches("us-iso-east-1"));
    }

    #[test]
    fn patterns_render_as_regexes() {
        assert_eq!(PARTITIONS[0].region_pattern.to_string(), "^(us|eu|ap|sa|ca|me|af)\\-\\w+\\-\\d+$");
        assert_eq!(PARTITIONS[1].region_pattern.to_string(), "^us\\-gov\\-\\w+\\-\\d+$");
    }

    #[test]
    fn lookup() {
        assert_eq!(id("us-west-2"), "aws");
        assert_eq!(id("aws-global"), "aws");
        assert_eq!(id("us-gov-east-1"), "aws-us-gov");
        assert_eq!(id("us-gov-south-7"), "aws-us-gov");
        assert_eq!(id("cn-north-1"), "aws-cn");
        assert_eq!(id("aws-cn-global"), "aws-cn");
        assert_eq!(id("us-iso-east-1"), "aws-iso");
        assert_eq!(id("us-isob-east-1"), "aws-iso-b");
        assert_eq!(id("eu-isoe-west-1"), "aws-iso-e");
        assert_eq!(id("us-isof-south-1"), "aws-iso-f");
        assert_eq!(id("eusc-de-east-1"), "aws-eusc");
        assert_eq!(id("eusc-de-west-2"), "aws-eusc");
        assert_eq!(id("mars-east-1"), "aws");
        assert_eq!(id(""), "aws");
        assert_eq!(partition("cn-northwest-1").dns_suffix, "amazonaws.com.cn");
        assert!(!partition("us-iso-west-1").supports_dual_stack);
    }

    #[test]
    fn table_is_consistent() {
        for (i, p) in PARTITIONS.iter().enumerate() {
            assert_eq!(p.id, p.info.name);
            assert!(PARTITIONS[..i].iter().all(|q| q.id != p.id));
            for r in p.regions {
                assert_eq!(partition_for(r).id, p.id, "{r}");
            }
        }
    }
}
