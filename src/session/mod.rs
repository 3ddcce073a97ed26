//! Getting a role session: from the cache, or from STS, acting directly with
//! the source credentials, through an MFA session, or chained from another
//! profile's role session.

pub mod target;

use std::collections::BTreeMap;

use anyhow::{bail, Result};

use crate::app::Context;
use crate::aws::source::{self, Source};
use crate::aws::sts::{self, AssumeRoleRequest};
use crate::aws::{profile_file, Aws};
use crate::domain::clock;
use crate::domain::duration::format_secs;
use crate::domain::validate;
use crate::store::config::Options;
use crate::store::credentials::{self as cache, CacheKey, Entry};
use crate::store::flight;
use crate::ui::prompt;
use target::{Target, TargetName};

/// AWS caps sessions assumed with temporary credentials at one hour.
pub const CHAINED_MAX_DURATION_SECS: u64 = 3600;
/// How deep `assume_from` may nest (the config refuses loops; this is a backstop).
const MAX_CHAIN_DEPTH: usize = 8;

/// Everything needed to get one role session, worked out without the network
/// (unless an account name has to be looked up).
#[derive(Debug)]
pub struct SessionPlan {
    pub target: Target,
    pub request: AssumeRoleRequest,
    pub key: CacheKey,
    pub source: SourcePlan,
}

#[derive(Debug)]
pub enum SourcePlan {
    /// Credentials the SDK finds (environment, profile, SSO ...).
    Sdk(Source),
    /// An MFA session started from those credentials.
    Mfa { source: Source, serial: String },
    /// Another profile's role session (role chaining).
    Chained(Box<SessionPlan>),
}

impl SessionPlan {
    /// Whether the session is assumed from temporary credentials (an MFA
    /// session, another role's session, temporary keys in the environment, or
    /// a source profile that asks for MFA): role chaining, in AWS's terms.
    pub fn is_chained(&self) -> Result<bool> {
        Ok(match &self.source {
            SourcePlan::Chained(_) | SourcePlan::Mfa { .. } => true,
            SourcePlan::Sdk(source) => source.is_temporary() || profile_file::mfa_serial(source)?.is_some(),
        })
    }

    /// The credential source the session is assumed from, through every
    /// profile it is chained from (see [`Source::cache_name`]).
    pub fn origin(&self) -> String {
        match &self.source {
            SourcePlan::Sdk(source) | SourcePlan::Mfa { source, .. } => source.cache_name(),
            SourcePlan::Chained(parent) => parent.origin(),
        }
    }
}

pub fn plan(ctx: &Context, args: &TargetName, cli: Options) -> Result<SessionPlan> {
    plan_at_depth(ctx, args, cli, 0)
}

