//! From flags to domain values: the options the source and session flags set, each validated.

use anyhow::Result;

use crate::cli::{SessionArgs, SourceArgs};
use crate::domain::session_params::SessionParams;
use crate::domain::validate;
use crate::store::config::Options;

/// The options the source flags set.
pub fn source_options(args: &SourceArgs) -> Result<Options> {
    Ok(Options {
        source_profile: args.profile.clone(),
        sso_session: args.sso_session.clone(),
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
    let session = SessionParams::from_flags(flag_reader(args)).map_err(anyhow::Error::msg)?;
    let options = Options {
        mfa_serial: args
            .mfa_serial
            .as_deref()
            .map(validate::mfa_serial)
            .transpose()?
            .map(str::to_owned),
        mfa_process: args
            .mfa_process
            .as_deref()
            .map(validate::mfa_process)
            .transpose()?
            .map(str::to_owned),
        session: session.checked()?,
        ..source_options(&args.source)?
    };
    if let Some(code) = &args.token_code {
        validate::token_code(code)?;
    }
    Ok(options)
}

/// The text of the flag whose field is named `key`, once per occurrence: the
/// AssumeRole options read their flags by the name of their config key.
fn flag_reader(args: &SessionArgs) -> impl Fn(&str) -> Vec<String> {
    let fields = serde_json::to_value(args).expect("flags always serialize");
    move |key| match fields.get(key) {
        Some(serde_json::Value::String(text)) => vec![text.clone()],
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every AssumeRole option has a flag, found by its config key.
    #[test]
    fn every_session_option_has_its_flag() {
        let fields = serde_json::to_value(SessionArgs::default()).unwrap();
        for key in SessionParams::KEYS {
            assert!(fields.get(key).is_some(), "no flag field named {key} in SessionArgs");
        }
    }
}
