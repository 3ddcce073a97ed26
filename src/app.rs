//! What every command shares: the config, the cache directory, and the way
//! an account argument becomes a target.

use anyhow::{anyhow, Result};

use crate::account::Account;
use crate::aws::{org, Aws};
use crate::cli::{SessionArgs, SourceArgs, TargetArgs};
use crate::clock;
use crate::directory::Directory;
use crate::duration;
use crate::policy;
use crate::source::Source;
use crate::store::{self, accounts::AccountList, config::Config, config::Options, file::PrivateDir};
use crate::target::{self, Target};
use crate::validate;

pub struct Context {
    pub config: Config,
    pub cache: PrivateDir,
}

impl Context {
    pub fn load() -> Result<Self> {
        // Values xacct cannot read are errors, never silently replaced by defaults.
        crate::source::check_environment()?;
        clock::check_environment()?;
        Ok(Self {
            config: Config::load(&store::config_path()?)?,
            cache: store::cache_dir()?,
        })
    }

    pub fn directory(&self, source: &Source) -> Directory<'_> {
        Directory {
            cache: &self.cache,
            source: source.clone(),
            ttl_secs: self.config.accounts_ttl_secs,
            now: clock::now(),
        }
    }

    /// The organization's accounts carrying `detail`, as the source flags
    /// (over the config's defaults) see them: cached while fresh, else fetched.
    pub fn account_list(&self, source: &SourceArgs, refresh: bool, detail: org::Detail) -> Result<AccountList> {
        let options = source_options(source)?.or(&self.config.defaults);
        let source = Source {
            profile: options.source_profile.clone(),
        };
        self.directory(&source).list(refresh, detail, |fetch_as, detail| {
            fetch_accounts(fetch_as, options.region.as_deref(), detail)
        })
    }

    /// The account and role `args` name, with the options that apply, and the
    /// source of credentials to act with.
    pub fn resolve_target(&self, args: &TargetArgs, cli: Options) -> Result<(Target, Source)> {
        let (account_text, options) = target::options_for(args, cli, &self.config)?;
        let source = Source {
            profile: options.source_profile.clone(),
        };
        let region = options.region.clone();
        let directory = self.directory(&source);
        let target = target::resolve(&account_text, options, &self.config, &directory, |fetch_as, detail| {
            fetch_accounts(fetch_as, region.as_deref(), detail)
        })?;
        Ok((target, source))
    }
}

/// The options the source flags set.
pub fn source_options(args: &SourceArgs) -> Result<Options> {
    Ok(Options {
        source_profile: args.profile.clone(),
        region: args
            .region
            .as_deref()
            .map(validate::region)
            .transpose()?
            .map(str::to_owned),
        ..Options::default()
    })
}

/// The options the session flags set, each validated.
pub fn session_options(args: &SessionArgs) -> Result<Options> {
    let checked = |value: &Option<String>, check: fn(&str) -> Result<&str, validate::Invalid>| {
        value.as_deref().map(check).transpose().map(|v| v.map(str::to_owned))
    };
    let tags = args
        .tags
        .iter()
        .map(|t| match t.split_once('=') {
            Some((key, value)) => Ok((key.to_owned(), value.to_owned())),
            None => Err(anyhow!("invalid --tag {}: write KEY=VALUE", validate::shown(t))),
        })
        .collect::<Result<Vec<_>>>()?;
    let options = Options {
        session_name: checked(&args.session_name, validate::session_name)?,
        duration_secs: match &args.duration {
            Some(text) => Some(validate::duration_secs(
                duration::parse_secs(text).map_err(anyhow::Error::msg)?,
            )?),
            None => None,
        },
        mfa_serial: checked(&args.mfa_serial, validate::mfa_serial)?,
        external_id: checked(&args.external_id, validate::external_id)?,
        source_identity: checked(&args.source_identity, validate::source_identity)?,
        tags: (!tags.is_empty()).then_some(tags),
        transitive_tags: (!args.transitive_tags.is_empty()).then(|| args.transitive_tags.clone()),
        policy_arns: (!args.policy_arns.is_empty()).then(|| args.policy_arns.clone()),
        policy: args
            .policy
            .as_deref()
            .map(|p| policy::load(p, std::path::Path::new(".")).map(policy::Policy::Text))
            .transpose()
            .map_err(anyhow::Error::msg)?,
        ..source_options(&args.source)?
    };
    if let Some(code) = &args.token_code {
        validate::token_code(code)?;
    }
    Ok(options.checked_session_options()?)
}

/// The organization's accounts with `detail`, fetched with `source`'s credentials.
pub fn fetch_accounts(source: &Source, region: Option<&str>, detail: org::Detail) -> Result<Vec<Account>> {
    let aws = Aws::connect(source.profile.as_deref(), region)?;
    aws.block_on(org::accounts(&aws.config, detail))
}
