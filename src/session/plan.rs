//! The plan of one role session, worked out without the network (unless an
//! account name has to be looked up): the target, the AssumeRole request,
//! where the credentials to assume it with come from, and its cache key.

use super::target::{self, Target, TargetName};
use crate::app::Context;
use crate::aws::profile_file;
use crate::aws::source::Source;
use crate::domain::duration::format_secs;
use crate::domain::error::{fail, Result};
use crate::domain::session_params::RoleRequest;
use crate::store::config::Options;
use crate::store::credential_cache::{CacheKey, KeyedSession};

/// AWS caps sessions assumed with temporary credentials at one hour.
pub const CHAINED_MAX_DURATION_SECS: u64 = 3600;
/// How deep `assume_from` may nest (the config refuses loops; this is a backstop).
const MAX_CHAIN_DEPTH: usize = 8;

/// Everything needed to get one role session.
#[derive(Debug)]
pub struct SessionPlan {
    pub target: Target,
    pub request: RoleRequest,
    pub key: CacheKey,
    pub source: SourcePlan,
}

#[derive(Debug)]
pub enum SourcePlan {
    /// Credentials the SDK finds (environment, profile, SSO profile ...).
    Sdk(Source),
    /// The IAM Identity Center portal (GetRoleCredentials) of the source's
    /// sso-session: the role is one of the person's permission sets.
    Portal(Source),
    /// An MFA session started from those credentials.
    Mfa { source: Source, serial: String },
    /// Another profile's role session (role chaining).
    Chained(Box<SessionPlan>),
}

impl SessionPlan {
    /// The plan for `target`'s role with `source`; `name` is what the target
    /// was called (it names a chained session's source).
    pub fn new(target: Target, source: SourcePlan, name: &str) -> Result<Self> {
        if matches!(source, SourcePlan::Portal(_)) {
            check_portal_role(&target)?;
        }
        let request = RoleRequest::new(target.role_arn(), target.options.session.clone())?;
        if matches!(source, SourcePlan::Chained(_) | SourcePlan::Mfa { .. }) {
            check_chained_duration(
                request.duration_secs,
                "the source is an MFA session or another role's session",
            )?;
        }
        let (source_name, chained_from, mfa_serial) = match &source {
            SourcePlan::Sdk(source) | SourcePlan::Portal(source) => (source.cache_name(), None, None),
            SourcePlan::Mfa { source, serial } => (source.cache_name(), None, Some(serial.clone())),
            SourcePlan::Chained(parent) => (format!("chain:{name}"), Some(parent.key.id()), None),
        };
        let key = CacheKey {
            source: source_name,
            endpoint: Source::sts_endpoint(),
            mfa_serial,
            chained_from,
            session: KeyedSession::Role(request.clone()),
        };
        Ok(SessionPlan {
            target,
            request,
            key,
            source,
        })
    }

    /// Whether the session is assumed from temporary credentials (an MFA
    /// session, another role's session, temporary keys in the environment, or
    /// a source profile that asks for MFA): role chaining, in AWS's terms.
    pub fn is_chained(&self) -> Result<bool> {
        Ok(match &self.source {
            SourcePlan::Chained(_) | SourcePlan::Mfa { .. } => true,
            SourcePlan::Sdk(source) => source.is_temporary() || profile_file::mfa_serial(source)?.is_some(),
            SourcePlan::Portal(_) => false,
        })
    }

    /// The credential source the session is assumed from, through every
    /// profile it is chained from (see [`Source::cache_name`]).
    pub fn origin(&self) -> String {
        match &self.source {
            SourcePlan::Sdk(source) | SourcePlan::Portal(source) | SourcePlan::Mfa { source, .. } => {
                source.cache_name()
            }
            SourcePlan::Chained(parent) => parent.origin(),
        }
    }
}

pub fn plan(ctx: &Context, args: &TargetName, cli: Options) -> Result<SessionPlan> {
    plan_at_depth(ctx, args, cli, 0)
}

fn plan_at_depth(ctx: &Context, args: &TargetName, cli: Options, depth: usize) -> Result<SessionPlan> {
    if depth > MAX_CHAIN_DEPTH {
        fail!(
            "profile {} chains through more than {MAX_CHAIN_DEPTH} profiles",
            args.account
        );
    }
    // Options that say where credentials come from also apply to the profiles chained from.
    let inherited = Options {
        source_profile: cli.source_profile.clone(),
        mfa_serial: cli.mfa_serial.clone(),
        mfa_process: cli.mfa_process.clone(),
        region: cli.region.clone(),
        sso_session: cli.sso_session.clone(),
        ..Options::default()
    };
    let (target, source) = target::resolve_named(ctx, args, cli)?;
    let source_plan = match (&target.options.assume_from, &target.options.mfa_serial) {
        (Some(parent), _) => {
            let parent_args = TargetName {
                account: parent.clone(),
                role: None,
            };
            SourcePlan::Chained(Box::new(plan_at_depth(ctx, &parent_args, inherited, depth + 1)?))
        }
        // MFA is the sign-in's business: the portal asks for none.
        (None, _) if source.sso_session.is_some() => SourcePlan::Portal(source),
        (None, Some(serial)) => SourcePlan::Mfa {
            source,
            serial: serial.clone(),
        },
        (None, None) => SourcePlan::Sdk(source),
    };
    SessionPlan::new(target, source_plan, &args.account)
}

/// A portal session is a permission set by name; what AssumeRole would be
/// asked for beyond that, the portal cannot give (its session length is the
/// permission set's).
fn check_portal_role(target: &Target) -> Result<()> {
    let role = &target.role;
    if role.arn_parts.is_some() || role.path != "/" {
        fail!(
            "with an IAM Identity Center source, give the permission set's name (such as AdministratorAccess), \
             not a role path or ARN: to assume another role, chain a profile from it with assume_from"
        );
    }
    let session = &target.options.session;
    let unsupported = [
        ("external_id", session.external_id.is_some()),
        ("source_identity", session.source_identity.is_some()),
        ("tags", session.tags.is_some()),
        ("transitive_tags", session.transitive_tags.is_some()),
        ("policy_arns", session.policy_arns.is_some()),
        ("policy", session.policy.is_some()),
    ];
    if let Some((key, _)) = unsupported.iter().find(|(_, set)| *set) {
        fail!(
            "{key} cannot be passed to IAM Identity Center: its sessions are the permission set's; \
             chain a profile with assume_from to assume a role with {key}"
        );
    }
    Ok(())
}

pub fn check_chained_duration(secs: u64, why: &str) -> Result<()> {
    if secs > CHAINED_MAX_DURATION_SECS {
        fail!(
            "a {} session is too long here: {why}, which is role chaining, and AWS caps chained sessions at 1h: \
             pass --duration 1h or less",
            format_secs(secs)
        );
    }
    Ok(())
}
