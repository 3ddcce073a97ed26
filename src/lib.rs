//! xacct: AWS cross-account role switching for an AWS Organization.
//!
//! The binary is a thin shell over this library. The folders are the
//! architecture (see README.md, "How the code is laid out"): `cli` is the only
//! code that sees clap and talks to the core; the core (`session`, `org`,
//! `console`, `exec`, `generate`) works on `domain` values and reaches the
//! outside world only through `aws`, `store` and `shell`; `ui` is the terminal.

pub mod app;
pub mod aws;
pub mod cli;
pub mod console;
pub mod domain;
pub mod exec;
pub mod generate;
pub mod org;
pub mod roles;
pub mod server;
pub mod session;
pub mod shell;
pub mod store;
pub mod ui;
