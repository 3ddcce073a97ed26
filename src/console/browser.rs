//! Opening a URL in the person's web browser: `$BROWSER` when set (the
//! convention: a command, `%s` standing for the URL, or the URL appended),
//! else the desktop's opener. The URL goes on the opener's command line, which
//! every user of the machine can read: never give it a secret (the console
//! sign-in link goes through a private page, see signin_page). The opener's
//! own output is discarded: it is not xacct's product.

use std::process::{Command, Stdio};

use crate::domain::error::{fail, Error, Result};
use crate::domain::validate::shown;

pub fn open(url: &str) -> Result<()> {
    let (program, args) = opener(url)?;
    tracing::debug!(program = %program, "opening the browser");
    let status = Command::new(&program)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| {
            Error::msg(format!(
                "cannot run the browser {}: {e}: set BROWSER, or pass --print",
                shown(&program)
            ))
        })?;
    if !status.success() {
        fail!(
            "the browser {} failed ({status}): set BROWSER, or pass --print",
            shown(&program)
        );
    }
    Ok(())
}

/// The program and arguments that open `url`.
fn opener(url: &str) -> Result<(String, Vec<String>)> {
    if let Some(browser) = std::env::var("BROWSER").ok().filter(|b| !b.trim().is_empty()) {
        return Ok(browser_command(&browser, url));
    }
    let (program, mut args): (&str, Vec<String>) = if cfg!(target_os = "macos") {
        ("open", vec![])
    } else if cfg!(windows) {
        // Not `cmd /c start`: cmd would take the link's `&`s for command separators.
        ("rundll32", vec!["url.dll,FileProtocolHandler".into()])
    } else {
        ("xdg-open", vec![])
    };
    if !cfg!(windows) && !on_path(program) {
        fail!("no browser to open the console in ({program} is not installed): set BROWSER, or pass --print");
    }
    args.push(url.to_owned());
    Ok((program.to_owned(), args))
}

/// `$BROWSER` as a command: its first entry (they are `:`-separated), split on
/// whitespace, with `%s` replaced by the URL or the URL appended.
fn browser_command(browser: &str, url: &str) -> (String, Vec<String>) {
    let first = browser.split(':').find(|c| !c.trim().is_empty()).unwrap_or(browser);
    let mut words = first.split_whitespace().map(str::to_owned);
    let program = words.next().unwrap_or_default();
    let mut args: Vec<String> = words.collect();
    if args.iter().any(|a| a.contains("%s")) {
        for arg in &mut args {
            *arg = arg.replace("%s", url);
        }
    } else {
        args.push(url.to_owned());
    }
    (program, args)
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_variable_forms() {
        assert_eq!(browser_command("firefox", "U"), ("firefox".into(), vec!["U".into()]));
        assert_eq!(
            browser_command("chromium --new-window:firefox", "U"),
            ("chromium".into(), vec!["--new-window".into(), "U".into()])
        );
        assert_eq!(
            browser_command("w3m %s -dump", "U"),
            ("w3m".into(), vec!["U".into(), "-dump".into()])
        );
    }
}
