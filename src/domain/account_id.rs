//! An AWS account ID: exactly 12 ASCII digits. Leading zeros are part of it,
//! so it is text, never a number.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::domain::validate::{shown, Invalid};

/// Checked once where it is read (the command line, the config, an ARN, an
/// AWS answer, a cache file); written as the 12 digits everywhere (serde too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountId([u8; 12]);

impl AccountId {
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("an account ID is ASCII digits")
    }

    /// Whether `text` is an account ID (12 ASCII digits).
    pub fn is_valid(text: &str) -> bool {
        text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
    }
}

impl FromStr for AccountId {
    type Err = Invalid;

    fn from_str(text: &str) -> Result<Self, Invalid> {
        match <[u8; 12]>::try_from(text.as_bytes()) {
            Ok(digits) if Self::is_valid(text) => Ok(AccountId(digits)),
            _ => Err(Invalid(format!(
                "invalid account ID {}: an account ID is exactly 12 digits",
                shown(text)
            ))),
        }
    }
}

impl TryFrom<&str> for AccountId {
    type Error = Invalid;

    fn try_from(text: &str) -> Result<Self, Invalid> {
        text.parse()
    }
}

impl TryFrom<String> for AccountId {
    type Error = Invalid;

    fn try_from(text: String) -> Result<Self, Invalid> {
        text.parse()
    }
}

impl From<AccountId> for String {
    fn from(id: AccountId) -> Self {
        id.as_str().to_owned()
    }
}

impl AsRef<str> for AccountId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for AccountId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for AccountId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_twelve_digits_with_leading_zeros_kept() {
        assert!("012345678901".parse::<AccountId>().is_ok());
        for bad in ["", "12345678901", "1234567890123", "12345678901a", "١٢٣٤٥٦٧٨٩٠١٢"] {
            assert!(bad.parse::<AccountId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn twelve_digits_with_leading_zeros_kept() {
        let id: AccountId = "012345678901".parse().unwrap();
        assert_eq!(id.to_string(), "012345678901");
        assert_eq!(id, "012345678901");
        assert_eq!(AccountId::try_from("000000000000").unwrap().as_str(), "000000000000");
    }

    #[test]
    fn anything_else_is_refused_with_the_rule() {
        for bad in [
            "",
            "12345678901",
            "1234567890123",
            "12345678901a",
            "١٢٣٤٥٦٧٨٩٠١٢",
            " 12345678901",
            "+12345678901",
        ] {
            let err = bad.parse::<AccountId>().unwrap_err();
            assert!(err.0.ends_with("an account ID is exactly 12 digits"), "{bad}: {err}");
        }
    }

    #[test]
    fn serde_writes_the_digits_as_a_string() {
        let id: AccountId = "001122334455".parse().unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"001122334455\"");
        assert_eq!(serde_json::from_str::<AccountId>("\"001122334455\"").unwrap(), id);
        assert!(serde_json::from_str::<AccountId>("\"1122334455\"").is_err());
        assert!(serde_json::from_str::<AccountId>("1122334455").is_err());
        #[derive(Serialize)]
        struct Doc {
            id: AccountId,
        }
        assert_eq!(toml::to_string(&Doc { id }).unwrap(), "id = \"001122334455\"\n");
    }
}
