//! Plain aligned text tables for the terminal. Cells are untrusted text and
//! pass the terminal rule (`text::terminal`), so a hostile account name cannot
//! move the cursor, clear the screen, reverse the text around it or break the
//! alignment; widths count terminal columns.

use unicode_width::UnicodeWidthStr;

use crate::domain::text;

pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    // Each cell cleaned and measured once: at 10,000 accounts this is most of
    // what `xacct accounts` does.
    let measured = |cell: &str| {
        let clean = text::terminal(cell);
        let width = clean.width();
        (clean, width)
    };
    let header: Vec<(String, usize)> = header.iter().map(|h| measured(h)).collect();
    let rows: Vec<Vec<(String, usize)>> = rows.iter().map(|r| r.iter().map(|c| measured(c)).collect()).collect();
    let mut widths: Vec<usize> = header.iter().map(|(_, w)| *w).collect();
    for row in &rows {
        for (w, (_, cell)) in widths.iter_mut().zip(row) {
            *w = (*w).max(*cell);
        }
    }
    let line_len: usize = widths.iter().map(|w| w + 2).sum::<usize>() + 1;
    let mut out = String::with_capacity(line_len * (rows.len() + 1));
    for row in std::iter::once(&header).chain(&rows) {
        let last = row.len().saturating_sub(1);
        for (i, ((cell, cell_width), width)) in row.iter().zip(&widths).enumerate() {
            out.push_str(cell);
            if i < last {
                out.extend(std::iter::repeat_n(' ', width - cell_width + 2));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns_and_neutralises_control_characters() {
        let rows = vec![
            vec!["1".to_string(), "a\u{1b}[2Jb\nc".to_string(), "x".to_string()],
            vec!["22".to_string(), "ü".to_string(), "y".to_string()],
        ];
        let text = render(&["ID", "NAME", "Z"], &rows);
        assert_eq!(text, "ID  NAME      Z\n1   a?[2Jb?c  x\n22  ü         y\n");
        let wide = render(
            &["N", "Z"],
            &[
                vec!["日本".to_string(), "x".to_string()],
                vec!["\u{202e}a\u{2028}b".to_string(), "y".to_string()],
            ],
        );
        assert_eq!(wide, "N     Z\n日本  x\n?a?b  y\n");
    }
}
