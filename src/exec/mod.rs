//! Running commands with role sessions in their environment: in one account
//! or many, with fixed credentials or served by a local endpoint.

pub mod fanout;
pub mod signals;
