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
                default { throw ('Unknown op ' + [string]$op.op) }
            }
            $results += ,([ordered]@{ ok = $true; data = $data })
        } catch {
            $results += ,([ordered]@{ ok = $false; error = [ordered]@{ message = $_.Exception.Message; category = [string]$_.CategoryInfo.Category } })
        }
    }
    [Console]::Out.Write((ConvertTo-CemJson ([ordered]@{ v = 1; results = $results })))
}
