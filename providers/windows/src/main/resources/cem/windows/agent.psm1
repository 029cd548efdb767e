# cem-agent v1
# The PowerShell agent of cem's Windows provider, for Windows PowerShell 5.1. One entry point,
# Invoke-CemBatch, takes a base64 JSON request {"v":1,"ops":[{"op":"…","args":{…}}]} and prints
# one JSON document {"v":1,"results":[{"ok":true,"data":…}|{"ok":false,"error":{…}}]}.
# Values arrive only inside the encoded request: none is ever part of the script's text.
# Every op is idempotent and reads before it writes. Op reference: agent.md beside this file.

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$script:CemGroup = 'cem'

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

function Get-CemCertificates {
    param($Arguments)
    $store = New-Object System.Security.Cryptography.X509Certificates.X509Store('My', 'LocalMachine')
    $store.Open('ReadOnly')
    try {
        $list = @()
        foreach ($c in $store.Certificates) {
            $dns = @()
            foreach ($ext in $c.Extensions) {
                if ($ext.Oid.Value -eq '2.5.29.17') {
                    foreach ($line in ($ext.Format($true) -split "`r?`n")) {
                        if ($line -match '^DNS Name=(.+)$') { $dns += $Matches[1].Trim() }
                    }
                }
            }
            $ekus = @()
            foreach ($ext in $c.Extensions) {
                if ($ext -is [System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension]) {
                    foreach ($oid in $ext.EnhancedKeyUsages) { $ekus += $oid.Value }
                }
            }
            $chain = New-Object System.Security.Cryptography.X509Certificates.X509Chain
            $chain.ChainPolicy.RevocationMode = 'NoCheck'
            $list += [ordered]@{
                thumbprint = $c.Thumbprint
                subject = $c.Subject
                dnsNames = $dns
                ekus = $ekus
                keyAlgorithm = $c.PublicKey.Oid.FriendlyName
                keySize = $c.PublicKey.Key.KeySize
                signatureAlgorithm = $c.SignatureAlgorithm.FriendlyName
                notBefore = $c.NotBefore.ToUniversalTime().ToString('o')
                notAfter = $c.NotAfter.ToUniversalTime().ToString('o')
                hasPrivateKey = $c.HasPrivateKey
                friendlyName = $c.FriendlyName
                chainOk = $chain.Build($c)
            }
        }
        return ,$list
    } finally {
        $store.Close()
    }
}

function Import-CemCertificate {
    param($Arguments)
    $bytes = [Convert]::FromBase64String($Arguments.pfx)
    $flags = [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]'MachineKeySet,PersistKeySet'
    $cert = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2($bytes, [string]$Arguments.password, $flags)
    if ($Arguments.friendlyName) { $cert.FriendlyName = [string]$Arguments.friendlyName }
    $store = New-Object System.Security.Cryptography.X509Certificates.X509Store('My', 'LocalMachine')
    $store.Open('ReadWrite')
    try {
        $existing = $store.Certificates.Find('FindByThumbprint', $cert.Thumbprint, $false)
        if ($existing.Count -eq 0) { $store.Add($cert) }
    } finally {
        $store.Close()
    }
    return [ordered]@{ thumbprint = $cert.Thumbprint }
}

function Remove-CemCertificate {
    param($Arguments)
    $store = New-Object System.Security.Cryptography.X509Certificates.X509Store('My', 'LocalMachine')
    $store.Open('ReadWrite')
    try {
        foreach ($c in @($store.Certificates.Find('FindByThumbprint', [string]$Arguments.thumbprint, $false))) {
            $store.Remove($c)
        }
    } finally {
        $store.Close()
    }
    return [ordered]@{ removed = [string]$Arguments.thumbprint }
}

