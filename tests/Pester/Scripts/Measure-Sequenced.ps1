# Opens Port and measures Count sequenced frames; prints the totals as JSON.
param([string] $Port, [long] $Count)
$ErrorActionPreference = 'Stop'
Import-Module $env:NETMAPPS_MODULE
$null = Open-NetmapPort $Port
Measure-NetmapTraffic $Port -Sequence -Count $Count -Timeout 30 -TotalOnly | ConvertTo-Json -Compress
Close-NetmapPort -All