fn plan_at_depth(ctx: &Context, args: &TargetName, cli: Options, depth: usize) -> Result<SessionPlan> {
    if depth > MAX_CHAIN_DEPTH {
        bail!(
            "profile {} chains through more than {MAX_CHAIN_DEPTH} profiles",
            args.account
        );
    }
    // Options that say where credentials come from also apply to the profiles chained from.
    let inherited = Options {
        source_profile: cli.source_profile.clone(),
        mfa_serial: cli.mfa_serial.clone(),
        region: cli.region.clone(),
        ..Options::default()
    };
    let (target, source) = target::resolve_named(ctx, args, cli)?;
    let o = &target.options;
    let request = AssumeRoleRequest {
        role_arn: target.role_arn(),
        session_name: o.session_name.clone().unwrap_or_else(source::default_session_name),
        duration_secs: o.duration_secs.unwrap_or(validate::DEFAULT_DURATION_SECS),
        external_id: o.external_id.clone(),
        source_identity: o.source_identity.clone(),
        tags: o.tags.clone().unwrap_or_default(),
        transitive_tags: o.transitive_tags.clone().unwrap_or_default(),
        policy_arns: o.policy_arns.clone().unwrap_or_default(),
        // A policy file is read only now, when a session needs it.
        policy: o.policy.as_ref().map(|p| p.text()).transpose()?,
    };
    let source_plan = match (&o.assume_from, &o.mfa_serial) {
        (Some(parent), _) => {
            let parent_args = TargetName {
                account: parent.clone(),
                role: None,
            };
            SourcePlan::Chained(Box::new(plan_at_depth(ctx, &parent_args, inherited, depth + 1)?))
        }
        (None, Some(serial)) => SourcePlan::Mfa {
            source,
            serial: serial.clone(),
        },
        (None, None) => SourcePlan::Sdk(source),
    };
    let (source_name, chained_from, mfa_serial) = match &source_plan {
        SourcePlan::Sdk(source) => (source.cache_name(), None, None),
        SourcePlan::Mfa { source, serial } => (source.cache_name(), None, Some(serial.clone())),
        SourcePlan::Chained(parent) => (format!("chain:{}", args.account), Some(parent.key.id()), None),
    };
    if matches!(source_plan, SourcePlan::Chained(_) | SourcePlan::Mfa { .. }) {
        check_chained_duration(
            request.duration_secs,
            "the source is an MFA session or another role's session",
        )?;
    }
    let key = CacheKey {
        source: source_name,
        endpoint: Source::sts_endpoint(),
        role_arn: request.role_arn.clone(),
        session_name: request.session_name.clone(),
        duration_secs: request.duration_secs,
        mfa_serial,
        chained_from,
        external_id: request.external_id.clone(),
        source_identity: request.source_identity.clone(),
        tags: request.tags.clone(),
        transitive_tags: request.transitive_tags.clone(),
        policy_arns: request.policy_arns.clone(),
        policy: request.policy.clone(),
        mfa_session: false,
    };
    Ok(SessionPlan {
        target,
        request,
        key,
        source: source_plan,
    })
}

fn check_chained_duration(secs: u64, why: &str) -> Result<()> {
    if secs > CHAINED_MAX_DURATION_SECS {
        bail!(
            "a {} session is too long here: {why}, which is role chaining, and AWS caps chained sessions at 1h: \
             pass --duration 1h or less",
            format_secs(secs)
        );
    }
    Ok(())
}

/// Runs plans: the cache first, then STS.
pub struct Sessions<'a> {
    pub ctx: &'a Context,
    /// A code given on the command line; otherwise one is asked for on the terminal.
    pub token_code: Option<String>,
    /// Skip the cache for the outermost session.
    pub refresh: bool,
    /// The cache as read once up front, for runs over many accounts: one
    /// read instead of one per account. Misses still go to the store.
    preloaded: Option<BTreeMap<String, Entry>>,
}

impl<'a> Sessions<'a> {
    pub fn new(ctx: &'a Context, token_code: Option<String>, refresh: bool) -> Self {
        Self {
            ctx,
            token_code,
            refresh,
            preloaded: None,
        }
    }

    /// Reads the whole credential cache now and serves hits from that copy.
    pub fn preload(mut self) -> Self {
        self.preloaded = cache::all(&self.ctx.cache).ok().map(|all| all.into_iter().collect());
        self
    }

    pub fn obtain(&self, plan: &SessionPlan) -> Result<Entry> {
        self.obtain_inner(plan, self.refresh)
    }

