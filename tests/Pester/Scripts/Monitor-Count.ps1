# Opens a monitor port, signals ReadyFile, and prints how many frames it saw before Seconds of silence.
param([string] $Port, [string] $ReadyFile, [double] $Seconds = 2)
$ErrorActionPreference = 'Stop'
Import-Module $env:NETMAPPS_MODULE
$null = Open-NetmapPort $Port
'ready' | Set-Content $ReadyFile
@(Receive-NetmapPacket -Port $Port -Timeout $Seconds).Count
Close-NetmapPort -All
