//! A usage error found after parsing (such as a missing account with no
//! terminal to pick one on): main ends with exit status 2 for it, as for
//! clap's own usage errors.

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);
