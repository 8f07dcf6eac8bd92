# Sign files with the code-signing certificate given in the environment (CI):
#   CERT_PFX_BASE64  the .pfx file, base64-encoded     CERT_PASSWORD  its password
#   TIMESTAMP_URL    an RFC 3161 timestamp server (default: DigiCert's)
# Usage: ./packaging/windows/sign.ps1 -Files dist\VoiceBroadcastDesk\VoiceBroadcastDesk.exe
param([Parameter(Mandatory = $true)][string[]]$Files)
$ErrorActionPreference = 'Stop'
$signtool = Get-ChildItem "${env:ProgramFiles(x86)}\Windows Kits\10\bin\*\x64\signtool.exe" |
  Sort-Object FullName -Descending | Select-Object -First 1
if (-not $signtool) { throw 'signtool.exe not found (Windows SDK)' }
$timestamp = if ($env:TIMESTAMP_URL) { $env:TIMESTAMP_URL } else { 'http://timestamp.digicert.com' }
$pfx = Join-Path $env:RUNNER_TEMP 'signing.pfx'
try {
  [IO.File]::WriteAllBytes($pfx, [Convert]::FromBase64String($env:CERT_PFX_BASE64))
  foreach ($file in $Files) {
    & $signtool.FullName sign /f $pfx /p $env:CERT_PASSWORD /fd sha256 /tr $timestamp /td sha256 /d 'Voice Broadcast Desk' $file
    if ($LASTEXITCODE -ne 0) { throw "signtool failed for $file" }
    & $signtool.FullName verify /pa $file
    if ($LASTEXITCODE -ne 0) { throw "the signature of $file does not verify" }
  }
} finally {
  Remove-Item -Force -ErrorAction SilentlyContinue $pfx
}
