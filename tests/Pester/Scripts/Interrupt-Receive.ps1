# Opens Port and captures what it receives to Capture until interrupted (SIGINT); the finally block
# writes the port's rings as JSON to ResultFile, as a script stopped by Ctrl+C still runs it.
param([string] $Port, [string] $Capture, [string] $ReadyFile, [string] $ResultFile)
$ErrorActionPreference = 'Stop'
Import-Module $env:NETMAPPS_MODULE
$p = Open-NetmapPort $Port
'ready' | Set-Content $ReadyFile
try {
    Receive-NetmapPacket -Port $p | Export-NetmapCapture $Capture
}
finally {
    Get-NetmapRing -Port $p | Select-Object Direction, Slots, Head, Cur, Tail | ConvertTo-Json | Set-Content $ResultFile
    Close-NetmapPort -All
}
