# Opens Port, sends Send numbered test frames on it (when asked), signals ReadyFile, then waits to be killed.
param([string] $Port, [string] $ReadyFile, [int] $Send = 0)
$ErrorActionPreference = 'Stop'
Import-Module $env:NETMAPPS_MODULE
$p = Open-NetmapPort $Port
if ($Send -gt 0) { New-NetmapPacket -Length 60 | Send-NetmapPacket -Port $p -Count $Send -Sequence }
'ready' | Set-Content $ReadyFile
Start-Sleep -Seconds 300
