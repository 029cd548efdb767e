$ProgressPreference = 'SilentlyContinue'; $ErrorActionPreference = 'Stop'
# cem's agent install: %ProgramData%\cem\agent-SHA256.psm1 in a directory only Administrators and
# SYSTEM may write, plus the document-encryption certificate that secrets are sealed to.
# Exit codes: 0 done, 1 module corrupted on its way, 4 the directory is not cem's (another owner,
# or a link), 5 the certificate cannot be made. Only the hash and the base64 module are filled in.
$dir = Join-Path $env:ProgramData 'cem'
$agent = Join-Path $dir 'agent-__SHA256__.psm1'
# S-1-5-32-544 BUILTIN\Administrators, S-1-5-18 Local System: Microsoft Learn, "Well-known security identifiers
# in Windows operating systems"; SecurityIdentifier(String) (Microsoft Learn .NET API).
$admins = New-Object System.Security.Principal.SecurityIdentifier('S-1-5-32-544')
$trusted = @('S-1-5-32-544', 'S-1-5-18')
# Owner Administrators and a protected DACL (nothing inherited): Administrators and SYSTEM full control.
# ObjectSecurity.SetOwner(IdentityReference), SetAccessRuleProtection(Boolean, Boolean); FileSystemAccessRule
# (IdentityReference, FileSystemRights, InheritanceFlags, PropagationFlags, AccessControlType):
# Microsoft Learn .NET API, System.Security.AccessControl.
$dacl = New-Object System.Security.AccessControl.DirectorySecurity
$dacl.SetAccessRuleProtection($true, $false)
foreach ($sid in $trusted) {
    $identity = New-Object System.Security.Principal.SecurityIdentifier($sid)
    $rule = New-Object System.Security.AccessControl.FileSystemAccessRule($identity, 'FullControl', 'ContainerInherit,ObjectInherit', 'None', 'Allow')
    $dacl.AddAccessRule($rule)
}
# Setting Administrators as owner needs an administrator's (elevated) token, in which that group may be
# made owner; that it also holds for an account running as SYSTEM is [?].
$owned = New-Object System.Security.AccessControl.DirectorySecurity
$owned.SetOwner($admins)
$owned.SetAccessRuleProtection($true, $false)
foreach ($rule in $dacl.GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier])) {
    $owned.AddAccessRule($rule)
}
# Created with its owner and DACL in one step. Directory.CreateDirectory(String, DirectorySecurity)
# (.NET Framework): "Creates all the directories in the specified path, unless they already exist,
# applying the specified Windows security"; an existing directory is returned as it is, so it is
# checked below whoever made it (a directory made by someone else between two of our steps too).
[void][System.IO.Directory]::CreateDirectory($dir, $owned)
# File.GetAttributes and FileAttributes.ReparsePoint (Microsoft Learn .NET API); GetFileAttributes on
# a symbolic link returns the link's own attributes (Win32 docs, "Symbolic Link Effects on File
# Systems Functions"), so a link or junction shows here instead of being followed.
$reparse = [System.IO.FileAttributes]::ReparsePoint
if (([System.IO.File]::GetAttributes($dir) -band $reparse) -ne 0) {
    [Console]::Error.WriteLine('cem: ' + $dir + ' is a link (a reparse point); cem never makes one, so it was left alone')
    exit 4
}
# Directory.GetAccessControl(String, AccessControlSections) and ObjectSecurity.GetOwner(Type) (Microsoft Learn .NET API).
$owner = [System.IO.Directory]::GetAccessControl($dir, 'Owner').GetOwner([System.Security.Principal.SecurityIdentifier]).Value
# The account cem runs as may own it (an earlier cem made it with that account as owner): it is handed to
# Administrators below. WindowsIdentity.GetCurrent(), WindowsIdentity.User (Microsoft Learn .NET API).
$me = [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value
if (($trusted -notcontains $owner) -and ($owner -ne $me)) {
    [Console]::Error.WriteLine('cem: ' + $dir + ' belongs to ' + $owner + ', not to Administrators or SYSTEM; another account made it, so cem does not use it')
    exit 4
}
# Ours (or made by this very account): owner Administrators and the protected DACL again, whatever it had.
# Directory.SetAccessControl(String, DirectorySecurity) (Microsoft Learn .NET API, .NET Framework).
if ($owner -eq 'S-1-5-32-544') {
    [System.IO.Directory]::SetAccessControl($dir, $dacl)
} else {
    [System.IO.Directory]::SetAccessControl($dir, $owned)
}
# The module's bytes are checked in memory, then written: nothing is read back from disk.
# Convert.FromBase64String, SHA256.Create, HashAlgorithm.ComputeHash(Byte[]), File.WriteAllBytes (Microsoft Learn .NET API).
$bytes = [Convert]::FromBase64String('__MODULE__')
$actual = [BitConverter]::ToString([System.Security.Cryptography.SHA256]::Create().ComputeHash($bytes)).Replace('-', '').ToLowerInvariant()
if ($actual -ne '__SHA256__') {
    [Console]::Error.WriteLine('cem: the agent module was corrupted on its way')
    exit 1
}
[System.IO.File]::WriteAllBytes($agent, $bytes)
# Other versions go: Get-ChildItem -LiteralPath -Filter, Remove-Item -Force (PowerShell-Docs reference/5.1
# Microsoft.PowerShell.Management); the directory is cem's by now, so no one else put a link in it.
Get-ChildItem -LiteralPath $dir -Filter 'agent-*.psm1' | Where-Object { $_.FullName -ne $agent } | Remove-Item -Force
# The certificate secrets are sealed to (CMS EnvelopedData), made once: kept while one with its private
# key is valid for 30 more days. X509Store(StoreName, StoreLocation), X509Certificate2.Subject,
# HasPrivateKey, NotAfter (Microsoft Learn .NET API).
$subject = 'CN=cem agent document encryption'
$store = New-Object System.Security.Cryptography.X509Certificates.X509Store('My', 'LocalMachine')
$store.Open('ReadOnly')
$valid = @($store.Certificates | Where-Object { $_.Subject -eq $subject -and $_.HasPrivateKey -and $_.NotAfter -gt (Get-Date).AddDays(30) })
$store.Close()
if ($valid.Count -eq 0) {
    # New-SelfSignedCertificate, Windows Server 2016 PKI module (windows-powershell-docs,
    # docset/winserver2016-ps/pki/New-SelfSignedCertificate.md): -Subject, -Type, -KeyAlgorithm,
    # -KeyLength, -KeyExportPolicy NonExportable, -HashAlgorithm, -NotAfter, -CertStoreLocation all exist there.
    # -Type DocumentEncryptionCertLegacyCsp is what PowerShell DSC's "Securing the MOF File" uses on a
    # Windows Server 2016 target node (PowerShell-Docs-DSC, dsc-1.1/pull-server/secureMOF.md; it needs a
    # legacy CSP and the Document Encryption EKU 1.3.6.1.4.1.311.80.1). That the type sets exactly that
    # EKU and key usages KeyEncipherment+DataEncipherment is not spelled out there: [?] (probe:
    # Get-ChildItem Cert:\LocalMachine\My | Where-Object Subject -eq 'CN=cem agent document encryption' | Format-List EnhancedKeyUsageList, Extensions).
    $notAfter = (Get-Date).AddYears(2)
    try {
        New-SelfSignedCertificate -Subject $subject -Type DocumentEncryptionCertLegacyCsp -KeyAlgorithm RSA -KeyLength 2048 -KeyExportPolicy NonExportable -HashAlgorithm SHA256 -NotAfter $notAfter -CertStoreLocation 'Cert:\LocalMachine\My' | Out-Null
    } catch {
        [Console]::Error.WriteLine('cem: cannot create the document-encryption certificate in Cert:\LocalMachine\My: ' + $_.Exception.Message)
        exit 5
    }
}
exit 0
