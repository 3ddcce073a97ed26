//! An account of the organization, as listed, and what a listing fetches.

use serde::{Deserialize, Serialize};

use crate::domain::account_id::AccountId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    /// Untrusted text (1-128 characters of anything): quote or clean it before printing.
    pub name: String,
    pub email: String,
    /// `State`, falling back to the retiring `Status`.
    pub state: String,
    /// When the account joined the organization (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined: Option<String>,
    /// The OU path, such as `Root/Workloads/Prod`, when fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ou: Option<String>,
    /// The account's tags, when fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<std::collections::BTreeMap<String, String>>,
    /// The roles (Identity Center permission sets) the person may use in the
    /// account, when fetched from the portal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
}

/// What to fetch besides the account list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Detail {
    pub ou_paths: bool,
    pub tags: bool,
    /// The roles of each account (Identity Center only).
    pub roles: bool,
}
