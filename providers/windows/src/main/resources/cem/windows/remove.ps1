$ProgressPreference = 'SilentlyContinue'; $ErrorActionPreference = 'Stop'
$dir = Join-Path $env:ProgramData 'cem'
if (Test-Path -LiteralPath $dir) {
    Remove-Item -LiteralPath $dir -Recurse -Force
    [Console]::Out.Write('removed')
} else {
    [Console]::Out.Write('absent')
}
exit 0
