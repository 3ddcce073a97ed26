//! The account directory: the organization's accounts, finding one by name,
//! choosing them by OU, state, name and tags, and the cached list.

pub mod account;
pub mod choices;
pub mod directory;
pub mod filter;
pub mod origin;
