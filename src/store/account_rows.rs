//! One account as one line of text, for the cached account list: TOML reads
//! an array of 10,000 strings about twenty times faster than 10,000 tables,
//! and the list is read on every Tab, picker and `xacct accounts`.
//!
//! The fields, separated by `|`: ID, state, joined (empty when unknown),
//! name, email; then the OU path when the list has them; then the roles
//! when it has them, separated by spaces (no role name holds one); then the tags when
//! it has them, as key, value, key, value ... A backslash or `|` inside a
//! field is written `\\` or `\|`: names hold any character. (A printable
//! separator needs no TOML escape, so a plain row is read as it is.)

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::domain::account::{Account, Detail};
use crate::domain::account_id::AccountId;

const SEPARATOR: char = '|';
const ROLE_SEPARATOR: &str = " ";

/// `account` as one row of a list that carries `detail`.
pub fn encode(account: &Account, detail: Detail) -> String {
    let mut fields: Vec<&str> = vec![
        account.id.as_str(),
        &account.state,
        account.joined.as_deref().unwrap_or(""),
        &account.name,
        &account.email,
    ];
    if detail.ou_paths {
        fields.push(account.ou.as_deref().unwrap_or(""));
    }
    let roles;
    if detail.roles {
        roles = account
            .roles
            .iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(ROLE_SEPARATOR);
        fields.push(&roles);
    }
    if detail.tags {
        for (key, value) in account.tags.iter().flatten() {
            fields.push(key);
            fields.push(value);
        }
    }
    let mut row = String::with_capacity(fields.iter().map(|f| f.len() + 1).sum());
    for (n, field) in fields.iter().enumerate() {
        if n > 0 {
            row.push(SEPARATOR);
        }
        for c in field.chars() {
            match c {
                '\\' => row.push_str("\\\\"),
                SEPARATOR => row.push_str("\\|"),
                c => row.push(c),
            }
        }
    }
    row
}

/// The account in `row`, read as a row of a list that carries `detail`;
/// `None` when it is not one.
pub fn decode(row: &str, detail: Detail) -> Option<Account> {
    let mut fields = split(row)?.into_iter();
    let mut next = || fields.next();
    let id = next()?.parse().ok()?;
    let state = next()?;
    let joined = Some(next()?).filter(|j| !j.is_empty());
    let name = next()?;
    let email = next()?;
    let ou = if detail.ou_paths {
        Some(next()?).filter(|ou| !ou.is_empty())
    } else {
        None
    };
    let roles = if detail.roles {
        let field = next()?;
        Some(
            field
                .split(ROLE_SEPARATOR)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    } else {
        None
    };
    let tags = if detail.tags {
        let mut tags = BTreeMap::new();
        while let Some(key) = next() {
            tags.insert(key, next()?);
        }
        Some(tags)
    } else {
        None
    };
    if next().is_some() {
        return None;
    }
    Some(Account {
        id,
        name,
        email,
        state,
        joined,
        ou,
        tags,
        roles,
    })
}

/// The ID and name in `row` (any list's: they lead every row), read without
/// the other fields; the name is borrowed unless it holds an escape.
pub fn decode_id_and_name(row: &str) -> Option<(AccountId, Cow<'_, str>)> {
    // ID, state, joined, name: each up to its first unescaped separator.
    let mut fields = [""; 4];
    let mut text = row;
    for (n, field) in fields.iter_mut().enumerate() {
        let end = field_end(text)?;
        *field = &text[..end];
        if n < 3 {
            // A separator must follow: a row has at least five fields.
            text = text.get(end + 1..)?;
        }
    }
    let [id, _state, _joined, name] = fields;
    let id = id.parse().ok()?;
    let name = if name.contains('\\') {
        Cow::Owned(split(name)?.pop()?)
    } else {
        Cow::Borrowed(name)
    };
    Some((id, name))
}

/// Where the first field of `text` ends: at its first unescaped separator,
/// else at the end of `text`; `None` for an escape this module never writes.
fn field_end(text: &str) -> Option<usize> {
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => match chars.next()?.1 {
                '\\' | SEPARATOR => {}
                _ => return None,
            },
            SEPARATOR => return Some(at),
            _ => {}
        }
    }
    Some(text.len())
}

