$ProgressPreference = 'SilentlyContinue'; $ErrorActionPreference = 'Stop'
# cem agent remove: deletes %ProgramData%\cem and cem's document-encryption certificates; prints
# 'removed' or 'absent'. A link is never followed: exit 4 when %ProgramData%\cem is one.
$dir = Join-Path $env:ProgramData 'cem'
$removed = $false
# Test-Path -LiteralPath (PowerShell-Docs reference/5.1 Microsoft.PowerShell.Management/Test-Path.md).
if (Test-Path -LiteralPath $dir) {
    # GetFileAttributes returns a symbolic link's own attributes (Win32 docs, "Symbolic Link Effects on
    # File Systems Functions"); File.GetAttributes, FileAttributes.ReparsePoint (Microsoft Learn .NET API).
    if (([System.IO.File]::GetAttributes($dir) -band [System.IO.FileAttributes]::ReparsePoint) -ne 0) {
        [Console]::Error.WriteLine('cem: ' + $dir + ' is a link (a reparse point), which cem never makes; it was left alone. Remove the link itself (rmdir without /s) as an administrator.')
        exit 4
    }
    # Directory.Delete(String, Boolean) (Microsoft Learn .NET API, remarks): for a reparse point inside,
    # "This method does not recurse through the reparse point" - a link inside is removed, not its target.
    [System.IO.Directory]::Delete($dir, $true)
    $removed = $true
}
# X509Store(StoreName, StoreLocation), Open(OpenFlags), Remove(X509Certificate2), X509Certificate2.Subject (Microsoft Learn .NET API).
$store = New-Object System.Security.Cryptography.X509Certificates.X509Store('My', 'LocalMachine')
$store.Open('ReadWrite')
foreach ($c in @($store.Certificates | Where-Object { $_.Subject -eq 'CN=cem agent document encryption' })) {
    $store.Remove($c)
    $removed = $true
}
$store.Close()
if ($removed) {
    [Console]::Out.Write('removed')
} else {
    [Console]::Out.Write('absent')
}
exit 0
