# Runs in the lab VM (root, the real netmap.ko loaded; see bench/Invoke-NativePipe.ps1). pkt-gen tx sends
# -Count frames of -Length bytes into a kernel netmap pipe, received on the slave end by pkt-gen rx and by
# Measure-NetmapTraffic in -Rounds interleaved rounds, then once by Receive-NetmapPacket -Count N/10 |
# Measure-Object (the PowerShell pipeline is slow under the VM's software CPU). Each NetmapPS receiver gets
# a short untimed round first (JIT). Prints one JSON line, with the rates of every round.
param([string] $ModulePath, [long] $Count, [int] $Length = 60, [int] $Rounds = 3)
$ErrorActionPreference = 'Stop'
$PktGenPath = (Get-Command pkt-gen).Source
$stem = 'bn' + [guid]::NewGuid().ToString('N').Substring(0, 6)

function Start-PktGen([string] $Port, [string[]] $More) {
    $info = [Diagnostics.ProcessStartInfo]::new($PktGenPath)
    foreach ($a in @('-i', $Port, '-l', $Length, '-w', '0') + $More) { $info.ArgumentList.Add("$a") }
    $info.RedirectStandardOutput = $info.RedirectStandardError = $true
    $p = [Diagnostics.Process]::Start($info)
    $p | Add-Member Output $p.StandardOutput.ReadToEndAsync()
    $p | Add-Member Errors $p.StandardError.ReadToEndAsync()
    $p
}

# Waits for a pkt-gen started above (kills that one process after $Seconds); returns what it printed.
function Wait-PktGen($Process, [int] $Seconds) {
    if (-not $Process.WaitForExit($Seconds * 1000)) { $Process.Kill(); $Process.WaitForExit() }
    $Process.Output.Result + $Process.Errors.Result
}

# pkt-gen's closing lines: 'Received N packets ... in S seconds.' (S to 10 ms) and 'Speed: R Mpps' (R from the exact time).
function Get-PktGenRate([string] $Output) {
    if ($Output -notmatch 'Received (\d+) packets' -or $Output -notmatch 'Speed: ([\d.]+) ([KMGT]?)pps') { throw "pkt-gen rx printed no figures: $Output" }
    $packets = [long]($Output -replace '(?s).*Received (\d+) packets.*', '$1')
    @{ Packets = $packets; Pps = [double]$Matches[1] * [Math]::Pow(1000, ' KMGT'.IndexOf(($Matches[2] ? $Matches[2] : ' '))) }
}

# A NetmapPS receiver on the slave end: pkt-gen tx starts first and fills the pipe, then $Receive runs
# (timed by itself or by Measure-Command); returns packets and pps.
function Invoke-NetmapPSRound([string] $Pipe, [long] $N, [scriptblock] $Receive) {
    $rx = Open-NetmapPort "netmap:$Pipe}1" -Mode Native
    $tx = Start-PktGen "netmap:$Pipe{1" '-f', 'tx', '-n', $N
    Start-Sleep -Seconds 1
    $result = & $Receive $rx $N
    Close-NetmapPort -All   # the pending tx slots go with the receiver; pkt-gen tx then ends
    $null = Wait-PktGen $tx 5
    $result
}

$clock = [Diagnostics.Stopwatch]::StartNew()
# pkt-gen rx -n N (started first; its clock runs from the first packet to the Nth). It stops at exactly N
# and never releases the last slots, so pkt-gen tx waits for them and is killed when rx is done.
function Invoke-PktGenRound([string] $Pipe) {
    $rx = Start-PktGen "netmap:$Pipe}1" '-f', 'rx', '-n', $Count
    Start-Sleep -Seconds 1
    $tx = Start-PktGen "netmap:$Pipe{1" '-f', 'tx', '-n', $Count
    $rate = Get-PktGenRate (Wait-PktGen $rx 120)
    $null = Wait-PktGen $tx 3
    $rate
}

Import-Module $ModulePath
$warm = [Math]::Min(20000, $Count)
$meter = { param($port, $n) $t = Measure-NetmapTraffic -Port $port -Count $n -Timeout 10 -TotalOnly; @{ Packets = $t.Packets; Pps = $t.PacketsPerSecond } }
$receive = { param($port, $n) $s = Measure-Command { $got = (Receive-NetmapPacket -Port $port -Count $n -Timeout 10 | Measure-Object).Count }; @{ Packets = $got; Pps = $got / $s.TotalSeconds } }
$null = Invoke-NetmapPSRound "${stem}w" $warm $meter
$pktgen = @(); $measured = @()
foreach ($round in 1..$Rounds) {
    $pktgen += Invoke-PktGenRound "${stem}p$round"
    $measured += Invoke-NetmapPSRound "${stem}m$round" $Count $meter
}
$null = Invoke-NetmapPSRound "${stem}v" $warm $receive
$received = Invoke-NetmapPSRound "${stem}r" ([Math]::Max(1, [long]($Count / 10))) $receive

[ordered]@{
    Count = $Count; Length = $Length; Seconds = $clock.Elapsed.TotalSeconds
    PktGenRxPackets = @($pktgen.Packets); PktGenRxPps = @($pktgen.Pps)
    MeasurePackets = @($measured.Packets); MeasurePps = @($measured.Pps)
    ReceivePackets = $received.Packets; ReceivePps = $received.Pps
} | ConvertTo-Json -Compress
