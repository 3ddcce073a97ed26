//! The only code that talks to AWS. Everything here runs on a small runtime
//! that exists only when a command needs the network; [`connections`] keeps
//! one connection per credential source for a whole run.

pub mod connections;
pub mod error;
pub mod federation;
mod http;
pub mod org;
pub mod profile_file;
pub mod source;
pub mod sso_access;
pub mod sso_oidc;
pub mod sso_portal;
pub mod sts;
pub mod throttle;

use std::future::Future;
use std::time::Duration;

use crate::domain::error::{Error, ErrorContext as _, Result};
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};

/// STS has a global endpoint in us-east-1; it serves when no region is known.
const FALLBACK_REGION: &str = "us-east-1";

/// Two workers drive the network; the threads of a fan-out that share a
/// connection each wait on their own call (`block_on`) at the same time.
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// How xacct talks to AWS, from the config; every connection and the
/// federation call are given it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsSettings {
    /// How long one HTTP attempt may take (config `http_timeout`).
    pub attempt_timeout: Duration,
}

/// Standard retries (3 attempts, exponential backoff with jitter; throttling
/// and 5xx answers are retried) and bounded attempts.
fn loader(region: Option<&str>, settings: &AwsSettings) -> aws_config::ConfigLoader {
    let attempt = settings.attempt_timeout;
    let loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http::client())
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(attempt.min(Duration::from_secs(5)))
                .operation_attempt_timeout(attempt)
                .build(),
        );
    match region {
        Some(region) => loader.region(Region::new(region.to_owned())),
        None => loader,
    }
}

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
    pub fn connect(profile: Option<&str>, region: Option<&str>, settings: &AwsSettings) -> Result<Self> {
        let runtime = runtime()?;
        let mut loader = loader(region, settings);
        if let Some(profile) = profile {
            loader = loader.profile_name(profile).credentials_provider(
                ProfileFileCredentialsProvider::builder()
                    // Its own STS and SSO calls go through the same client.
                    .configure(&ProviderConfig::default().with_http_client(http::client()))
                    .profile_name(profile)
                    .build(),
            );
        }
        let config = runtime.block_on(loader.load());
        // Resolve the source credentials once, up front, so that a missing or
        // broken source is reported as such rather than as a failed request,
        // and a credential_process or SSO profile is consulted only once.
        let provider = config
            .credentials_provider()
            .ok_or_else(|| Error::aws("no credentials provider is configured"))?;
        let credentials = runtime
            .block_on(provider.provide_credentials())
            .map_err(|e| Error::aws(error::credentials(&e, profile)))?;
        Ok(Self::finish(runtime, config, credentials))
    }

    /// Like [`Aws::connect`], acting with temporary credentials xacct already
    /// holds (an MFA session, or a role session to chain from).
    pub fn connect_as(
        credentials: &crate::domain::credentials::Credentials,
        region: Option<&str>,
        settings: &AwsSettings,
    ) -> Result<Self> {
        let runtime = runtime()?;
        let config = runtime.block_on(loader(region, settings).load());
        let expiry = std::time::UNIX_EPOCH + Duration::from_secs(credentials.expiration.unix_timestamp().max(0) as u64);
        let credentials = aws_credential_types::Credentials::new(
            &credentials.access_key_id,
            credentials.secret_access_key.expose(),
            Some(credentials.session_token.expose().to_owned()),
            Some(expiry),
            "xacct",
        );
        Ok(Self::finish(runtime, config, credentials))
    }

    /// For calls that need no credentials (IAM Identity Center's OIDC API is
    /// unsigned), in `region`; the endpoint overrides apply as in [`Aws::connect`]
    /// (`AWS_ENDPOINT_URL_SSO_OIDC` ...).
    pub fn connect_unsigned(region: &str, settings: &AwsSettings) -> Result<Self> {
        let runtime = runtime()?;
        let config = runtime.block_on(loader(Some(region), settings).no_credentials().load());
        Ok(Self {
            runtime,
            config,
            region: Some(region.to_owned()),
        })
    }

    fn finish(
        runtime: tokio::runtime::Runtime,
        config: SdkConfig,
        credentials: aws_credential_types::Credentials,
    ) -> Self {
        let region = config.region().map(|r| r.to_string());
        let mut builder = config
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(credentials));
        if region.is_none() {
            builder = builder.region(Region::from_static(FALLBACK_REGION));
        }
        Self {
            runtime,
            config: builder.build(),
            region,
        }
    }

    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}
