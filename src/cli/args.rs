//! The command line: clap definitions only, no logic.
//!
//! Structs that clap flattens into commands carry `//` comments, not `///`:
//! clap makes a struct's doc comment the `about` of every command it is
//! flattened into, so a developer note would become that command's help.

use clap::{Args, Parser, Subcommand};
use clap_complete::engine::ArgValueCompleter;

use crate::cli::complete;
use crate::shell::init::InitShell;
use crate::shell::Shell;

#[derive(Debug, Parser)]
#[command(
    name = "xacct",
    version,
    about = "Switch roles across the accounts of an AWS Organization",
    after_help = "Examples:\n  xacct accounts\n  eval \"$(xacct assume demo MemberReadOnlyAccess)\"\n  \
                  eval \"$(xacct assume)\"             # pick the account and role from a list\n  \
                  xacct console demo --service s3\n  xacct url demo MemberReadOnlyAccess --color blue"
)]
pub struct Cli {
    /// Log what xacct does to stderr (-v), with AWS SDK detail (-vv); secrets are redacted
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

/// Each subcommand's arguments are defined only when it is the one given:
/// building every command's arguments and help on every run cost a cache hit
/// a noticeable share of its time.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// List the organization's accounts (cached; --refresh fetches again)
    #[command(after_help = "Examples:\n  xacct accounts\n  xacct accounts --json --refresh")]
    Accounts(AccountsArgs),
    /// Assume a role in an account and print shell code that exports the credentials
    #[command(after_help = "Examples:\n  eval \"$(xacct assume demo MemberReadOnlyAccess)\"\n  \
                            eval \"$(xacct assume 111122223333 --duration 2h)\"\n  \
                            xacct assume prod-ro --shell fish | source")]
    Assume(AssumeArgs),
    /// Run a command with a role's credentials in its environment
    #[command(after_help = "Examples:\n  xacct exec demo MemberReadOnlyAccess -- aws s3 ls\n  \
                            xacct exec prod-ro -- terraform plan\n  \
                            xacct exec --server prod-ro -- terraform apply   # renewed for as long as it runs\n  \
                            xacct exec --ou Root/Workloads/Prod --role ReadOnly -- aws s3 ls")]
    Exec(ExecArgs),
    /// Serve a role's credentials on 127.0.0.1 to AWS tools started elsewhere, renewed as they expire
    #[command(after_help = "Examples:\n  \
                            xacct serve demo MemberReadOnlyAccess      # prints two variables, serves until Ctrl-C\n  \
                            xacct serve prod-ro --shell fish\n  \
                            xacct serve prod-ro > ~/.xacct-prod.env &  # then `. ~/.xacct-prod.env` where the tool starts")]
    Serve(ServeArgs),
    /// Print the console switch-role link for an account and role
    #[command(after_help = "Examples:\n  xacct url demo MemberReadOnlyAccess --display-name demo-ro --color blue")]
    Url(UrlArgs),
    /// Generate configuration for every account: AWS CLI profiles, browser-extension config, a links page
    #[command(
        subcommand,
        after_help = "Examples:\n  xacct generate aws-config --role ReadOnly --write ~/.aws/config\n  \
                      xacct generate switch-roles --role ReadOnly\n  xacct generate links > accounts.html"
    )]
    Generate(GenerateCommand),
    /// List or clear cached credentials (never shows secrets)
    #[command(
        subcommand,
        after_help = "Examples:\n  xacct cache list\n  xacct cache list --json\n  xacct cache clear demo\n  xacct cache clear"
    )]
    Cache(CacheCommand),
    /// Sign in to IAM Identity Center (SSO) and cache the token where the AWS CLI v2 and the SDKs read it
    #[command(after_help = "Examples:\n  xacct login\n  \
                            xacct login --sso-session corp\n  \
                            xacct login --no-browser      # print the address and code; open them on any device\n  \
                            xacct login --force           # sign in again even when the cached token is good")]
    Login(LoginArgs),
    /// Show who the current AWS credentials belong to, and when xacct's expire
    #[command(after_help = "Examples:\n  xacct whoami\n  xacct whoami --json\n  \
                            xacct whoami --short    # `DEMO/ReadOnly 47m`, for a shell prompt; no network call")]
    Whoami(WhoamiArgs),
    /// Open the AWS console signed in as a role (or print the sign-in link with --print)
    #[command(after_help = "Examples:\n  xacct console demo MemberReadOnlyAccess\n  \
                            xacct console prod-ro --service cloudwatch --region eu-west-1\n  \
                            xacct console demo --print | pbcopy   # the link grants access: keep it secret\n  \
                            xacct console                         # pick the account and role from a list")]
    Console(ConsoleArgs),
    /// Print the shell code that completes xacct's commands, account names and roles
    #[command(after_help = "Examples:\n  \
        source <(xacct completions bash)                                   # in ~/.bashrc\n  \
        source <(xacct completions zsh)                                    # in ~/.zshrc, after compinit\n  \
        xacct completions fish | source                                    # in config.fish\n  \
        xacct completions powershell | Out-String | Invoke-Expression      # in $PROFILE\n  \
        eval (xacct completions elvish | slurp)                            # in rc.elv")]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), generated from this help
    #[command(after_help = "Examples:\n  xacct man | man -l -\n  \
                            xacct man > ~/.local/share/man/man1/xacct.1")]
    Man,
    /// Print a shell function so that `xacct assume` and `xacct unset` change the current shell
    #[command(after_help = "Examples:\n  \
        eval \"$(xacct init bash)\"                                 # in ~/.bashrc\n  \
        eval \"$(xacct init zsh)\"                                  # in ~/.zshrc\n  \
        xacct init fish | source                                  # in config.fish\n  \
        Invoke-Expression (& xacct init powershell | Out-String)  # in $PROFILE")]
    Init(InitArgs),
    /// Print shell code that removes the temporary credentials from the environment
    #[command(after_help = "Examples:\n  eval \"$(xacct unset)\"\n  \
                            xacct unset --shell fish | source\n  \
                            xacct unset    # with `xacct init` loaded, no eval needed")]
    Unset(UnsetArgs),
}

