//! `xacct generate links`: one self-contained HTML page of switch-role links
//! for every account and role, grouped by OU, colored, with a search box.
//! Account names, emails and OU paths are untrusted text: every text node and
//! attribute value passes the HTML rule (`text::html`).

use std::fmt::Write as _;

use super::Selection;
use crate::console::{self, SwitchRole};
use crate::domain::text::html as escape;

pub fn render(selection: &Selection) -> String {
    let mut groups: Vec<(String, Vec<&crate::domain::account::Account>)> = Vec::new();
    for account in &selection.accounts {
        let ou = account.ou.clone().unwrap_or_else(|| "Root".into());
        match groups.last_mut() {
            Some((last, members)) if *last == ou => members.push(account),
            _ => groups.push((ou, vec![account])),
        }
    }
    let mut body = String::new();
    for (ou, accounts) in &groups {
        let color = selection.color_of_ou(Some(ou));
        let _ = writeln!(body, "<section class=\"ou\" style=\"--ou-color:#{color}\">");
        let _ = writeln!(body, "<h2>{}</h2>\n<table>", escape(ou));
        for account in accounts {
            let mut links = String::new();
            for role in &selection.roles {
                let role_name = role.console_name();
                let display = console::default_display_name(&role.name, &account.name);
                let url = SwitchRole {
                    partition: selection.partition,
                    account: account.id,
                    role_name: &role_name,
                    display_name: Some(&display),
                    color: Some(color),
                }
                .url();
                let _ = write!(
                    links,
                    "<a href=\"{}\" target=\"_blank\" rel=\"noopener\">{}</a> ",
                    escape(&url),
                    escape(&role_name)
                );
            }
            let search = format!("{} {} {} {}", account.name, account.id, ou, account.email).to_lowercase();
            let _ = writeln!(
                body,
                "<tr data-search=\"{}\"><td class=\"name\">{}</td><td class=\"id\">{}</td><td>{}</td></tr>",
                escape(&search),
                escape(&account.name),
                escape(account.id.as_str()),
                links.trim_end()
            );
        }
        body.push_str("</table>\n</section>\n");
    }
    let count = selection.accounts.len();
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AWS accounts: switch-role links</title>
<style>
  body {{ font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #16191f; }}
  h1 {{ font-size: 1.4rem; }}
  #search {{ font-size: 1rem; padding: .4rem .6rem; width: 24rem; max-width: 100%; }}
  .ou {{ margin-top: 1.5rem; border-left: 6px solid var(--ou-color); padding-left: .8rem; }}
  .ou h2 {{ font-size: 1.05rem; margin: 0 0 .4rem; }}
  table {{ border-collapse: collapse; }}
  td {{ padding: .15rem 1rem .15rem 0; }}
  td.id {{ font-family: ui-monospace, monospace; color: #545b64; }}
  a {{ display: inline-block; margin-right: .4rem; padding: .05rem .45rem; border-radius: 4px;
       background: var(--ou-color); color: #16191f; text-decoration: none; }}
  a:hover {{ outline: 2px solid #16191f; }}
  .hidden {{ display: none; }}
</style>
</head>
<body>
<h1>AWS accounts ({count})</h1>
<input id="search" type="search" placeholder="Search accounts, IDs, OUs" autofocus>
{body}<script>
  // Hides the rows (and then the OUs) that do not contain every word typed.
  document.getElementById("search").addEventListener("input", function (event) {{
    var words = event.target.value.toLowerCase().split(/\s+/).filter(Boolean);
    document.querySelectorAll("section.ou").forEach(function (section) {{
      var shown = 0;
      section.querySelectorAll("tr").forEach(function (row) {{
        var text = row.getAttribute("data-search");
        var match = words.every(function (w) {{ return text.indexOf(w) !== -1; }});
        row.classList.toggle("hidden", !match);
        if (match) shown++;
      }});
      section.classList.toggle("hidden", shown === 0);
    }});
  }});
</script>
</body>
</html>
"#
    )
}
