# cem-agent v2
# The PowerShell agent of cem's Windows provider, for Windows PowerShell 5.1 on Windows Server 2016-2022.
# One entry point, Invoke-CemBatch, takes a base64 JSON request {"v":1,"ops":[{"op":"...","args":{...}}]}
# and prints one JSON document {"v":1,"results":[{"ok":true,"data":...}|{"ok":false,"error":{...}}]}.
#
# The agent is thin: each op calls documented cmdlets and .NET APIs and returns what they return.
# Parsing, normalising, comparing and deciding live in Java (cem.windows), where tests run. Every op's
# arguments and answer are a JSON Schema in ops/<op>.schema.json; Java sends every key of an op (null
# when unset), so reading $Arguments.key never trips strict mode. Values arrive only inside the encoded
# request: none is ever part of a script's text. Secrets arrive sealed (CMS) to this host's cem
# document-encryption certificate. Sources of every cmdlet and API: agent.md beside this file.
# This file is ASCII only (Windows PowerShell 5.1 reads a BOM-less file as ANSI).

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function ConvertTo-CemJson {
    param($Value)
    $json = ConvertTo-Json -InputObject $Value -Depth 12 -Compress
    # Code page 437 on the wire: escape everything outside ASCII.
    $builder = New-Object System.Text.StringBuilder
    foreach ($ch in $json.ToCharArray()) {
        if ([int]$ch -gt 127) {
            [void]$builder.AppendFormat('\u{0:x4}', [int]$ch)
        } else {
            [void]$builder.Append($ch)
        }
    }
    return $builder.ToString()
}

# --- The agent itself ---------------------------------------------------------------------------

# The cem document-encryption certificates of this host (created by install.ps1): Java seals secrets to one.
function Get-CemAgentInfo {
    param($Arguments)
    $found = New-Object System.Collections.ArrayList
    foreach ($c in (Get-CemMachineCertificates)) {
        if ($c.Subject -eq 'CN=cem agent document encryption') {
            [void]$found.Add([ordered]@{
                thumbprint = $c.Thumbprint
                rawData = [Convert]::ToBase64String($c.RawData)
                notAfter = $c.NotAfter.ToUniversalTime().ToString('o')
            })
        }
    }
    return [ordered]@{ encryptionCertificates = $found.ToArray() }
}

# The certificates of LocalMachine\My, the store closed again (X509Store, X509Certificate2Collection).
function Get-CemMachineCertificates {
    $list = New-Object System.Collections.ArrayList
    $store = New-Object System.Security.Cryptography.X509Certificates.X509Store('My', 'LocalMachine')
    $store.Open('ReadOnly')
    try {
        foreach ($c in $store.Certificates) { [void]$list.Add($c) }
    } finally {
        $store.Close()
    }
    return ,$list.ToArray()
}

# Opens a sealed secret: a CMS EnvelopedData for the named certificate of LocalMachine\My.
function Unprotect-CemSealed {
    param([string]$Sealed, [string]$Recipient)
    Add-Type -AssemblyName System.Security
    $recipients = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2Collection
    foreach ($c in (Get-CemMachineCertificates)) {
        if ($c.Thumbprint -eq $Recipient) { [void]$recipients.Add($c) }
    }
    $envelope = New-Object System.Security.Cryptography.Pkcs.EnvelopedCms
    $envelope.Decode([Convert]::FromBase64String($Sealed))
    $envelope.Decrypt($recipients)
    return ConvertFrom-Json -InputObject ([Text.Encoding]::UTF8.GetString($envelope.ContentInfo.Content))
}

# --- certificate --------------------------------------------------------------------------------

function Get-CemCertificates {
    param($Arguments)
    $list = New-Object System.Collections.ArrayList
    foreach ($c in (Get-CemMachineCertificates)) {
        $chain = New-Object System.Security.Cryptography.X509Certificates.X509Chain
        $chain.ChainPolicy.RevocationMode = 'NoCheck'
        [void]$chain.Build($c)
        $status = New-Object System.Collections.ArrayList
        foreach ($s in $chain.ChainStatus) {
            [void]$status.Add([string]$s.Status)
        }
        $chain.Reset()
        [void]$list.Add([ordered]@{
            thumbprint = $c.Thumbprint
            rawData = [Convert]::ToBase64String($c.RawData)
            hasPrivateKey = $c.HasPrivateKey
            friendlyName = $c.FriendlyName
            chainStatus = $status.ToArray()
        })
    }
    return ,$list.ToArray()
}

