//! Running one command in many accounts (`xacct exec --all|--ou|--accounts`):
//! a bounded number at a time, each with its own role session from the
//! cache or STS, output prefixed (or grouped) by account, and a summary of
//! failures. A failure in one account never stops the others; a signal
//! (Ctrl-C, `kill`) stops starting new ones. With `--server`, one credential
//! endpoint serves the run, each account's command on its own path with its
//! own token, for as long as that command runs.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use crate::app::Context;
use crate::domain::account::Account;
use crate::domain::credentials::EnvChange;
use crate::domain::error::{fail, Result};
use crate::domain::text;
use crate::exec::signals;
use crate::org::directory;
use crate::org::filter::AccountFilter;
use crate::server::{self, CredentialServer};
use crate::session::target::TargetName;
use crate::session::{self, Sessions};
use crate::store::config::Options;

/// What happened in one account.
enum Outcome {
    Exited(i32),
    Failed(String),
}

struct Job {
    account: Account,
    /// The account name as printed: cleaned and padded to align the prefixes.
    label: String,
}

/// One command to run in every ACTIVE account a filter picks.
pub struct FanOut {
    pub filter: AccountFilter,
    /// The role to assume in each account (default: the config's, else the default role).
    pub role: Option<String>,
    /// How many accounts at a time.
    pub jobs: usize,
    /// Print each account's output in one block instead of prefixed lines.
    pub group: bool,
    pub command: Vec<String>,
    /// The session options from the command line (profiles and defaults apply under them).
    pub options: Options,
    pub token_code: Option<String>,
    pub refresh: bool,
    /// Serve the credentials from a local endpoint instead of handing them over.
    pub server: bool,
}

/// The endpoint of a run with `--server`, and the files its commands must not see.
struct Served {
    server: CredentialServer,
    hidden: Vec<&'static str>,
}

/// `ctx` lives as long as the process: the endpoint's threads may use it
/// until then.
pub fn run(args: &FanOut, ctx: &'static Context, marker: &str) -> Result<i32> {
    let filter = &args.filter;
    let options = &args.options;
    let list = directory::account_list(ctx, options, false, filter.detail())?;
    let accounts: Vec<Account> = list.accounts.into_iter().filter(|a| filter.matches(a)).collect();
    if accounts.is_empty() {
        fail!("no ACTIVE account matches: see `xacct accounts` (with --ou-paths for OUs)");
    }
    let width = accounts
        .iter()
        .map(|a| unicode_width::UnicodeWidthStr::width(text::terminal(&a.name).as_str()))
        .max()
        .unwrap_or(0);
    let jobs: VecDeque<Job> = accounts
        .into_iter()
        .map(|account| {
            let name = text::terminal(&account.name);
            let pad = width - unicode_width::UnicodeWidthStr::width(name.as_str());
            Job {
                label: format!("{name}{}", " ".repeat(pad)),
                account,
            }
        })
        .collect();
    let total = jobs.len();
    tracing::debug!(accounts = total, jobs = args.jobs, "running in many accounts");

    let queue = Mutex::new(jobs);
    let failures = Mutex::new(Vec::new());
    let sessions = Arc::new(Sessions::new(ctx, args.token_code.clone(), args.refresh));
    let served = match args.server {
        true => {
            let served = Served {
                hidden: server::files_to_hide()?,
                server: CredentialServer::start()?,
            };
            tracing::debug!(address = served.server.address(), "serving the commands' credentials");
            Some(served)
        }
        false => None,
    };
    signals::catch();
    std::thread::scope(|scope| {
        for _ in 0..args.jobs.min(total) {
            scope.spawn(|| {
                loop {
                    if signals::received().is_some() {
                        break;
                    }
                    // Not `while let ... = queue.lock()...`: the guard would live
                    // through the loop body and run the accounts one at a time.
                    let next = queue.lock().unwrap().pop_front();
                    let Some(job) = next else { break };
                    let outcome = run_one(&job, args, &sessions, served.as_ref(), ctx, marker);
                    let failed = match outcome {
                        Outcome::Exited(0) => None,
                        Outcome::Exited(code) => Some(format!("exit status {code}")),
                        Outcome::Failed(why) => Some(why),
                    };
                    if let Some(why) = failed {
                        failures
                            .lock()
                            .unwrap()
                            .push((job.label.trim_end().to_owned(), text::message(&why)));
                    }
                }
            });
        }
    });

    drop(served);
    let mut failures = failures.into_inner().unwrap();
    let not_started = queue.into_inner().unwrap().len();
    if let Some(signal) = signals::received().filter(|_| not_started > 0) {
        eprintln!("xacct: stopped by signal {signal}: {not_started} of {total} accounts not started");
        failures.sort();
        for (name, why) in &failures {
            eprintln!("xacct:   {name}: {why}");
        }
        return Ok(128 + signal);
    }
    if failures.is_empty() {
        eprintln!("xacct: ran in {total} accounts, all succeeded");
        return Ok(0);
    }
    failures.sort();
    eprintln!("xacct: ran in {total} accounts, {} failed:", failures.len());
    for (name, why) in &failures {
        eprintln!("xacct:   {name}: {why}");
    }
    Ok(1)
}

