//! Property tests of the parsers that read what users and other processes
//! wrote: no input makes xacct panic, and a damaged store is always replaced
//! by one that parses.

use std::path::Path;

use proptest::prelude::*;
use xacct::domain::session_params::{RoleRequest, SessionParams};
use xacct::store::config::Config;
use xacct::store::credential_cache::{self, CacheKey, Entry, KeyedSession};
use xacct::store::file::PrivateDir;
use xacct::store::{
    accounts,
    credential_cache::{file_name, DIR, LEGACY_FILE},
};

const GOOD_CONFIG: &str = r#"
[defaults]
role = "MemberReadOnlyAccess"
region = "eu-west-1"
duration = "1h"
refresh_margin = 600
tags = { Project = "blue" }
transitive_tags = ["Project"]

[aliases]
demo = "111122223333"

[profiles.prod]
account = "prod"
role = "team/ReadOnly"
color = "red"
assume_from = "hub"

[profiles.hub]
account = "DEMO"
mfa_serial = "arn:aws:iam::123456789012:mfa/alice"
"#;

const GOOD_STORE: &str = r#"version = 1

[credentials.0123456789abcdef0123456789abcdef]
role_arn = "arn:aws:iam::111122223333:role/R"
session_name = "alice"
source = "profile:default"
region = "us-east-1"
access_key_id = "ASIAEXAMPLE"
secret_access_key = "secret"
session_token = "token"
expiration = "2099-01-01T00:00:00Z"
"#;

/// A valid document, damaged: a byte changed, a cut, or junk spliced in.
fn damaged(good: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let len = good.len();
    prop_oneof![
        (0..len, any::<u8>()).prop_map(move |(i, b)| {
            let mut bytes = good.as_bytes().to_vec();
            bytes[i] = b;
            bytes
        }),
        (0..len).prop_map(move |i| good.as_bytes()[..i].to_vec()),
        (0..len, proptest::collection::vec(any::<u8>(), 1..16)).prop_map(move |(i, junk)| {
            let mut bytes = good.as_bytes().to_vec();
            bytes.splice(i..i, junk);
            bytes
        }),
        (0..len, "[\\[\\]=\"'{}.,#\n a-z0-9]{1,12}").prop_map(move |(i, junk)| {
            let mut bytes = good.as_bytes().to_vec();
            bytes.splice(i..i, junk.into_bytes());
            bytes
        }),
    ]
}

fn any_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        damaged(GOOD_STORE),
        damaged(GOOD_CONFIG),
        proptest::collection::vec(any::<u8>(), 0..256)
    ]
}

fn entry() -> Entry {
    toml::from_str(GOOD_STORE.split_once("]\n").unwrap().1).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn config_parsing_never_panics(bytes in any_bytes()) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = Config::parse(Path::new("/x/config.toml"), &text) {
            let message = format!("{e:#}");
            prop_assert!(message.starts_with("config file /x/config.toml"));
            prop_assert!(!message.contains('\n'));
        }
    }

    #[test]
    fn stores_never_panic_and_always_end_up_parsing(bytes in any_bytes()) {
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::at(root.path().join("c"));
        dir.ensure().unwrap();
        std::fs::write(dir.file(accounts::FILE), &bytes).unwrap();
        let request = RoleRequest {
            role_arn: "arn:aws:iam::111122223333:role/R".into(),
            session_name: xacct::domain::session_params::RoleSessionName::Given("alice".into()),
            duration_secs: 3600,
            policy: None,
            options: SessionParams::default(),
        };
        let key = CacheKey { source: "profile:default".into(), endpoint: None, mfa_serial: None, chained_from: None, session: KeyedSession::Role(request) };
        // The key's own file, another key's, and the single file of earlier versions.
        PrivateDir::at(dir.file(DIR)).ensure().unwrap();
        for name in [file_name(&key.id()), file_name("0123abcd")] {
            std::fs::write(dir.file(DIR).join(name), &bytes).unwrap();
        }
        std::fs::write(dir.file(LEGACY_FILE), &bytes).unwrap();
        let now = xacct::domain::clock::now();
        let _ = credential_cache::lookup(&dir, &key, now, 900).unwrap();
        let _ = credential_cache::all(&dir).unwrap();
        let _ = accounts::load_all(&dir).unwrap();
        // A write over whatever was there leaves a store holding the new entry.
        credential_cache::store(&dir, &key, &entry(), now).unwrap();
        prop_assert_eq!(credential_cache::lookup(&dir, &key, now, 900).unwrap(), Some(entry()));
    }
}
