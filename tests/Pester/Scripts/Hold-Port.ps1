# Opens Port, signals ReadyFile, then waits to be killed.
param([string] $Port, [string] $ReadyFile)
$ErrorActionPreference = 'Stop'
Import-Module $env:NETMAPPS_MODULE
$null = Open-NetmapPort $Port
'ready' | Set-Content $ReadyFile
Start-Sleep -Seconds 300
