//! What discovery learns about the roles of one account: the input of the
//! trust evaluator and of the audit rules. Every string here was written by
//! a member account's administrators: shown only through `domain::text`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::domain::account_id::AccountId;

/// One IAM role as IAM returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleFacts {
    pub account_id: AccountId,
    pub role_name: String,
    pub role_arn: String,
    pub path: String,
    pub description: Option<String>,
    /// The trust policy exactly as IAM returns it (URL-encoded JSON).
    pub trust_policy: String,
    pub max_session_duration_secs: u32,
    /// ARNs of the managed policies attached to the role.
    pub attached_policy_arns: Vec<String>,
    /// Inline permission policies: name and document (URL-encoded JSON).
    pub inline_policies: Vec<(String, String)>,
    /// RFC 3339 time of last use, when asked for (`--last-used`) and known.
    pub last_used: Option<String>,
}

/// What the organization itself is: trust inside it is not third-party access.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgContext {
    /// `o-...`, when known.
    pub org_id: Option<String>,
    pub management_account_id: Option<AccountId>,
    pub member_account_ids: BTreeSet<AccountId>,
}

impl OrgContext {
    pub fn contains(&self, account: &AccountId) -> bool {
        self.member_account_ids.contains(account) || self.management_account_id.as_ref() == Some(account)
    }
}