#[derive(Debug, Subcommand)]
pub enum GenerateCommand {
    /// ~/.aws/config profiles that get credentials from xacct (credential_process)
    #[command(
        after_help = "Examples:\n  xacct generate aws-config --role ReadOnly >> ~/.aws/config\n  \
                            xacct generate aws-config --role ReadOnly --role Admin --write ~/.aws/config"
    )]
    AwsConfig {
        #[command(flatten)]
        common: GenerateArgs,
        /// Merge into this file: replace the profiles xacct generated before, touch nothing else
        #[arg(long, value_name = "FILE")]
        write: Option<std::path::PathBuf>,
    },
    /// Configuration for the aws-extend-switch-roles browser extension
    #[command(after_help = "Examples:\n  xacct generate switch-roles --role ReadOnly\n  \
                            xacct generate switch-roles --color-rule 'prod-*=red' --color-rule '*=green'")]
    SwitchRoles {
        #[command(flatten)]
        common: GenerateArgs,
        /// Color accounts whose name matches GLOB (first match wins; default: a color per OU)
        #[arg(long = "color-rule", value_name = "GLOB=COLOR")]
        color_rules: Vec<String>,
    },
    /// One self-contained HTML page of switch-role links, grouped by OU, with a search box
    #[command(after_help = "Examples:\n  xacct generate links --role ReadOnly --role Admin > accounts.html")]
    Links {
        #[command(flatten)]
        common: GenerateArgs,
    },
}

#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// Role to generate for (repeatable; default: the config's role, else OrganizationAccountAccessRole; with an
    /// sso-session, every permission set you have)
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Vec<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Include accounts in every state, not only ACTIVE ones
    #[arg(long)]
    pub all_states: bool,
    /// Fetch the account list again instead of using the cached one
    #[arg(long)]
    pub refresh: bool,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Cached sessions: account, role, session name and time left
    #[command(after_help = "Examples:\n  xacct cache list\n  xacct cache list --json | jq '.[].Arn'")]
    List {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Forget cached sessions: all of them, an account's, or one role's in an account
    #[command(after_help = "Examples:\n  xacct cache clear\n  xacct cache clear demo\n  \
                            xacct cache clear demo MemberReadOnlyAccess")]
    Clear {
        /// Account name, alias or 12-digit ID (default: every account)
        #[arg(value_name = "ACCOUNT", add = ArgValueCompleter::new(complete::accounts))]
        account: Option<String>,
        /// Role name, path/name or ARN (default: every role)
        #[arg(value_name = "ROLE", add = ArgValueCompleter::new(complete::roles))]
        role: Option<String>,
    },
}

