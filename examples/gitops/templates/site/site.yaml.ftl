<#--
  One CEM site: its Notification Server, its Internet Gateway in the DMZ, and the perimeter
  firewall in front of the gateway. Rendered once per site of sites.yaml into sites/NAME/site.yaml.
  Interpolations are written [=name] (a site variable, or site.name, site.wave, site.tags), so that
  cem's secret references ${env:...} and ${file:...} pass through as written; directives are
  FreeMarker's own, as in the #if and #list blocks below.
-->
# One CEM site: Notification Server, Internet Gateway, perimeter firewall.
version: 1

hosts:
  [=site.name]-ns:
    address: [=nsAddress]
    fqdn: [=nsFqdn]
    os: windows
<#if lab>
    lab: true
<#else>
    transport: winrm
    auth:
      scheme: [=authScheme!"ntlm"]
      username: [=nsUser]
      password: [=nsPassword]
    tls:
      caFile: [=caFile]
</#if>
  [=site.name]-ig:
    address: [=gatewayAddress]
    os: windows
    transport: ssh
<#if lab>
    lab: true
<#else>
    auth:
      scheme: publickey
      username: [=gatewayUser]
      keyFile: [=gatewayKeyFile]
</#if>
  [=site.name]-fw:
    address: [=firewallAddress]
    os: linux
<#if lab>
    lab: true
<#else>
    auth:
      scheme: publickey
      username: [=firewallUser]
      keyFile: [=firewallKeyFile]
    ssh:
      sudo: true
</#if>

resources:
  - type: certificate
    name: ns-cert
    host: [=site.name]-ns
    pfx: [=nsPfx]
    password: [=pfxPassword]
<#if trustedCaFile??>
    trustedCaFile: [=trustedCaFile]
</#if>

  - type: certificate
    name: gateway-cert
    host: [=site.name]-ig
    pfx: [=gatewayPfx]
    password: [=pfxPassword]
<#if trustedCaFile??>
    trustedCaFile: [=trustedCaFile]
</#if>

  - type: iis_binding
    name: ns-default-https
    host: [=site.name]-ns
    site: Default Web Site
    port: 443
    certificate: ns-cert

  - type: iis_binding
    name: ns-cem-agent
    host: [=site.name]-ns
    site: CEM Agent
    port: 4726
    certificate: ns-cert

  - type: windows_firewall_rule
    name: ig-agents-in
    host: [=site.name]-ig
    direction: inbound
    action: allow
    localPorts: [[=gatewayPort]]

  - type: windows_service
    name: iis
    host: [=site.name]-ns
    service: W3SVC
    state: running
    startType: automatic

  - type: windows_service
    name: gateway-service
    host: [=site.name]-ig
    service: Symantec Internet Gateway Service   # its documented display name; the key name is not documented
    state: running
    startType: automatic
    dependsOn: [internet_gateway.gateway]        # the gateway's install creates the service

  - type: internet_gateway
    name: gateway
    host: [=site.name]-ig
    externalFqdn: [=gatewayFqdn]
    listenerPort: [=gatewayPort]
    certificate: gateway-cert
    servers:
      - fqdn: [=nsFqdn]
    installer:
      package: [=installer]
      arguments: [/qn, /norestart]

  # The perimeter: the gateway's listener, the policy's port and this rule agree (KB 440283).
  - type: nft_rule
    name: agents-to-gateway
    host: [=site.name]-fw
    hook: forward
    protocol: tcp
    dport: [[=gatewayPort]]
    daddr: [[=gatewayPublicIp]]
    action: accept
    counter: true
    gateway: gateway

  - type: resource_target
    name: cloud-computers
    host: [=site.name]-ns
    filters:
<#list targetCollections as collection>
      - type: resourceCollection
        operation: union
        ref: [=collection]
</#list>

  - type: cem_policy
    name: default
    host: [=site.name]-ns
    gateways:
      - gateway: gateway
        port: [=gatewayPort]
    targets: [cloud-computers]