function Get-CemBindings {
    param($Arguments)
    Import-Module WebAdministration
    $bindings = @()
    foreach ($site in Get-ChildItem 'IIS:\Sites') {
        foreach ($b in $site.Bindings.Collection) {
            $parts = $b.bindingInformation -split ':'
            $bindings += [ordered]@{
                site = $site.Name
                protocol = $b.protocol
                ip = $parts[0]
                port = [int]$parts[1]
                hostHeader = ($parts[2..($parts.Count - 1)] -join ':')
                sni = (([int]$b.sslFlags) -band 1) -eq 1
                thumbprint = $b.certificateHash
            }
        }
    }
    $ssl = @()
    foreach ($s in Get-ChildItem 'IIS:\SslBindings') {
        $ssl += [ordered]@{
            endpoint = $(if ($s.Host) { $s.Host + ':' + $s.Port } else { [string]$s.IPAddress + ':' + $s.Port })
            thumbprint = $s.Thumbprint
            store = $s.Store
        }
    }
    return [ordered]@{ bindings = $bindings; sslBindings = $ssl }
}

function Set-CemBinding {
    param($Arguments)
    Import-Module WebAdministration
    $a = $Arguments
    $flags = $(if ($a.sni) { 1 } else { 0 })
    $binding = Get-WebBinding -Name $a.site -Protocol $a.protocol -IPAddress $a.ip -Port $a.port -HostHeader $a.hostHeader
    if (-not $binding) {
        New-WebBinding -Name $a.site -Protocol $a.protocol -IPAddress $a.ip -Port $a.port -HostHeader $a.hostHeader -SslFlags $flags
        $binding = Get-WebBinding -Name $a.site -Protocol $a.protocol -IPAddress $a.ip -Port $a.port -HostHeader $a.hostHeader
    }
    if ($a.protocol -eq 'https' -and $a.thumbprint) {
        $binding.AddSslCertificate([string]$a.thumbprint, 'My')
    }
    return [ordered]@{ site = $a.site }
}

function Remove-CemBinding {
    param($Arguments)
    Import-Module WebAdministration
    $a = $Arguments
    $binding = Get-WebBinding -Name $a.site -Protocol $a.protocol -IPAddress $a.ip -Port $a.port -HostHeader $a.hostHeader
    if ($binding) {
        if ($a.protocol -eq 'https') { $binding.RemoveSslCertificate() }
        Remove-WebBinding -Name $a.site -Protocol $a.protocol -IPAddress $a.ip -Port $a.port -HostHeader $a.hostHeader
    }
    return [ordered]@{ site = $a.site }
}

function Get-CemFirewallRules {
    param($Arguments)
    $rules = @()
    foreach ($r in @(Get-NetFirewallRule -Group $script:CemGroup -ErrorAction SilentlyContinue)) {
        $ports = $r | Get-NetFirewallPortFilter
        $addresses = $r | Get-NetFirewallAddressFilter
        $rules += [ordered]@{
            ruleName = $r.Name
            displayName = $r.DisplayName
            direction = ([string]$r.Direction).ToLowerInvariant()
            action = ([string]$r.Action).ToLowerInvariant()
            enabled = ([string]$r.Enabled) -eq 'True'
            profiles = @(([string]$r.Profile).ToLowerInvariant() -split ',\s*')
            protocol = ([string]$ports.Protocol).ToLowerInvariant()
            localPorts = @($ports.LocalPort)
            remotePorts = @($ports.RemotePort)
            remoteAddresses = @($addresses.RemoteAddress)
        }
    }
    return ,$rules
}

function Set-CemFirewallRule {
    param($Arguments)
    $a = $Arguments
    $settings = @{
        DisplayName = [string]$a.displayName
        Direction = $(if ($a.direction -eq 'inbound') { 'Inbound' } else { 'Outbound' })
        Action = $(if ($a.action -eq 'allow') { 'Allow' } else { 'Block' })
        Enabled = $(if ($a.enabled) { 'True' } else { 'False' })
        Protocol = $(if ($a.protocol -eq 'any') { 'Any' } else { ([string]$a.protocol).ToUpperInvariant() })
    }
    if ($a.localPorts) { $settings.LocalPort = @($a.localPorts | ForEach-Object { [string]$_ }) }
    if ($a.remotePorts) { $settings.RemotePort = @($a.remotePorts | ForEach-Object { [string]$_ }) }
    if ($a.remoteAddresses) { $settings.RemoteAddress = @($a.remoteAddresses) }
    if ($a.profiles) { $settings.Profile = @($a.profiles) }
    $existing = Get-NetFirewallRule -Name $a.ruleName -ErrorAction SilentlyContinue
    if ($existing) {
        Set-NetFirewallRule -Name $a.ruleName @settings
    } else {
        New-NetFirewallRule -Name $a.ruleName -Group $script:CemGroup @settings | Out-Null
    }
    return [ordered]@{ ruleName = $a.ruleName }
}

