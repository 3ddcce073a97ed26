//! The credential store under stress: concurrent writers, corruption,
//! hostile permissions, a full or read-only disk, and the clock.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use common::{exported, Home, Sandbox};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn entries_in(home: &Home) -> usize {
    home.session_files()
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            let doc: toml::Table = text.parse().expect("the store always parses");
            doc["credentials"].as_table().unwrap().len()
        })
        .sum()
}

#[test]
fn sixty_four_concurrent_processes_over_sixteen_keys() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let accounts: Vec<&str> = sandbox
        .info
        .accounts
        .iter()
        .skip(1)
        .take(4)
        .map(|a| a.id.as_str())
        .collect();
    let roles = [
        "OrganizationAccountAccessRole",
        "MemberReadOnlyAccess",
        "Auditor",
        "Deployer",
    ];
    let keys: Vec<(&str, &str)> = accounts
        .iter()
        .flat_map(|a| roles.iter().map(move |r| (*a, *r)))
        .collect();
    assert_eq!(keys.len(), 16);
    for round in 0..2 {
        // 64 processes, 4 per key, all started before any is waited for.
        let children: Vec<_> = (0..64)
            .map(|i| {
                let (account, role) = keys[i % 16];
                home.xacct()
                    .args(["assume", account, role])
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut by_key: std::collections::HashMap<usize, std::collections::HashSet<String>> = Default::default();
        for (i, child) in children.into_iter().enumerate() {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            // A process that waits long for another fetching the same key
            // says whom it waits for; nothing else is said.
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr
                    .lines()
                    .all(|l| l.starts_with("xacct: waiting for process ") && l.contains("the same session")),
                "no warnings: {stderr}"
            );
            let code = String::from_utf8(out.stdout).unwrap();
            by_key
                .entry(i % 16)
                .or_default()
                .insert(exported(&home, &code, "AWS_ACCESS_KEY_ID"));
        }
        // Every process of a key got the same credentials: one fetch served them all.
        assert!(by_key.values().all(|ids| ids.len() == 1), "{by_key:?}");
        assert_eq!(entries_in(&home), 16);
        assert_eq!(
            sandbox.count("AssumeRole"),
            16,
            "round {round}: one AssumeRole per key, not per process"
        );
    }
    for file in home.session_files() {
        assert_eq!(mode(&file), 0o600);
    }
}

#[test]
fn the_refresh_margin_is_judged_by_the_clock() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    let id = sandbox.info.demo_account_id.clone();
    home.run(&["assume", &id]).ok();
    let later =
        |minutes: i64| xacct::domain::clock::rfc3339(xacct::domain::clock::now() + time::Duration::minutes(minutes));
    // 40 minutes on, 20 are left: more than the 15-minute margin, served.
    home.set("XACCT_NOW", &later(40));
    home.run(&["assume", &id]).ok();
    assert_eq!(sandbox.count("AssumeRole"), 1);
    // 50 minutes on, 10 are left: never served, fetched again.
    home.set("XACCT_NOW", &later(50));
    home.run(&["assume", &id]).ok();
    assert_eq!(sandbox.count("AssumeRole"), 2);
    // Entries that have expired by the clock are pruned when the store is written.
    home.set("XACCT_NOW", &later(24 * 60));
    home.run(&["assume", &id, "MemberReadOnlyAccess"]).ok();
    assert_eq!(entries_in(&home), 1);
}

