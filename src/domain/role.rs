//! What the user may write for a role: `Name`, `path/Name`, or a full role ARN.

use crate::domain::account_id::AccountId;
use crate::domain::partition::Partition;
use crate::domain::validate::{self, shown, Invalid};

pub const DEFAULT_ROLE: &str = "OrganizationAccountAccessRole";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpec {
    /// `/` or `/team/ops/`.
    pub path: String,
    pub name: String,
    /// Set when the role was given as an ARN.
    pub arn_parts: Option<ArnParts>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnParts {
    pub partition: Partition,
    pub account_id: AccountId,
}

impl RoleSpec {
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        if text.starts_with("arn:") {
            return Self::parse_arn(text);
        }
        let trimmed = text.strip_prefix('/').unwrap_or(text);
        let (path, name) = match trimmed.rsplit_once('/') {
            Some((dirs, name)) => (format!("/{dirs}/"), name),
            None => ("/".to_owned(), trimmed),
        };
        validate::role_name(name)?;
        validate::role_path(&path)?;
        Ok(Self {
            path,
            name: name.to_owned(),
            arn_parts: None,
        })
    }

    /// `arn:<partition>:iam::<12 digits>:role/<path><name>`, 20 to 2048 characters.
    fn parse_arn(text: &str) -> Result<Self, Invalid> {
        let bad = |why: &str| Invalid(format!("invalid role ARN {}: {why}", shown(text)));
        if !(20..=2048).contains(&text.len()) {
            return Err(bad("a role ARN is 20-2048 characters"));
        }
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        let [_, partition, service, region, account_id, resource] = parts[..] else {
            return Err(bad("expected arn:aws:iam::123456789012:role/Name"));
        };
        if service != "iam" || !region.is_empty() {
            return Err(bad(
                "expected an IAM role ARN such as arn:aws:iam::123456789012:role/Name",
            ));
        }
        let partition: Partition = partition.parse().map_err(|e: Invalid| bad(&e.0))?;
        let account_id: AccountId = account_id.parse().map_err(|e: Invalid| bad(&e.0))?;
        let Some(path_and_name) = resource.strip_prefix("role/") else {
            return Err(bad("the resource part must start with role/"));
        };
        let mut spec = Self::parse(path_and_name).map_err(|e| bad(&e.0))?;
        spec.arn_parts = Some(ArnParts { partition, account_id });
        Ok(spec)
    }

    /// The role ARN in `account_id` (ignored when the spec was an ARN, which names its own).
    pub fn arn(&self, partition: Partition, account_id: AccountId) -> String {
        let (partition, account_id) = match &self.arn_parts {
            Some(parts) => (parts.partition, parts.account_id),
            None => (partition, account_id),
        };
        format!("arn:{partition}:iam::{account_id}:role{}{}", self.path, self.name)
    }

    /// `team/ops/Name`: the path without its leading slash, then the name, as the
    /// console's switch-role form wants it.
    pub fn console_name(&self) -> String {
        format!("{}{}", &self.path[1..], self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> AccountId {
        text.parse().unwrap()
    }

    #[test]
    fn plain_name_gets_root_path() {
        let r = RoleSpec::parse("MemberReadOnlyAccess").unwrap();
        assert_eq!(
            r.arn(Partition::Aws, id("111122223333")),
            "arn:aws:iam::111122223333:role/MemberReadOnlyAccess"
        );
        assert_eq!(r.console_name(), "MemberReadOnlyAccess");
    }

    #[test]
    fn path_and_name() {
        let r = RoleSpec::parse("team/ops/Admin").unwrap();
        assert_eq!(r.path, "/team/ops/");
        assert_eq!(r.console_name(), "team/ops/Admin");
        assert_eq!(RoleSpec::parse("/team/ops/Admin").unwrap(), r);
    }

    #[test]
    fn arns_in_every_partition() {
        for partition in ["aws", "aws-cn", "aws-us-gov"] {
            let arn = format!("arn:{partition}:iam::012345678901:role/x/R");
            let r = RoleSpec::parse(&arn).unwrap();
            assert_eq!(r.arn(Partition::Aws, id("999999999999")), arn);
        }
    }

    #[test]
    fn bad_roles() {
        for bad in [
            "",
            "a b",
            "team//Admin",
            "arn:aws:iam::12345:role/R",
            "arn:aws:s3:::bucket/role/R",
            "arn:aws-xx:iam::012345678901:role/R",
            "arn:aws:iam::012345678901:user/R",
            "arn:aws:iam:us-east-1:012345678901:role/R",
        ] {
            assert!(RoleSpec::parse(bad).is_err(), "{bad}");
        }
    }
}
