<#
.SYNOPSIS
    Renders the Consul and Nomad client configuration on a Windows node,
    registers both services and starts them.

.DESCRIPTION
    Called once from EC2 user-data (user-data-client-windows.ps1) with the
    values Terraform passed to templatefile(). Mirrors client.sh: every
    setting that must agree with the Linux clients and the server is the same.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)] [string] $RetryJoin,
    [Parameter(Mandatory = $true)] [string] $ConsulAgentToken,
    [string] $NodeClass = "windows"
)

$ErrorActionPreference = "Stop"

$NomadConfigDir = "C:\HashiCorp\Nomad\config"
$ConsulConfigDir = "C:\HashiCorp\Consul\config"
$NomadConfigFile = Join-Path $NomadConfigDir "client.hcl"
$ConsulConfigFile = Join-Path $ConsulConfigDir "consul.hcl"
$Utf8NoBom = [Text.UTF8Encoding]::new($false)

foreach ($dir in @($NomadConfigDir, "C:\HashiCorp\Nomad\data", "C:\HashiCorp\Nomad\logs",
                   $ConsulConfigDir, "C:\HashiCorp\Consul\data", "C:\HashiCorp\Consul\logs")) {
    New-Item -ItemType Directory -Force -Path $dir | Out-Null
}

# Private IP from the instance metadata service (IMDSv2).
$imdsToken = Invoke-RestMethod -Method Put -Uri "http://169.254.169.254/latest/api/token" `
    -Headers @{ "X-aws-ec2-metadata-token-ttl-seconds" = "300" }
$IpAddress = Invoke-RestMethod -Uri "http://169.254.169.254/latest/meta-data/local-ipv4" `
    -Headers @{ "X-aws-ec2-metadata-token" = $imdsToken }

# --- Consul -----------------------------------------------------------------
# Expandable here-string: $Name is filled in by PowerShell. HCL needs doubled
# backslashes (or forward slashes) in Windows paths.
$consulConfig = @"
datacenter = "dc1"
data_dir   = "C:\HashiCorp\Consul\data"

bind_addr      = "$IpAddress"
advertise_addr = "$IpAddress"
client_addr    = "127.0.0.1"
log_level      = "INFO"
log_file       = "C:/HashiCorp/Consul/logs/consul.log"

retry_join = ["$RetryJoin"]

acl {
  enabled        = true
  default_policy = "deny"
  down_policy    = "extend-cache"

  tokens {
    agent = "$ConsulAgentToken"
  }
}
"@
$consulConfig | Set-Content -Path $ConsulConfigFile -Encoding ascii

# --- Nomad ------------------------------------------------------------------
# Literal here-string (nothing expands) with placeholders replaced
# case-sensitively, so the node_class key survives NODE_CLASS.
$nomadTemplate = @'
region     = "global"
datacenter = "dc1"
data_dir   = "C:/HashiCorp/Nomad/data"
bind_addr  = "0.0.0.0"
log_level  = "INFO"
log_file   = "C:/HashiCorp/Nomad/logs/nomad.log"
enable_syslog = true

advertise {
  http = "IP_ADDRESS"
  rpc  = "IP_ADDRESS"
  serf = "IP_ADDRESS"
}

client {
  enabled    = true
  node_class = "NODE_CLASS"

  # server_join was not picked up on Windows: point the client at the servers directly
  servers = ["RETRY_JOIN"]
}

plugin "raw_exec" {
  config {
    enabled = true
  }
}

acl {
  enabled = true
}

tls {
  http = true
  rpc  = true

  cert_file = "C:/HashiCorp/Nomad/tls/client.pem"
  key_file  = "C:/HashiCorp/Nomad/tls/client-key.pem"

  verify_server_hostname = true
  verify_https_client    = false
}

consul {
  address = "127.0.0.1:8500"
  token   = "CONSUL_AGENT_TOKEN"
}
'@

$nomadConfig = $nomadTemplate `
    -creplace 'IP_ADDRESS', $IpAddress `
    -replace 'NODE_CLASS', $NodeClass `
    -creplace 'RETRY_JOIN', $RetryJoin `
    -creplace 'CONSUL_AGENT_TOKEN', $ConsulAgentToken
$nomadConfig | Out-File -FilePath $NomadConfigFile

# --- Firewall ---------------------------------------------------------------
if (-not (Get-NetFirewallRule -Name "nomad-agent" -ErrorAction SilentlyContinue)) {
    New-NetFirewallRule -Name "nomad-agent" -DisplayName "Nomad agent" -Direction Inbound `
        -Protocol TCP -LocalPort 4646, 4647, 4648 -Action Allow | Out-Null
    New-NetFirewallRule -Name "nomad-dynamic-ports" -DisplayName "Nomad dynamic ports" -Direction Inbound `
        -Protocol TCP -LocalPort "20000-32000" -Action Allow | Out-Null
}
if (-not (Get-NetFirewallRule -Name "consul-serf-tcp" -ErrorAction SilentlyContinue)) {
    New-NetFirewallRule -Name "consul-serf-tcp" -DisplayName "Consul serf LAN (TCP)" -Direction Inbound `
        -Protocol TCP -LocalPort 8301 -Action Allow | Out-Null
    New-NetFirewallRule -Name "consul-serf-udp" -DisplayName "Consul serf LAN (UDP)" -Direction Inbound `
        -Protocol UDP -LocalPort 8301 -Action Allow | Out-Null
}

# --- Services ---------------------------------------------------------------
# The -config paths below are the directories this script just wrote to.
if (-not (Get-Service -Name "consul" -ErrorAction SilentlyContinue)) {
    sc.exe create consul binPath= "C:\HashiCorp\bin\consul.exe agent -config-dir=C:\HashiCorp\Consul\config" start= auto DisplayName= "HashiCorp Consul" | Out-Null
    if ($LASTEXITCODE -ne 0) {
        throw "sc.exe create consul failed with exit code $LASTEXITCODE"
    }
}
if (-not (Get-Service -Name "nomad" -ErrorAction SilentlyContinue)) {
    New-Service -Name "nomad" -DisplayName "HashiCorp Nomad" `
        -BinaryPathName "C:\HashiCorp\bin\nomad.exe agent -config=C:\HashiCorp\Nomad\config" `
        -StartupType Automatic | Out-Null
    sc.exe config nomad depend= consul | Out-Null
}
sc.exe failure consul reset= 86400 actions= restart/10000/restart/10000/restart/10000 | Out-Null
sc.exe failure nomad reset= 86400 actions= restart/10000/restart/10000/restart/10000 | Out-Null

Restart-Service -Name "consul" -Force

Write-Host "Waiting for Consul to see a leader"
for ($i = 0; $i -lt 60; $i++) {
    try {
        $leader = Invoke-RestMethod -Uri "http://127.0.0.1:8500/v1/status/leader"
        if ($leader) { break }
    } catch {
        # agent still starting
    }
    Start-Sleep -Seconds 2
}

Restart-Service -Name "nomad" -Force
Get-Service -Name "consul", "nomad" | Format-Table -AutoSize
