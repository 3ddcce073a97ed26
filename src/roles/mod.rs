//! Who can switch where: the organization's cross-account roles, read from
//! IAM in every member account (`xacct roles list`, `xacct roles audit`).
//!
//! `facts` holds what IAM told us about one role (untrusted text written by
//! each account's administrators); `trust` reads a trust policy and answers
//! who may assume the role and on what conditions; `audit` turns facts into
//! findings with stable rule IDs. Reaching the accounts (fan-out through
//! `--via`) and caching the result sit beside them.

pub mod facts;
