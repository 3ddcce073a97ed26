//! xacct: AWS cross-account role switching for an AWS Organization.
//!
//! The binary is a thin shell over this library; see DESIGN.md for the shape.

pub mod account;
pub mod app;
pub mod aws;
pub mod browser;
pub mod choices;
pub mod cli;
pub mod clock;
pub mod cmd;
pub mod color;
pub mod complete;
pub mod console;
pub mod credentials;
pub mod directory;
pub mod duration;
pub mod fanout;
pub mod filter;
pub mod generate;
pub mod logging;
pub mod origin;
pub mod picker;
pub mod policy;
pub mod progress;
pub mod prompt;
pub mod regular_file;
pub mod role;
pub mod secret;
pub mod session;
pub mod shell;
pub mod signin;
pub mod signin_page;
pub mod source;
pub mod store;
pub mod table;
pub mod target;
pub mod text;
pub mod usage;
pub mod validate;
