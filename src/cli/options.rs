//! From flags to domain values: the options the source and session flags set, each validated.

use anyhow::{anyhow, Result};

use crate::cli::{SessionArgs, SourceArgs};
use crate::domain::{duration, policy, validate};
use crate::store::config::Options;

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
            Some(text) => Some(validate::duration_secs(duration::parse_secs(text)?)?),
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
            .transpose()?,
        ..source_options(&args.source)?
    };
    if let Some(code) = &args.token_code {
        validate::token_code(code)?;
    }
    Ok(options.checked_session_options()?)
}
