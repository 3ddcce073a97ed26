//! What the session pipeline asks of AWS, as a trait: the real one calls STS
//! through the run's connections; tests put a fake in its place.

use crate::aws::connections::Connections;
use crate::aws::source::Source;
use crate::aws::{profile_file, sts};
use crate::domain::credentials::Credentials;
use crate::domain::error::Result;
use crate::domain::session_params::RoleRequest;

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
    /// The MFA device the source's AWS profile asks for (`mfa_serial` in
    /// `~/.aws/config`), read only when a session has to be fetched.
    fn profile_mfa_serial(&self, source: &Source) -> Result<Option<String>>;
}

/// The real calls, each through the run's one connection for its caller.
pub struct Sts<'a> {
    pub connections: &'a Connections,
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

    fn profile_mfa_serial(&self, source: &Source) -> Result<Option<String>> {
        (**self).profile_mfa_serial(source)
    }
}