/// Each way a store can be damaged: the command still succeeds, warns once,
/// sets the damaged file aside, and leaves a store that parses.
#[test]
fn corrupt_stores_are_set_aside_and_never_break_a_command() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let id = sandbox.info.demo_account_id.clone();
    home.run(&["assume", &id]).ok();
    let good = std::fs::read_to_string(home.credentials_file()).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good.as_bytes()[..good.len() / 2].to_vec()),
        ("garbage", vec![0xff, 0xfe, 0x00, 0x13, b'[', b'[', 0x80]),
        ("wrong types", b"version = 1\ncredentials = 5\n".to_vec()),
        ("no version", good.replace("version = 1", "").into_bytes()),
        ("newer format", good.replace("version = 1", "version = 99").into_bytes()),
        ("empty", Vec::new()),
    ];
    for (what, bytes) in cases {
        std::fs::write(home.credentials_file(), &bytes).unwrap();
        let out = home.run(&["assume", &id, "--refresh"]);
        assert_eq!(out.code, 0, "{what}: {}", out.stderr);
        assert!(!out.stdout.is_empty(), "{what}");
        let warnings: Vec<&str> = out.stderr.lines().collect();
        assert_eq!(warnings.len(), 1, "{what}: {}", out.stderr);
        assert!(
            warnings[0].starts_with("xacct: warning: ") && warnings[0].contains("moved it to"),
            "{what}: {}",
            out.stderr
        );
        assert_eq!(entries_in(&home), 1, "{what}");
    }
    let aside = std::fs::read_dir(home.cache_dir().join("sessions"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains(".corrupt-"))
        .count();
    assert!(aside >= 1);

    // The same for the account list.
    std::fs::write(home.cache_dir().join("accounts.toml"), "version = 1\n[organizations\n").unwrap();
    let out = home.run(&["accounts"]);
    assert!(out.ok().contains("DEMO"));
    assert!(
        out.stderr.contains("warning") && out.stderr.contains("accounts.toml"),
        "{}",
        out.stderr
    );
}

#[test]
fn one_bad_entry_does_not_cost_its_neighbours() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let id = sandbox.info.demo_account_id.clone();
    home.run(&["assume", &id]).ok();
    home.run(&["assume", &id, "MemberReadOnlyAccess"]).ok();
    let file = home.session_files()[0].clone();
    let text = std::fs::read_to_string(&file).unwrap();
    // Break one entry's expiration (a wrong type), leave the other alone.
    let broken = text.replacen("expiration = \"", "expiration = 42\nx = \"", 1);
    std::fs::write(&file, broken).unwrap();
    sandbox.clear_requests();
    home.run(&["assume", &id]).ok();
    home.run(&["assume", &id, "MemberReadOnlyAccess"]).ok();
    assert_eq!(sandbox.count("AssumeRole"), 1, "only the broken entry is fetched again");
    assert_eq!(entries_in(&home), 2);
}

#[test]
fn insecure_store_locations_are_refused_and_left_alone() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let id = sandbox.info.demo_account_id.clone();
    home.run(&["assume", &id]).ok();
    let dir = home.cache_dir();
    let file = home.credentials_file();

    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    home.run(&["assume", &id, "Other"])
        .fails_with("is writable by group or others (mode 777): run `chmod go-w");
    assert_eq!(mode(&dir), 0o777, "xacct never chmods what it did not create");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    home.run(&["assume", &id])
        .fails_with(".toml is writable by group or others");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();

    // Owned by someone else (the tests run as root, which may chown).
    std::os::unix::fs::chown(&file, Some(65534), None).unwrap();
    home.run(&["assume", &id])
        .fails_with("belongs to another user (uid 65534)");
    std::os::unix::fs::chown(&file, Some(0), None).unwrap();

    // A symlinked file, and a symlinked directory.
    let elsewhere = home.path().join("elsewhere.toml");
    std::fs::rename(&file, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &file).unwrap();
    home.run(&["assume", &id]).fails_with("is a symlink");
    std::fs::remove_file(&file).unwrap();
    let real_dir = home.path().join("real-cache");
    std::fs::rename(&dir, &real_dir).unwrap();
    std::os::unix::fs::symlink(&real_dir, &dir).unwrap();
    home.run(&["assume", &id, "Other"]).fails_with("is a symlink");
}

