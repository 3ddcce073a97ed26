//! `-v` logging to stderr through `tracing`. Every line passes through a
//! redactor first: the SDK's own trace output can hold HTTP bodies, and an
//! STS answer holds a secret key and a session token.

use std::io::{self, Write};

use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Starts logging when asked for (`-v`, `-vv`, or `RUST_LOG`); otherwise
/// installs nothing, so the fast path pays nothing.
pub fn init(verbosity: u8) {
    let filter = match (std::env::var("RUST_LOG"), verbosity) {
        (Ok(spec), _) if !spec.is_empty() => spec,
        (_, 0) => return,
        (_, 1) => "xacct=debug".into(),
        (_, 2) => "xacct=trace,aws_config=debug,aws_smithy_runtime=debug,aws_sdk_sts=debug".into(),
        _ => "trace".into(),
    };
    // `target=level` lists, as RUST_LOG is usually written; a spec that does
    // not parse logs warnings and errors.
    let filter: Targets = filter
        .parse()
        .unwrap_or_else(|_| Targets::new().with_default(tracing::Level::WARN));
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(RedactingStderr)
        .with_ansi(false)
        .with_target(true)
        .finish()
        .with(filter);
    let _ = subscriber.try_init();
}

/// Field names whose values are secrets, as they appear in AWS answers, SDK
/// debug output and environment variables.
const SECRET_FIELDS: [&str; 24] = [
    "SecretAccessKey",
    "SessionToken",
    "SigninToken",
    "secret_access_key",
    "session_token",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "sessionKey",
    "sessionToken",
    "Signature",
    // A session token sent as a request header.
    "x-amz-security-token",
    "X-Amz-Security-Token",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    // IAM Identity Center: OIDC answers and requests, the portal's header.
    "accessToken",
    "access_token",
    "refreshToken",
    "refresh_token",
    "clientSecret",
    "client_secret",
    "deviceCode",
    "device_code",
    // The portal's GetRoleCredentials answer, and CreateToken's ID token.
    "secretAccessKey",
    "idToken",
    "x-amz-sso_bearer_token",
];

/// `text` with the value after each secret field name replaced by `(redacted)`.
/// A value runs until a character that cannot be part of a key or token.
pub fn redact(text: &str) -> String {
    let mut out = text.to_owned();
    for field in SECRET_FIELDS {
        let mut from = 0;
        while let Some(found) = out[from..].find(field) {
            let start = from + found + field.len();
            // Skip the separator: `>`, `=`, `: `, `":"`, `: "` ...
            let skip_separator = |at: usize| {
                at + out[at..]
                    .char_indices()
                    .find(|(_, c)| !matches!(c, '>' | '=' | ':' | ' ' | '"' | '\'' | '\\'))
                    .map_or(out.len() - at, |(i, _)| i)
            };
            let mut value_start = skip_separator(start);
            // Debug output of an optional field: `device_code: Some("...")`.
            if out[value_start..].starts_with("Some(") {
                value_start = skip_separator(value_start + "Some(".len());
            }
            let value_end = value_start
                + out[value_start..]
                    .char_indices()
                    .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '%' | '-' | '_')))
                    .map_or(out.len() - value_start, |(i, _)| i);
            if value_end > value_start && !out[value_start..value_end].starts_with("(redacted)") {
                out.replace_range(value_start..value_end, "(redacted)");
            }
            from = value_start.min(out.len());
            if from >= out.len() {
                break;
            }
            from += 1;
        }
    }
    out
}

struct RedactingStderr;

/// Buffers one event, then writes it redacted in one piece.
pub struct RedactingLine(Vec<u8>);

impl Write for RedactingLine {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for RedactingLine {
    fn drop(&mut self) {
        // Events quote names and answers: the terminal rule applies to each line.
        let text: String = redact(&String::from_utf8_lossy(&self.0))
            .split_inclusive('\n')
            .map(|line| match line.strip_suffix('\n') {
                Some(bare) => format!("{}\n", crate::domain::text::terminal(bare)),
                None => crate::domain::text::terminal(line),
            })
            .collect();
        let _ = io::stderr().lock().write_all(text.as_bytes());
    }
}

impl<'a> MakeWriter<'a> for RedactingStderr {
    type Writer = RedactingLine;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingLine(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_values_in_xml_json_debug_and_env_forms() {
        let cases = [
            (
                "<SecretAccessKey>abc+/=123</SecretAccessKey>",
                "<SecretAccessKey>(redacted)</SecretAccessKey>",
            ),
            (r#"{"SessionToken":"FQo/x=="}"#, r#"{"SessionToken":"(redacted)"}"#),
            (
                "secret_access_key: \"s3cr3t\", x",
                "secret_access_key: \"(redacted)\", x",
            ),
            ("AWS_SESSION_TOKEN=tok123 next", "AWS_SESSION_TOKEN=(redacted) next"),
            ("Signature=abcdef0123", "Signature=(redacted)"),
            ("nothing secret", "nothing secret"),
            (
                r#"device_code: Some("v8iV-x_Y"), user_code: Some("ABCD-EFGH")"#,
                r#"device_code: Some("(redacted)"), user_code: Some("ABCD-EFGH")"#,
            ),
            (
                r#"{\"deviceCode\":\"v8iV-x\",\"userCode\":\"ABCD\"}"#,
                r#"{\"deviceCode\":\"(redacted)\",\"userCode\":\"ABCD\"}"#,
            ),
            ("x-amz-sso_bearer_token: aoa-123", "x-amz-sso_bearer_token: (redacted)"),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), want, "{input}");
        }
    }
}
