# Opens Port and sends Count frames of 64 bytes: Ethernet header, a big-endian sequence number, a
# fixed pattern, and the sequence number again XOR 0x25A5A5A5 in the last four bytes.
param([string] $Port, [int] $Count, [double] $Timeout = 60)
$ErrorActionPreference = 'Stop'
Import-Module $env:NETMAPPS_MODULE
$null = Open-NetmapPort $Port
$template = [byte[]]::new(64)
[byte[]](0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5) | ForEach-Object -Begin { $i = 0 } { $template[$i++] = $_ }
for ($i = 18; $i -lt 60; $i++) { $template[$i] = [byte](($i * 7) % 256) }
& {
    for ($n = 0; $n -lt $Count; $n++) {
        $frame = $template.Clone()
        [Array]::Copy([BitConverter]::GetBytes([Net.IPAddress]::HostToNetworkOrder([int]$n)), 0, $frame, 14, 4)
        [Array]::Copy([BitConverter]::GetBytes([Net.IPAddress]::HostToNetworkOrder([int]($n -bxor 0x25A5A5A5))), 0, $frame, 60, 4)
        , $frame
    }
} | Send-NetmapPacket -Port $Port -Timeout $Timeout
Close-NetmapPort -All
