//! The access token of an sso-session as every command but `login` needs it:
//! read from the AWS CLI v2's token cache (xacct's sign-in or the AWS CLI's),
//! refreshed without the person when it is about to expire, and a clear "run
//! `xacct login`" when it cannot be. Refreshes happen under a lock: the
//! service rotates refresh tokens, so two runs refreshing at once would spend
//! the same one and the second would be refused.

use time::OffsetDateTime;

use super::connections::Connections;
use super::sso_oidc::{Oidc, Refresh, Registration, Token};
use super::sso_portal::sign_in_again;
use super::Aws;
use crate::domain::clock;
use crate::domain::error::{Error, Result};
use crate::domain::secret::Secret;
use crate::domain::sso_session::SsoSession;
use crate::store::sso_token::{self, SsoToken};

/// A token with less left than this is refreshed first (as botocore does).
pub const REFRESH_WINDOW: time::Duration = time::Duration::minutes(15);
/// A token that could not be refreshed still serves while it has this left.
const LAST_USE_MARGIN: time::Duration = time::Duration::minutes(1);

/// What [`refresh_locked`] came to.
#[derive(Debug)]
pub enum Refreshed {
    /// A token good for longer than the margin: refreshed now, or by another
    /// run while this one waited for the lock.
    Token(SsoToken),
    /// The service refused the refresh token; with `client_refused`, the registration too.
    Refused { client_refused: bool },
    /// No refresh token, or its registration has expired.
    NotRefreshable,
}

/// A token of `session` valid for a while: the cached one, or refreshed.
pub fn access_token(connections: &Connections, session: &SsoSession) -> Result<Secret> {
    let Some(cached) = sso_token::load_for(session)? else {
        return Err(Error::aws(format!(
            "not signed in to IAM Identity Center (sso-session {}): run `xacct login --sso-session {}`",
            session.name, session.name
        )));
    };
    let now = clock::now();
    if cached.expires_at > now + REFRESH_WINDOW {
        return Ok(cached.access_token);
    }
    let refreshed = connections
        .unsigned(&session.region)
        .and_then(|aws| refresh_locked(&aws, session, REFRESH_WINDOW));
    match refreshed {
        Ok(Refreshed::Token(token)) => Ok(token.access_token),
        other => {
            if cached.expires_at > now + LAST_USE_MARGIN {
                tracing::debug!(outcome = ?other.as_ref().map(|_| ()), "the token could not be refreshed; it still serves");
                return Ok(cached.access_token);
            }
            let why = match other {
                Err(e) => format!(" (refreshing it failed: {e:#})"),
                _ => String::new(),
            };
            Err(Error::aws(format!("{}{why}", sign_in_again(&session.name))))
        }
    }
}

/// Under `session`'s refresh lock: the cached token read again (another run
/// may have just refreshed it), and refreshed with its refresh token unless
/// it is good for longer than `margin`.
pub fn refresh_locked(aws: &Aws, session: &SsoSession, margin: time::Duration) -> Result<Refreshed> {
    let lock_dir = crate::store::cache_dir()?;
    lock_dir.ensure()?;
    let _lock = lock_dir.lock(&format!("sso-refresh-{}", sso_token::file_name(&session.name)))?;
    let Some(cached) = sso_token::load_for(session)? else {
        return Ok(Refreshed::NotRefreshable);
    };
    let now = clock::now();
    if cached.expires_at > now + margin {
        return Ok(Refreshed::Token(cached));
    }
    let (Some(registration), Some(refresh_token)) = (registration_of(&cached, now), &cached.refresh_token) else {
        return Ok(Refreshed::NotRefreshable);
    };
    tracing::debug!(sso_session = %session.name, "refreshing the IAM Identity Center token");
    match aws.block_on(Oidc::new(&aws.config).refresh(&registration, refresh_token))? {
        Refresh::Token(token) => Ok(Refreshed::Token(save(session, &registration, token)?)),
        Refresh::Refused { client_refused } => Ok(Refreshed::Refused { client_refused }),
    }
}

/// The registration cached with a token, while it is valid.
pub fn registration_of(cached: &SsoToken, now: OffsetDateTime) -> Option<Registration> {
    let expires_at = cached.registration_expires_at?;
    if expires_at <= now {
        return None;
    }
    Some(Registration {
        client_id: cached.client_id.clone()?,
        client_secret: cached.client_secret.clone()?,
        expires_at,
    })
}

/// Caches `token` of `session`, got by `registration`, in the AWS CLI's format.
pub fn save(session: &SsoSession, registration: &Registration, token: Token) -> Result<SsoToken> {
    let cached = SsoToken {
        start_url: session.start_url.clone(),
        region: Some(session.region.clone()),
        access_token: token.access_token,
        expires_at: token.expires_at,
        client_id: Some(registration.client_id.clone()),
        client_secret: Some(registration.client_secret.clone()),
        registration_expires_at: Some(registration.expires_at),
        refresh_token: token.refresh_token,
    };
    let dir = sso_token::cache_dir()?;
    let path = sso_token::save(&dir, &crate::store::cache_dir()?, &session.name, &cached)?;
    tracing::debug!(file = %path.display(), "cached the token");
    Ok(cached)
}
