//! What every command shares: the config file and the cache directory.

use anyhow::Result;

use crate::store::{self, config::Config, file::PrivateDir};

pub struct Context {
    pub config: Config,
    pub cache: PrivateDir,
}

impl Context {
    pub fn load() -> Result<Self> {
        // Values xacct cannot read are errors, never silently replaced by defaults.
        crate::aws::source::check_environment()?;
        crate::domain::clock::check_environment()?;
        Ok(Self {
            config: Config::load(&store::config_path()?)?,
            cache: store::cache_dir()?,
        })
    }
}
