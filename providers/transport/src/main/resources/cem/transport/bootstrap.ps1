$ProgressPreference = 'SilentlyContinue'; $ErrorActionPreference = 'Stop'
$id = '__ID__'; $expected = '__SHA256__';
$path = Join-Path $env:TEMP ('cem-' + $id + '.b64')
$code = 1
try {
    $b64 = [IO.File]::ReadAllText($path) -replace '\s', ''
    $gz = [Convert]::FromBase64String($b64)
    $zip = New-Object IO.Compression.GZipStream((New-Object IO.MemoryStream(, $gz)), [IO.Compression.CompressionMode]::Decompress)
    $buffer = New-Object IO.MemoryStream
    $zip.CopyTo($buffer)
    $zip.Dispose()
    $bytes = $buffer.ToArray()
    $sha = [BitConverter]::ToString([Security.Cryptography.SHA256]::Create().ComputeHash($bytes)).Replace('-', '').ToLowerInvariant()
    if ($sha -ne $expected) {
        [Console]::Error.WriteLine('cem: the uploaded script''s SHA-256 does not match; it was not run')
    } else {
        $text = [Text.Encoding]::UTF8.GetString($bytes)
        & ([ScriptBlock]::Create($text))
        $code = $LASTEXITCODE
    }
} finally {
    Remove-Item -LiteralPath $path -Force -ErrorAction SilentlyContinue
    # Uploads an interrupted run left behind: cem-<32 hex>.b64 files in %TEMP% last written over an hour
    # ago (a running upload appends every few milliseconds). Links are skipped, never followed.
    # Directory.GetFiles(String, String) (its pattern also matches longer extensions, hence the -match),
    # FileInfo.LastWriteTimeUtc, FileSystemInfo.Attributes, FileAttributes.ReparsePoint (Microsoft Learn .NET API);
    # Remove-Item -LiteralPath (PowerShell-Docs reference/5.1 Microsoft.PowerShell.Management/Remove-Item.md).
    $cutoff = [DateTime]::UtcNow.AddHours(-1)
    foreach ($stale in [IO.Directory]::GetFiles($env:TEMP, 'cem-*.b64')) {
        $info = New-Object IO.FileInfo($stale)
        if ($info.Name -match '^cem-[0-9a-f]{32}\.b64$' -and ($info.Attributes -band [IO.FileAttributes]::ReparsePoint) -eq 0 -and $info.LastWriteTimeUtc -lt $cutoff) {
            Remove-Item -LiteralPath $stale -Force -ErrorAction SilentlyContinue
        }
    }
}
exit $code
