//! What a person can choose from when the account or role is left out (the
//! picker) or half typed (completions): the cached organization accounts, the
//! config's profiles, and the roles known for an account. Reads local files
//! only, never the network.

use std::collections::BTreeMap;

use crate::domain::account::Account;
use crate::domain::account_id::AccountId;
use crate::domain::role::{RoleSpec, DEFAULT_ROLE};
use crate::store::accounts;
use crate::store::config::Config;
use crate::store::file::PrivateDir;
use crate::store::recent::RecentUse;

/// One line of the account picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountChoice {
    Account(Account),
    /// A profile from the config file (it names its own account and role).
    Profile {
        name: String,
        account: String,
        role: Option<String>,
    },
    /// An account used lately that is not in any cached list (given by ID).
    Id(AccountId),
}

/// What makes two choices the same one.
#[derive(PartialEq, Eq, Hash)]
enum ChoiceIdentity {
    Account(AccountId),
    Profile(String),
    Id(AccountId),
}

impl AccountChoice {
    /// An account is its ID (the cached list holds each ID once); a profile
    /// is its name.
    fn identity(&self) -> ChoiceIdentity {
        match self {
            AccountChoice::Account(account) => ChoiceIdentity::Account(account.id),
            AccountChoice::Profile { name, .. } => ChoiceIdentity::Profile(name.clone()),
            AccountChoice::Id(id) => ChoiceIdentity::Id(*id),
        }
    }

    /// What the picker shows. Account names are untrusted: the terminal rule applies.
    pub fn label(&self) -> String {
        match self {
            AccountChoice::Account(account) => account_label(account),
            AccountChoice::Profile { name, account, role } => {
                let role = role.as_deref().unwrap_or("default role");
                crate::domain::text::terminal(&format!("{name}  (profile: {account}, {role})"))
            }
            AccountChoice::Id(id) => id.to_string(),
        }
    }
}

/// `NAME  ID`, as the picker shows an account.
// Kept in one place so that more of the account (such as its OU path) can be shown later.
pub fn account_label(account: &Account) -> String {
    padded_account_label(account, 0)
}

/// The label with the name padded to `width` terminal columns, so that the
/// IDs of a list line up.
fn padded_account_label(account: &Account, width: usize) -> String {
    let name = crate::domain::text::terminal(&account.name);
    let pad = width.saturating_sub(unicode_width::UnicodeWidthStr::width(name.as_str()));
    let ou = account.ou.as_deref().map(|ou| format!("  {ou}")).unwrap_or_default();
    crate::domain::text::terminal(&format!("{name}{}  {}{ou}", " ".repeat(pad), account.id))
}

