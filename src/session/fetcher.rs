//! What the session pipeline asks of AWS, as a trait: the real one calls STS
//! through the run's connections; tests put a fake in its place.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use crate::aws::connections::Connections;
use crate::aws::source::Source;
use crate::aws::{profile_file, sso_portal, sts};
use crate::domain::credentials::Credentials;
use crate::domain::error::{Error, Result};
use crate::domain::session_params::RoleRequest;
use crate::domain::sso_session::SsoSession;

/// Whom a call acts as.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    /// The source credentials (a profile, or what the SDK finds).
    Source(&'a Source),
    /// Temporary credentials xacct holds: an MFA session, or the role session
    /// a profile is chained from.
    Session(&'a Credentials),
}

/// Credentials STS handed out, and the region the call was made in (before
/// any fallback), which the session then reports.
#[derive(Debug, Clone)]
pub struct Issued {
    pub credentials: Credentials,
    pub region: Option<String>,
}

/// The calls that make sessions. Shared by the threads of a fan-out.
pub trait Fetcher: Sync {
    /// AssumeRole, naming the session `session_name` (the request's, resolved).
    fn assume_role(
        &self,
        caller: Caller,
        region: Option<&str>,
        request: &RoleRequest,
        session_name: &str,
    ) -> Result<Issued>;
    /// GetSessionToken with an MFA code: an MFA session of `source`.
    fn mfa_session(
        &self,
        source: &Source,
        region: Option<&str>,
        serial: &str,
        code: &str,
        duration_secs: u64,
    ) -> Result<Issued>;
    /// GetRoleCredentials of the permission set `role_name` in `account_id`,
    /// as the sign-in of `source`'s sso-session.
    fn portal_role(&self, source: &Source, account_id: &str, role_name: &str) -> Result<Issued>;
    /// The MFA device the source's AWS profile asks for (`mfa_serial` in
    /// `~/.aws/config`), read only when a session has to be fetched.
    fn profile_mfa_serial(&self, source: &Source) -> Result<Option<String>>;
}

/// The real calls, each through the run's one connection for its caller.
pub struct Sts<'a> {
    pub connections: &'a Connections,
    /// xacct's own `[sso_sessions.NAME]`.
    pub sso_sessions: &'a BTreeMap<String, SsoSession>,
    /// The sso-sessions looked up so far: a fan-out reads `~/.aws/config` once.
    pub found_sessions: Mutex<HashMap<String, SsoSession>>,
}

impl Sts<'_> {
    fn sso_session(&self, source: &Source) -> Result<SsoSession> {
        let name = source
            .sso_session
            .as_deref()
            .ok_or_else(|| Error::msg("the source has no sso-session"))?;
        if let Some(found) = self.found_sessions.lock().unwrap().get(name) {
            return Ok(found.clone());
        }
        let session = profile_file::sso_session(Some(name), self.sso_sessions)?;
        self.found_sessions
            .lock()
            .unwrap()
            .insert(name.to_owned(), session.clone());
        Ok(session)
    }
}

impl Fetcher for Sts<'_> {
    fn assume_role(
        &self,
        caller: Caller,
        region: Option<&str>,
        request: &RoleRequest,
        session_name: &str,
    ) -> Result<Issued> {
        let aws = match caller {
            Caller::Source(source) => self.connections.source(source.profile.as_deref(), region)?,
            Caller::Session(credentials) => self.connections.session(credentials, region)?,
        };
        let credentials = aws.block_on(sts::assume_role(&aws.config, request, session_name))?;
        Ok(Issued {
            credentials,
            region: aws.region.clone(),
        })
    }

    fn mfa_session(
        &self,
        source: &Source,
        region: Option<&str>,
        serial: &str,
        code: &str,
        duration_secs: u64,
    ) -> Result<Issued> {
        let aws = self.connections.source(source.profile.as_deref(), region)?;
        let credentials = aws.block_on(sts::session_token(&aws.config, serial, code, duration_secs))?;
        Ok(Issued {
            credentials,
            region: aws.region.clone(),
        })
    }

    fn portal_role(&self, source: &Source, account_id: &str, role_name: &str) -> Result<Issued> {
        let session = self.sso_session(source)?;
        Ok(Issued {
            credentials: sso_portal::role_credentials(self.connections, &session, account_id, role_name)?,
            // The sign-in's region is Identity Center's, not necessarily the one to work in.
            region: None,
        })
    }

    fn profile_mfa_serial(&self, source: &Source) -> Result<Option<String>> {
        profile_file::mfa_serial(source)
    }
}

/// A shared fetcher is a fetcher (tests keep theirs to count its calls).
impl<T: Fetcher + ?Sized> Fetcher for &T {
    fn assume_role(
        &self,
        caller: Caller,
        region: Option<&str>,
        request: &RoleRequest,
        session_name: &str,
    ) -> Result<Issued> {
        (**self).assume_role(caller, region, request, session_name)
    }

    fn mfa_session(
        &self,
        source: &Source,
        region: Option<&str>,
        serial: &str,
        code: &str,
        duration_secs: u64,
    ) -> Result<Issued> {
        (**self).mfa_session(source, region, serial, code, duration_secs)
    }

    fn portal_role(&self, source: &Source, account_id: &str, role_name: &str) -> Result<Issued> {
        (**self).portal_role(source, account_id, role_name)
    }

    fn profile_mfa_serial(&self, source: &Source) -> Result<Option<String>> {
        (**self).profile_mfa_serial(source)
    }
}
