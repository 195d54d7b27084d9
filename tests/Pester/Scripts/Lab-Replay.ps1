# Inside a namespace: replays a capture on eth0 (Send-NetmapPacket -Replay) with the given options
# and prints the report as JSON.
param([string] $Capture, [double] $Speed = 1, [double] $Rate = 0, [long] $Loop = 1)
$ErrorActionPreference = 'Stop'
Import-Module $env:NETMAPPS_MODULE
$port = Open-NetmapPort netmap:eth0 -WarningAction SilentlyContinue
$timing = if ($Rate -gt 0) { @{ Rate = $Rate } } else { @{ Speed = $Speed } }
Send-NetmapPacket -Port $port -Replay -LiteralPath $Capture -Loop $Loop -Summary @timing | ConvertTo-Json -Compress