fn run_one(
    job: &Job,
    args: &FanOut,
    sessions: &Arc<Sessions<'static>>,
    served: Option<&Served>,
    ctx: &Context,
    marker: &str,
) -> Outcome {
    let target = TargetName {
        account: job.account.id.to_string(),
        role: args.role.clone(),
    };
    // The session is obtained here even when served: a failure (or an MFA
    // prompt) comes before the command starts.
    let prepared = session::plan(ctx, &target, args.options.clone()).and_then(|mut plan| {
        // Asked for by ID, but the name is known: the session records it for prompts.
        plan.target.account_name.get_or_insert_with(|| job.account.name.clone());
        let entry = sessions.obtain(&plan)?;
        let region = session::output_region(&plan.target, &entry);
        let role = plan.target.role.name.clone();
        Ok(match served {
            None => (role, entry.credentials.env_change(region.as_deref()), None),
            Some(served) => {
                let label = format!("{}/{role}", job.account.name);
                let handler = server::session_handler(Arc::clone(sessions), Arc::new(plan));
                let endpoint = served.server.add(&label, handler)?;
                let change = endpoint.env_change(region.as_deref(), &served.hidden);
                (role, change, Some(endpoint))
            }
        })
    });
    let (role, change, endpoint) = match prepared {
        Ok(prepared) => prepared,
        Err(e) => {
            let why = text::message(&format!("{e:#}"));
            eprintln!("{} | xacct: {why}", job.label);
            return Outcome::Failed(why);
        }
    };
    let outcome = run_command(job, args, &change, &role, marker);
    if let (Some(served), Some(endpoint)) = (served, &endpoint) {
        served.server.remove(endpoint);
    }
    outcome
}

/// Runs the command of `job` with `change`, its output prefixed or grouped.
fn run_command(job: &Job, args: &FanOut, change: &EnvChange, role: &str, marker: &str) -> Outcome {
    let mut command = command_with(&args.command, change);
    command.env(marker, text::terminal(&format!("{} {role}", job.account.name)));
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            return Outcome::Failed(format!(
                "cannot run {}: {e}",
                crate::domain::validate::shown(&args.command[0])
            ))
        }
    };
    let registered = signals::register(&child);
    let (stdout, stderr) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    if args.group {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        std::thread::scope(|s| {
            s.spawn(|| BufReader::new(stderr).read_to_end(&mut err));
            let _ = BufReader::new(stdout).read_to_end(&mut out);
        });
        let header = format!("== {} ({}) ==\n", job.label.trim_end(), job.account.id);
        let mut lock = std::io::stdout().lock();
        let _ = lock.write_all(header.as_bytes()).and_then(|_| lock.write_all(&out));
        drop(lock);
        let _ = std::io::stderr().lock().write_all(&err);
    } else {
        std::thread::scope(|s| {
            s.spawn(|| prefix_lines(stderr, &job.label, &mut std::io::stderr()));
            prefix_lines(stdout, &job.label, &mut std::io::stdout());
        });
    }
    let status = child.wait();
    drop(registered);
    match status {
        Ok(status) => Outcome::Exited(status.code().unwrap_or(128)),
        Err(e) => Outcome::Failed(format!("cannot wait for the command: {e}")),
    }
}

/// `command` with the session's variables set and the confusing ones removed.
pub fn command_with(argv: &[String], change: &EnvChange) -> Command {
    let (program, rest) = argv.split_first().expect("clap requires a command");
    let mut command = Command::new(program);
    command.args(rest);
    for name in &change.unset {
        command.env_remove(name);
    }
    command.envs(change.set.iter().map(|(name, value)| (name, value)));
    command
}

/// Copies `from` to `to` line by line, each line prefixed with the account;
/// one write per line, so lines of different accounts never interleave.
fn prefix_lines(from: impl Read, label: &str, to: &mut impl Write) {
    let mut reader = BufReader::new(from);
    let mut line = Vec::new();
    while reader.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
        if !line.ends_with(b"\n") {
            line.push(b'\n');
        }
        let mut prefixed = format!("{label} | ").into_bytes();
        prefixed.extend_from_slice(&line);
        let _ = to.write_all(&prefixed);
        line.clear();
    }
}
