# Inside namespace A: opens PortName, signals ReadyFile, receives until Seconds of silence, and
# prints what arrived as JSON: one entry per frame with its ring, and for IPv4 UDP the ports and
# the DNS id.
param([string] $PortName, [string] $ReadyFile, [double] $Seconds = 3)
$ErrorActionPreference = 'Stop'
Import-Module $env:NETMAPPS_MODULE
$port = Open-NetmapPort $PortName -WarningAction SilentlyContinue
'ready' | Set-Content $ReadyFile
$frames = foreach ($p in Receive-NetmapPacket -Port $port -Timeout $Seconds) {
    $d = $p.Data
    $udp = $d.Length -ge 42 -and $d[12] -eq 8 -and $d[13] -eq 0 -and $d[23] -eq 17
    $ihl = ($d[14] -band 0xf) * 4
    [pscustomobject]@{
        Ring    = $p.Ring
        Udp     = $udp
        DstPort = if ($udp) { $d[14 + $ihl + 2] * 256 + $d[14 + $ihl + 3] } else { 0 }
        DnsId   = if ($udp) { $d[14 + $ihl + 8] * 256 + $d[14 + $ihl + 9] } else { 0 }
    }
}
[pscustomobject]@{ Mode = "$($port.Mode)"; Mechanism = $port.Mechanism; Frames = @($frames) } | ConvertTo-Json -Depth 4 -Compress
Close-NetmapPort -All
