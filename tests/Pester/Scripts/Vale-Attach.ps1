# Inside a lab namespace: attaches eth0 (with -HostStack its host stack too) to the emulated VALE switch
# Switch, touches ReadyFile, then waits for StopFile (at most Seconds). When StopFile appears it detaches
# eth0 itself and prints, as JSON, the switch's ports after the detach; killed first, it prints nothing.
param([string] $Switch, [switch] $HostStack, [string] $ReadyFile, [string] $StopFile, [double] $Seconds = 120)
$ErrorActionPreference = 'Stop'
Import-Module $env:NETMAPPS_MODULE
$null = Add-NetmapValePort -Switch $Switch -Interface eth0 -HostStack:$HostStack -WarningAction SilentlyContinue
New-Item $ReadyFile -ItemType File | Out-Null
$deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
while (-not (Test-Path $StopFile) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
$attached = @((Get-NetmapValeSwitch $Switch).Ports | Where-Object AttachedInterface).Count
Remove-NetmapValePort -Switch $Switch -Interface eth0
[pscustomobject]@{
    AttachedBefore = $attached
    AttachedAfter = @(Get-NetmapValeSwitch $Switch -ErrorAction Ignore | ForEach-Object Ports | Where-Object AttachedInterface).Count
} | ConvertTo-Json -Compress
