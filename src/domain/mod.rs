//! The values every layer shares, and AWS's rules for them: roles, durations,
//! credentials, secrets, the clock, and the input checks of REFERENCE.md.

pub mod account;
pub mod account_id;
pub mod clock;
pub mod console;
pub mod credentials;
pub mod duration;
pub mod error;
pub mod partition;
pub mod policy;
pub mod regular_file;
pub mod role;
pub mod secret;
pub mod session_params;
pub mod sso_session;
pub mod text;
pub mod validate;
