//! The command line: clap definitions only, no logic.

use clap::{Args, Parser, Subcommand};

use crate::shell::init::InitShell;
use crate::shell::Shell;

#[derive(Debug, Parser)]
#[command(
    name = "xacct",
    version,
    about = "Switch roles across the accounts of an AWS Organization",
    after_help = "Examples:\n  xacct accounts\n  eval \"$(xacct assume demo MemberReadOnlyAccess)\"\n  xacct url demo MemberReadOnlyAccess --color blue"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the organization's accounts (cached; --refresh fetches again)
    #[command(after_help = "Examples:\n  xacct accounts\n  xacct accounts --json --refresh")]
    Accounts(AccountsArgs),
    /// Assume a role in an account and print shell code that exports the credentials
    #[command(
        after_help = "Examples:\n  eval \"$(xacct assume demo MemberReadOnlyAccess)\"\n  \
                            eval \"$(xacct assume 111122223333 --duration 2h)\"\n  \
                            xacct assume prod-ro --shell fish | source"
    )]
    Assume(AssumeArgs),
    /// Print the console switch-role link for an account and role
    #[command(
        after_help = "Examples:\n  xacct url demo MemberReadOnlyAccess --display-name demo-ro --color blue"
    )]
    Url(UrlArgs),
    /// Show who the current AWS credentials belong to
    Whoami(WhoamiArgs),
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

/// Where the source credentials come from.
#[derive(Debug, Clone, Args, Default)]
pub struct SourceArgs {
    /// AWS profile with the source credentials (default: AWS_PROFILE, the environment, `default`)
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
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
    #[command(flatten)]
    pub source: SourceArgs,
}

/// The account and role to act on.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Account name, alias, 12-digit ID, role ARN, or a profile from the config file
    #[arg(value_name = "ACCOUNT")]
    pub account: String,
    /// Role name, path/name or role ARN (default: OrganizationAccountAccessRole)
    #[arg(value_name = "ROLE")]
    pub role: Option<String>,
}

#[derive(Debug, Args)]
pub struct AssumeArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Session length: seconds or 15m, 1h, 12h (900s to 43200s; default 1h)
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<String>,
    /// Role session name shown in CloudTrail (default: your user name)
    #[arg(long, value_name = "NAME")]
    pub session_name: Option<String>,
    /// Shell to print code for
    #[arg(long, value_enum, default_value = "posix")]
    pub shell: Shell,
    /// Ignore cached credentials and assume the role again
    #[arg(long)]
    pub refresh: bool,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Args)]
pub struct UrlArgs {
    #[command(flatten)]
    pub target: TargetArgs,
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
    #[command(flatten)]
    pub source: SourceArgs,
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
