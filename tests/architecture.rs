//! The folder layout is the architecture: each top-level module of `src/` is
//! one concern, and imports point only down the layers below. This reads the
//! sources and fails on an import that points up (which is also how a cycle
//! would start), on a folder missing from the list, on clap outside
//! `src/cli`, and on anyhow outside `src/cli` and `src/main.rs` (the core has
//! one error type, `domain::error::Error`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Top to bottom: a module may use the ones after it, never one before it.
const LAYERS: &[(&str, &str)] = &[
    ("cli", "the command line: clap definitions, one file per command"),
    (
        "roles",
        "who can switch where: cross-account roles read from IAM, their trust and audit",
    ),
    ("exec", "running commands with role sessions, in one account or many"),
    (
        "server",
        "the local credential endpoint: role sessions over HTTP on 127.0.0.1, for SDKs",
    ),
    ("generate", "configuration for other tools, for every account"),
    ("session", "the role-session pipeline: plan, cache, fetch"),
    ("org", "the account directory: listing, names, filters, the cached list"),
    ("app", "what every command shares: the config and the cache directory"),
    ("console", "switch-role links, federation sign-in, the browser"),
    ("aws", "every network call, and the source credentials"),
    ("store", "the files: config (user-written) and cache (machine-written)"),
    ("shell", "every byte of shell code"),
    ("ui", "the terminal: picker, tables, colors, progress, prompts, logging"),
    ("domain", "values and rules every layer shares"),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/session/target.rs` -> `session`).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str().to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// Every `crate::NAME` a file names, with its line, outside comments.
fn crate_references(text: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push((name, number + 1));
            }
            rest = after;
        }
    }
    found
}

fn names_clap(text: &str) -> bool {
    text.lines().any(|line| {
        let code = line.split("//").next().unwrap_or("");
        code.contains("clap::") || code.contains("clap_complete::") || code.contains("use clap")
    })
}

#[test]
fn imports_point_only_down_the_layers_and_only_the_cli_sees_clap() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rank: BTreeMap<&str, usize> = LAYERS.iter().enumerate().map(|(i, (name, _))| (*name, i)).collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        let text = fs::read_to_string(file).unwrap();
        let shown = file.strip_prefix(&src).unwrap().display();
        if module == "main" || module == "lib" {
            if names_clap(&text) {
                problems.push(format!("src/{shown} uses clap: only src/cli may"));
            }
            continue;
        }
        let Some(&own) = rank.get(module.as_str()) else {
            problems.push(format!(
                "src/{shown}: module `{module}` is not in LAYERS: place it there"
            ));
            continue;
        };
        if module != "cli" && names_clap(&text) {
            problems.push(format!("src/{shown} uses clap: only src/cli may"));
        }
        for (used, line) in crate_references(&text) {
            match rank.get(used.as_str()) {
                Some(&other) if other < own => problems.push(format!(
                    "src/{shown}:{line}: `{module}` uses `{used}`, a layer above it"
                )),
                Some(_) => {}
                None => problems.push(format!("src/{shown}:{line}: `crate::{used}` is not a known module")),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn names_anyhow(text: &str) -> bool {
    text.lines()
        .any(|line| line.split("//").next().unwrap_or("").contains("anyhow"))
}

#[test]
fn only_the_edges_use_anyhow() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let problems: Vec<String> = files
        .iter()
        .filter(|file| !matches!(module_of(&src, file).as_str(), "cli" | "main"))
        .filter(|file| names_anyhow(&fs::read_to_string(file).unwrap()))
        .map(|file| {
            format!(
                "src/{} uses anyhow: the core returns crate::domain::error::Error",
                file.strip_prefix(&src).unwrap().display()
            )
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_layer_is_a_module_of_the_library() {
    let lib = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    let mut listed: Vec<&str> = LAYERS.iter().map(|(name, _)| *name).collect();
    listed.sort_unstable();
    let mut declared_sorted = declared.clone();
    declared_sorted.sort_unstable();
    assert_eq!(declared_sorted, listed, "src/lib.rs and LAYERS disagree");
}
