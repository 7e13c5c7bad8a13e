<#
.SYNOPSIS
    Packer provisioner for the Windows image: installs Consul and Nomad.

.DESCRIPTION
    Uses the versions passed in environment_vars, or the current release when
    none is given. Registers the Nomad service and smoke-tests it so a broken
    install fails the image build instead of the deployment.
#>
[CmdletBinding()]
param(
    [string] $NomadVersion = $env:NOMAD_VERSION,
    [string] $ConsulVersion = $env:CONSUL_VERSION
)

$ErrorActionPreference = "Stop"
$ProgressPreference = "SilentlyContinue"
[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12

# No version given: take the current release from the checkpoint service.
if (-not $NomadVersion) {
    $NomadVersion = (Invoke-RestMethod -Uri "https://checkpoint-api.hashicorp.com/v1/check/nomad").current_version
}
if (-not $ConsulVersion) {
    $ConsulVersion = (Invoke-RestMethod -Uri "https://checkpoint-api.hashicorp.com/v1/check/consul").current_version
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

# Register the Nomad service and make sure it comes up before the image is captured.
@'
data_dir = "C:/HashiCorp/Nomad/data"

client {
  enabled = true
}
'@ | Set-Content -Path "C:\HashiCorp\Nomad\config\client.hcl" -Encoding ascii

New-Service -Name "nomad" -DisplayName "HashiCorp Nomad" `
    -BinaryPathName "C:\HashiCorp\bin\nomad.exe agent -config=C:\HashiCorp\Nomad\config" `
    -StartupType Automatic | Out-Null
Start-Service -Name "nomad"
Start-Sleep -Seconds 15
Get-Service -Name "nomad"
