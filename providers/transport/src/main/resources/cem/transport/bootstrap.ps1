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
}
exit $code
