//! What every command shares: the config file, the cache directory, and the
//! connections to AWS made during the run.

use anyhow::Result;

use crate::aws::connections::Connections;
use crate::store::{self, config::Config, file::PrivateDir};

pub struct Context {
    pub config: Config,
    pub cache: PrivateDir,
    /// One per credential source, made when a call first needs it.
    pub connections: Connections,
}

impl Context {
    pub fn load() -> Result<Self> {
        // Values xacct cannot read are errors, never silently replaced by defaults.
        crate::aws::source::check_environment()?;
        crate::domain::clock::check_environment()?;
        Ok(Self {
            config: Config::load(&store::config_path()?)?,
            cache: store::cache_dir()?,
            connections: Connections::new(),
        })
    }
}