/// Runs `script` in a private mount namespace where the cache directory is a
/// tmpfs prepared by `setup` (full, or read-only).
fn in_small_tmpfs(home: &Home, setup: &str, command: &str) -> common::Output {
    let cache = home.cache_dir();
    let script = format!(
        "set -e; mkdir -p {c}; mount -t tmpfs -o size=16k,mode=700 tmpfs {c}; {setup}; {command}",
        c = cache.display()
    );
    home.program("unshare", &["-m", "sh", "-c", &script])
}

#[test]
fn a_full_or_read_only_disk_still_prints_fresh_credentials() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let id = sandbox.info.demo_account_id.clone();
    let cache = home.cache_dir().display().to_string();
    for (what, setup) in [
        (
            "full",
            format!("dd if=/dev/zero of={cache}/fill bs=1k count=64 2>/dev/null || true"),
        ),
        ("read-only", format!("mount -o remount,ro {cache}")),
    ] {
        let out = in_small_tmpfs(&home, &setup, &format!("xacct assume {id}"));
        assert_eq!(out.code, 0, "{what}: {}", out.stderr);
        assert!(
            exported(&home, &out.stdout, "AWS_ACCESS_KEY_ID").starts_with("ASIA"),
            "{what}"
        );
        assert!(
            out.stderr.contains("warning: could not cache the credentials"),
            "{what}: {}",
            out.stderr
        );
        assert_eq!(out.stderr.lines().count(), 1, "{what}: {}", out.stderr);
    }
}

/// A writer killed between creating its temporary file and renaming it
/// leaves `.<key id>.toml.XXXXXX.tmp` behind: a copy of the session file,
/// secrets included, made 0600 by tempfile, exactly as written here.
/// What a writer killed before its rename leaves: `.NAME.tmp`, or with
/// `random`, `.NAME.RANDOM.tmp` as earlier versions named it.
fn leave_copy_of_killed_writer(store: &std::path::Path, random: Option<&str>, contents: &str) -> std::path::PathBuf {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let name = store.file_name().unwrap().to_string_lossy();
    let path = match random {
        Some(random) => store.with_file_name(format!(".{name}.{random}.tmp")),
        None => store.with_file_name(format!(".{name}.tmp")),
    };
    let mut file = std::fs::OpenOptions::new()
        .create_new(true)
        .write(true)
        .mode(0o600)
        .open(&path)
        .unwrap();
    file.write_all(contents.as_bytes()).unwrap();
    path
}

#[test]
fn copies_left_by_a_killed_writer_go_on_the_next_write_and_on_cache_clear() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let id = sandbox.info.demo_account_id.clone();
    home.run(&["assume", &id]).ok();
    let file = home.credentials_file();
    let store = std::fs::read_to_string(&file).unwrap();
    // Not a temporary file of the store: left alone.
    let bystander = file.with_file_name(format!(".{}.notes", file.file_name().unwrap().to_string_lossy()));
    std::fs::write(&bystander, "mine").unwrap();

    // The next write of that key removes it (writes of other keys leave it to its key's lock).
    let killed = leave_copy_of_killed_writer(&file, None, &store);
    home.run(&["assume", &id, "--refresh"]).ok();
    assert!(!killed.exists(), "the next write removes the copy");
    home.run(&["assume", &id, "MemberReadOnlyAccess"]).ok();
    assert_eq!(entries_in(&home), 2);

    let killed = leave_copy_of_killed_writer(&file, None, &store);
    let older = leave_copy_of_killed_writer(&file, Some("Xy12Ab"), &store);
    assert!(home.run(&["cache", "clear"]).ok().is_empty());
    assert!(!killed.exists(), "cache clear removes the copy");
    assert!(!older.exists(), "and one an earlier version left");

    // Killed during the very first write: only the copy exists.
    assert!(home.session_files().is_empty());
    let killed = leave_copy_of_killed_writer(&file, Some("f1rst0"), &store);
    home.run(&["cache", "clear"]).ok();
    assert!(!killed.exists(), "cache clear removes the copy even with no store");
    assert!(bystander.exists());
}

