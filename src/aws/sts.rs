//! STS: AssumeRole and GetCallerIdentity.

use anyhow::{anyhow, Result};
use aws_config::SdkConfig;
use aws_sdk_sts::types::{PolicyDescriptorType, Tag};
use time::OffsetDateTime;

use super::error::describe;
use crate::domain::credentials::Credentials;
use crate::domain::secret::Secret;

/// What xacct asks AssumeRole for; every value validated beforehand.
#[derive(Debug, Clone)]
pub struct AssumeRoleRequest {
    pub role_arn: String,
    pub session_name: String,
    pub duration_secs: u64,
    pub external_id: Option<String>,
    pub source_identity: Option<String>,
    pub tags: Vec<(String, String)>,
    pub transitive_tags: Vec<String>,
    pub policy_arns: Vec<String>,
    pub policy: Option<String>,
}

pub async fn assume_role(config: &SdkConfig, request: &AssumeRoleRequest) -> Result<Credentials> {
    let client = aws_sdk_sts::Client::new(config);
    let mut call = client
        .assume_role()
        .role_arn(&request.role_arn)
        .role_session_name(&request.session_name)
        .duration_seconds(request.duration_secs as i32)
        .set_external_id(request.external_id.clone())
        .set_source_identity(request.source_identity.clone())
        .set_policy(request.policy.clone());
    for (key, value) in &request.tags {
        call = call.tags(Tag::builder().key(key).value(value).build()?);
    }
    for key in &request.transitive_tags {
        call = call.transitive_tag_keys(key);
    }
    for arn in &request.policy_arns {
        call = call.policy_arns(PolicyDescriptorType::builder().arn(arn).build());
    }
    let output = call
        .send()
        .await
        .map_err(|e| anyhow!("cannot assume {}: {}", request.role_arn, describe(&e)))?;
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
        .map_err(|e| anyhow!("cannot start an MFA session with {serial}: {}", describe(&e)))?;
    credentials(output.credentials(), "GetSessionToken")
}

fn credentials(creds: Option<&aws_sdk_sts::types::Credentials>, operation: &str) -> Result<Credentials> {
    let creds = creds.ok_or_else(|| anyhow!("{operation} answered without credentials"))?;
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
        .map_err(|e| anyhow!("cannot get the caller identity: {}", describe(&e)))?;
    Ok(CallerIdentity {
        account: output.account().unwrap_or_default().to_owned(),
        arn: output.arn().unwrap_or_default().to_owned(),
        user_id: output.user_id().unwrap_or_default().to_owned(),
    })
}

pub fn to_offset(t: &aws_smithy_types::DateTime) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(t.secs()).map_err(|_| anyhow!("AWS sent an impossible timestamp"))
}
