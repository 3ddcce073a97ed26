//! The only code that talks to AWS. Everything here runs on a small
//! single-threaded runtime that exists only when a command needs the network.

pub mod error;
pub mod org;
pub mod sts;

use std::future::Future;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};

/// STS has a global endpoint in us-east-1; it serves when no region is known.
const FALLBACK_REGION: &str = "us-east-1";

/// Loaded AWS configuration plus the runtime to make calls on.
pub struct Aws {
    runtime: tokio::runtime::Runtime,
    pub config: SdkConfig,
    /// The region from the flags or the AWS configuration, before any fallback.
    pub region: Option<String>,
}

impl Aws {
    /// Resolves credentials and region the way every AWS tool does: the
    /// environment, `~/.aws/config` (SSO, credential_process ...) and the
    /// endpoint overrides (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_STS` ...).
    /// An explicit `profile` takes precedence over credentials in the environment.
    pub fn connect(profile: Option<&str>, region: Option<&str>) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::standard().with_max_attempts(3))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(Duration::from_secs(30))
                    .build(),
            );
        if let Some(profile) = profile {
            loader = loader.profile_name(profile).credentials_provider(
                ProfileFileCredentialsProvider::builder()
                    .profile_name(profile)
                    .build(),
            );
        }
        if let Some(region) = region {
            loader = loader.region(Region::new(region.to_owned()));
        }
        let config = runtime.block_on(loader.load());
        let region = config.region().map(|r| r.to_string());
        // Resolve the source credentials once, up front, so that a missing or
        // broken source is reported as such rather than as a failed request,
        // and a credential_process or SSO profile is consulted only once.
        let provider = config
            .credentials_provider()
            .ok_or_else(|| anyhow!("no credentials provider is configured"))?;
        let credentials = runtime
            .block_on(provider.provide_credentials())
            .map_err(|e| anyhow!(error::credentials(&e, profile)))?;
        let mut builder = config
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(credentials));
        if region.is_none() {
            builder = builder.region(Region::from_static(FALLBACK_REGION));
        }
        Ok(Self {
            runtime,
            config: builder.build(),
            region,
        })
    }

    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}
