//! AWS partitions: the separate AWS worlds (commercial, China, GovCloud US)
//! with their own ARNs, sign-in and console hosts.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::domain::validate::{shown, Invalid};

/// A partition xacct knows the hosts of. Written as in ARNs and the config
/// file: `aws`, `aws-cn`, `aws-us-gov`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Partition {
    /// The commercial partition, and the one taken when none is named.
    #[default]
    Aws,
    AwsCn,
    AwsUsGov,
}

impl Partition {
    pub const fn as_str(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
        }
    }

    /// The host of the switch-role page and of the federation endpoint.
    pub const fn signin_host(self) -> &'static str {
        match self {
            Partition::Aws => "signin.aws.amazon.com",
            Partition::AwsCn => "signin.amazonaws.cn",
            Partition::AwsUsGov => "signin.amazonaws-us-gov.com",
        }
    }

    /// The console's host; its regional hosts are subdomains of it.
    pub const fn console_host(self) -> &'static str {
        match self {
            Partition::Aws => "console.aws.amazon.com",
            Partition::AwsCn => "console.amazonaws.cn",
            Partition::AwsUsGov => "console.amazonaws-us-gov.com",
        }
    }

    /// The region a console page opens in when none is known.
    pub const fn home_region(self) -> &'static str {
        match self {
            Partition::Aws => "us-east-1",
            Partition::AwsCn => "cn-north-1",
            Partition::AwsUsGov => "us-gov-west-1",
        }
    }
}

impl FromStr for Partition {
    type Err = Invalid;

    /// The partition part of an ARN or the config's `partition`, exactly as AWS spells it.
    fn from_str(text: &str) -> Result<Self, Invalid> {
        match text {
            "aws" => Ok(Partition::Aws),
            "aws-cn" => Ok(Partition::AwsCn),
            "aws-us-gov" => Ok(Partition::AwsUsGov),
            _ => Err(Invalid(format!(
                "unknown partition {}: expected one of aws, aws-cn, aws-us-gov",
                shown(text)
            ))),
        }
    }
}

impl TryFrom<String> for Partition {
    type Error = Invalid;

    fn try_from(text: String) -> Result<Self, Invalid> {
        text.parse()
    }
}

impl From<Partition> for &'static str {
    fn from(partition: Partition) -> Self {
        partition.as_str()
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for partition in [Partition::Aws, Partition::AwsCn, Partition::AwsUsGov] {
            assert_eq!(partition.to_string().parse::<Partition>().unwrap(), partition);
            let json = serde_json::to_string(&partition).unwrap();
            assert_eq!(json, format!("\"{partition}\""));
            assert_eq!(serde_json::from_str::<Partition>(&json).unwrap(), partition);
        }
        assert_eq!(Partition::default(), Partition::Aws);
    }

    #[test]
    fn unknown_partitions_say_which_exist() {
        for bad in ["", "AWS", "aws-xx", "aws ", "aws-iso"] {
            let err = bad.parse::<Partition>().unwrap_err();
            assert!(err.0.ends_with("expected one of aws, aws-cn, aws-us-gov"), "{err}");
        }
        assert!(serde_json::from_str::<Partition>("\"aws-xx\"").is_err());
    }

    #[test]
    fn hosts_by_partition() {
        assert_eq!(Partition::AwsCn.signin_host(), "signin.amazonaws.cn");
        assert_eq!(Partition::AwsUsGov.signin_host(), "signin.amazonaws-us-gov.com");
        assert_eq!(Partition::Aws.console_host(), "console.aws.amazon.com");
        assert_eq!(Partition::AwsCn.console_host(), "console.amazonaws.cn");
        assert_eq!(Partition::AwsUsGov.console_host(), "console.amazonaws-us-gov.com");
        assert_eq!(Partition::Aws.signin_host(), "signin.aws.amazon.com");
        assert_eq!(Partition::AwsCn.home_region(), "cn-north-1");
        assert_eq!(Partition::AwsUsGov.home_region(), "us-gov-west-1");
        assert_eq!(Partition::Aws.home_region(), "us-east-1");
    }
}
