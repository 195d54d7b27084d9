# Opens Port (-DisableOffloads when asked), sends Send numbered test frames on it (when asked), signals ReadyFile, then waits to be killed.
param([string] $Port, [string] $ReadyFile, [int] $Send = 0, [switch] $DisableOffloads)
$ErrorActionPreference = 'Stop'
Import-Module $env:NETMAPPS_MODULE
$p = Open-NetmapPort $Port -DisableOffloads:$DisableOffloads -WarningAction SilentlyContinue
if ($Send -gt 0) { New-NetmapPacket -Length 60 | Send-NetmapPacket -Port $p -Count $Send -Sequence }
'ready' | Set-Content $ReadyFile
Start-Sleep -Seconds 300
