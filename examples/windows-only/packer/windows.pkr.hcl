source "amazon-ebs" "windows" {
  region        = var.region
  instance_type = var.windows_instance_type
  ami_name      = "${var.name_prefix}-windows-${local.timestamp}"

  source_ami_filter {
    filters = {
      name                = "Windows_Server-2022-English-Full-Base-*"
      root-device-type    = "ebs"
      virtualization-type = "hvm"
    }
    owners      = ["amazon"]
    most_recent = true
  }

  communicator   = "winrm"
  winrm_username = "Administrator"
  winrm_use_ssl  = true
  winrm_insecure = true
  winrm_timeout  = "20m"

  # Bootstrap a WinRM HTTPS listener; Packer fetches the generated
  # Administrator password itself.
  user_data = <<-EOT
    <powershell>
    $ErrorActionPreference = "Stop"
    Remove-Item -Path WSMan:\Localhost\listener\listener* -Recurse
    $Cert = New-SelfSignedCertificate -CertStoreLocation Cert:\LocalMachine\My -DnsName "packer"
    New-Item -Path WSMan:\LocalHost\Listener -Transport HTTPS -Address * -CertificateThumbPrint $Cert.Thumbprint -Force
    Set-Item -Path WSMan:\localhost\Service\Auth\Basic -Value $true
    netsh advfirewall firewall add rule name="WinRM-HTTPS" dir=in localport=5986 protocol=TCP action=allow
    Restart-Service -Name WinRM
    </powershell>
  EOT

  tags = {
    Name          = "${var.name_prefix}-windows"
    OS            = "windows"
    NomadVersion  = var.nomad_version
    ConsulVersion = var.consul_version
  }
}

build {
  sources = ["source.amazon-ebs.windows"]

  provisioner "file" {
    source      = "${path.root}/../shared"
    destination = "C:/ops"
  }

  provisioner "powershell" {
    script = "${path.root}/../shared/packer/scripts/setup-windows.ps1"
  }

  # Make sure the services come back after a reboot.
  provisioner "windows-restart" {
    restart_timeout = "15m"
  }

  # Clean up before capture, then reset EC2Launch so user-data runs again on
  # the instances built from this AMI.
  provisioner "powershell" {
    inline = [
      "Remove-Item \"C:\\HashiCorp\\Nomad\\data\\*\" -Recurse -Force -ErrorAction SilentlyContinue",
      "Remove-Item \"C:\\HashiCorp\\Consul\\data\\*\" -Recurse -Force -ErrorAction SilentlyContinue",
      "& 'C:/Program Files/Amazon/EC2Launch/EC2Launch.exe' reset --block",
    ]
  }
}
