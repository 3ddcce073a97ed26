//! `xacct login`: sign in to IAM Identity Center. Everything it says goes to
//! stderr; it prints nothing on stdout (the token is only in the cache file).

use anyhow::Result;

use crate::app::Context;
use crate::aws::profile_file;
use crate::cli::LoginArgs;
use crate::domain::clock;
use crate::session::sso_login::{self, LoginOptions, Outcome};

pub fn run(args: &LoginArgs, ctx: &Context) -> Result<()> {
    let name = args
        .sso_session
        .as_deref()
        .or(ctx.config.defaults.sso_session.as_deref());
    let session = profile_file::sso_session(name, &ctx.config.sso_sessions)?;
    let options = LoginOptions {
        force: args.force,
        browser: !args.no_browser,
    };
    let outcome = sso_login::login(&session, options, &ctx.aws, &mut |line| eprintln!("{line}"))?;
    let (what, expires_at) = match outcome {
        Outcome::StillValid(at) => ("Already signed in to", at),
        Outcome::Refreshed(at) => ("Refreshed the sign-in to", at),
        Outcome::SignedIn(at) => ("Signed in to", at),
    };
    eprintln!(
        "{what} {} (sso-session {}) until {}{}",
        session.start_url,
        session.name,
        clock::rfc3339(expires_at),
        if matches!(outcome, Outcome::StillValid(_)) {
            "; --force signs in again"
        } else {
            ""
        }
    );
    Ok(())
}
