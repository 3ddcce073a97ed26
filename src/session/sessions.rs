//! Runs plans: the cache layer (lookup, single flight, re-check, save) around
//! a [`Fetcher`]. A session served from the cache makes no connection.

use super::fetcher::{Caller, Fetcher, Issued, Sts};
use super::mfa_code::MfaCodes;
use super::plan::{check_chained_duration, SessionPlan, SourcePlan};
use crate::app::Context;
use crate::aws::source::{self, Source};
use crate::domain::clock;
use crate::domain::duration;
use crate::domain::error::Result;
use crate::domain::validate;
use crate::store::credential_cache::{self as cache, CacheKey, Entry, EntryKind};
use crate::store::fetch_once::FetchOnce;
use crate::store::file::PrivateDir;

/// The cache settings sessions are kept by.
#[derive(Debug, Clone, Copy)]
pub struct CacheRules {
    /// The configured refresh margin (see [`CacheKey::refresh_margin`]).
    pub refresh_margin_secs: u64,
    /// Whether the person set it (then a session it is lowered for is worth a warning).
    pub refresh_margin_configured: bool,
    /// How long an MFA session lasts.
    pub mfa_duration_secs: u64,
}

pub struct Sessions<'a, F: Fetcher = Sts<'a>> {
    cache: &'a PrivateDir,
    rules: CacheRules,
    fetcher: F,
    /// Where MFA codes come from: the command line (once), `mfa_process`, the terminal.
    codes: MfaCodes,
    /// Skip the cache for the outermost session.
    refresh: bool,
}

impl<'a> Sessions<'a> {
    /// Sessions from STS through the run's connections.
    pub fn new(ctx: &'a Context, token_code: Option<String>, refresh: bool) -> Self {
        let rules = CacheRules {
            refresh_margin_secs: ctx.config.refresh_margin_secs,
            refresh_margin_configured: ctx.config.refresh_margin_configured,
            mfa_duration_secs: ctx.config.mfa_duration_secs,
        };
        let sts = Sts {
            connections: &ctx.connections,
            sso_sessions: &ctx.config.sso_sessions,
            found_sessions: Default::default(),
        };
        let mut sessions = Sessions::with_fetcher(&ctx.cache, rules, sts, token_code, refresh);
        sessions.codes = sessions
            .codes
            .with_timeout(std::time::Duration::from_secs(ctx.config.mfa_process_timeout_secs));
        sessions
    }
}

impl<'a, F: Fetcher> Sessions<'a, F> {
    pub fn with_fetcher(
        cache: &'a PrivateDir,
        rules: CacheRules,
        fetcher: F,
        token_code: Option<String>,
        refresh: bool,
    ) -> Self {
        Self {
            cache,
            rules,
            fetcher,
            codes: MfaCodes::new(token_code),
            refresh,
        }
    }

    pub fn obtain(&self, plan: &SessionPlan) -> Result<Entry> {
        self.obtain_inner(plan, self.refresh)
    }

    /// The session again, for a process that hands it out for a long time
    /// (the credential server): from the store while it has more than the
    /// margin left, else fetched again. `--refresh` applied to the first
    /// [`Sessions::obtain`] only.
    pub fn renew(&self, plan: &SessionPlan) -> Result<Entry> {
        self.obtain_inner(plan, false)
    }

    fn obtain_inner(&self, plan: &SessionPlan, refresh: bool) -> Result<Entry> {
        self.cached(&plan.key, "the same session", refresh, || self.fetch_role_session(plan))
    }

