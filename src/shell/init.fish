# xacct shell integration for fish. Load it from ~/.config/fish/config.fish:
#   xacct init fish | source
# `xacct assume ...` and `xacct unset` then change this shell's environment;
# every other command runs the xacct binary unchanged.

function xacct --description 'xacct; assume and unset act on this shell'
    if contains -- "$argv[1]" assume unset; and __xacct_prints_code $argv
        __xacct_eval $argv
        return
    end
    command xacct $argv
end

# Runs `xacct SUBCOMMAND --shell fish ARGS...` and evaluates what it prints,
# only when it succeeded; returns its exit status either way.
function __xacct_eval
    set -l code (command xacct $argv[1] --shell fish $argv[2..-1])
    set -l exit_status $status
    test $exit_status -eq 0; or return $exit_status
    string join \n -- $code | source
end

# Whether `xacct SUBCOMMAND ARGS...` prints shell code to evaluate: not when
# it is asked for help, its version, another --format, or a --shell of its own.
function __xacct_prints_code
    set -l rest $argv[2..-1]
    while set -q rest[1]
        switch "$rest[1]"
            case --
                return 0
            case -h --help -V --version --shell '--shell=*'
                return 1
            case --format
                test "$rest[2]" = shell; or return 1
                set -e rest[1]
            case '--format=*'
                test "$rest[1]" = --format=shell; or return 1
        end
        set -e rest[1]
    end
    return 0
end