function Import-CemCertificate {
    param($Arguments)
    $secret = Unprotect-CemSealed $Arguments.sealed $Arguments.recipient
    $flags = [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]'MachineKeySet,PersistKeySet'
    $all = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2Collection
    $all.Import([Convert]::FromBase64String([string]$secret.pfx), [string]$secret.password, $flags)
    $leaf = $null
    $intermediates = New-Object System.Collections.ArrayList
    $roots = New-Object System.Collections.ArrayList
    foreach ($c in $all) {
        if ($c.HasPrivateKey) {
            if ($null -ne $leaf) { throw 'The PFX holds more than one certificate with a private key.' }
            $leaf = $c
        }
    }
    if ($null -eq $leaf) { throw 'The PFX holds no certificate with a private key.' }
    if ($null -ne $Arguments.friendlyName) { $leaf.FriendlyName = [string]$Arguments.friendlyName }
    $my = New-Object System.Security.Cryptography.X509Certificates.X509Store('My', 'LocalMachine')
    $ca = New-Object System.Security.Cryptography.X509Certificates.X509Store('CA', 'LocalMachine')
    $my.Open('ReadWrite')
    $ca.Open('ReadWrite')
    try {
        if ($my.Certificates.Find('FindByThumbprint', $leaf.Thumbprint, $false).Count -eq 0) { $my.Add($leaf) }
        foreach ($c in $all) {
            if ($c.Thumbprint -eq $leaf.Thumbprint) { continue }
            if ($c.Subject -eq $c.Issuer) {
                # A root is never trusted on the host's behalf: cem reports it and leaves Root alone.
                [void]$roots.Add($c.Thumbprint)
            } else {
                if ($ca.Certificates.Find('FindByThumbprint', $c.Thumbprint, $false).Count -eq 0) { $ca.Add($c) }
                [void]$intermediates.Add($c.Thumbprint)
            }
        }
    } finally {
        $my.Close()
        $ca.Close()
    }
    return [ordered]@{ thumbprint = $leaf.Thumbprint; intermediates = $intermediates.ToArray(); roots = $roots.ToArray() }
}

function Remove-CemCertificate {
    param($Arguments)
    $removed = $false
    $store = New-Object System.Security.Cryptography.X509Certificates.X509Store('My', 'LocalMachine')
    $store.Open('ReadWrite')
    try {
        foreach ($c in $store.Certificates.Find('FindByThumbprint', [string]$Arguments.thumbprint, $false)) {
            $store.Remove($c)
            $removed = $true
        }
    } finally {
        $store.Close()
    }
    return [ordered]@{ thumbprint = [string]$Arguments.thumbprint; removed = $removed }
}

# --- iis_binding: site bindings through Microsoft.Web.Administration (exact match, no wildcard), ----
# --- HTTP.SYS certificates through netsh http ----------------------------------------------------

# IIS's managed configuration API lives in %windir%\System32\inetsrv\Microsoft.Web.Administration.dll.
function Get-CemServerManager {
    Add-Type -Path (Join-Path $env:windir 'System32\inetsrv\Microsoft.Web.Administration.dll')
    return New-Object Microsoft.Web.Administration.ServerManager
}

function Get-CemBindings {
    param($Arguments)
    Import-Module WebAdministration
    $sites = New-Object System.Collections.ArrayList
    $manager = Get-CemServerManager
    foreach ($site in $manager.Sites) {
        $bindings = New-Object System.Collections.ArrayList
        foreach ($b in $site.Bindings) {
            [void]$bindings.Add([ordered]@{
                protocol = [string]$b.Protocol
                bindingInformation = [string]$b.BindingInformation
                sslFlags = [int]$b.SslFlags
            })
        }
        [void]$sites.Add([ordered]@{ name = $site.Name; id = [int]$site.Id; bindings = $bindings.ToArray() })
    }
    $ssl = New-Object System.Collections.ArrayList
    foreach ($s in Get-ChildItem -LiteralPath 'IIS:\SslBindings') {
        [void]$ssl.Add([ordered]@{
            ipAddress = [string]$s.IPAddress
            port = [int]$s.Port
            host = [string]$s.Host
            thumbprint = [string]$s.Thumbprint
            store = [string]$s.Store
        })
    }
    return [ordered]@{ sites = $sites.ToArray(); sslBindings = $ssl.ToArray() }
}

function Find-CemBinding {
    param($Site, [string]$Protocol, [string]$Information)
    foreach ($b in $Site.Bindings) {
        if ($b.Protocol -eq $Protocol -and $b.BindingInformation -eq $Information) { return $b }
    }
    return $null
}

