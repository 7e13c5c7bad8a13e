<#
.SYNOPSIS
    Packer provisioner for the Windows image: installs Consul and Nomad at the
    versions the Packer template passes in environment_vars.

.DESCRIPTION
    Services are NOT registered or started here: client.ps1 does that at first
    boot, once the configuration exists. The image must not carry node-id,
    client\state.db or a serf keyring.
#>
[CmdletBinding()]
param(
    [string] $NomadVersion = $env:NOMAD_VERSION,
    [string] $ConsulVersion = $env:CONSUL_VERSION
)

$ErrorActionPreference = "Stop"
$ProgressPreference = "SilentlyContinue"
[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12

if (-not $NomadVersion) {
    throw "NOMAD_VERSION is not set: pass it from the Packer provisioner (environment_vars)."
}
if (-not $ConsulVersion) {
    throw "CONSUL_VERSION is not set: pass it from the Packer provisioner (environment_vars)."
}

$BinDir = "C:\HashiCorp\bin"
$Dirs = @(
    $BinDir,
    "C:\HashiCorp\Nomad\config",
    "C:\HashiCorp\Nomad\data",
    "C:\HashiCorp\Nomad\logs",
    "C:\HashiCorp\Nomad\tls",
    "C:\HashiCorp\Consul\config",
    "C:\HashiCorp\Consul\data",
    "C:\HashiCorp\Consul\logs"
)
foreach ($dir in $Dirs) {
    New-Item -ItemType Directory -Force -Path $dir | Out-Null
}

function Install-HashiCorpBinary {
    param(
        [Parameter(Mandatory = $true)] [string] $Product,
        [Parameter(Mandatory = $true)] [string] $Version
    )

    $zip = "${Product}_${Version}_windows_amd64.zip"
    $sums = "${Product}_${Version}_SHA256SUMS"
    $base = "https://releases.hashicorp.com/$Product/$Version"
    $zipPath = Join-Path $env:TEMP $zip
    $sumsPath = Join-Path $env:TEMP $sums

    Write-Host "Installing $Product $Version"
    Invoke-WebRequest -Uri "$base/$zip" -OutFile $zipPath -UseBasicParsing
    Invoke-WebRequest -Uri "$base/$sums" -OutFile $sumsPath -UseBasicParsing

    $line = Get-Content -Path $sumsPath | Where-Object { $_ -like "*  $zip" }
    if (-not $line) {
        throw "$zip is not listed in $sums"
    }
    $expected = ($line -split '\s+')[0]
    $actual = (Get-FileHash -Algorithm SHA256 -Path $zipPath).Hash
    if ($actual -ne $expected) {
        throw "Checksum mismatch for ${zip}: expected $expected, got $actual"
    }

    Expand-Archive -Path $zipPath -DestinationPath $BinDir -Force
    Remove-Item -Path $zipPath, $sumsPath -Force
}

Install-HashiCorpBinary -Product "consul" -Version $ConsulVersion
Install-HashiCorpBinary -Product "nomad" -Version $NomadVersion

$machinePath = [Environment]::GetEnvironmentVariable("Path", "Machine")
if ($machinePath -notlike "*$BinDir*") {
    [Environment]::SetEnvironmentVariable("Path", "$machinePath;$BinDir", "Machine")
}

& "$BinDir\consul.exe" version
& "$BinDir\nomad.exe" version