/// The picker's lines, the accounts' names padded so that their IDs line up.
pub fn labels(choices: &[AccountChoice]) -> Vec<String> {
    let width = choices
        .iter()
        .filter_map(|c| match c {
            AccountChoice::Account(account) => Some(unicode_width::UnicodeWidthStr::width(
                crate::domain::text::terminal(&account.name).as_str(),
            )),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    choices
        .iter()
        .map(|c| match c {
            AccountChoice::Account(account) => padded_account_label(account, width),
            other => other.label(),
        })
        .collect()
}

/// Every account of every cached list (fresh or not: names rarely change),
/// once each, by name.
pub fn cached_accounts(cache: &PrivateDir) -> Vec<Account> {
    let mut all = cached_accounts_unsorted(cache);
    // Cached keys: one lowercase copy per account, not two per comparison.
    all.sort_by_cached_key(|a| (a.name.to_lowercase(), a.id));
    all
}

/// [`cached_accounts`] in no particular order, for a caller that sorts what it
/// keeps (or whose reader sorts, as shells sort completions).
pub fn cached_accounts_unsorted(cache: &PrivateDir) -> Vec<Account> {
    let lists = accounts::load_all(cache).unwrap_or_default();
    let mut lists: Vec<_> = lists.into_values().collect();
    let all: Vec<Account> = if lists.len() == 1 {
        lists.pop().map(|l| l.accounts).unwrap_or_default()
    } else {
        let mut by_id: BTreeMap<AccountId, Account> = BTreeMap::new();
        // Newest list last, so that its names win.
        lists.sort_by_key(|l| l.fetched_at);
        for account in lists.into_iter().flat_map(|l| l.accounts) {
            by_id.insert(account.id, account);
        }
        by_id.into_values().collect()
    };
    all
}

/// The ID and name of every account of every cached list, once each (the
/// newest list's name wins), in no particular order: [`cached_accounts_unsorted`]
/// for completion, which needs nothing else.
pub fn cached_names_unsorted(cache: &PrivateDir) -> Vec<(AccountId, String)> {
    let mut lists = accounts::load_names(cache).unwrap_or_default();
    if lists.len() == 1 {
        return lists.pop().map(|(_, names)| names).unwrap_or_default();
    }
    lists.sort_by_key(|(fetched_at, _)| *fetched_at);
    let by_id: BTreeMap<AccountId, String> = lists.into_iter().flat_map(|(_, names)| names).collect();
    by_id.into_iter().collect()
}

/// The account ID `text` (an ID, alias, account name or role ARN) stands for,
/// as far as the config and the cached accounts tell without the network.
pub fn offline_account_id(text: &str, config: &Config, accounts: &[Account]) -> Option<AccountId> {
    let text = config.aliases.get(text).map(String::as_str).unwrap_or(text);
    if let Some(parts) = RoleSpec::parse(text).ok().and_then(|r| r.arn_parts) {
        return Some(parts.account_id);
    }
    if let Ok(id) = text.parse() {
        return Some(id);
    }
    crate::org::account::find_by_name(accounts, text).ok().map(|a| a.id)
}

/// The picker's accounts: recently used first (newest first), then the config's
/// profiles, then the organization's accounts by name.
pub fn account_choices(config: &Config, accounts: &[Account], recent: &[RecentUse]) -> Vec<AccountChoice> {
    let mut choices: Vec<AccountChoice> = Vec::new();
    let profile = |name: &str| {
        config.profiles.get(name).map(|p| AccountChoice::Profile {
            name: name.to_owned(),
            account: p.account.clone(),
            role: p.options.role.as_ref().map(RoleSpec::console_name),
        })
    };
    for used in recent {
        let choice = match &used.profile {
            Some(name) => profile(name),
            None => match accounts.iter().find(|a| a.id == used.account_id) {
                Some(account) => Some(AccountChoice::Account(account.clone())),
                // An ID used (say with `xacct url`) that the organization does
                // not have is offered only when there is no organization list.
                None if accounts.is_empty() => Some(AccountChoice::Id(used.account_id)),
                None => None,
            },
        };
        if let Some(choice) = choice {
            choices.push(choice);
        }
    }
    choices.extend(config.profiles.keys().filter_map(|name| profile(name)));
    choices.extend(accounts.iter().cloned().map(AccountChoice::Account));
    // Each choice once (a recent one is also in its list): a set, not a
    // scan of those kept so far, which at 10,000 accounts took 100 ms.
    let mut seen = std::collections::HashSet::new();
    choices.retain(|c| seen.insert(c.identity()));
    choices
}

/// Whose roles to offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolesOf {
    /// Every role known, in any account.
    AnyAccount,
    /// The roles known for this account. `None`: an account whose ID is not
    /// known offline, for which only the roles that apply everywhere are offered.
    Account(Option<AccountId>),
}

impl RolesOf {
    fn includes(self, account_id: Option<AccountId>) -> bool {
        match self {
            RolesOf::AnyAccount => true,
            RolesOf::Account(wanted) => wanted.is_some() && wanted == account_id,
        }
    }
}

/// Roles known for `whose` account: recently used first, then the roles the
/// account list names for it (IAM Identity Center's permission sets), the
/// roles of the config's profiles for it, the config's default role and,
/// unless the list named the account's roles, OrganizationAccountAccessRole.
/// As typed: `path/Name`.
pub fn roles_for(whose: RolesOf, config: &Config, accounts: &[Account], recent: &[RecentUse]) -> Vec<String> {
    let mut roles: Vec<String> = recent
        .iter()
        .filter(|u| whose.includes(Some(u.account_id)))
        .map(|u| u.role.clone())
        .collect();
    let mut listed = false;
    for account in accounts.iter().filter(|a| whose.includes(Some(a.id))) {
        if let Some(names) = &account.roles {
            listed |= !names.is_empty();
            roles.extend(names.iter().cloned());
        }
    }
    for profile in config.profiles.values() {
        let for_account = whose.includes(offline_account_id(&profile.account, config, accounts));
        if let (true, Some(role)) = (for_account, &profile.options.role) {
            roles.push(role.console_name());
        }
    }
    roles.extend(config.defaults.role.as_ref().map(RoleSpec::console_name));
    if !listed {
        roles.push(DEFAULT_ROLE.to_owned());
    }
    let mut seen = std::collections::HashSet::new();
    roles.retain(|r| seen.insert(r.clone()));
    roles
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config() -> Config {
        Config::parse(
            Path::new("/x/config.toml"),
            "[defaults]\nrole = \"ReadOnly\"\n[aliases]\nd = \"DEMO\"\n\
             [profiles.ops]\naccount = \"d\"\nrole = \"team/Ops\"\n\
             [profiles.other]\naccount = \"222222222222\"\nrole = \"Other\"\n",
        )
        .unwrap()
    }

    fn accounts() -> Vec<Account> {
        let json = r#"[{"id":"111111111111","name":"DEMO","email":"","state":"ACTIVE"},
                       {"id":"222222222222","name":"prod","email":"","state":"ACTIVE"}]"#;
        serde_json::from_str(json).unwrap()
    }

    fn used(account: &str, role: &str, profile: Option<&str>) -> RecentUse {
        RecentUse {
            account_id: account.parse().unwrap(),
            role: role.into(),
            profile: profile.map(str::to_owned),
            used_at: crate::domain::clock::now(),
        }
    }

    #[test]
    fn recent_accounts_come_first_then_profiles_then_the_organization() {
        let recent = [used("222222222222", "X", None), used("999999999999", "Y", None)];
        let labels: Vec<String> = account_choices(&config(), &accounts(), &recent)
            .iter()
            .map(AccountChoice::label)
            .collect();
        assert_eq!(
            labels,
            [
                "prod  222222222222",
                "ops  (profile: d, team/Ops)",
                "other  (profile: 222222222222, Other)",
                "DEMO  111111111111",
            ]
        );
    }

    #[test]
    fn roles_of_an_account_from_recent_use_profiles_and_defaults() {
        let recent = [
            used("111111111111", "Recent", None),
            used("222222222222", "Elsewhere", None),
        ];
        let roles = roles_for(
            RolesOf::Account(Some("111111111111".parse().unwrap())),
            &config(),
            &accounts(),
            &recent,
        );
        assert_eq!(
            roles,
            ["Recent", "team/Ops", "ReadOnly", "OrganizationAccountAccessRole"]
        );
        let all = roles_for(RolesOf::AnyAccount, &config(), &accounts(), &recent);
        assert_eq!(all[..2], ["Recent", "Elsewhere"]);
    }

    #[test]
    fn labels_neutralise_control_characters_and_show_the_ou() {
        let mut account = accounts().remove(0);
        account.name = "evil\u{1b}[2Jname".into();
        assert_eq!(account_label(&account), "evil?[2Jname  111111111111");
        account.ou = Some("Root/Workloads/Prod".into());
        assert_eq!(
            account_label(&account),
            "evil?[2Jname  111111111111  Root/Workloads/Prod"
        );
    }

    #[test]
    fn ids_line_up_and_ids_outside_the_organization_are_offered_only_without_a_list() {
        let empty = Config::parse(Path::new("/x/config.toml"), "").unwrap();
        let mut accounts = accounts();
        accounts[0].name = "DEMO".into();
        accounts[1].name = "prod-01".into();
        let lines = labels(&account_choices(&empty, &accounts, &[]));
        let id_column: Vec<usize> = lines
            .iter()
            .map(|l| l.find("11111").or(l.find("22222")).unwrap())
            .collect();
        assert!(id_column.windows(2).all(|w| w[0] == w[1]), "{lines:?}");
        let recent = [used("999999999999", "Y", None)];
        assert_eq!(labels(&account_choices(&empty, &[], &recent)), ["999999999999"]);
    }
}
