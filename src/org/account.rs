//! Accounts of the organization, and finding one by the name a person types.

use thiserror::Error;

use crate::domain::account::Account;
use crate::domain::account_id::AccountId;
use crate::domain::validate::shown;

/// Why a name does not lead to exactly one account.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum NameError {
    /// No account has the name; `close` holds names near it, closest first.
    #[error("no account named {} in the organization: {}", shown(.name), unknown_hint(.close))]
    Unknown { name: String, close: Vec<String> },
    /// Several accounts have the name (their IDs, in list order).
    #[error(
        "account name {} is ambiguous: it names accounts {}; give the account ID instead",
        shown(.name),
        joined(.ids)
    )]
    Ambiguous { name: String, ids: Vec<AccountId> },
}

/// A name that finds no account, or several, is a failed lookup.
impl From<NameError> for crate::domain::error::Error {
    fn from(e: NameError) -> Self {
        crate::domain::error::Error::Lookup(e.to_string())
    }
}

fn unknown_hint(close: &[String]) -> String {
    if close.is_empty() {
        "run `xacct accounts` to see the names, or `xacct accounts --refresh` if the account is new".to_owned()
    } else {
        let names: Vec<String> = close.iter().map(|n| shown(n)).collect();
        format!("did you mean {}? (`xacct accounts` lists them all)", names.join(" or "))
    }
}

fn joined(ids: &[AccountId]) -> String {
    ids.iter().map(AccountId::as_str).collect::<Vec<_>>().join(", ")
}

/// The account named `name` (case-insensitive) among `accounts`.
pub fn find_by_name<'a>(accounts: &'a [Account], name: &str) -> Result<&'a Account, NameError> {
    let wanted = name.to_lowercase();
    let mut matches = accounts.iter().filter(|a| a.name.to_lowercase() == wanted);
    let Some(first) = matches.next() else {
        return Err(NameError::Unknown {
            name: name.to_owned(),
            close: closest_names(accounts, name, 3)
                .into_iter()
                .map(str::to_owned)
                .collect(),
        });
    };
    let others: Vec<&Account> = matches.filter(|a| a.id != first.id).collect();
    if others.is_empty() {
        return Ok(first);
    }
    Err(NameError::Ambiguous {
        name: name.to_owned(),
        ids: std::iter::once(first).chain(others).map(|a| a.id).collect(),
    })
}

/// Up to `max` account names close to `name`, closest first.
pub fn closest_names<'a>(accounts: &'a [Account], name: &str, max: usize) -> Vec<&'a str> {
    let wanted = name.to_lowercase();
    let mut scored: Vec<(usize, &str)> = accounts
        .iter()
        .filter_map(|a| {
            let candidate = a.name.to_lowercase();
            let distance = strsim::damerau_levenshtein(&wanted, &candidate);
            let close_enough = distance <= (wanted.chars().count() / 3).max(2);
            let contains = wanted.len() >= 3 && candidate.contains(&wanted);
            (close_enough || contains).then_some((distance, a.name.as_str()))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(max).map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str, name: &str) -> Account {
        Account {
            id: id.parse().unwrap(),
            name: name.into(),
            email: String::new(),
            state: "ACTIVE".into(),
            joined: None,
            ou: None,
            tags: None,
            roles: None,
        }
    }

    fn org() -> Vec<Account> {
        vec![
            account("111111111111", "DEMO"),
            account("222222222222", "prod-01"),
            account("333333333333", "prod-02"),
        ]
    }

    #[test]
    fn names_match_case_insensitively() {
        assert_eq!(find_by_name(&org(), "demo").unwrap().id, "111111111111");
    }

    #[test]
    fn unknown_names_suggest_close_ones() {
        let err = find_by_name(&org(), "prod-1").unwrap_err().to_string();
        assert!(err.contains("did you mean `prod-01` or `prod-02`?"), "{err}");
        let err = find_by_name(&org(), "zzzzzzzz").unwrap_err().to_string();
        assert!(err.contains("xacct accounts --refresh"), "{err}");
    }

    #[test]
    fn duplicate_names_are_ambiguous() {
        let mut accounts = org();
        accounts.push(account("444444444444", "demo"));
        let err = find_by_name(&accounts, "Demo").unwrap_err().to_string();
        assert!(err.contains("111111111111, 444444444444"), "{err}");
    }
}
