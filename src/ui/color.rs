//! Terminal colors: only on a terminal, and never when NO_COLOR is set
//! (https://no-color.org: any non-empty value).

use std::io::IsTerminal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Red,
    Yellow,
    Green,
}

/// Whether what xacct prints on stdout may be colored.
pub fn stdout_colored() -> bool {
    std::io::stdout().is_terminal() && !no_color()
}

fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// `text` in `color` when `enabled`, else unchanged.
pub fn paint(text: &str, color: Color, enabled: bool) -> String {
    if !enabled {
        return text.to_owned();
    }
    let code = match color {
        Color::Red => 31,
        Color::Yellow => 33,
        Color::Green => 32,
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paints_only_when_enabled() {
        assert_eq!(paint("5m", Color::Red, false), "5m");
        assert_eq!(paint("5m", Color::Red, true), "\x1b[31m5m\x1b[0m");
    }
}
