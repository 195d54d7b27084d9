# Send-NetmapPacket -Count N in one pwsh into Measure-NetmapTraffic -Count N in another (this one,
# on a thread job started first), through an emulated pipe: the rate the sender's -Summary reports,
# from its first frame to the last one taken. Prints JSON: the packets per second of each round.
param([string] $ModulePath, [long] $Count, [int] $Rounds = 1)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$rates = foreach ($round in 0..$Rounds) {   # round 0 warms both processes' code up and is not counted
    $name = 'bcp' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $rx = Open-NetmapPort "netmap:$name}1"
    try {
        $n = $round -eq 0 ? [Math]::Min($Count, 1000000) : $Count
        $meter = Start-ThreadJob { param($Module, $Port, $N) Import-Module $Module; Measure-NetmapTraffic -Port $Port -Count $N -TotalOnly -Timeout 60 } -ArgumentList $ModulePath, $rx, $n
        $out = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; `$tx = Open-NetmapPort 'netmap:$name{1'; (New-NetmapPacket -Length 60 | Send-NetmapPacket -Port `$tx -Count $n -Timeout 60 -Summary).PacketsPerSecond"
        $total = $meter | Wait-Job -Timeout 120 | Receive-Job
        $meter | Remove-Job -Force
        if ($total.Packets -ne $n) { throw "Measure-NetmapTraffic counted $($total.Packets) of $n frames." }
        if ($round -gt 0) { [double]($out | Select-Object -Last 1) }
    }
    finally { Close-NetmapPort $rx }
}
[pscustomobject]@{ Rates = @($rates) } | ConvertTo-Json -Compress
