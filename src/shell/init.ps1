# xacct shell integration for PowerShell. Load it from $PROFILE:
#   Invoke-Expression (& xacct init powershell | Out-String)
# `xacct assume ...` and `xacct unset` then change this session's environment;
# every other command runs the xacct binary unchanged. $LASTEXITCODE is the
# binary's exit code either way.

function global:xacct {
    # The binary itself, not this function.
    $binary = Get-Command -Name xacct -CommandType Application -ErrorAction Stop |
        Select-Object -First 1
    if ($args.Count -gt 0 -and ($args[0] -cin @('assume', 'unset')) -and (__xacct_prints_code $args)) {
        $rest = @($args | Select-Object -Skip 1)
        $code = & $binary $args[0] --shell powershell @rest | Out-String
        # Evaluated only when the binary succeeded.
        if ($LASTEXITCODE -eq 0 -and $code) {
            Invoke-Expression $code
        }
        return
    }
    & $binary @args
}

# Whether `xacct SUBCOMMAND ARGS...` prints shell code to evaluate: not when
# it is asked for help, its version, another --format, or a --shell of its own.
function global:__xacct_prints_code([string[]] $Arguments) {
    for ($i = 1; $i -lt $Arguments.Count; $i++) {
        $arg = $Arguments[$i]
        if ($arg -ceq '--') {
            return $true
        }
        if (($arg -cin @('-h', '--help', '-V', '--version', '--shell')) -or ($arg -clike '--shell=*')) {
            return $false
        }
        if ($arg -ceq '--format') {
            if ($i + 1 -ge $Arguments.Count -or $Arguments[$i + 1] -cne 'shell') {
                return $false
            }
            $i++
        } elseif (($arg -clike '--format=*') -and ($arg -cne '--format=shell')) {
            return $false
        }
    }
    return $true
}
