//! Random tokens and paths for the endpoint, from the operating system's
//! generator, compared in constant time.

use subtle::ConstantTimeEq;

use crate::domain::error::{Error, Result};
use crate::domain::secret::Secret;

/// 256 bits: the token a client must send in `Authorization`.
const TOKEN_BYTES: usize = 32;
/// 128 bits: the path of one role's credentials (not a secret, but never guessed).
const PATH_BYTES: usize = 16;

/// `n` random bytes as lowercase hex.
fn random_hex(n: usize) -> Result<String> {
    let mut bytes = vec![0u8; n];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| Error::msg(format!("cannot get random bytes from the operating system: {e}")))?;
    Ok(crate::domain::text::hex(&bytes))
}

pub fn new_token() -> Result<Secret> {
    random_hex(TOKEN_BYTES).map(Secret::new)
}

pub fn new_path() -> Result<String> {
    random_hex(PATH_BYTES).map(|hex| format!("/{hex}"))
}

/// Whether `given` is `token`, in time that does not depend on where they differ.
pub fn matches(token: &Secret, given: &str) -> bool {
    token.expose().as_bytes().ct_eq(given.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_distinct() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.expose().len(), 64);
        assert!(a.expose().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(new_path().unwrap().starts_with('/'));
        assert_eq!(new_path().unwrap().len(), 33);
    }

    #[test]
    fn matching_is_exact() {
        let token = Secret::new("abc123");
        assert!(matches(&token, "abc123"));
        for other in ["abc124", "abc12", "abc1234", "", "ABC123"] {
            assert!(!matches(&token, other), "{other}");
        }
    }
}
