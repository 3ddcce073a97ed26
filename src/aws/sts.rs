//! STS: AssumeRole and GetCallerIdentity.

use aws_config::SdkConfig;
use aws_sdk_sts::types::{PolicyDescriptorType, Tag};
use time::OffsetDateTime;

use super::error::describe;
use crate::domain::credentials::Credentials;
use crate::domain::error::{Error, Result};
use crate::domain::secret::Secret;
use crate::domain::session_params::RoleRequest;

pub async fn assume_role(config: &SdkConfig, request: &RoleRequest, session_name: &str) -> Result<Credentials> {
    let client = aws_sdk_sts::Client::new(config);
    let options = &request.options;
    let mut call = client
        .assume_role()
        .role_arn(&request.role_arn)
        .role_session_name(session_name)
        .duration_seconds(request.duration_secs as i32)
        .set_external_id(options.external_id.clone())
        .set_source_identity(options.source_identity.clone())
        .set_policy(request.policy.clone());
    for (key, value) in options.tags.iter().flatten() {
        call = call.tags(
            Tag::builder()
                .key(key)
                .value(value)
                .build()
                .map_err(|e| Error::msg(e.to_string()))?,
        );
    }
    for key in options.transitive_tags.iter().flatten() {
        call = call.transitive_tag_keys(key);
    }
    for arn in options.policy_arns.iter().flatten() {
        call = call.policy_arns(PolicyDescriptorType::builder().arn(arn).build());
    }
    let output = call
        .send()
        .await
        .map_err(|e| Error::aws(format!("cannot assume {}: {}", request.role_arn, describe(&e))))?;
    credentials(output.credentials(), "AssumeRole")
}

/// An MFA session: temporary credentials of the source identity itself, from
/// which roles are then assumed without asking for another code.
pub async fn session_token(config: &SdkConfig, serial: &str, code: &str, duration_secs: u64) -> Result<Credentials> {
    let client = aws_sdk_sts::Client::new(config);
    let output = client
        .get_session_token()
        .serial_number(serial)
        .token_code(code)
        .duration_seconds(duration_secs as i32)
        .send()
        .await
        .map_err(|e| Error::aws(format!("cannot start an MFA session with {serial}: {}", describe(&e))))?;
    credentials(output.credentials(), "GetSessionToken")
}

fn credentials(creds: Option<&aws_sdk_sts::types::Credentials>, operation: &str) -> Result<Credentials> {
    let creds = creds.ok_or_else(|| Error::aws(format!("{operation} answered without credentials")))?;
    Ok(Credentials {
        access_key_id: creds.access_key_id().to_owned(),
        secret_access_key: Secret::new(creds.secret_access_key()),
        session_token: Secret::new(creds.session_token()),
        expiration: to_offset(creds.expiration())?,
    })
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

pub async fn caller_identity(config: &SdkConfig) -> Result<CallerIdentity> {
    let client = aws_sdk_sts::Client::new(config);
    let output = client
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| Error::aws(format!("cannot get the caller identity: {}", describe(&e))))?;
    Ok(CallerIdentity {
        account: output.account().unwrap_or_default().to_owned(),
        arn: output.arn().unwrap_or_default().to_owned(),
        user_id: output.user_id().unwrap_or_default().to_owned(),
    })
}

pub fn to_offset(t: &aws_smithy_types::DateTime) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(t.secs()).map_err(|_| Error::aws("AWS sent an impossible timestamp"))
}
