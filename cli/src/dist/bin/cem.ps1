# cem launcher (PowerShell): finds Java 17 or newer (JAVA_HOME first, then PATH) and runs cem's jar,
# passing arguments and the exit code through.
$ErrorActionPreference = 'Stop'
$cemHome = Split-Path -Parent $PSScriptRoot
$java = 'java'
if ($env:JAVA_HOME -and (Test-Path -LiteralPath (Join-Path $env:JAVA_HOME 'bin\java.exe'))) {
    $java = Join-Path $env:JAVA_HOME 'bin\java.exe'
}
$command = Get-Command $java -ErrorAction SilentlyContinue
if (-not $command) {
    [Console]::Error.WriteLine('cem: Java 17 or newer is required, and no java was found (set JAVA_HOME or put java on PATH).')
    exit 1
}
$versionLine = (& $java -version 2>&1 | Select-Object -First 1) | Out-String
$major = 0
if ($versionLine -match 'version "(\d+)') {
    $major = [int]$Matches[1]
}
if ($major -lt 17) {
    [Console]::Error.WriteLine('cem: Java 17 or newer is required; found: ' + $versionLine.Trim())
    exit 1
}
$jar = Join-Path $cemHome 'lib\cem.jar'
& $java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar $jar @args
exit $LASTEXITCODE