/// The fields of `row`, unescaped; `None` for an escape this module never writes.
fn split(row: &str) -> Option<Vec<String>> {
    let mut fields = Vec::with_capacity(8);
    let mut field = String::new();
    let mut chars = row.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                '\\' => field.push('\\'),
                SEPARATOR => field.push(SEPARATOR),
                _ => return None,
            },
            SEPARATOR => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn account(name: &str, ou: Option<&str>, tags: Option<BTreeMap<String, String>>) -> Account {
        Account {
            id: "111122223333".parse().unwrap(),
            name: name.into(),
            email: "a@example.com".into(),
            state: "ACTIVE".into(),
            joined: Some("2020-01-01T00:00:00Z".into()),
            ou: ou.map(str::to_owned),
            tags,
            roles: None,
        }
    }

    #[test]
    fn rows_read_back_as_written() {
        let plain = Detail::default();
        let a = account("prod", None, None);
        assert_eq!(
            encode(&a, plain),
            "111122223333|ACTIVE|2020-01-01T00:00:00Z|prod|a@example.com"
        );
        assert_eq!(decode(&encode(&a, plain), plain), Some(a));
        let full = Detail {
            ou_paths: true,
            tags: true,
            roles: true,
        };
        let mut with_roles = account("roles", None, None);
        with_roles.roles = Some(vec!["AdministratorAccess".into(), "Read,Only=x@y".into()]);
        let roles_only = Detail {
            roles: true,
            ..Detail::default()
        };
        assert_eq!(decode(&encode(&with_roles, roles_only), roles_only), Some(with_roles));
        let tags: BTreeMap<String, String> = [("a|b".into(), "c\\\\|".into()), ("".into(), "".into())].into();
        let mut a = account("we|ird\\|\t\\", Some("Root/x|y"), Some(tags));
        a.roles = Some(vec![]);
        assert_eq!(decode(&encode(&a, full), full), Some(a));
        let mut a = account("no tags", Some("Root"), Some(BTreeMap::new()));
        a.roles = Some(vec!["r".into()]);
        assert_eq!(decode(&encode(&a, full), full), Some(a));
    }

    #[test]
    fn the_id_and_name_read_alone_are_those_of_the_whole_row() {
        let full = Detail {
            ou_paths: true,
            tags: true,
            roles: true,
        };
        for name in ["prod", "we|ird\\|\t\\", "", "a\\", "|"] {
            let a = account(name, Some("Root/x|y"), Some([("k|".into(), "v".into())].into()));
            for detail in [Detail::default(), full] {
                let row = encode(&a, detail);
                let (id, read) = decode_id_and_name(&row).unwrap();
                assert_eq!((id, read.as_ref()), (a.id, name), "{row:?}");
            }
        }
        assert!(matches!(
            decode_id_and_name("111122223333|ACTIVE||plain|e").unwrap().1,
            Cow::Borrowed(_)
        ));
        assert_eq!(decode_id_and_name("111122223333|ACTIVE||na\\me|e"), None);
        assert_eq!(decode_id_and_name("1111|ACTIVE||name|e"), None);
        // A hostile state with an escaped separator does not shift the name.
        let (_, name) = decode_id_and_name("111122223333|ACT\\|IVE||name|e").unwrap();
        assert_eq!(name, "name");
    }

    #[test]
    fn damaged_rows_are_no_account() {
        let plain = Detail::default();
        for row in [
            "",
            "111122223333|ACTIVE||name",
            "111122223333|ACTIVE||name|email|extra",
            "1111|ACTIVE||name|email",
            "111122223333|ACTIVE||na\\me|email",
            "111122223333|ACTIVE||name|email\\",
        ] {
            assert_eq!(decode(row, plain), None, "{row:?}");
        }
        let tags = Detail {
            tags: true,
            ..Detail::default()
        };
        assert_eq!(decode("111122223333|ACTIVE||name|email|key", tags), None);
    }

    proptest! {
        #[test]
        fn any_text_survives(name in any::<String>(), ou in any::<String>(), key in any::<String>(), value in any::<String>()) {
            let full = Detail { ou_paths: true, tags: true, roles: true };
            let ou = Some(ou).filter(|ou| !ou.is_empty());
            let mut a = account(&name, ou.as_deref(), Some([(key, value)].into()));
            a.roles = Some(vec!["AdministratorAccess".into()]);
            prop_assert_eq!(decode(&encode(&a, full), full), Some(a));
        }
    }
}