// Where the source credentials come from.
#[derive(Debug, Clone, Args, Default)]
pub struct SourceArgs {
    /// AWS profile with the source credentials (default: AWS_PROFILE, the environment, `default`)
    #[arg(long, value_name = "NAME", conflicts_with = "sso_session")]
    pub profile: Option<String>,
    /// IAM Identity Center sso-session to act as (sign in with `xacct login`): the accounts and roles are the
    /// ones its portal gives you (default: the config's sso_session)
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,
    /// AWS region (default: the config file, AWS_REGION, the profile's region)
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
}

#[derive(Debug, Args)]
pub struct AccountsArgs {
    /// Print a JSON array instead of a table
    #[arg(long)]
    pub json: bool,
    /// Fetch the list again instead of using the cached one
    #[arg(long)]
    pub refresh: bool,
    /// Show each account's OU path (fetched once, then cached with the list)
    #[arg(long)]
    pub ou_paths: bool,
    /// Show the roles you may use in each account (IAM Identity Center permission sets; fetched once, then cached)
    #[arg(long)]
    pub roles: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub source: SourceArgs,
}

// Which accounts of the organization to act on.
#[derive(Debug, Clone, Args, Default)]
pub struct FilterArgs {
    /// Only accounts in this OU or below it, such as Root/Workloads/Prod
    #[arg(long, value_name = "PATH")]
    pub ou: Option<String>,
    /// Only accounts in this state (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED ...)
    #[arg(long, value_name = "STATE")]
    pub state: Option<String>,
    /// Only accounts whose name matches this pattern (*, ?, [a-z], [!0-9]; any case)
    #[arg(long, value_name = "GLOB")]
    pub name: Option<String>,
    /// Only accounts with this tag (repeatable; tags are fetched only when asked)
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
}

// The account and role as typed for the commands that act on one. Either may
// be left out on a terminal, to be picked from a list (see `crate::ui::picker`).
#[derive(Debug, Clone, Args, Default)]
pub struct PickTargetArgs {
    /// Account name, alias, 12-digit ID, role ARN, or a profile from the config file (default: pick from a list)
    #[arg(value_name = "ACCOUNT", add = ArgValueCompleter::new(complete::accounts))]
    pub account: Option<String>,
    /// Role name, path/name or role ARN (default: pick from the known roles on a terminal, else the config's role
    /// or OrganizationAccountAccessRole)
    #[arg(value_name = "ROLE", add = ArgValueCompleter::new(complete::roles))]
    pub role: Option<String>,
}

// Everything that shapes the role session: shared by `assume` and `exec`.
// A flag for an AssumeRole option has the field name of the option's config
// key: `cli::options` reads them by that name (serialized), with no code per option.
#[derive(Debug, Clone, Args, Default, serde::Serialize)]
pub struct SessionArgs {
    /// Session length: seconds or 15m, 1h, 12h (900s to 43200s; default 1h; at most 1h when chaining)
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<String>,
    /// Role session name shown in CloudTrail (default: your user name)
    #[arg(long, value_name = "NAME")]
    pub session_name: Option<String>,
    /// MFA device ARN (default: the config, or the source profile's mfa_serial)
    #[arg(long, value_name = "ARN")]
    pub mfa_serial: Option<String>,
    /// The current 6-digit MFA code (default: ask on the terminal when one is needed)
    #[arg(long, value_name = "CODE")]
    #[serde(skip)]
    pub token_code: Option<String>,
    /// Command that prints the MFA code, run with `sh -c` when a code is needed (default: the config's
    /// mfa_process, else ask on the terminal)
    #[arg(long, value_name = "COMMAND")]
    #[serde(skip)]
    pub mfa_process: Option<String>,
    /// External ID the role's trust policy requires
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// Source identity to set on the session (kept through role chaining)
    #[arg(long, value_name = "NAME")]
    pub source_identity: Option<String>,
    /// Session tag (repeatable)
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    /// Make the tag with this key transitive (repeatable)
    #[arg(long = "transitive-tag", value_name = "KEY")]
    pub transitive_tags: Vec<String>,
    /// Managed policy that limits the session (repeatable, at most 10)
    #[arg(long = "policy-arn", value_name = "ARN")]
    pub policy_arns: Vec<String>,
    /// Inline session policy: JSON text, or a file holding it
    #[arg(long, value_name = "FILE|JSON")]
    pub policy: Option<String>,
    /// Ignore cached credentials and assume the role again
    #[arg(long)]
    pub refresh: bool,
    #[command(flatten)]
    #[serde(skip)]
    pub source: SourceArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Shell code for eval (see --shell)
    Shell,
    /// A JSON object with the credentials, account and role
    Json,
    /// NAME=value lines, as .env files and `docker --env-file` take them
    Env,
    /// The JSON that AWS's `credential_process` setting expects
    CredentialProcess,
}

