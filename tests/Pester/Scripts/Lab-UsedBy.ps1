# Inside namespace A: the three lines NetmapPS is for, exactly as a user types them (the last one
# stops after Count packets). Prints the ring table and the DNS ids received, as JSON.
param([int] $Count, [string] $ReadyFile)
$ErrorActionPreference = 'Stop'
Import-Module $env:NETMAPPS_MODULE
$opened = Open-NetmapPort netmap:eth0-1 3>$null
$table = Get-NetmapRing | Format-Table | Out-String -Width 120
'ready' | Set-Content $ReadyFile
$dns = Receive-NetmapPacket | Where Udp.DstPort -eq 53 | Select-Object -First $Count
[pscustomobject]@{
    Mode = "$($opened.Mode)"
    RingTable = $table
    Rings = @($dns.Ring)
    Ids = @($dns | ForEach-Object { $_.Udp.PayloadData[0] * 256 + $_.Udp.PayloadData[1] })
    Info = @($dns.Info)
} | ConvertTo-Json -Compress
