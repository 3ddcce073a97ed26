//! The one way a cached value is got: from the cache while it has a usable
//! one; otherwise one process (or thread) fetches it while the others that
//! miss at the same moment wait, then find its answer in the cache.

use crate::domain::error::Result;

use super::file::PrivateDir;
use super::flight;

/// A value kept in the cache directory `dir`.
pub struct FetchOnce<'a> {
    pub dir: &'a PrivateDir,
    /// Names the single-flight lock: the same for everyone fetching the same value.
    pub flight: &'a str,
    /// Says what is fetched, in messages to those waiting ("the same session").
    pub what: &'a str,
}

impl FetchOnce<'_> {
    /// Check the cache → lock → check again → fetch → save. `lookup` gives a
    /// usable cached value; with `refresh` it is skipped (the value is fetched
    /// again, still one fetch at a time). Saving is best effort: `save` warns.
    pub fn get<T>(
        &self,
        refresh: bool,
        lookup: impl Fn() -> Result<Option<T>>,
        fetch: impl FnOnce() -> Result<T>,
        save: impl FnOnce(&T),
    ) -> Result<T> {
        if !refresh {
            if let Some(value) = lookup()? {
                return Ok(value);
            }
        }
        let _flight = flight::single_flight(self.dir, self.flight, self.what, flight::FLIGHT_WAIT);
        if !refresh {
            if let Some(value) = lookup()? {
                return Ok(value);
            }
        }
        let value = fetch()?;
        save(&value);
        Ok(value)
    }
}
