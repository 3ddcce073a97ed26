//! Running commands with role sessions in their environment.

pub mod fanout;
