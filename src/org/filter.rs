//! Choosing accounts: by OU path, state, name pattern and tags.

use crate::domain::account::Account;
use crate::domain::account::Detail;
use crate::domain::validate::{shown, Invalid};

#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// An OU path; accounts in it or below it match. `Root/` may be left out.
    pub ou: Option<String>,
    pub state: Option<String>,
    /// A pattern with `*` and `?`, matched against names without regard to case.
    pub name: Option<String>,
    pub tags: Vec<(String, String)>,
}

impl AccountFilter {
    /// `--tag KEY=VALUE` arguments as pairs.
    pub fn parse_tags(args: &[String]) -> Result<Vec<(String, String)>, Invalid> {
        args.iter()
            .map(|t| match t.split_once('=') {
                Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
                _ => Err(Invalid(format!("invalid --tag {}: write KEY=VALUE", shown(t)))),
            })
            .collect()
    }

    /// What must be fetched to apply this filter.
    pub fn detail(&self) -> Detail {
        Detail {
            ou_paths: self.ou.is_some(),
            tags: !self.tags.is_empty(),
        }
    }

    pub fn matches(&self, account: &Account) -> bool {
        let ou_ok = self.ou.as_deref().is_none_or(|wanted| {
            account
                .ou
                .as_deref()
                .is_some_and(|path| within(&normal_ou(path), &normal_ou(wanted)))
        });
        let state_ok = self
            .state
            .as_deref()
            .is_none_or(|s| account.state.eq_ignore_ascii_case(s));
        let name_ok = self
            .name
            .as_deref()
            .is_none_or(|p| glob_matches(&p.to_lowercase(), &account.name.to_lowercase()));
        let tags_ok = self.tags.iter().all(|(k, v)| {
            account
                .tags
                .as_ref()
                .is_some_and(|tags| tags.get(k).is_some_and(|have| have == v))
        });
        ou_ok && state_ok && name_ok && tags_ok
    }
}

/// `Root/Workloads/` -> `workloads`: no root, no slashes at the ends, one case.
fn normal_ou(path: &str) -> String {
    let path = path.trim_matches('/');
    let path = path
        .strip_prefix("Root")
        .map(|rest| rest.trim_start_matches('/'))
        .unwrap_or(path);
    path.to_lowercase()
}

fn within(path: &str, ou: &str) -> bool {
    ou.is_empty() || path == ou || path.starts_with(&format!("{ou}/"))
}

/// Shell-style `*` (any run) and `?` (any one character) matching.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                backtrack = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    pi = star + 1;
                    ti = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(name: &str, ou: &str, env: &str) -> Account {
        Account {
            id: "111111111111".parse().unwrap(),
            name: name.into(),
            email: String::new(),
            state: "ACTIVE".into(),
            joined: None,
            ou: Some(ou.into()),
            tags: Some([("env".to_owned(), env.to_owned())].into()),
        }
    }

    #[test]
    fn globs() {
        assert!(glob_matches("prod-*", "prod-01"));
        assert!(glob_matches("*-0?", "dev-01"));
        assert!(glob_matches("*", ""));
        assert!(glob_matches("a*b*c", "axxbyyc"));
        assert!(!glob_matches("prod-*", "dev-01"));
        assert!(!glob_matches("a?c", "ac"));
    }

    #[test]
    fn ou_paths_match_themselves_and_below() {
        let a = account("prod-01", "Root/Workloads/Prod", "prod");
        for ou in [
            "Root/Workloads",
            "Workloads",
            "workloads/prod",
            "/Root/Workloads/Prod/",
            "Root",
        ] {
            assert!(
                AccountFilter {
                    ou: Some(ou.into()),
                    ..Default::default()
                }
                .matches(&a),
                "{ou}"
            );
        }
        for ou in ["Root/Work", "Workloads/Dev", "Prod"] {
            assert!(
                !AccountFilter {
                    ou: Some(ou.into()),
                    ..Default::default()
                }
                .matches(&a),
                "{ou}"
            );
        }
    }

    #[test]
    fn names_states_and_tags() {
        let a = account("Prod-01", "Root/Workloads/Prod", "prod");
        let f = AccountFilter {
            name: Some("prod-*".into()),
            state: Some("active".into()),
            tags: vec![("env".into(), "prod".into())],
            ..Default::default()
        };
        assert!(f.matches(&a));
        assert!(!AccountFilter {
            tags: vec![("env".into(), "dev".into())],
            ..Default::default()
        }
        .matches(&a));
        assert!(!AccountFilter {
            state: Some("SUSPENDED".into()),
            ..Default::default()
        }
        .matches(&a));
    }
}
