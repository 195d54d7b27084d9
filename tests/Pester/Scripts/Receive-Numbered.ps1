# Opens Port, receives Count frames written by Send-Numbered.ps1 and checks each one: the sequence
# numbers run 0, 1, 2, ... and every byte is as sent. Prints the result as JSON.
param([string] $Port, [int] $Count, [double] $Timeout = 30, [string] $ReadyFile)
$ErrorActionPreference = 'Stop'
Import-Module $env:NETMAPPS_MODULE
$null = Open-NetmapPort $Port
if ($ReadyFile) { 'ready' | Set-Content $ReadyFile }
$expected = [byte[]]::new(64)
[byte[]](0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5) | ForEach-Object -Begin { $i = 0 } { $expected[$i++] = $_ }
for ($i = 18; $i -lt 60; $i++) { $expected[$i] = [byte](($i * 7) % 256) }
$received = 0; $next = 0; $outOfOrder = 0; $damaged = 0
Receive-NetmapPacket -Port $Port -Count $Count -Timeout $Timeout | ForEach-Object {
    $d = $_.Data
    $received++
    $seq = [Net.IPAddress]::NetworkToHostOrder([BitConverter]::ToInt32($d, 14))
    if ($seq -ne $next) { $outOfOrder++ }
    $next = $seq + 1
    [Array]::Copy([BitConverter]::GetBytes([Net.IPAddress]::HostToNetworkOrder([int]$seq)), 0, $expected, 14, 4)
    [Array]::Copy([BitConverter]::GetBytes([Net.IPAddress]::HostToNetworkOrder([int]($seq -bxor 0x25A5A5A5))), 0, $expected, 60, 4)
    if ($d.Length -ne 64 -or -not [Collections.StructuralComparisons]::StructuralEqualityComparer.Equals($d, $expected)) { $damaged++ }
} -End { @{ Received = $received; OutOfOrder = $outOfOrder; Damaged = $damaged } | ConvertTo-Json -Compress }
Close-NetmapPort -All
