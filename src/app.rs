//! What every command shares: the config file, the cache directory, how to
//! talk to AWS, and the connections to AWS made during the run.

use std::time::Duration;

use crate::aws::connections::Connections;
use crate::aws::AwsSettings;
use crate::domain::error::Result;
use crate::store::{self, config::Config, file::PrivateDir};

pub struct Context {
    pub config: Config,
    pub cache: PrivateDir,
    /// The config's network settings, for every call to AWS.
    pub aws: AwsSettings,
    /// One per credential source, made when a call first needs it.
    pub connections: Connections,
}

impl Context {
    pub fn load() -> Result<Self> {
        // Values xacct cannot read are errors, never silently replaced by defaults.
        crate::aws::source::check_environment()?;
        crate::domain::clock::check_environment()?;
        let config = Config::load(&store::config_path()?)?;
        let aws = AwsSettings {
            attempt_timeout: Duration::from_secs(config.http_timeout_secs),
        };
        Ok(Self {
            config,
            cache: store::cache_dir()?,
            connections: Connections::new(aws),
            aws,
        })
    }
}