    fn obtain_inner(&self, plan: &SessionPlan, refresh: bool) -> Result<Entry> {
        let margin = self.ctx.config.refresh_margin_secs;
        if !refresh {
            let preloaded = self.preloaded.as_ref().and_then(|all| all.get(&plan.key.id()));
            if let Some(entry) = preloaded.filter(|e| cache::is_fresh(e, &plan.key, clock::now(), margin)) {
                return Ok(entry.clone());
            }
            if let Some(entry) = cache::lookup(&self.ctx.cache, &plan.key, clock::now(), margin)? {
                return Ok(entry);
            }
        }
        // One process fetches; others missing at the same moment wait and then
        // find its answer in the cache.
        let _flight = flight::single_flight(&self.ctx.cache, &plan.key.id(), "the same session", flight::FLIGHT_WAIT);
        if !refresh {
            if let Some(entry) = cache::lookup(&self.ctx.cache, &plan.key, clock::now(), margin)? {
                return Ok(entry);
            }
        }
        tracing::debug!(role = %plan.request.role_arn, "no usable cached session; asking STS");
        let region = plan.target.options.region.as_deref();
        let aws = match &plan.source {
            SourcePlan::Sdk(source) => match profile_file::mfa_serial(source)? {
                // The source profile asks for MFA in ~/.aws/config.
                Some(serial) => {
                    check_chained_duration(plan.request.duration_secs, "the source profile uses MFA")?;
                    self.mfa_session(source, &serial, region)?
                }
                None => {
                    if source.is_temporary() {
                        check_chained_duration(plan.request.duration_secs, "the source credentials are temporary")?;
                    }
                    Aws::connect(source.profile.as_deref(), region, &self.ctx.aws)?
                }
            },
            SourcePlan::Mfa { source, serial } => self.mfa_session(source, serial, region)?,
            SourcePlan::Chained(parent) => {
                Aws::connect_as(&self.obtain_inner(parent, false)?.credentials, region, &self.ctx.aws)?
            }
        };
        let credentials = aws.block_on(sts::assume_role(&aws.config, &plan.request))?;
        let entry = Entry {
            role_arn: plan.request.role_arn.clone(),
            mfa_session: false,
            session_name: plan.request.session_name.clone(),
            source: plan.key.source.clone(),
            origin: matches!(plan.source, SourcePlan::Chained(_)).then(|| plan.origin()),
            region: aws.region.clone(),
            credentials,
        };
        self.save(&plan.key, &entry);
        Ok(entry)
    }

    /// A connection acting as the MFA session of `source`, from the cache or
    /// started with a code (one code serves every role until it expires).
    fn mfa_session(&self, source: &Source, serial: &str, region: Option<&str>) -> Result<Aws> {
        validate::mfa_serial(serial)?;
        let key = CacheKey {
            source: source.cache_name(),
            endpoint: Source::sts_endpoint(),
            role_arn: serial.to_owned(),
            duration_secs: self.ctx.config.mfa_duration_secs,
            mfa_session: true,
            ..CacheKey::default()
        };
        let margin = self.ctx.config.refresh_margin_secs;
        if let Some(entry) = cache::lookup(&self.ctx.cache, &key, clock::now(), margin)? {
            return Aws::connect_as(&entry.credentials, region, &self.ctx.aws);
        }
        // One prompt for all the processes that need this MFA session now.
        let _flight = flight::single_flight(&self.ctx.cache, &key.id(), "the same MFA session", flight::FLIGHT_WAIT);
        if let Some(entry) = cache::lookup(&self.ctx.cache, &key, clock::now(), margin)? {
            return Aws::connect_as(&entry.credentials, region, &self.ctx.aws);
        }
        tracing::debug!(serial, "starting an MFA session");
        let code = match &self.token_code {
            Some(code) => code.clone(),
            None => prompt::token_code(serial)?,
        };
        let base = Aws::connect(source.profile.as_deref(), region, &self.ctx.aws)?;
        let credentials = base.block_on(sts::session_token(&base.config, serial, &code, key.duration_secs))?;
        let entry = Entry {
            role_arn: serial.to_owned(),
            mfa_session: true,
            session_name: String::new(),
            source: key.source.clone(),
            origin: None,
            region: base.region.clone(),
            credentials,
        };
        self.save(&key, &entry);
        Aws::connect_as(&entry.credentials, region, &self.ctx.aws)
    }

    /// Caching is best effort: fresh credentials are handed out even when they
    /// cannot be stored.
    fn save(&self, key: &CacheKey, entry: &Entry) {
        if let Err(e) = cache::store(&self.ctx.cache, key, entry, clock::now()) {
            eprintln!(
                "xacct: warning: {}",
                crate::domain::text::message(&format!("could not cache the credentials: {e:#}"))
            );
        }
    }
}

/// An explicit region wins; then the environment; then what the SDK resolved
/// when the credentials were fetched.
pub fn output_region(target: &Target, entry: &Entry) -> Option<String> {
    target
        .options
        .region
        .clone()
        .or_else(env_region)
        .or_else(|| entry.region.clone())
}

/// AWS_REGION, else AWS_DEFAULT_REGION, when it is a valid region code.
pub fn env_region() -> Option<String> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .find_map(|v| std::env::var(v).ok().filter(|r| validate::region(r).is_ok()))
}
