# Inside a namespace: netmap's bridge between eth0 and its host stack (the NIC rings and the host
# rings as two ports, Invoke-NetmapForward -Bidirectional) for Seconds seconds; touches ReadyFile
# once it forwards, and prints the two reports and the ports' error counters as JSON.
param([double] $Seconds, [string] $ReadyFile)
$ErrorActionPreference = 'Stop'
Import-Module $env:NETMAPPS_MODULE
$nic = Open-NetmapPort netmap:eth0 -WarningAction SilentlyContinue
$stack = Open-NetmapPort 'netmap:eth0^' -WarningAction SilentlyContinue
$job = Invoke-NetmapForward -From $nic -To $stack -Bidirectional -Duration $Seconds -AsJob
Start-Sleep -Milliseconds 300
New-Item $ReadyFile -ItemType File | Out-Null
$reports = $job | Wait-Job | Receive-Job
[pscustomobject]@{
    Forwarded = @($reports | ForEach-Object { $_.Forwarded })
    TransmitErrors = $nic.TransmitErrors + $stack.TransmitErrors
} | ConvertTo-Json -Compress
