//! The one place xacct reads the time, so that expiry decisions are
//! consistent, and can be tested: `XACCT_NOW` (RFC 3339) pretends it is
//! another time, as when checking how xacct treats credentials near expiry.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::domain::validate::{shown, Invalid};

pub const NOW_VAR: &str = "XACCT_NOW";

pub fn now() -> OffsetDateTime {
    std::env::var(NOW_VAR)
        .ok()
        .and_then(|text| parse_rfc3339(&text))
        .unwrap_or_else(OffsetDateTime::now_utc)
}

/// Refuses an `XACCT_NOW` that does not parse: silently using the real time
/// instead would judge expiry other than asked. Empty is unset.
pub fn check_environment() -> Result<(), Invalid> {
    match std::env::var(NOW_VAR) {
        Ok(text) if !text.is_empty() && parse_rfc3339(&text).is_none() => Err(Invalid(format!(
            "invalid {NOW_VAR} {}: give an RFC 3339 time such as 2026-11-22T12:00:00Z, or unset it",
            shown(&text)
        ))),
        Err(std::env::VarError::NotUnicode(_)) => Err(Invalid(format!(
            "{NOW_VAR} is not valid UTF-8: give an RFC 3339 time such as 2026-11-22T12:00:00Z, or unset it"
        ))),
        _ => Ok(()),
    }
}

/// `2026-11-22T12:00:00Z`: RFC 3339 in UTC, whole seconds, as AWS tools print it.
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC).replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// A timestamp as stored or printed by [`rfc3339`].
pub fn parse_rfc3339(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_in_utc_whole_seconds() {
        let t = parse_rfc3339("2026-11-22T12:00:00.5+01:00").unwrap();
        assert_eq!(rfc3339(t), "2026-11-22T11:00:00Z");
    }
}
