$ProgressPreference = 'SilentlyContinue'; $ErrorActionPreference = 'Stop'
# cem's loader: reads the installed module ONCE, checks it and runs the batch from those bytes in memory.
# Exit 3 = "needs install": no module of this hash, a directory or file that is not cem's, or no valid
# document-encryption certificate. Comment lines are left out of what cem sends (Agent.loaderScript).
$dir = Join-Path $env:ProgramData 'cem'
$agent = Join-Path $dir 'agent-__SHA256__.psm1'
if (-not [System.IO.File]::Exists($agent)) {
    exit 3
}
# A link is never followed: GetFileAttributes returns a symbolic link's own attributes (Win32 docs, "Symbolic
# Link Effects on File Systems Functions"); File.GetAttributes, FileAttributes.ReparsePoint (Microsoft Learn .NET API).
$reparse = [System.IO.FileAttributes]::ReparsePoint
if ((([System.IO.File]::GetAttributes($dir) -bor [System.IO.File]::GetAttributes($agent)) -band $reparse) -ne 0) {
    exit 3
}
# Directory.GetAccessControl(String, AccessControlSections), ObjectSecurity.GetOwner(Type) (Microsoft Learn .NET API);
# S-1-5-32-544 Administrators, S-1-5-18 Local System (Microsoft Learn, "Well-known security identifiers").
# Only they can change a directory they own with install.ps1's protected DACL, so the file read next is theirs.
$owner = [System.IO.Directory]::GetAccessControl($dir, 'Owner').GetOwner([System.Security.Principal.SecurityIdentifier]).Value
if ($owner -ne 'S-1-5-32-544' -and $owner -ne 'S-1-5-18') {
    exit 3
}
# File.ReadAllBytes, SHA256.Create, HashAlgorithm.ComputeHash(Byte[]) (Microsoft Learn .NET API): one open, hashed in memory.
$bytes = [System.IO.File]::ReadAllBytes($agent)
$actual = [BitConverter]::ToString([System.Security.Cryptography.SHA256]::Create().ComputeHash($bytes)).Replace('-', '').ToLowerInvariant()
if ($actual -ne '__SHA256__') {
    exit 3
}
# X509Store(StoreName, StoreLocation), X509Certificate2.Subject, HasPrivateKey, NotAfter (Microsoft Learn .NET API).
$store = New-Object System.Security.Cryptography.X509Certificates.X509Store('My', 'LocalMachine')
$store.Open('ReadOnly')
$valid = @($store.Certificates | Where-Object { $_.Subject -eq 'CN=cem agent document encryption' -and $_.HasPrivateKey -and $_.NotAfter -gt (Get-Date).AddDays(30) })
$store.Close()
if ($valid.Count -eq 0) {
    exit 3
}
# The same bytes become the module: Encoding.UTF8.GetString, ScriptBlock.Create(String) (Microsoft Learn .NET API);
# New-Module "creates a new dynamic module that exists only in memory", piped to Import-Module
# (PowerShell-Docs reference/5.1 New-Module.md). Execution policy governs script files (.ps1, .psm1) and
# -ExecutionPolicy Bypass does not override a Group Policy one (about_Execution_Policies, 5.1); a script
# block made in memory is no file, so it is not checked against it [?] (the page says so only by its example
# of "typing the script contents at the command line").
New-Module -Name cem-agent -ScriptBlock ([ScriptBlock]::Create([System.Text.Encoding]::UTF8.GetString($bytes))) | Import-Module
Invoke-CemBatch -Request '__REQUEST__'
exit 0
