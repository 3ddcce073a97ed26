//! Command lines xacct writes into files for another program to split back
//! into words and run: the `credential_process` of a generated AWS profile.

use super::quote;

/// `words` as one command line that the AWS SDKs split back into exactly
/// these words. botocore splits it as a POSIX shell does (`shlex.split`) and
/// the other SDKs run it with `sh -c`, so each word is quoted for a POSIX
/// shell; on Windows botocore follows the C runtime's rules instead.
pub fn line(words: &[&str]) -> String {
    let word: fn(&str) -> String = if cfg!(windows) {
        quote::windows_word
    } else {
        quote::posix_word
    };
    words.iter().map(|w| word(w)).collect::<Vec<_>>().join(" ")
}
