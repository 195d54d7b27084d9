# The rate Send-NetmapPacket -Rate holds with pkt-gen ranges on a pipe: Count frames at Rate packets per
# second (source ports 1000-1999 stepped, so every frame is rewritten), a Measure-NetmapTraffic thread
# on the other end counting them. The achieved rate is the sender's packets over its whole run
# (start-up and flush included); the receiver's count shows nothing was lost. Prints JSON.
param([string] $ModulePath, [long] $Count, [double] $Rate = 1e6)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$name = 'gr' + [guid]::NewGuid().ToString('N').Substring(0, 8)
$tx, $rx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
try {
    $meter = Start-ThreadJob { param($m, $p) Import-Module $m; Measure-NetmapTraffic -Port $p -Timeout 2 -TotalOnly } -ArgumentList $ModulePath, $rx
    Start-Sleep -Milliseconds 500
    $report = New-NetmapPacket -SourcePort 1000-1999 | Send-NetmapPacket -Port $tx -Rate $Rate -Count $Count -Summary
    $received = ($meter | Wait-Job -Timeout 60 | Receive-Job).Packets
}
finally { Close-NetmapPort -All }
@{ Count = $Count; Rate = $Rate; Seconds = $report.Seconds; Pps = $report.PacketsPerSecond; Received = $received } | ConvertTo-Json -Compress