    /// The role session of `plan`, from STS.
    fn fetch_role_session(&self, plan: &SessionPlan) -> Result<Entry> {
        tracing::debug!(role = %plan.request.role_arn, "no usable cached session; asking STS");
        let region = plan.target.options.region.as_deref();
        // The default name (the local user's) is looked up only here, on a miss.
        let session_name = plan.request.session_name.resolve(source::default_session_name);
        let assume = |caller| self.fetcher.assume_role(caller, region, &plan.request, &session_name);
        let mfa_process = plan.target.options.mfa_process.as_deref();
        let issued = match &plan.source {
            SourcePlan::Sdk(source) => match self.fetcher.profile_mfa_serial(source)? {
                // The source profile asks for MFA in ~/.aws/config.
                Some(serial) => {
                    check_chained_duration(plan.request.duration_secs, "the source profile uses MFA")?;
                    assume(Caller::Session(
                        &self.mfa_session(source, &serial, region, mfa_process)?.credentials,
                    ))?
                }
                None => {
                    if source.is_temporary() {
                        check_chained_duration(plan.request.duration_secs, "the source credentials are temporary")?;
                    }
                    assume(Caller::Source(source))?
                }
            },
            SourcePlan::Portal(source) => {
                self.fetcher
                    .portal_role(source, plan.target.account_id.as_str(), &plan.target.role.name)?
            }
            SourcePlan::Mfa { source, serial } => assume(Caller::Session(
                &self.mfa_session(source, serial, region, mfa_process)?.credentials,
            ))?,
            SourcePlan::Chained(parent) => assume(Caller::Session(&self.obtain_inner(parent, false)?.credentials))?,
        };
        let kind = EntryKind::role(&plan.request.role_arn).expect("a planned role ARN is valid");
        let mut entry = entry(kind, session_name, &plan.key, issued);
        entry.origin = matches!(plan.source, SourcePlan::Chained(_)).then(|| plan.origin());
        entry.account_name = plan.target.account_name.clone();
        Ok(entry)
    }

    /// The MFA session of `source`, from the cache or started with a code
    /// (one code serves every role until it expires), from `mfa_process` when set.
    fn mfa_session(
        &self,
        source: &Source,
        serial: &str,
        region: Option<&str>,
        mfa_process: Option<&str>,
    ) -> Result<Entry> {
        validate::mfa_serial(serial)?;
        let key = CacheKey::mfa_session(
            source.cache_name(),
            Source::sts_endpoint(),
            serial,
            self.rules.mfa_duration_secs,
        );
        // One prompt for all the processes that need this MFA session now.
        self.cached(&key, "the same MFA session", false, || {
            tracing::debug!(serial, "starting an MFA session");
            let code = self.codes.code(serial, mfa_process)?;
            let issued = self
                .fetcher
                .mfa_session(source, region, serial, &code, self.rules.mfa_duration_secs)?;
            Ok(entry(EntryKind::mfa_session(serial), String::new(), &key, issued))
        })
    }

    /// The entry for `key`: from the store, or fetched by one process at a time and saved.
    fn cached(
        &self,
        key: &CacheKey,
        what: &str,
        refresh: bool,
        fetch: impl FnOnce() -> Result<Entry>,
    ) -> Result<Entry> {
        self.warn_of_a_lowered_margin(key);
        let id = key.id();
        let once = FetchOnce {
            dir: self.cache,
            flight: &id,
            what,
        };
        let lookup = || {
            let found = cache::lookup(self.cache, key, clock::now(), self.rules.refresh_margin_secs)?;
            if let Some(entry) = &found {
                tracing::debug!(
                    arn = entry.kind.arn(),
                    secs_left = entry.credentials.secs_left(clock::now()),
                    "served from the cache"
                );
            }
            Ok(found)
        };
        once.get(refresh, lookup, fetch, |entry| self.save(key, entry))
    }

    /// A configured refresh margin is at most a third of the session (see
    /// [`CacheKey::refresh_margin`]): when that lowers it, the person hears
    /// it once per run, since README promises the margin as configured.
    fn warn_of_a_lowered_margin(&self, key: &CacheKey) {
        static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        let configured = self.rules.refresh_margin_secs;
        let applied = key.refresh_margin(configured);
        if !self.rules.refresh_margin_configured || applied >= configured {
            return;
        }
        if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
            eprintln!(
                "xacct: warning: refresh_margin = {} is more than a third of this {} session: \
                 its credentials are renewed when {} are left (a margin is at most a third of the session)",
                duration::format_secs(configured),
                duration::format_secs(key.duration_secs()),
                duration::format_secs(applied)
            );
        }
    }

    /// Caching is best effort: fresh credentials are handed out even when they
    /// cannot be stored.
    fn save(&self, key: &CacheKey, entry: &Entry) {
        if let Err(e) = cache::store(self.cache, key, entry, clock::now()) {
            eprintln!(
                "xacct: warning: {}",
                crate::domain::text::message(&format!("could not cache the credentials: {e:#}"))
            );
        }
    }
}

/// The entry for what `issued` answered to `key`.
fn entry(kind: EntryKind, session_name: String, key: &CacheKey, issued: Issued) -> Entry {
    Entry {
        kind,
        session_name,
        source: key.source.clone(),
        origin: None,
        account_name: None,
        region: issued.region,
        credentials: issued.credentials,
    }
}
