//! The one error type of the core. Each variant says what kind of failure it
//! is; `Context` says what xacct was doing, with the failure as its cause.
//!
//! Only `src/cli` and `main.rs` use anyhow: they take this type through `?`
//! (it is a `std::error::Error`) and print it as `{e:#}`, which writes the top
//! error and then `: cause` for each `source()`. So the plain form of an error
//! is its own line only, and the alternate form (`{e:#}`) is the whole chain,
//! the same text anyhow prints, for the core's own warnings and failure lines.

use std::error::Error as StdError;
use std::fmt::{self, Display};
use std::io;

use crate::domain::validate::Invalid;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug)]
pub enum Error {
    /// Input that breaks a rule, found before any call (REFERENCE.md).
    Invalid(Invalid),
    /// A name that leads to no account, or to several.
    Lookup(String),
    /// A failed call to AWS or to the federation endpoint, as one line.
    Aws(String),
    /// A file or directory that cannot be used (what for: a `Context` above it).
    Io(io::Error),
    /// Anything else, as the line to show.
    Message(String),
    /// What xacct was doing when `source` failed.
    Context { context: String, source: Box<Error> },
}

impl Error {
    /// A failure that is only its message (anyhow's `anyhow!`).
    pub fn msg(message: impl Into<String>) -> Self {
        Error::Message(message.into())
    }

    /// A failed call to AWS, already rendered as one line.
    pub fn aws(message: impl Into<String>) -> Self {
        Error::Aws(message.into())
    }

    /// This error as the cause of `context`.
    pub fn context(self, context: impl Display) -> Self {
        Error::Context {
            context: context.to_string(),
            source: Box::new(self),
        }
    }
}

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(e) => write!(f, "{e}")?,
            Error::Io(e) => write!(f, "{e}")?,
            Error::Lookup(m) | Error::Aws(m) | Error::Message(m) => f.write_str(m)?,
            Error::Context { context, .. } => f.write_str(context)?,
        }
        if f.alternate() {
            let mut cause = self.source();
            while let Some(e) = cause {
                write!(f, ": {e}")?;
                cause = e.source();
            }
        }
        Ok(())
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Error::Context { source, .. } => Some(source.as_ref()),
            // The wrapped error shows as this one: its causes come next.
            Error::Io(e) => e.source(),
            Error::Invalid(e) => e.source(),
            Error::Lookup(_) | Error::Aws(_) | Error::Message(_) => None,
        }
    }
}

impl From<Invalid> for Error {
    fn from(e: Invalid) -> Self {
        Error::Invalid(e)
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

/// `.context(...)` and `.with_context(|| ...)` on results and options, as anyhow's.
pub trait ErrorContext<T> {
    fn context(self, context: impl Display) -> Result<T>;
    fn with_context<C: Display>(self, context: impl FnOnce() -> C) -> Result<T>;
}

impl<T, E: Into<Error>> ErrorContext<T> for std::result::Result<T, E> {
    fn context(self, context: impl Display) -> Result<T> {
        self.map_err(|e| e.into().context(context))
    }

    fn with_context<C: Display>(self, context: impl FnOnce() -> C) -> Result<T> {
        self.map_err(|e| e.into().context(context()))
    }
}

impl<T> ErrorContext<T> for Option<T> {
    fn context(self, context: impl Display) -> Result<T> {
        self.ok_or_else(|| Error::msg(context.to_string()))
    }

    fn with_context<C: Display>(self, context: impl FnOnce() -> C) -> Result<T> {
        self.ok_or_else(|| Error::msg(context().to_string()))
    }
}

/// Returns early with an [`Error::Message`] formatted from the arguments.
macro_rules! fail {
    ($($arg:tt)*) => {
        return Err($crate::domain::error::Error::msg(format!($($arg)*)).into())
    };
}
pub(crate) use fail;

#[cfg(test)]
mod tests {
    use super::*;

    fn not_found() -> io::Error {
        io::Error::new(io::ErrorKind::NotFound, "No such file or directory")
    }

    #[test]
    fn the_plain_form_is_the_top_line_and_the_alternate_form_the_chain() {
        let e = Error::from(not_found())
            .context("cannot read /x/config.toml")
            .context("cannot load the config");
        assert_eq!(e.to_string(), "cannot load the config");
        assert_eq!(
            format!("{e:#}"),
            "cannot load the config: cannot read /x/config.toml: No such file or directory"
        );
    }

    #[test]
    fn each_kind_shows_its_own_message() {
        assert_eq!(Error::msg("plain").to_string(), "plain");
        assert_eq!(
            format!("{:#}", Error::aws("cannot assume r: denied")),
            "cannot assume r: denied"
        );
        assert_eq!(Error::Invalid(Invalid("bad role".into())).to_string(), "bad role");
        assert_eq!(format!("{:#}", Error::Lookup("no account".into())), "no account");
        assert_eq!(format!("{:#}", Error::from(not_found())), "No such file or directory");
    }

    #[test]
    fn the_context_chain_is_walked_through_source() {
        let e: Result<()> = Err(not_found()).with_context(|| format!("cannot open {}", "/x"));
        let e = e.context("cannot start").unwrap_err();
        let chain: Vec<String> = std::iter::successors(Some(&e as &dyn StdError), |e| (*e).source())
            .map(ToString::to_string)
            .collect();
        assert_eq!(chain, ["cannot start", "cannot open /x", "No such file or directory"]);
        assert!(matches!(&e, Error::Context { source, .. } if matches!(**source, Error::Context { .. })));
    }

    #[test]
    fn options_and_fail_give_messages() {
        let none: Option<u8> = None;
        assert_eq!(none.context("nothing there").unwrap_err().to_string(), "nothing there");
        fn failing(n: u8) -> Result<()> {
            fail!("{n} is too many");
        }
        assert!(matches!(failing(3), Err(Error::Message(m)) if m == "3 is too many"));
    }
}
