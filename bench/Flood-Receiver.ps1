# The NetmapPS side of the flood benchmark, run inside lab namespace A: opens PortName, signals
# WarmFile, takes the warm-up flood (untimed), signals ReadyFile, counts until the flood has been silent for Silence
# seconds, writes "packets dropped" to ResultFile (with Set-Content, already used: no new code to
# compile), then waits for ReadyFile to go (so that the caller reads this process's CPU time first).
param([string] $ModulePath, [string] $PortName, [string] $WarmFile, [string] $ReadyFile, [string] $ResultFile, [double] $Silence = 1, [double] $MaxSeconds = 60)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$port = Open-NetmapPort $PortName -WarningAction SilentlyContinue
'warm' | Set-Content $WarmFile
$null = Measure-NetmapTraffic -Port $port -Count 1 -Duration $MaxSeconds -TotalOnly
$null = Measure-NetmapTraffic -Port $port -Timeout $Silence -Duration $MaxSeconds -TotalOnly
$dropsBefore = $port.Dropped
'ready' | Set-Content $ReadyFile
# -Timeout counts from the start: wait for the first frames, then until the flood stops.
$first = Measure-NetmapTraffic -Port $port -Count 1 -Duration $MaxSeconds -TotalOnly
$rest = Measure-NetmapTraffic -Port $port -Timeout $Silence -Duration $MaxSeconds -TotalOnly
"$($first.Packets + $rest.Packets) $($port.Dropped - $dropsBefore)" | Set-Content $ResultFile
while (Test-Path $ReadyFile) { Start-Sleep -Milliseconds 20 }
Close-NetmapPort -All
