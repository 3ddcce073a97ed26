//! Human durations: `3600`, `900s`, `15m`, `1h30m`, `12h`.

use crate::domain::validate::Invalid;

/// Seconds in `text`: a bare number of seconds, or numbers each followed by
/// `h`, `m` or `s`, largest unit first.
pub fn parse_secs(text: &str) -> Result<u64, Invalid> {
    let bad = || {
        Invalid(format!(
            "invalid duration {}: write seconds (3600) or units such as 15m, 1h, 1h30m",
            crate::domain::text::quoted(text)
        ))
    };
    if text.is_empty() {
        return Err(bad());
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map_err(|_| bad());
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    let mut last_unit = u64::MAX;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(bad()),
        };
        if digits.is_empty() || unit >= last_unit {
            return Err(bad());
        }
        let n: u64 = digits.parse().map_err(|_| bad())?;
        total = n.checked_mul(unit).and_then(|v| total.checked_add(v)).ok_or_else(bad)?;
        digits.clear();
        last_unit = unit;
    }
    if !digits.is_empty() {
        return Err(bad());
    }
    Ok(total)
}

/// `5400` -> `1h30m`, for messages and listings.
pub fn format_secs(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_seconds_and_units() {
        assert_eq!(parse_secs("3600"), Ok(3600));
        assert_eq!(parse_secs("15m"), Ok(900));
        assert_eq!(parse_secs("1h30m"), Ok(5400));
        assert_eq!(parse_secs("12h"), Ok(43200));
        assert_eq!(parse_secs("90s"), Ok(90));
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "h",
            "1x",
            "1m1h",
            "1h1h",
            "-5",
            "1.5h",
            "1h 30m",
            "99999999999999999999",
        ] {
            assert!(parse_secs(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_back() {
        assert_eq!(format_secs(5400), "1h30m");
        assert_eq!(format_secs(0), "0s");
        assert_eq!(format_secs(61), "1m1s");
    }
}