#[derive(Debug, Args)]
pub struct AssumeArgs {
    #[command(flatten)]
    pub target: PickTargetArgs,
    #[command(flatten)]
    pub session: SessionArgs,
    /// What to print
    #[arg(long, value_enum, default_value = "shell")]
    pub format: Format,
    /// Shell to print code for (with --format shell)
    #[arg(long, value_enum, default_value = "posix")]
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The account and role (or, for many accounts, --all, --ou or --accounts)
    #[command(flatten)]
    pub target: PickTargetArgs,
    #[command(flatten)]
    pub many: ManyArgs,
    #[command(flatten)]
    pub session: SessionArgs,
    /// Run even inside another `xacct exec`
    #[arg(long)]
    pub nested: bool,
    /// Serve the credentials to the command from a local endpoint (127.0.0.1, a random token), renewed whenever
    /// it asks near expiry, instead of fixed ones in its environment: for commands that outlive the session.
    /// xacct stays the command's parent, passes signals on and ends with its exit status
    #[arg(long)]
    pub server: bool,
    /// The command to run, after `--`
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

// Running one command in many accounts.
#[derive(Debug, Clone, Args, Default)]
pub struct ManyArgs {
    /// Run in every ACTIVE account whose name matches this pattern (*, ?, [a-z], [!0-9])
    #[arg(long, value_name = "GLOB", conflicts_with_all = ["account", "role"])]
    pub accounts: Option<String>,
    /// Run in every ACTIVE account in this OU or below it
    #[arg(long, value_name = "PATH", conflicts_with_all = ["account", "role"])]
    pub ou: Option<String>,
    /// Run in every ACTIVE account of the organization
    #[arg(long, conflicts_with_all = ["account", "role"])]
    pub all: bool,
    /// Role to assume in each account (default: the config's, else OrganizationAccountAccessRole)
    #[arg(long = "role", value_name = "ROLE")]
    pub many_role: Option<String>,
    /// How many accounts at a time
    #[arg(short = 'j', long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Print each account's output in one block when it finishes, instead of prefixed lines
    #[arg(long)]
    pub group: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub target: PickTargetArgs,
    #[command(flatten)]
    pub session: SessionArgs,
    /// Shell to print the variables for
    #[arg(long, value_enum, default_value = "posix")]
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct UrlArgs {
    #[command(flatten)]
    pub target: PickTargetArgs,
    /// Name the console shows for the role (at most 64 characters)
    #[arg(long, value_name = "TEXT")]
    pub display_name: Option<String>,
    /// Color: 6 hex digits, or red, orange, yellow, green, blue
    #[arg(long, value_name = "COLOR")]
    pub color: Option<String>,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
    /// One line for a shell prompt (`ACCOUNT/ROLE 47m`) from the environment and the cache, with no network
    /// call; empty when the credentials did not come from xacct
    #[arg(long, conflicts_with = "json")]
    pub short: bool,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The [sso-session NAME] of ~/.aws/config to sign in to (default: the only one there)
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,
    /// Do not open the browser: print the address and the code to confirm on stderr
    #[arg(long)]
    pub no_browser: bool,
    /// Sign in again even when the cached token is valid for more than 15 minutes
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Shell to print the function for
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: InitShell,
}

#[derive(Debug, Args)]
pub struct UnsetArgs {
    /// Shell to print code for
    #[arg(long, value_enum, default_value = "posix")]
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct ConsoleArgs {
    #[command(flatten)]
    pub target: PickTargetArgs,
    #[command(flatten)]
    pub session: SessionArgs,
    /// Print the sign-in link instead of opening it (it grants console access for 15 minutes: keep it secret)
    #[arg(long)]
    pub print: bool,
    /// Land on this service's console page in the region, such as s3, ec2, iam, cloudwatch, lambda
    #[arg(long, value_name = "SERVICE", conflicts_with = "destination")]
    pub service: Option<String>,
    /// Land on this console URL (https, on the console host of the role's partition)
    #[arg(long, value_name = "URL")]
    pub destination: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to print the completion code for
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}