function Get-CemSite {
    param($Manager, [string]$Name)
    $site = $Manager.Sites[$Name]
    if ($null -eq $site) { throw ('Cannot find path ''IIS:\Sites\' + $Name + ''' because it does not exist.') }
    return $site
}

# netsh http add|delete sslcert (Microsoft Learn, Netsh commands for HTTP: ipport, certhash, appid,
# certstorename). [?] hostnameport (an SNI record) is not on that page; Microsoft's AD FS docs use it.
# [?] The application id is IIS's own, so IIS Manager shows the record as its own.
function Invoke-CemNetshSsl {
    param([string]$Verb, [string]$Parameter, [string]$Endpoint, [string]$Thumbprint)
    if ($Verb -eq 'delete') {
        $out = & netsh.exe http delete sslcert ($Parameter + '=' + $Endpoint)
    } else {
        $out = & netsh.exe http $Verb sslcert ($Parameter + '=' + $Endpoint) ('certhash=' + $Thumbprint) 'appid={4dc3e181-e14b-4a21-b022-59fc669b0914}' 'certstorename=MY'
    }
    if ($LASTEXITCODE -ne 0) {
        throw (($out | Out-String).Trim())
    }
}

function Set-CemBinding {
    param($Arguments)
    $a = $Arguments
    Import-Module WebAdministration
    $manager = Get-CemServerManager
    $site = Get-CemSite $manager $a.site
    $created = $false
    $binding = Find-CemBinding $site $a.protocol $a.bindingInformation
    if ($null -eq $binding) {
        $binding = $site.Bindings.Add([string]$a.bindingInformation, [string]$a.protocol)
        $created = $true
    }
    $binding.SslFlags = [int]$a.sslFlags
    $manager.CommitChanges()
    $ssl = 'none'
    if ($null -ne $a.thumbprint) {
        $record = Get-Item -LiteralPath ([string]$a.sslBindingPath) -ErrorAction SilentlyContinue
        if ($null -eq $record) {
            Invoke-CemNetshSsl 'add' $a.sslEndpointParameter $a.sslEndpoint $a.thumbprint
            $ssl = 'added'
        } elseif ([string]$record.Thumbprint -ne [string]$a.thumbprint) {
            # HTTP.SYS refuses to add a record that exists (error 183), and "update sslcert" is not
            # documented: the record is deleted and added again at once.
            Invoke-CemNetshSsl 'delete' $a.sslEndpointParameter $a.sslEndpoint ''
            Invoke-CemNetshSsl 'add' $a.sslEndpointParameter $a.sslEndpoint $a.thumbprint
            $ssl = 'updated'
        } else {
            $ssl = 'unchanged'
        }
    }
    return [ordered]@{ created = $created; ssl = $ssl }
}

function Remove-CemBinding {
    param($Arguments)
    $a = $Arguments
    Import-Module WebAdministration
    $manager = Get-CemServerManager
    $site = Get-CemSite $manager $a.site
    $removed = $false
    $binding = Find-CemBinding $site $a.protocol $a.bindingInformation
    if ($null -ne $binding) {
        $site.Bindings.Remove($binding)
        $manager.CommitChanges()
        $removed = $true
    }
    $sslRemoved = $false
    if ($null -ne $a.sslEndpoint) {
        Invoke-CemNetshSsl 'delete' $a.sslEndpointParameter $a.sslEndpoint ''
        $sslRemoved = $true
    }
    return [ordered]@{ removed = $removed; sslRemoved = $sslRemoved }
}

# --- windows_firewall_rule: only rules of the group cem owns --------------------------------------

# The non-null values as strings, always an array (a filter's property may be one value or several).
function ConvertTo-CemStrings {
    param($Values)
    $out = New-Object System.Collections.ArrayList
    foreach ($v in $Values) {
        if ($null -ne $v) { [void]$out.Add([string]$v) }
    }
    return ,$out.ToArray()
}

function Get-CemFirewallRules {
    param($Arguments)
    $rules = New-Object System.Collections.ArrayList
    foreach ($r in Get-NetFirewallRule -Group $Arguments.group -ErrorAction SilentlyContinue) {
        $ports = Get-NetFirewallPortFilter -AssociatedNetFirewallRule $r
        $addresses = Get-NetFirewallAddressFilter -AssociatedNetFirewallRule $r
        [void]$rules.Add([ordered]@{
            name = [string]$r.Name
            displayName = [string]$r.DisplayName
            group = [string]$r.Group
            direction = [string]$r.Direction
            action = [string]$r.Action
            enabled = [string]$r.Enabled
            profile = [string]$r.Profile
            protocol = [string]$ports.Protocol
            localPort = (ConvertTo-CemStrings $ports.LocalPort)
            remotePort = (ConvertTo-CemStrings $ports.RemotePort)
            localAddress = (ConvertTo-CemStrings $addresses.LocalAddress)
            remoteAddress = (ConvertTo-CemStrings $addresses.RemoteAddress)
        })
    }
    return ,$rules.ToArray()
}

# The rule of that exact name (the schema refuses wildcard characters), refused when another group owns it.
function Get-CemOwnedRule {
    param([string]$Name, [string]$Group)
    $existing = Get-NetFirewallRule -Name $Name -ErrorAction SilentlyContinue
    if ($null -ne $existing -and [string]$existing.Group -ne $Group) {
        throw ('The firewall rule ' + $Name + ' belongs to group "' + [string]$existing.Group + '", not to cem''s group "' + $Group + '"; cem leaves it alone.')
    }
    return $existing
}

function Set-CemFirewallRule {
    param($Arguments)
    $a = $Arguments
    $existing = Get-CemOwnedRule $a.name $a.group
    if ($null -eq $existing) {
        if ($null -eq $a.localPort) {
            New-NetFirewallRule -Name $a.name -DisplayName $a.displayName -Group $a.group -Direction $a.direction -Action $a.action -Enabled $a.enabled -Profile $a.profile -Protocol $a.protocol -RemoteAddress $a.remoteAddress | Out-Null
        } else {
            New-NetFirewallRule -Name $a.name -DisplayName $a.displayName -Group $a.group -Direction $a.direction -Action $a.action -Enabled $a.enabled -Profile $a.profile -Protocol $a.protocol -LocalPort $a.localPort -RemotePort $a.remotePort -RemoteAddress $a.remoteAddress | Out-Null
        }
        return [ordered]@{ name = $a.name; created = $true }
    }
    # Renaming is -NewDisplayName: -DisplayName belongs to the ByDisplayName set, which selects rules.
    if ($null -eq $a.localPort) {
        Set-NetFirewallRule -Name $a.name -NewDisplayName $a.displayName -Direction $a.direction -Action $a.action -Enabled $a.enabled -Profile $a.profile -Protocol $a.protocol -RemoteAddress $a.remoteAddress
    } else {
        Set-NetFirewallRule -Name $a.name -NewDisplayName $a.displayName -Direction $a.direction -Action $a.action -Enabled $a.enabled -Profile $a.profile -Protocol $a.protocol -LocalPort $a.localPort -RemotePort $a.remotePort -RemoteAddress $a.remoteAddress
    }
    return [ordered]@{ name = $a.name; created = $false }
}

function Remove-CemFirewallRule {
    param($Arguments)
    $existing = Get-CemOwnedRule $Arguments.name $Arguments.group
    if ($null -ne $existing) {
        Remove-NetFirewallRule -Name $Arguments.name
    }
    return [ordered]@{ name = $Arguments.name; removed = ($null -ne $existing) }
}

# --- windows_service ----------------------------------------------------------------------------

function Get-CemServices {
    param($Arguments)
    $wanted = @($Arguments.names)
    $services = New-Object System.Collections.ArrayList
    foreach ($s in Get-CimInstance -ClassName Win32_Service) {
        if ($wanted -contains [string]$s.Name -or $wanted -contains [string]$s.DisplayName) {
            [void]$services.Add([ordered]@{
                name = [string]$s.Name
                displayName = [string]$s.DisplayName
                state = [string]$s.State
                startMode = [string]$s.StartMode
                delayedAutoStart = [bool]$s.DelayedAutoStart
            })
        }
    }
    return ,$services.ToArray()
}

# The key name of the service whose key name or display name is this one (compared ignoring case, as Windows does).
function Find-CemService {
    param([string]$Name)
    foreach ($s in Get-CimInstance -ClassName Win32_Service) {
        if ([string]$s.Name -eq $Name -or [string]$s.DisplayName -eq $Name) { return [string]$s.Name }
    }
    throw ("Cannot find any service with service name '" + $Name + "'.")
}

function Set-CemService {
    param($Arguments)
    $a = $Arguments
    $name = Find-CemService $a.name
    # An exact key name (the schema refuses wildcard characters in what the configuration names).
    $service = Get-Service -Name $name
    if ($null -ne $a.startMode) {
        # Windows PowerShell 5.1's Set-Service has no delayed start: sc.exe config sets both.
        $out = & sc.exe config $name 'start=' $a.startMode
        if ($LASTEXITCODE -ne 0) { throw (($out | Out-String).Trim()) }
    }
    if ($a.state -eq 'running' -and [string]$service.Status -ne 'Running') { Start-Service -InputObject $service }
    if ($a.state -eq 'stopped' -and [string]$service.Status -ne 'Stopped') { Stop-Service -InputObject $service -Force }
    return [ordered]@{ name = $name }
}

# --- internet_gateway (on the IG host) -----------------------------------------------------------
# [?] Where Gateway Manager keeps its settings is not documented: the key and the value names come
# from the configuration (settingsKey; default in Java), and `cem probe` checks them read-only.
# StatusReporting is read (and kept in backups) but never written: status reporting is enabled on the
# NS (Settings > Notification Server > Internet Gateway, KB 216202 step 4), not on the IG host.

$script:IgValues = @('ListenerPort', 'Servers', 'AutoRefresh', 'StatusReporting', 'Version')

function Get-CemRegistryValues {
    param([string]$Key)
    $item = Get-Item -LiteralPath $Key
    $values = [ordered]@{}
    foreach ($name in $script:IgValues) {
        $values[$name] = $item.GetValue($name, $null)
    }
    return $values
}

function Get-CemGateway {
    param($Arguments)
    $a = $Arguments
    if (-not (Test-Path -LiteralPath $a.settingsKey)) {
        return [ordered]@{ keyExists = $false; values = $null; service = $null; logs = @() }
    }
    $service = $null
    foreach ($s in Get-CimInstance -ClassName Win32_Service) {
        if ([string]$s.DisplayName -eq $a.serviceDisplayName) {
            $service = [ordered]@{ name = [string]$s.Name; state = [string]$s.State; startMode = [string]$s.StartMode }
        }
    }
    $logs = New-Object System.Collections.ArrayList
    foreach ($f in Get-ChildItem -LiteralPath $a.logDirectory -Filter 'a*.log' -File -ErrorAction SilentlyContinue) {
        [void]$logs.Add([ordered]@{
            name = $f.Name
            lastWriteTimeUtc = $f.LastWriteTimeUtc.ToString('o')
            hasRegistrationLine = [bool](Select-String -LiteralPath $f.FullName -SimpleMatch -Pattern $a.registrationLine -Quiet)
        })
    }
    return [ordered]@{ keyExists = $true; values = (Get-CemRegistryValues $a.settingsKey); service = $service; logs = $logs.ToArray() }
}

# A backup directory under %ProgramData%\cem (created by install.ps1, writable only by Administrators
# and SYSTEM); old backups are removed file by file, never through a link.
function Get-CemBackups {
    param([string]$Directory)
    $files = New-Object System.Collections.ArrayList
    foreach ($f in Get-ChildItem -LiteralPath $Directory -Filter '*.json' -File -ErrorAction SilentlyContinue) {
        if (($f.Attributes -band [IO.FileAttributes]::ReparsePoint) -eq 0) { [void]$files.Add($f) }
    }
    $sorted = @($files.ToArray() | Sort-Object -Property Name)
    return ,$sorted
}

function Set-CemGateway {
    param($Arguments)
    $a = $Arguments
    if (-not (Test-Path -LiteralPath $a.settingsKey)) {
        throw 'The Internet Gateway is not installed on this host.'
    }
    $directory = New-Item -ItemType Directory -Force -Path $a.backupDirectory
    if (($directory.Attributes -band [IO.FileAttributes]::ReparsePoint) -ne 0) {
        throw ('The backup directory ' + $a.backupDirectory + ' is a link; cem does not write through links.')
    }
    $stamp = [DateTime]::UtcNow.ToString('yyyyMMddTHHmmssfffZ')
    $saved = ConvertTo-Json -InputObject (Get-CemRegistryValues $a.settingsKey) -Depth 3
    [IO.File]::WriteAllText((Join-Path $a.backupDirectory ($stamp + '.json')), $saved)
    $old = Get-CemBackups $a.backupDirectory
    for ($i = 0; $i -lt $old.Length - [int]$a.keepBackups; $i++) {
        Remove-Item -LiteralPath $old[$i].FullName -Force
    }
    Set-ItemProperty -LiteralPath $a.settingsKey -Name 'ListenerPort' -Value ([int]$a.listenerPort) -Type DWord
    Set-ItemProperty -LiteralPath $a.settingsKey -Name 'Servers' -Value ([string[]]$a.servers) -Type MultiString
    Set-ItemProperty -LiteralPath $a.settingsKey -Name 'AutoRefresh' -Value ([int]$a.autoRefresh) -Type DWord
    if ($a.restartService) {
        Restart-Service -DisplayName $a.serviceDisplayName -Force
    }
    return [ordered]@{ backup = $stamp }
}

# [?] The IG's silent-install command line is not documented: the package and its arguments come from
# the configuration. Java names the program (msiexec.exe for an .msi) and quotes its one command line;
# it reads the exit code (msiexec: 0 done, 3010 and 1641 done with a restart needed).
function Install-CemGateway {
    param($Arguments)
    $a = $Arguments
    if (Test-Path -LiteralPath $a.settingsKey) {
        return [ordered]@{ alreadyInstalled = $true; exitCode = $null }
    }
    # An administrator can confine installers on this host to one directory (a registry value only
    # Administrators can write): a configuration then cannot run a program from anywhere else.
    if (Test-Path -LiteralPath $a.policyKey) {
        $allowed = (Get-Item -LiteralPath $a.policyKey).GetValue('InstallerDirectory', $null)
        if ($null -ne $allowed) {
            $root = [IO.Path]::GetFullPath([string]$allowed).TrimEnd('\') + '\'
            if (-not [IO.Path]::GetFullPath([string]$a.package).StartsWith($root, [StringComparison]::OrdinalIgnoreCase)) {
                throw ('This host allows installers only from ' + $root + ' (' + $a.policyKey + ', InstallerDirectory); ' + $a.package + ' is not there.')
            }
        }
    }
    # Start-Process joins -ArgumentList elements with spaces and quotes nothing (PSD Start-Process):
    # the line arrives whole.
    if ($null -eq $a.arguments) {
        $process = Start-Process -FilePath $a.file -Wait -PassThru
    } else {
        $process = Start-Process -FilePath $a.file -ArgumentList $a.arguments -Wait -PassThru
    }
    return [ordered]@{ alreadyInstalled = $false; exitCode = [int]$process.ExitCode }
}

# Restores a backup taken by Set-CemGateway (the newest one unless one is named).
function Restore-CemGateway {
    param($Arguments)
    $a = $Arguments
    $files = Get-CemBackups $a.backupDirectory
    if ($files.Length -eq 0) {
        throw 'There is no backup of the Internet Gateway settings on this host.'
    }
    $file = $files[$files.Length - 1]
    if ($null -ne $a.backup) {
        $file = $null
        foreach ($f in $files) {
            if ($f.BaseName -eq $a.backup) { $file = $f }
        }
        if ($null -eq $file) {
            throw ('There is no backup named ' + [string]$a.backup + '.')
        }
    }
    $saved = ConvertFrom-Json -InputObject ([IO.File]::ReadAllText($file.FullName))
    Set-ItemProperty -LiteralPath $a.settingsKey -Name 'ListenerPort' -Value ([int]$saved.ListenerPort) -Type DWord
    Set-ItemProperty -LiteralPath $a.settingsKey -Name 'Servers' -Value ([string[]]$saved.Servers) -Type MultiString
    Set-ItemProperty -LiteralPath $a.settingsKey -Name 'AutoRefresh' -Value ([int]$saved.AutoRefresh) -Type DWord
    Restart-Service -DisplayName $a.serviceDisplayName -Force
    return [ordered]@{ restored = $file.BaseName }
}

# --- ITMS items on the Notification Server: the ASDK web services, passed through ---------------
# Java builds every ASDK request and reads every answer (cem.windows.Asdk); this op only makes the
# call on the NS, as the NS's account, and hands back the HTTP status and the raw body. The call
# style is PoshAltiris' (Invoke-RestMethod -Method Post -Uri https://<NS>/altiris/<svc>.asmx/<Method>
# -Body @{...} -UseDefaultCredentials); Invoke-WebRequest keeps the body as text, and -UseBasicParsing
# needs no Internet Explorer engine. An ASP.NET refusal (HTTP 500 and its text) is an answer too:
# Windows PowerShell 5.1 throws a WebException whose Response still holds it.
function Invoke-CemAsdkCall {
    param($Arguments)
    $a = $Arguments
    $body = @{}
    foreach ($f in $a.fields) {
        $body[[string]$f.name] = [string]$f.value
    }
    $uri = [string]$a.baseUrl + [string]$a.service + '.asmx/' + [string]$a.method
    try {
        $response = Invoke-WebRequest -Uri $uri -Method Post -Body $body -UseDefaultCredentials -UseBasicParsing
        return [ordered]@{ status = [int]$response.StatusCode; body = [string]$response.Content }
    } catch [System.Net.WebException] {
        $failed = $_.Exception.Response
        if ($null -eq $failed) { throw }
        $stream = $failed.GetResponseStream()
        $reader = New-Object -TypeName System.IO.StreamReader -ArgumentList $stream
        $text = $reader.ReadToEnd()
        $reader.Close()
        return [ordered]@{ status = [int]$failed.StatusCode; body = [string]$text }
    }
}

# The NS's version and the gateways it reports Online. [?] Where the NS records its version: assumed
# the Notification Server key's Version value. [?] Where the NS keeps an IG's Online status is not
# documented (domain reference, section 11): on a real NS no gateway is claimed Online.
function Get-CemNsFacts {
    param($Arguments)
    $version = ''
    if (Test-Path -LiteralPath $Arguments.versionKey) {
        $version = [string](Get-Item -LiteralPath $Arguments.versionKey).GetValue('Version', '')
    }
    return [ordered]@{ nsVersion = $version; onlineGateways = @() }
}

# [?] Revoking a CEM agent certificate, site servers' CEM role and published hosts, and the CEM
# offline package have no documented API on ITMS 8.x: on a real NS these ops say what to do in the
# console; the lab implements the intended behaviour so the rest of cem can be tested.
function Get-CemRevocations {
    param($Arguments)
    throw 'cem: ITMS documents no API to read CEM certificate revocations. Check Settings > All Settings > Notification Server > Certificate Management in the console.'
}

function Revoke-CemCertificate {
    param($Arguments)
    throw 'cem: ITMS documents no API to revoke a CEM certificate. Revoke it in the console (Settings > All Settings > Notification Server > Certificate Management), then run cem plan.'
}

function Get-CemSiteServers {
    param($Arguments)
    throw 'cem: ITMS documents no API to read site server communication profiles. Check Settings > Notification Server > Site Server Settings in the console.'
}

function Set-CemSiteServer {
    param($Arguments)
    throw 'cem: ITMS documents no API to set a site server''s CEM role or published hosts. Set them in the console, then run cem plan.'
}

function New-CemOfflinePackage {
    param($Arguments)
    throw 'cem: ITMS documents no API to generate the CEM offline package. Generate it in Settings > Notification Server > Cloud-enabled Management.'
}

# --- read-only facts for cem doctor --------------------------------------------------------------

# The host's clock, and from the newest IIS W3C log every #Fields line (they sit at the start and
# again after each restart) and every line that may carry status 403, with line numbers: Java finds
# each line's columns from the #Fields line above it and counts.
function Get-CemHostFacts {
    param($Arguments)
    $lines = New-Object System.Collections.ArrayList
    $file = ''
    $log = Get-ChildItem -LiteralPath $Arguments.iisLogRoot -Recurse -Filter '*.log' -File -ErrorAction SilentlyContinue | Sort-Object -Property LastWriteTimeUtc | Select-Object -Last 1
    if ($null -ne $log) {
        $file = $log.FullName
        foreach ($m in Select-String -LiteralPath $log.FullName -Pattern '^#Fields:', ' 403( |$)') {
            [void]$lines.Add([ordered]@{ lineNumber = $m.LineNumber; line = $m.Line })
        }
    }
    return [ordered]@{ utcNow = [DateTime]::UtcNow.ToString('o'); iisLog = $file; lines = $lines.ToArray() }
}

# A managed computer: did the Symantec agent switch to gateway mode (its newest log), and the two
# registry values that steer it (KB 151144, KB 397041).
function Get-CemAgentStatus {
    param($Arguments)
    $a = $Arguments
    $file = ''
    $switched = $false
    foreach ($dir in $a.logDirectories) {
        $log = Get-ChildItem -LiteralPath $dir -Filter '*.log' -File -ErrorAction SilentlyContinue | Sort-Object -Property LastWriteTimeUtc | Select-Object -Last 1
        if ($null -ne $log) {
            $file = $log.FullName
            $switched = [bool](Select-String -LiteralPath $log.FullName -SimpleMatch -Pattern $a.switchLine -Quiet)
            break
        }
    }
    $mode = $null
    $prefer = $null
    if (Test-Path -LiteralPath $a.communicationsKey) {
        $key = Get-Item -LiteralPath $a.communicationsKey
        $mode = $key.GetValue('Secure Gateway Mode', $null)
        $prefer = $key.GetValue('Prefer Secure Gateway Connect', $null)
    }
    return [ordered]@{ agentLog = $file; switched = $switched; secureGatewayMode = $mode; preferSecureGatewayConnect = $prefer }
}

# --- read-only probes for cem probe: what no document says, read as it is -------------------------
# Each returns what Windows returns; Java (cem.windows.Assumptions) decides whether an assumption of
# this module is confirmed, contradicted or unknown. Nothing here writes.

# Registry keys (RegistryKey.GetValueNames, GetValueKind, GetValue, GetSubKeyNames): every value's
# name and kind; the data only of the values named in valueNames (the rest may be anything).
function Get-CemProbeRegistry {
    param($Arguments)
    $found = New-Object System.Collections.ArrayList
    foreach ($path in $Arguments.keys) {
        if (-not (Test-Path -LiteralPath $path)) {
            [void]$found.Add([ordered]@{ key = [string]$path; exists = $false; values = @(); subKeys = @() })
            continue
        }
        $item = Get-Item -LiteralPath $path
        $values = New-Object System.Collections.ArrayList
        foreach ($name in $item.GetValueNames()) {
            $data = $null
            if (@($Arguments.valueNames) -contains [string]$name) { $data = $item.GetValue($name, $null) }
            [void]$values.Add([ordered]@{ name = [string]$name; kind = [string]$item.GetValueKind($name); data = $data })
        }
        $subKeys = New-Object System.Collections.ArrayList
        foreach ($k in $item.GetSubKeyNames()) { [void]$subKeys.Add([string]$k) }
        [void]$found.Add([ordered]@{ key = [string]$path; exists = $true; values = $values.ToArray(); subKeys = $subKeys.ToArray() })
    }
    return ,$found.ToArray()
}

# Services whose key name or display name holds one of the words (Win32_Service; no WQL built from a value).
function Get-CemProbeServices {
    param($Arguments)
    $found = New-Object System.Collections.ArrayList
    foreach ($s in Get-CimInstance -ClassName Win32_Service) {
        $match = $false
        foreach ($w in $Arguments.words) {
            if (([string]$s.Name).IndexOf([string]$w, [StringComparison]::OrdinalIgnoreCase) -ge 0) { $match = $true }
            if (([string]$s.DisplayName).IndexOf([string]$w, [StringComparison]::OrdinalIgnoreCase) -ge 0) { $match = $true }
        }
        if ($match) {
            [void]$found.Add([ordered]@{
                name = [string]$s.Name
                displayName = [string]$s.DisplayName
                state = [string]$s.State
                startMode = [string]$s.StartMode
                pathName = [string]$s.PathName
            })
        }
    }
    return ,$found.ToArray()
}

# Folders: whether each exists, and its files that match the filter, each with whether it holds the line.
function Get-CemProbeFiles {
    param($Arguments)
    $a = $Arguments
    $found = New-Object System.Collections.ArrayList
    foreach ($dir in $a.directories) {
        if (-not (Test-Path -LiteralPath $dir -PathType Container)) {
            [void]$found.Add([ordered]@{ directory = [string]$dir; exists = $false; files = @() })
            continue
        }
        $files = New-Object System.Collections.ArrayList
        foreach ($f in Get-ChildItem -LiteralPath $dir -Filter $a.filter -File -ErrorAction SilentlyContinue) {
            [void]$files.Add([ordered]@{
                name = $f.Name
                length = [long]$f.Length
                lastWriteTimeUtc = $f.LastWriteTimeUtc.ToString('o')
                hasLine = [bool](Select-String -LiteralPath $f.FullName -SimpleMatch -Pattern $a.line -Quiet)
            })
        }
        [void]$found.Add([ordered]@{ directory = [string]$dir; exists = $true; files = $files.ToArray() })
    }
    return ,$found.ToArray()
}

# HTTP.SYS's SSL records as netsh prints them (NETSH: show sslcert without ipport lists every record).
function Get-CemProbeSslCert {
    param($Arguments)
    $out = & netsh.exe http show sslcert
    return [ordered]@{ exitCode = [int]$LASTEXITCODE; output = ($out | Out-String) }
}

function Invoke-CemBatch {
    param([Parameter(Mandatory = $true)][string]$Request)
    $bytes = [Convert]::FromBase64String($Request)
    if ($bytes.Length -gt 1 -and $bytes[0] -eq 0x1f -and $bytes[1] -eq 0x8b) {
        # A gzip stream (RFC 1952's magic bytes): Java compresses requests (System.IO.Compression.GZipStream).
        $zip = New-Object IO.Compression.GZipStream((New-Object IO.MemoryStream(, $bytes)), [IO.Compression.CompressionMode]::Decompress)
        $buffer = New-Object IO.MemoryStream
        $zip.CopyTo($buffer)
        $zip.Dispose()
        $bytes = $buffer.ToArray()
    }
    $text = [Text.Encoding]::UTF8.GetString($bytes)
    $batch = ConvertFrom-Json -InputObject $text
    $results = New-Object System.Collections.ArrayList
    foreach ($op in $batch.ops) {
        try {
            $data = switch ([string]$op.op) {
                'agent.info' { Get-CemAgentInfo $op.args }
                'certificate.read' { Get-CemCertificates $op.args }
                'certificate.import' { Import-CemCertificate $op.args }
                'certificate.remove' { Remove-CemCertificate $op.args }
                'iis_binding.read' { Get-CemBindings $op.args }
                'iis_binding.set' { Set-CemBinding $op.args }
                'iis_binding.remove' { Remove-CemBinding $op.args }
                'windows_firewall_rule.read' { Get-CemFirewallRules $op.args }
                'windows_firewall_rule.set' { Set-CemFirewallRule $op.args }
                'windows_firewall_rule.remove' { Remove-CemFirewallRule $op.args }
                'windows_service.read' { Get-CemServices $op.args }
                'windows_service.set' { Set-CemService $op.args }
                'internet_gateway.read' { Get-CemGateway $op.args }
                'internet_gateway.set' { Set-CemGateway $op.args }
                'internet_gateway.install' { Install-CemGateway $op.args }
                'internet_gateway.restore' { Restore-CemGateway $op.args }
                'asdk.call' { Invoke-CemAsdkCall $op.args }
                'ns.facts' { Get-CemNsFacts $op.args }
                'cem_certificate.read' { Get-CemRevocations $op.args }
                'cem_certificate.revoke' { Revoke-CemCertificate $op.args }
                'site_server.read' { Get-CemSiteServers $op.args }
                'site_server.set' { Set-CemSiteServer $op.args }
                'offline_package.generate' { New-CemOfflinePackage $op.args }
                'host.facts' { Get-CemHostFacts $op.args }
                'agent.status' { Get-CemAgentStatus $op.args }
                'probe.registry' { Get-CemProbeRegistry $op.args }
                'probe.services' { Get-CemProbeServices $op.args }
                'probe.files' { Get-CemProbeFiles $op.args }
                'probe.sslcert' { Get-CemProbeSslCert $op.args }
                default { throw ('Unknown op ' + [string]$op.op) }
            }
            [void]$results.Add([ordered]@{ ok = $true; data = $data })
        } catch {
            [void]$results.Add([ordered]@{ ok = $false; error = [ordered]@{ message = $_.Exception.Message; category = [string]$_.CategoryInfo.Category } })
        }
    }
    [Console]::Out.Write((ConvertTo-CemJson ([ordered]@{ v = 1; results = $results.ToArray() })))
}