/// A cache written by an earlier xacct (every session in one
/// `credentials.toml`) is moved to per-key files on first use: live sessions
/// are served from it without a word, expired ones go, and the old file is gone.
#[test]
fn the_single_file_store_of_earlier_versions_is_migrated() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    let id = sandbox.info.demo_account_id.clone();
    home.run(&["assume", &id]).ok();
    home.run(&["assume", &id, "MemberReadOnlyAccess"]).ok();
    // Rewrite the two session files as the old single file, one of them expired.
    let mut old = String::from("version = 1\n");
    for (n, file) in home.session_files().iter().enumerate() {
        let text = std::fs::read_to_string(file).unwrap();
        let mut body = text.replacen("version = 1\n", "", 1);
        if n == 1 {
            let doc: toml::Table = text.parse().unwrap();
            let entry = doc["credentials"].as_table().unwrap().values().next().unwrap();
            let expiration = entry["expiration"].as_str().unwrap();
            body = body.replace(expiration, "2001-01-01T00:00:00Z");
        }
        old.push_str(&body);
        std::fs::remove_file(file).unwrap();
    }
    let legacy = home.cache_dir().join("credentials.toml");
    std::fs::write(&legacy, old).unwrap();
    std::fs::set_permissions(&legacy, std::fs::Permissions::from_mode(0o600)).unwrap();
    sandbox.clear_requests();
    let out = home.run(&["cache", "list", "--json"]);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    let listed: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert!(!legacy.exists());
    assert_eq!(home.session_files().len(), 1);
    // The live one is still served from the cache; the expired one is fetched.
    let both = [
        home.run(&["assume", &id]),
        home.run(&["assume", &id, "MemberReadOnlyAccess"]),
    ];
    assert_eq!(
        sandbox.count("AssumeRole"),
        1,
        "only the expired session is fetched again"
    );
    assert!(both.iter().all(|out| out.code == 0));

    // An old file that does not parse is set aside with one line, never a crash.
    std::fs::write(&legacy, "version = 1\n[credentials\n").unwrap();
    std::fs::set_permissions(&legacy, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = home.run(&["cache", "list"]);
    out.ok();
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("credentials.toml") && out.stderr.contains("moved it to"),
        "{}",
        out.stderr
    );
    assert!(!legacy.exists());
}

#[test]
fn every_file_xacct_creates_is_private_whatever_the_umask() {
    let sandbox = Sandbox::start();
    let home = Home::with_sandbox(&sandbox);
    for command in [
        "xacct accounts --refresh",
        "xacct assume demo MemberReadOnlyAccess",
        "xacct assume demo --refresh",
        "xacct generate aws-config --role ReadOnly --write \"$HOME/.aws/config\"",
    ] {
        home.shell("sh", &format!("umask 000; {command}")).ok();
    }
    assert!(home.path().join(".aws/config").is_file());
    let flights = std::fs::read_dir(home.cache_dir().join("flights")).unwrap().count();
    assert!(flights >= 2, "the flight lock files are checked too");
    let mut checked = 0;
    let mut pending = vec![home.path().to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                assert_eq!(mode(&path), 0o700, "{}", path.display());
                pending.push(path);
            } else {
                assert_eq!(mode(&path), 0o600, "{}", path.display());
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked}");
}