function Remove-CemFirewallRule {
    param($Arguments)
    Remove-NetFirewallRule -Name $Arguments.ruleName -ErrorAction SilentlyContinue
    return [ordered]@{ ruleName = $Arguments.ruleName }
}

function Get-CemServices {
    param($Arguments)
    $services = @()
    foreach ($name in @($Arguments.names)) {
        $s = Get-CimInstance -ClassName Win32_Service -Filter ("Name='" + ([string]$name).Replace("'", "''").Replace('\', '\\') + "'")
        if ($s) {
            $start = ([string]$s.StartMode).ToLowerInvariant()
            if ($start -eq 'auto') { $start = $(if ($s.DelayedAutoStart) { 'delayed' } else { 'automatic' }) }
            $services += [ordered]@{ service = $s.Name; state = ([string]$s.State).ToLowerInvariant(); startType = $start }
        }
    }
    return ,$services
}

function Set-CemService {
    param($Arguments)
    $a = $Arguments
    $service = Get-Service -Name $a.service
    if ($a.startType) {
        $type = 'Disabled'
        if ($a.startType -eq 'automatic' -or $a.startType -eq 'delayed') { $type = 'Automatic' }
        if ($a.startType -eq 'manual') { $type = 'Manual' }
        Set-Service -Name $a.service -StartupType $type
    }
    if ($a.state -eq 'running' -and $service.Status -ne 'Running') { Start-Service -Name $a.service }
    if ($a.state -eq 'stopped' -and $service.Status -ne 'Stopped') { Stop-Service -Name $a.service -Force }
    return [ordered]@{ service = $a.service }
}

# --- ITMS: Internet Gateway (on the IG host) and Notification Server items (on the NS) ---------
# Facts marked [?] in the domain reference live here only, each with its assumption beside it.

# [?] Where Gateway Manager keeps its settings is not documented. Assumption: the registry key
# below, with ListenerPort (DWORD), Servers (multi-string "fqdn:port"), AutoRefresh and
# StatusReporting (DWORD 0/1) and Version. Check read-only on a real IG with:
#   Get-ItemProperty 'HKLM:\SOFTWARE\Symantec\Internet Gateway'
$script:IgKey = 'HKLM:\SOFTWARE\Symantec\Internet Gateway'
# The service is found by its display name (documented); its key name is [?].
$script:IgService = 'Symantec Internet Gateway Service'
# [?] Log folder of the IG; the registration line is documented (KB 216202).
$script:IgLogs = Join-Path $env:ProgramData 'Symantec\Internet Gateway\Logs'
$script:IgRegistered = 'Internet Gateway successfully registered with Notification Server'

# Where a site's gateway differs, the resource names the key and the log folder (settingsKey, logDirectory).
function Get-CemIgKey {
    param($Arguments)
    if ($Arguments -and $Arguments.settingsKey) { return [string]$Arguments.settingsKey }
    return $script:IgKey
}

function Get-CemIgLogs {
    param($Arguments)
    if ($Arguments -and $Arguments.logDirectory) { return [string]$Arguments.logDirectory }
    return $script:IgLogs
}

function Get-CemGateway {
    param($Arguments)
    if (-not (Test-Path -LiteralPath (Get-CemIgKey $Arguments))) {
        return [ordered]@{ installed = $false }
    }
    $p = Get-ItemProperty -LiteralPath (Get-CemIgKey $Arguments)
    $servers = @()
    foreach ($entry in @($p.Servers)) {
        $parts = ([string]$entry) -split ':'
        $servers += [ordered]@{ fqdn = $parts[0]; port = [int]$parts[1] }
    }
    $service = Get-CimInstance -ClassName Win32_Service -Filter ("DisplayName='" + $script:IgService + "'")
    $registered = $false
    $log = Get-ChildItem -LiteralPath (Get-CemIgLogs $Arguments) -Filter 'a*.log' -ErrorAction SilentlyContinue | Sort-Object LastWriteTime | Select-Object -Last 1
    if ($log) {
        $registered = [bool](Select-String -LiteralPath $log.FullName -SimpleMatch $script:IgRegistered -Quiet)
    }
    $state = 'missing'
    if ($service) { $state = ([string]$service.State).ToLowerInvariant() }
    return [ordered]@{
        installed = $true
        version = [string]$p.Version
        listenerPort = [int]$p.ListenerPort
        servers = $servers
        autoRefresh = [int]$p.AutoRefresh -eq 1
        statusReporting = [int]$p.StatusReporting -eq 1
        serviceState = $state
        registered = $registered
    }
}

function Set-CemGateway {
    param($Arguments)
    $a = $Arguments
    if (-not (Test-Path -LiteralPath (Get-CemIgKey $Arguments))) {
        throw 'The Internet Gateway is not installed on this host.'
    }
    # A backup of the settings before every change; the newest ones are kept.
    $backups = Join-Path $env:ProgramData 'cem\ig-backups'
    New-Item -ItemType Directory -Force -Path $backups | Out-Null
    $stamp = [DateTime]::UtcNow.ToString('yyyyMMddTHHmmssfffZ')
    Get-ItemProperty -LiteralPath (Get-CemIgKey $Arguments) | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath (Join-Path $backups ($stamp + '.json'))
    $keep = [int]$a.keepBackups
    Get-ChildItem -LiteralPath $backups -Filter '*.json' | Sort-Object Name -Descending | Select-Object -Skip $keep | Remove-Item -Force
    $servers = @($a.servers | ForEach-Object { [string]$_.fqdn + ':' + [string]$_.port })
    Set-ItemProperty -LiteralPath (Get-CemIgKey $Arguments) -Name ListenerPort -Value ([int]$a.listenerPort) -Type DWord
    Set-ItemProperty -LiteralPath (Get-CemIgKey $Arguments) -Name Servers -Value $servers -Type MultiString
    Set-ItemProperty -LiteralPath (Get-CemIgKey $Arguments) -Name AutoRefresh -Value ([int][bool]$a.autoRefresh) -Type DWord
    Set-ItemProperty -LiteralPath (Get-CemIgKey $Arguments) -Name StatusReporting -Value ([int][bool]$a.statusReporting) -Type DWord
    $service = Get-Service -DisplayName $script:IgService
    Restart-Service -InputObject $service -Force
    return [ordered]@{ backup = $stamp }
}

# [?] The IG's silent-install command line is not documented; the package and its arguments come
# from the configuration (installer.package, installer.arguments). An .msi goes through msiexec /i.
function Install-CemGateway {
    param($Arguments)
    $a = $Arguments
    if (Test-Path -LiteralPath (Get-CemIgKey $Arguments)) {
        return [ordered]@{ installed = $true }
    }
    $package = [string]$a.package
    if ($package.ToLowerInvariant().EndsWith('.msi')) {
        $process = Start-Process -FilePath 'msiexec.exe' -ArgumentList (@('/i', $package) + @($a.arguments)) -Wait -PassThru
    } else {
        $process = Start-Process -FilePath $package -ArgumentList @($a.arguments) -Wait -PassThru
    }
    if ($process.ExitCode -ne 0) {
        throw ('The Internet Gateway installer exited with ' + [string]$process.ExitCode + '.')
    }
    return [ordered]@{ installed = $true }
}

# Restores a backup taken by Set-CemGateway (the newest one unless one is named).
function Restore-CemGateway {
    param($Arguments)
    $backups = Join-Path $env:ProgramData 'cem\ig-backups'
    $files = @(Get-ChildItem -LiteralPath $backups -Filter '*.json' -ErrorAction SilentlyContinue | Sort-Object Name)
    if ($files.Count -eq 0) {
        throw 'There is no backup of the Internet Gateway settings on this host.'
    }
    $file = $files[$files.Count - 1]
    if ($Arguments.backup) {
        $file = @($files | Where-Object { $_.BaseName -eq [string]$Arguments.backup }) | Select-Object -First 1
        if (-not $file) {
            throw ('There is no backup named ' + [string]$Arguments.backup + '.')
        }
    }
    $saved = Get-Content -LiteralPath $file.FullName -Raw | ConvertFrom-Json
    Set-ItemProperty -LiteralPath (Get-CemIgKey $Arguments) -Name ListenerPort -Value ([int]$saved.ListenerPort) -Type DWord
    Set-ItemProperty -LiteralPath (Get-CemIgKey $Arguments) -Name Servers -Value @($saved.Servers) -Type MultiString
    Set-ItemProperty -LiteralPath (Get-CemIgKey $Arguments) -Name AutoRefresh -Value ([int]$saved.AutoRefresh) -Type DWord
    Set-ItemProperty -LiteralPath (Get-CemIgKey $Arguments) -Name StatusReporting -Value ([int]$saved.StatusReporting) -Type DWord
    Restart-Service -InputObject (Get-Service -DisplayName $script:IgService) -Force
    return [ordered]@{ restored = $file.BaseName }
}

# The Notification Server's items go through the ASDK web services on the NS itself, with the
# account's Windows credentials (documented in the ASDK help).
$script:Asdk = 'http://localhost/Altiris/ASDK.NS/'

function Invoke-CemAsdk {
    param([string]$Service, [string]$Method, [hashtable]$Body)
    $uri = $script:Asdk + $Service + '.asmx/' + $Method
    return Invoke-RestMethod -Method Post -Uri $uri -Body $Body -UseDefaultCredentials
}

function Get-CemTargets {
    param($Arguments)
    $list = @()
    foreach ($name in @($Arguments.names)) {
        $found = Invoke-CemAsdk 'ItemManagementService' 'GetItemsByNameAndType' @{ name = [string]$name; typeName = 'ResourceTarget' }
        foreach ($guid in @($found.ArrayOfGuid.guid)) {
            # [?] A target's filters cannot be read back through the ASDK; cem reports what it set.
            $members = Invoke-CemAsdk 'ScopingManagementService' 'GetResourceTargetMembership' @{ resourceTargetGuid = [string]$guid }
            $list += [ordered]@{ name = [string]$name; guid = [string]$guid; memberCount = @($members.ArrayOfGuid.guid).Count }
        }
    }
    foreach ($guid in @($Arguments.guids)) {
        $item = (Invoke-CemAsdk 'ItemManagementService' 'GetItemByGuid' @{ itemGuid = [string]$guid }).ItemDetails
        if ($item) {
            $members = Invoke-CemAsdk 'ScopingManagementService' 'GetResourceTargetMembership' @{ resourceTargetGuid = [string]$guid }
            $list += [ordered]@{ name = [string]$item.Name; guid = [string]$guid; memberCount = @($members.ArrayOfGuid.guid).Count }
        }
    }
    return ,$list
}

function Set-CemTarget {
    param($Arguments)
    $a = $Arguments
    if ($a.guid) {
        # An existing target named by its GUID: the ASDK cannot change its filters, so cem adopts it as it is.
        $found = @(Get-CemTargets @{ guids = @($a.guid) })
        if ($found.Count -eq 0) { throw ('No resource target has the GUID ' + [string]$a.guid + '.') }
        return [ordered]@{ guid = [string]$a.guid }
    }
    $existing = @(Get-CemTargets @{ names = @($a.name) })
    if ($existing.Count -gt 0) {
        return [ordered]@{ guid = $existing[0].guid }
    }
    $xml = New-Object System.Text.StringBuilder
    [void]$xml.Append('<resourceTarget><name>').Append([Security.SecurityElement]::Escape([string]$a.name)).Append('</name>')
    [void]$xml.Append('<mode>').Append([Security.SecurityElement]::Escape([string]$a.mode)).Append('</mode>')
    [void]$xml.Append('<baseOrganizationalGroup>').Append([Security.SecurityElement]::Escape([string]$a.baseGroup))
    [void]$xml.Append('</baseOrganizationalGroup><targetFilters>')
    foreach ($f in @($a.filters)) {
        [void]$xml.Append('<filter type="').Append([Security.SecurityElement]::Escape([string]$f.type)).Append('" operation="')
        [void]$xml.Append([Security.SecurityElement]::Escape([string]$f.operation)).Append('">')
        [void]$xml.Append([Security.SecurityElement]::Escape([string]$f.ref)).Append('</filter>')
    }
    [void]$xml.Append('</targetFilters></resourceTarget>')
    $created = Invoke-CemAsdk 'ScopingManagementService' 'CreateResourceTarget' @{ configXml = $xml.ToString() }
    return [ordered]@{ guid = [string]$created.guid }
}

function Remove-CemTarget {
    param($Arguments)
    foreach ($t in @(Get-CemTargets @{ names = @($Arguments.name) })) {
        Invoke-CemAsdk 'ItemManagementService' 'DeleteItem' @{ itemGuid = $t.guid } | Out-Null
    }
    return [ordered]@{ name = $Arguments.name }
}

# [?] The CEM settings policy's XML (gateway list, ports, prefer-CEM flags) is not documented;
# Get-CemPolicy and Set-CemPolicy hold the assumed shape: a cloudEnabledManagementSettings element
# with allowCloudCommunication, preferCem, preferCemOnVpn and gateways/gateway[@fqdn,@port].
# Check read-only on a real NS with ExportItemXmlString on the policy's GUID.
# [?] Where the NS records its version; assumption: the Notification Server key's Version value.
# Check read-only: Get-ItemProperty 'HKLM:\SOFTWARE\Altiris\eXpress\Notification Server'
function Get-CemNsVersion {
    $p = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Altiris\eXpress\Notification Server' -ErrorAction SilentlyContinue
    if ($p) { return [string]$p.Version }
    return ''
}

function Get-CemPolicy {
    param($Arguments)
    $found = Invoke-CemAsdk 'ItemManagementService' 'GetItemsByName' @{ itemName = [string]$Arguments.policyName }
    $guid = [string](@($found.ArrayOfGuid.guid) | Select-Object -First 1)
    if (-not $guid) {
        return [ordered]@{ exists = $false }
    }
    $details = Invoke-CemAsdk 'ItemManagementService' 'GetItemByGuid' @{ itemGuid = $guid }
    $exported = Invoke-CemAsdk 'ItemManagementService' 'ExportItemXmlString' @{ itemGuid = $guid }
    $item = New-Object System.Xml.XmlDocument
    $item.PreserveWhitespace = $true
    $item.LoadXml([string]$exported.string.'#text')
    $settings = $item.SelectSingleNode('//cloudEnabledManagementSettings')
    $gateways = @()
    foreach ($g in @($settings.SelectNodes('gateways/gateway'))) {
        # [?] Where the NS keeps a gateway's Online status (reported with its reporting certificate) is not
        # documented; until it is checked on a real NS, cem does not claim a gateway is Online.
        $gateways += [ordered]@{ fqdn = [string]$g.GetAttribute('fqdn'); port = [int]$g.GetAttribute('port'); online = $false }
    }
    $targets = @()
    foreach ($t in @(([string]$details.ItemDetails.AppliedToResourceTargets) -split ',' | Where-Object { $_ })) {
        $name = (Invoke-CemAsdk 'ItemManagementService' 'GetItemByGuid' @{ itemGuid = $t }).ItemDetails.Name
        $targets += [ordered]@{ guid = $t; name = [string]$name }
    }
    return [ordered]@{
        exists = $true
        guid = $guid
        nsVersion = Get-CemNsVersion
        enabled = ([string]$details.ItemDetails.Enabled) -eq 'true'
        allowCloudCommunication = ([string]$settings.allowCloudCommunication) -eq 'true'
        preferCem = ([string]$settings.preferCem) -eq 'true'
        preferCemOnVpn = ([string]$settings.preferCemOnVpn) -eq 'true'
        gateways = $gateways
        targets = $targets
    }
}

function Set-CemPolicy {
    param($Arguments)
    $a = $Arguments
    $policy = Get-CemPolicy @{ policyName = $a.policyName }
    if (-not $policy.exists) {
        throw ('The policy "' + [string]$a.policyName + '" does not exist on this Notification Server.')
    }
    $exported = Invoke-CemAsdk 'ItemManagementService' 'ExportItemXmlString' @{ itemGuid = $policy.guid }
    $item = New-Object System.Xml.XmlDocument
    $item.PreserveWhitespace = $true
    $item.LoadXml([string]$exported.string.'#text')
    $settings = $item.SelectSingleNode('//cloudEnabledManagementSettings')
    $settings.allowCloudCommunication = ([string][bool]$a.allowCloudCommunication).ToLowerInvariant()
    $settings.preferCem = ([string][bool]$a.preferCem).ToLowerInvariant()
    $settings.preferCemOnVpn = ([string][bool]$a.preferCemOnVpn).ToLowerInvariant()
    $list = $settings.SelectSingleNode('gateways')
    $list.RemoveAll()
    foreach ($g in @($a.gateways)) {
        $node = $item.CreateElement('gateway')
        $node.SetAttribute('fqdn', [string]$g.fqdn)
        $node.SetAttribute('port', [string]$g.port)
        [void]$list.AppendChild($node)
    }
    Invoke-CemAsdk 'ItemManagementService' 'ImportItemXmlString' @{ xml = $item.OuterXml } | Out-Null
    $guids = @($a.targetGuids)
    foreach ($name in @($a.targetNames)) {
        $t = @(Get-CemTargets @{ names = @($name) })
        if ($t.Count -eq 0) {
            throw ('Resource target "' + [string]$name + '" not found.')
        }
        $guids += $t[0].guid
    }
    Invoke-CemAsdk 'ScopingManagementService' 'AssignResourceTargetsToPolicy' @{ policyItemGuid = $policy.guid; resourceTargetsGuids = ($guids -join ',') } | Out-Null
    if ($a.enabled) {
        Invoke-CemAsdk 'ItemManagementService' 'EnablePolicyItem' @{ policyItemGuid = $policy.guid } | Out-Null
    } else {
        Invoke-CemAsdk 'ItemManagementService' 'DisablePolicyItem' @{ policyItemGuid = $policy.guid } | Out-Null
    }
    return [ordered]@{ guid = $policy.guid }
}

# [?] Revoking a CEM agent certificate has no documented API on ITMS 8.x (Certificate Management
# is console-only as far as any source shows). Assumption kept in these two functions only:
# nothing is automated on a real NS; reading reports what cem cannot see, and revoking fails with
# what to do. The lab implements the intended behaviour so the rest of cem can be tested.
function Get-CemRevocations {
    param($Arguments)
    throw 'cem: ITMS documents no API to read CEM certificate revocations. Check Settings > Notification Server > Cloud-enabled Management > Certificate Management in the console.'
}

function Revoke-CemCertificate {
    param($Arguments)
    throw 'cem: ITMS documents no API to revoke a CEM certificate. Revoke it in the console (Certificate Management), then run cem plan.'
}

# [?] Site servers' CEM role and published communication hosts (Site Server Communication Profile)
# and the CEM offline package have no documented API: on a real NS these ops say what to do in the
# console; the lab implements the intended behaviour so that plans and the rest can be tested.
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

# Read-only facts for `cem doctor`: this host's clock and the HTTP 403 answers in its newest IIS log.
function Get-CemHostFacts {
    param($Arguments)
    $root = Join-Path $env:SystemDrive 'inetpub\logs\LogFiles'
    if ($Arguments -and ($Arguments.PSObject.Properties.Name -contains 'iisLogRoot')) { $root = [string]$Arguments.iisLogRoot }
    $count = 0
    $sample = ''
    $file = ''
    $log = Get-ChildItem -LiteralPath $root -Recurse -Filter '*.log' -ErrorAction SilentlyContinue | Sort-Object LastWriteTime | Select-Object -Last 1
    if ($log) {
        $file = $log.FullName
        $status = -1
        foreach ($line in (Get-Content -LiteralPath $log.FullName -Tail 20000)) {
            if ($line.StartsWith('#Fields:')) {
                $status = [array]::IndexOf(($line.Substring(8).Trim() -split ' '), 'sc-status')
            } elseif (-not $line.StartsWith('#') -and $status -ge 0) {
                $fields = $line -split ' '
                if ($fields.Length -gt $status -and $fields[$status] -eq '403') {
                    $count++
                    $sample = $line
                }
            }
        }
    }
    return [ordered]@{ utcNow = [DateTime]::UtcNow.ToString('o'); iisLog = $file; iis403 = $count; iis403Sample = $sample }
}

# Read-only facts for `cem doctor` on a managed computer: did the agent switch to gateway mode, and
# the two registry values that steer it (KB 151144, KB 397041).
function Get-CemAgentStatus {
    param($Arguments)
    $file = ''
    $switched = $false
    foreach ($dir in @((Join-Path $env:ProgramData 'Symantec\Symantec Agent\Logs'), (Join-Path $env:ProgramData 'Symantec\SMA\Logs'))) {
        $log = Get-ChildItem -LiteralPath $dir -Filter '*.log' -ErrorAction SilentlyContinue | Sort-Object LastWriteTime | Select-Object -Last 1
        if ($log) {
            $file = $log.FullName
            $switched = [bool](Select-String -LiteralPath $log.FullName -SimpleMatch 'Switching to Internet Gateway mode' -Quiet)
            break
        }
    }
    $mode = $null
    $prefer = $null
    $key = 'HKLM:\SOFTWARE\Altiris\Communications'
    if (Test-Path -LiteralPath $key) {
        $p = Get-ItemProperty -LiteralPath $key
        if ($p.PSObject.Properties.Name -contains 'Secure Gateway Mode') { $mode = [int]$p.'Secure Gateway Mode' }
        if ($p.PSObject.Properties.Name -contains 'Prefer Secure Gateway Connect') { $prefer = [int]$p.'Prefer Secure Gateway Connect' }
    }
    return [ordered]@{ agentLog = $file; switched = $switched; secureGatewayMode = $mode; preferSecureGatewayConnect = $prefer }
}

function Invoke-CemBatch {
    param([Parameter(Mandatory = $true)][string]$Request)
    $text = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($Request))
    $batch = ConvertFrom-Json -InputObject $text
    $results = @()
    foreach ($op in @($batch.ops)) {
        try {
            $data = switch ([string]$op.op) {
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
                'resource_target.read' { Get-CemTargets $op.args }
                'resource_target.set' { Set-CemTarget $op.args }
                'resource_target.remove' { Remove-CemTarget $op.args }
                'cem_policy.read' { Get-CemPolicy $op.args }
                'cem_policy.set' { Set-CemPolicy $op.args }
                'cem_certificate.read' { Get-CemRevocations $op.args }
                'cem_certificate.revoke' { Revoke-CemCertificate $op.args }
                'site_server.read' { Get-CemSiteServers $op.args }
                'site_server.set' { Set-CemSiteServer $op.args }
                'offline_package.generate' { New-CemOfflinePackage $op.args }
                'host.facts' { Get-CemHostFacts $op.args }
                'agent.status' { Get-CemAgentStatus $op.args }
                default { throw ('Unknown op ' + [string]$op.op) }
            }
            $results += ,([ordered]@{ ok = $true; data = $data })
        } catch {
            $results += ,([ordered]@{ ok = $false; error = [ordered]@{ message = $_.Exception.Message; category = [string]$_.CategoryInfo.Category } })
        }
    }
    [Console]::Out.Write((ConvertTo-CemJson ([ordered]@{ v = 1; results = $results })))
}
