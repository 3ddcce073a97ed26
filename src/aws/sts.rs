//! STS: AssumeRole and GetCallerIdentity.

use anyhow::{anyhow, Result};
use aws_config::SdkConfig;
use time::OffsetDateTime;

use super::error::describe;
use crate::credentials::Credentials;
use crate::secret::Secret;

/// What xacct asks AssumeRole for; every value validated beforehand.
#[derive(Debug, Clone)]
pub struct AssumeRoleRequest {
    pub role_arn: String,
    pub session_name: String,
    pub duration_secs: u64,
}

pub async fn assume_role(config: &SdkConfig, request: &AssumeRoleRequest) -> Result<Credentials> {
    let client = aws_sdk_sts::Client::new(config);
    let output = client
        .assume_role()
        .role_arn(&request.role_arn)
        .role_session_name(&request.session_name)
        .duration_seconds(request.duration_secs as i32)
        .send()
        .await
        .map_err(|e| anyhow!("cannot assume {}: {}", request.role_arn, describe(&e)))?;
    let creds = output
        .credentials()
        .ok_or_else(|| anyhow!("AssumeRole answered without credentials"))?;
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
    OffsetDateTime::from_unix_timestamp(t.secs())
        .map_err(|_| anyhow!("AWS sent an impossible timestamp"))
}
