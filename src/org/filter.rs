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
            roles: false,
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

/// One piece of a pattern.
enum Token {
    /// `*`: any run of characters, the empty one too.
    AnyRun,
    /// `?`: any one character.
    AnyOne,
    /// `[a-c_]` or `[!0-9]`: one character in (or, negated, not in) the ranges.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    Literal(char),
}

/// The pattern as tokens, as a shell reads it: a `[` with no closing `]` is
/// a literal `[`, and a `]` right after `[` or `[!` belongs to the class.
fn tokens(pattern: &str) -> Vec<Token> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => out.push(Token::AnyRun),
            '?' => out.push(Token::AnyOne),
            '[' => {
                if let Some((class, next)) = class_at(&chars, i + 1) {
                    out.push(class);
                    i = next;
                    continue;
                }
                out.push(Token::Literal('['));
            }
            c => out.push(Token::Literal(c)),
        }
        i += 1;
    }
    out
}

/// The class starting after a `[` at `start`, and where the pattern goes on.
fn class_at(chars: &[char], start: usize) -> Option<(Token, usize)> {
    let mut i = start;
    let negated = matches!(chars.get(i), Some('!') | Some('^'));
    if negated {
        i += 1;
    }
    let first = i;
    let mut ranges = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if c == ']' && i > first {
            return Some((Token::Class { negated, ranges }, i + 1));
        }
        if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|&end| end != ']') {
            ranges.push((c, chars[i + 2]));
            i += 3;
        } else {
            ranges.push((c, c));
            i += 1;
        }
    }
    None
}

impl Token {
    fn matches_one(&self, c: char) -> bool {
        match self {
            Token::AnyRun | Token::AnyOne => true,
            Token::Class { negated, ranges } => ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated,
            Token::Literal(l) => *l == c,
        }
    }
}

/// Shell-style matching: `*` (any run), `?` (any one character) and classes
/// `[abc]`, `[a-z]`, `[!0-9]` (or `[^0-9]`).
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<Token>, Vec<char>) = (tokens(pattern), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(Token::AnyRun) => {
                backtrack = Some((pi, ti));
                pi += 1;
            }
            Some(token) if token.matches_one(t[ti]) => {
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
    p[pi..].iter().all(|t| matches!(t, Token::AnyRun))
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
            roles: None,
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

    #[test]
    fn patterns_take_classes_as_shells_do() {
        assert!(glob_matches("prod-0[1-3]", "prod-02"));
        assert!(!glob_matches("prod-0[1-3]", "prod-04"));
        assert!(glob_matches("prod-0[!1-3]", "prod-04"));
        assert!(glob_matches("prod-0[^1-3]", "prod-05"));
        assert!(!glob_matches("prod-0[!1-3]", "prod-01"));
        assert!(glob_matches("[ds]*-0[13]", "dev-03"));
        assert!(glob_matches("a[]]b", "a]b"), "a ] first in a class is a member");
        assert!(glob_matches("a[-x]", "a-"), "a - at an end is a member");
        assert!(glob_matches("a[b", "a[b"), "an unclosed [ is a literal");
        assert!(glob_matches("*[0-9]", "prod-01") && !glob_matches("*[0-9]", "prod"));
        assert!(glob_matches("p?od-*", "prod-01") && glob_matches("*", ""));
    }
}