#[test]
fn a_fifteen_minute_session_is_served_from_the_cache() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    let id = sandbox.info.demo_account_id.clone();
    let assume = ["assume", id.as_str(), "--duration", "15m"];
    for _ in 0..3 {
        home.run(&assume).ok();
    }
    assert_eq!(sandbox.count("AssumeRole"), 1, "one call serves the next ones");
    let later =
        |minutes: i64| xacct::domain::clock::rfc3339(xacct::domain::clock::now() + time::Duration::minutes(minutes));
    // 9 minutes on, 6 are left: more than a third of the session, served.
    home.set("XACCT_NOW", &later(9));
    home.run(&assume).ok();
    assert_eq!(sandbox.count("AssumeRole"), 1);
    // 11 minutes on, 4 are left: fetched again.
    home.set("XACCT_NOW", &later(11));
    home.run(&assume).ok();
    assert_eq!(sandbox.count("AssumeRole"), 2);
    home.unset("XACCT_NOW");

    // botocore, which refreshes whenever less than 15 minutes are left, asks
    // its credential_process before every call here: cache hits, one AssumeRole.
    let xacct = assert_cmd::cargo::cargo_bin("xacct");
    let aws_config = home.path().join("aws-config");
    std::fs::write(
        &aws_config,
        format!(
            "[profile short]\ncredential_process = {} assume {id} MemberReadOnlyAccess --duration 15m --format credential-process\nregion = us-east-1\n",
            xacct.display()
        ),
    )
    .unwrap();
    home.set("AWS_CONFIG_FILE", aws_config.to_str().unwrap());
    sandbox.clear_requests();
    let script = format!(
        "import boto3\n\
         sts = boto3.Session(profile_name='short').client('sts', endpoint_url='{}')\n\
         for _ in range(3): print(sts.get_caller_identity()['Arn'])\n",
        sandbox.info.endpoint
    );
    let python = common::repo_root().join(".venv/bin/python");
    let out = home.program(python.to_str().unwrap(), &["-c", &script]);
    assert_eq!(out.ok().lines().count(), 3, "{}", out.stderr);
    assert!(
        out.ok().contains("assumed-role/MemberReadOnlyAccess/"),
        "{}",
        out.stdout
    );
    assert_eq!(sandbox.count("AssumeRole"), 1);
}

/// A configured margin longer than a third of the session is lowered to
/// that third, as for 15-minute sessions, and the person is told once per run;
/// the shell prompt's `whoami --short` stays quiet.
#[test]
fn a_configured_margin_the_cap_lowers_is_said_once_per_run() {
    let sandbox = Sandbox::start();
    let mut home = Home::with_sandbox(&sandbox);
    home.write_config("[defaults]\nrefresh_margin = \"59m\"\n");
    let id = sandbox.info.demo_account_id.clone();
    let warning =
        "refresh_margin = 59m is more than a third of this 1h session: its credentials are renewed when 20m are left";
    let first = home.run(&["assume", &id]);
    first.ok();
    assert_eq!(first.stderr.matches(warning).count(), 1, "{}", first.stderr);
    // The cap is what is applied: 30 minutes on, 30 are left (more than 20): served.
    let later =
        |minutes: i64| xacct::domain::clock::rfc3339(xacct::domain::clock::now() + time::Duration::minutes(minutes));
    home.set("XACCT_NOW", &later(30));
    let hit = home.run(&["assume", &id]);
    hit.ok();
    assert_eq!(sandbox.count("AssumeRole"), 1);
    assert_eq!(hit.stderr.matches(warning).count(), 1, "{}", hit.stderr);
    home.unset("XACCT_NOW");
    // Two accounts in one run: one warning.
    let many = home.run(&["exec", "--all", "--", "true"]);
    many.ok();
    assert_eq!(
        many.stderr.matches("refresh_margin = 59m").count(),
        1,
        "{}",
        many.stderr
    );
    let prompt = home.shell(
        "bash",
        &format!("eval \"$(xacct assume {id} 2>/dev/null)\" && xacct whoami --short"),
    );
    assert!(prompt.stdout.trim().contains('/'), "{}{}", prompt.stdout, prompt.stderr);
    assert!(!prompt.stderr.contains("refresh_margin"), "{}", prompt.stderr);
    // The default margin (not configured) is lowered for short sessions without a word.
    home.write_config("");
    let short = home.run(&["assume", &id, "--duration", "15m"]);
    short.ok();
    assert!(!short.stderr.contains("refresh_margin"), "{}", short.stderr);
}
