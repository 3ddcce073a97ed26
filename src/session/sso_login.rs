//! `xacct login`: a token for an IAM Identity Center sso-session, cached where
//! the AWS CLI v2 keeps it. A token still good for a while is kept; one about
//! to expire is refreshed when its refresh token and registration allow;
//! otherwise the OIDC device-authorization flow signs the person in.

use std::time::Duration;

use time::OffsetDateTime;

use crate::aws::sso_access::{self, Refreshed};
use crate::aws::sso_oidc::{self, Oidc, Poll, Registration, Token};
use crate::aws::{Aws, AwsSettings};
use crate::console::browser;
use crate::domain::clock;
use crate::domain::error::{Error, Result};
use crate::domain::sso_session::SsoSession;
use crate::store::sso_token;

/// A cached token valid for longer than this is kept as it is.
const REUSE_MARGIN: time::Duration = time::Duration::minutes(15);
/// A registration is reused for a new sign-in only when valid for longer than this.
const REGISTRATION_MARGIN: time::Duration = time::Duration::hours(1);
/// RFC 8628: after `slow_down`, poll that much less often.
const SLOW_DOWN_STEP_SECS: u64 = 5;
/// The name the client registers as (shown on the approval page).
const CLIENT_NAME: &str = "xacct";

#[derive(Debug, Clone, Copy)]
pub struct LoginOptions {
    /// Sign in again even when the cached token is still good.
    pub force: bool,
    /// Open the verification page in the browser.
    pub browser: bool,
}

/// What `login` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The cached token is good until then.
    StillValid(OffsetDateTime),
    /// Refreshed without the person; good until then.
    Refreshed(OffsetDateTime),
    /// Signed in through the browser; good until then.
    SignedIn(OffsetDateTime),
}

/// Signs in to `session`; `say` shows the person a line (on stderr, never a secret).
pub fn login(
    session: &SsoSession,
    options: LoginOptions,
    settings: &AwsSettings,
    say: &mut dyn FnMut(&str),
) -> Result<Outcome> {
    let cached = sso_token::load_for(session)?;
    let now = clock::now();
    if let Some(cached) = &cached {
        if !options.force && cached.expires_at > now + REUSE_MARGIN {
            return Ok(Outcome::StillValid(cached.expires_at));
        }
    }
    let aws = Aws::connect_unsigned(&session.region, settings)?;
    let oidc = Oidc::new(&aws.config);
    let mut reuse_registration = true;
    if !options.force {
        match sso_access::refresh_locked(&aws, session, REUSE_MARGIN)? {
            Refreshed::Token(token) => return Ok(Outcome::Refreshed(token.expires_at)),
            Refreshed::Refused { client_refused } => {
                reuse_registration = !client_refused;
                say("The cached sign-in can no longer be refreshed: signing in again");
            }
            Refreshed::NotRefreshable => {}
        }
    }
    let reusable = cached
        .as_ref()
        .filter(|_| reuse_registration)
        .and_then(|c| sso_access::registration_of(c, now));
    let registration = match reusable {
        Some(registration) if registration.expires_at > now + REGISTRATION_MARGIN => registration,
        _ => aws.block_on(oidc.register(CLIENT_NAME, &session.scopes))?,
    };
    let token = device_flow(&aws, &oidc, session, &registration, options, say)?;
    let expires_at = token.expires_at;
    sso_access::save(session, &registration, token)?;
    Ok(Outcome::SignedIn(expires_at))
}

fn device_flow(
    aws: &Aws,
    oidc: &Oidc,
    session: &SsoSession,
    registration: &Registration,
    options: LoginOptions,
    say: &mut dyn FnMut(&str),
) -> Result<Token> {
    let device = aws.block_on(oidc.start_device_authorization(registration, &session.start_url))?;
    let url = device
        .verification_uri_complete
        .clone()
        .unwrap_or_else(|| device.verification_uri.clone());
    say(&format!(
        "To sign in to {}, open {} and confirm the code {}",
        session.start_url, device.verification_uri, device.user_code
    ));
    if options.browser {
        match browser::open(&url) {
            Ok(()) => say(&format!("Opened {url} in the browser")),
            Err(e) => {
                tracing::debug!(error = %format!("{e:#}"), "cannot open the browser");
                say("No browser could be opened: open the address above yourself");
            }
        }
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(device.expires_in_secs.max(1));
    poll_until_done(
        device.interval_secs,
        || {
            if std::time::Instant::now() > deadline {
                return Err(Error::aws(sso_oidc::SIGN_IN_EXPIRED));
            }
            aws.block_on(oidc.poll(registration, &device.device_code))
        },
        |secs| std::thread::sleep(Duration::from_secs(secs)),
    )
}

/// Polls every `interval` seconds (waiting before each poll) until a token
/// or an error: `authorization_pending` waits on, `slow_down` adds 5 s to
/// the interval for the rest of the sign-in.
fn poll_until_done(interval: u64, mut poll: impl FnMut() -> Result<Poll>, mut sleep: impl FnMut(u64)) -> Result<Token> {
    let mut interval = interval.max(1);
    loop {
        sleep(interval);
        match poll()? {
            Poll::Token(token) => return Ok(token),
            Poll::Pending => tracing::debug!("authorization pending"),
            Poll::SlowDown => {
                interval += SLOW_DOWN_STEP_SECS;
                tracing::debug!(interval, "asked to slow down");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::secret::Secret;

    #[test]
    fn polls_at_the_interval_and_slows_down_when_asked() {
        let mut answers = vec![Poll::Pending, Poll::SlowDown, Poll::Pending, Poll::SlowDown].into_iter();
        let mut sleeps = Vec::new();
        let token = poll_until_done(
            1,
            || {
                Ok(answers.next().unwrap_or_else(|| {
                    Poll::Token(Token {
                        access_token: Secret::new("t"),
                        expires_at: clock::now(),
                        refresh_token: None,
                    })
                }))
            },
            |secs| sleeps.push(secs),
        )
        .unwrap();
        assert_eq!(token.access_token.expose(), "t");
        assert_eq!(sleeps, vec![1, 1, 6, 6, 11]);
    }

    #[test]
    fn stops_at_the_first_error() {
        let mut polls = 0;
        let err = poll_until_done(
            2,
            || {
                polls += 1;
                if polls < 3 {
                    Ok(Poll::Pending)
                } else {
                    Err(Error::aws("denied"))
                }
            },
            |_| {},
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "denied");
        assert_eq!(polls, 3);
    }
}
