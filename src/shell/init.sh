# xacct shell integration for bash and zsh. Load it from ~/.bashrc or ~/.zshrc:
#   eval "$(xacct init bash)"     # or: eval "$(xacct init zsh)"
# `xacct assume ...` and `xacct unset` then change this shell's environment;
# every other command runs the xacct binary unchanged.

xacct() {
    case "${1-}" in
        assume | unset)
            if __xacct_prints_code "$@"; then
                __xacct_eval "$@"
                return
            fi
            ;;
    esac
    command xacct "$@"
}

# Runs `xacct SUBCOMMAND --shell posix ARGS...` and evaluates what it prints,
# only when it succeeded; returns its exit status either way.
__xacct_eval() {
    local subcommand code exit_status
    subcommand=$1
    shift
    # Not `local code=$(...)`: that would return the status of `local`.
    code=$(command xacct "$subcommand" --shell posix "$@")
    exit_status=$?
    [ "$exit_status" -eq 0 ] || return "$exit_status"
    eval "$code"
}

# Whether `xacct SUBCOMMAND ARGS...` prints shell code to evaluate: not when
# it is asked for help, its version, another --format, or a --shell of its own.
__xacct_prints_code() {
    shift
    while [ "$#" -gt 0 ]; do
        case "$1" in
            --) return 0 ;;
            -h | --help | -V | --version | --shell | --shell=*) return 1 ;;
            --format=shell) ;;
            --format)
                [ "${2-}" = shell ] || return 1
                shift
                ;;
            --format=*) return 1 ;;
        esac
        shift
    done
    return 0
}
