# Runs in the lab VM (root, the real netmap.ko loaded; see bench/Invoke-NativeLab.ps1). Each scenario sets
# NetmapPS against netmap's own tool on the same kernel ports in -Rounds interleaved rounds (the tool first,
# then NetmapPS), after one untimed round of -Count frames (JIT: with a round of 20,000 frames, the first timed
# round of Send-NetmapPacket still ran 10-45 % slower than the others under the VM's software CPU). Rates are what pkt-gen rx counts on the far
# end (timed by pkt-gen from its first frame to the last), so both sides are measured by the same program.
#   rx       pkt-gen tx into a pipe; pkt-gen rx against Measure-NetmapTraffic on the other end
#   tx       pkt-gen rx on a pipe; pkt-gen tx against Send-NetmapPacket -Count N on the other end, and -ReuseBuffers
#   forward  pkt-gen tx -> pipe -> netmap's bridge or Invoke-NetmapForward -> pipe -> pkt-gen rx
#   ranges   as tx, with 100 source addresses and 100 source ports (pkt-gen -s a:p-b:q, New-NetmapPacket ranges)
#   lb       pkt-gen tx with 10,000 flows -> pipe -> netmap's lb or Invoke-NetmapLoadBalance -> 2 pipes -> pkt-gen rx each (rate: pkt-gen tx's)
#   latency  pkt-gen ping -b 1 / pong against Measure-NetmapLatency / Invoke-NetmapForward -Echo on a pipe (mean RTT)
#   veth-rx, veth-tx, veth-forward  rx, tx and forward over veth pairs (the native adapter of netmap's patched veth)
# Then Receive-NetmapPacket -Raw -Count N/10 | Measure-Object once on a pipe. Prints one JSON line.
param([string] $ModulePath, [long] $Count = 500000, [int] $Length = 60, [int] $Rounds = 5,
      [string[]] $Scenario = @('rx', 'tx', 'forward', 'ranges', 'lb', 'latency', 'veth-rx', 'veth-tx', 'veth-forward'))
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$Scenario = $Scenario -split "," | Where-Object { $_ }
$stem = 'bn' + [guid]::NewGuid().ToString('N').Substring(0, 5)
$serial = 0
$warmUp = $Count   # frames of the untimed round
function New-PipeName { "$stem$((++$script:serial))" }

function Start-Tool([string] $Tool, [string[]] $Arguments) {
    $info = [Diagnostics.ProcessStartInfo]::new((Get-Command $Tool).Source)
    foreach ($a in $Arguments) { $info.ArgumentList.Add("$a") }
    $info.RedirectStandardOutput = $info.RedirectStandardError = $true
    $p = [Diagnostics.Process]::Start($info)
    $p | Add-Member Output $p.StandardOutput.ReadToEndAsync()
    $p | Add-Member Errors $p.StandardError.ReadToEndAsync()
    $p
}

# Waits up to $Seconds for a tool started above, then interrupts it (SIGINT: it prints its figures) and,
# a second later, kills it; returns what it printed.
function Stop-Tool($Process, [double] $Seconds = 0) {
    if (-not $Process.WaitForExit([int]($Seconds * 1000))) {
        & kill -INT $Process.Id 2>$null
        if (-not $Process.WaitForExit(2000)) { $Process.Kill(); $Process.WaitForExit() }
    }
    $Process.Output.Result + $Process.Errors.Result
}

function Start-PktGen([string] $Port, [string[]] $More) { Start-Tool 'pkt-gen' (@('-i', $Port, '-l', $Length, '-w', '0') + $More) }

# pkt-gen's closing lines: 'Received (or Sent) N packets ...' and 'Speed: R Mpps'.
function Get-PktGenRate([string] $Output) {
    if ($Output -notmatch '(Received|Sent) (\d+) packets' -or $Output -notmatch 'Speed: ([\d.]+) ([KMGT]?)pps') { throw "pkt-gen printed no figures: $Output" }
    $pps = [double]$Matches[1] * [Math]::Pow(1000, ' KMGT'.IndexOf(($Matches[2] ? $Matches[2] : ' ')))
    @{ Packets = [long]($Output -replace '(?s).*(?:Received|Sent) (\d+) packets.*', '$1'); Pps = $pps }
}

$frame = New-NetmapPacket -SourceAddress 10.0.0.1 -DestinationAddress 10.1.0.1 -SourcePort 1234 -DestinationPort 1234 -Length $Length
$flows = @{ SourceAddress = '10.0.0.1-10.0.0.100'; SourcePort = '1000-1099'; DestinationAddress = '10.1.0.1'; DestinationPort = 1234 }
$pktGenFlows = '-s', '10.0.0.1:1000-10.0.0.100:1099', '-d', '10.1.0.1:1234'

# One timed round: $Middle (a forwarder, started and stopped here), pkt-gen rx -n N on each of $RxPorts,
# then the sender; returns the frames and the rate pkt-gen rx saw (summed over
# the receivers). -BySender (lb, which drops what an output has no room for): the receivers run without -n and
# are interrupted two seconds after pkt-gen tx is done, and the rate is pkt-gen tx's own: how fast the middle
# took the frames in (a pipe holds the sender back until they are taken).
function Invoke-Round([string[]] $RxPorts, [scriptblock] $Middle, [scriptblock] $Sender, [long] $N, [switch] $BySender, [int] $SettleMs = 300) {
    $Shares = @($RxPorts | ForEach-Object { $BySender ? 0 : $N })
    $mid = $Middle ? (& $Middle) : $null
    Start-Sleep -Milliseconds $SettleMs
    $rx = @(for ($i = 0; $i -lt $RxPorts.Count; $i++) { Start-PktGen $RxPorts[$i] (@('-f', 'rx') + ($Shares[$i] ? @('-n', $Shares[$i]) : @())) })
    Start-Sleep -Milliseconds 700
    $tx = & $Sender $N
    $sent = $BySender ? (Get-PktGenRate (Stop-Tool $tx 120)) : $null
    $rates = @(for ($i = 0; $i -lt $rx.Count; $i++) { Get-PktGenRate (Stop-Tool $rx[$i] ($Shares[$i] ? 60 : 2)) })
    if ($mid -is [Diagnostics.Process]) { $null = Stop-Tool $mid }
    elseif ($mid) { $null = $mid | Stop-Job -PassThru | Remove-Job -Force }
    if ($tx -is [Diagnostics.Process]) { $null = Stop-Tool $tx 2 }
    Close-NetmapPort -All
    @{ Packets = ($rates.Packets | Measure-Object -Sum).Sum; Pps = $sent ? $sent.Pps : ($rates.Pps | Measure-Object -Sum).Sum; Each = @($rates.Packets) }
}

$pktGenTx = { param($Port, [string[]] $More = @()) { param($n) Start-PktGen $Port (@('-f', 'tx', '-n', $n) + $More) }.GetNewClosure() }
$ourTx = { param($Port, [hashtable] $Ranges, [switch] $Reuse) {
        param($n)
        $tx = Open-NetmapPort $Port -Mode Native
        if ($Ranges) { New-NetmapPacket @Ranges -Length $Length | Send-NetmapPacket -Port $tx -Count $n } else { $frame | Send-NetmapPacket -Port $tx -Count $n -ReuseBuffers:$Reuse }
    }.GetNewClosure() }

# A link to send into and receive from: the two ends of a new kernel pipe, or of a new veth pair (the native adapter
# when the VM runs netmap's patched veth driver, NETMAP_VM_VETH=native).
$script:veths = [Collections.Generic.List[string]]::new()
function New-Link([string] $Kind) {
    if ($Kind -eq 'pipe') { $p = New-PipeName; return @{ In = "netmap:$p{1"; Out = "netmap:$p}1" } }
    $v = "nv$((++$script:serial))"
    & ip link add "${v}a" type veth peer name "${v}b"; & ip link set "${v}a" up; & ip link set "${v}b" up
    $script:veths.Add("${v}a")
    @{ In = "netmap:${v}a"; Out = "netmap:${v}b" }
}

# pkt-gen rx against Measure-NetmapTraffic, pkt-gen tx sending (the meter is timed from its call).
$receive = { param($n, $kind)
    $p = New-Link $kind; $q = New-Link $kind
    $tool = if ($n) { Invoke-Round $p.Out $null (& $pktGenTx $p.In) $n }
    $rx = Open-NetmapPort $q.Out -Mode Native
    $tx = Start-PktGen $q.In '-f', 'tx', '-n', ($n ? $n : $warmUp)
    Start-Sleep -Milliseconds 700
    $t = Measure-NetmapTraffic -Port $rx -Count ($n ? $n : $warmUp) -Timeout 10 -TotalOnly
    Close-NetmapPort -All
    $null = Stop-Tool $tx 3
    @{ Tool = $tool; Ours = @{ Packets = $t.Packets; Pps = $t.PacketsPerSecond } } }
# pkt-gen tx against Send-NetmapPacket -Count N, pkt-gen rx receiving; then Send-NetmapPacket -ReuseBuffers, which
# writes each buffer once as pkt-gen tx does (Reuse).
$send = { param($n, $kind)
    $p = New-Link $kind; $q = New-Link $kind; $r = New-Link $kind; $n = $n ? $n : $warmUp
    @{ Tool = Invoke-Round $p.Out $null (& $pktGenTx $p.In) $n; Ours = Invoke-Round $q.Out $null (& $ourTx $q.In) $n
       Reuse = Invoke-Round $r.Out $null (& $ourTx $r.In -Reuse) $n } }
# bridge against Invoke-NetmapForward between two links, pkt-gen tx into the first, pkt-gen rx out of the second.
$forward = { param($n, $kind)
    $n = $n ? $n : $warmUp; $a = New-Link $kind; $b = New-Link $kind; $c = New-Link $kind; $d = New-Link $kind
    $tool = Invoke-Round $b.Out { Start-Tool 'bridge' @('-i', $a.Out, '-i', $b.In) }.GetNewClosure() (& $pktGenTx $a.In) $n
    $ours = Invoke-Round $d.Out { $from, $to = Open-NetmapPort $c.Out, $d.In -Mode Native; Invoke-NetmapForward -From $from -To $to -AsJob }.GetNewClosure() (& $pktGenTx $c.In) $n
    @{ Tool = $tool; Ours = $ours } }

# Each scenario: a function of the round (0: warm-up) returning @{ Tool = ...; Ours = ... } as @{Packets; Pps}.
$scenarios = [ordered]@{
    'rx' = { param($n) & $receive $n 'pipe' }
    'tx' = { param($n) & $send $n 'pipe' }
    'ranges' = { param($n)
        $p = New-PipeName; $q = New-PipeName; $n = $n ? $n : $warmUp
        @{ Tool = Invoke-Round "netmap:$p}1" $null (& $pktGenTx "netmap:$p{1" $pktGenFlows) $n; Ours = Invoke-Round "netmap:$q}1" $null (& $ourTx "netmap:$q{1" $flows) $n } }
    'forward' = { param($n) & $forward $n 'pipe' }
    'veth-rx' = { param($n) & $receive $n 'veth' }
    'veth-tx' = { param($n) & $send $n 'veth' }
    'veth-forward' = { param($n) & $forward $n 'veth' }
    'lb' = { param($n)
        $n = $n ? $n : $warmUp; $a = New-PipeName; $b = New-PipeName; $c = New-PipeName; $d = New-PipeName
        # lb opens its outputs after waiting 2 s for the link (its -w): the receivers come after that
        $tool = Invoke-Round "netmap:$b}0", "netmap:$b}1" { Start-Tool 'lb' @('-i', "netmap:$a}1", '-p', "${b}:2") }.GetNewClosure() (& $pktGenTx "netmap:$a{1" $pktGenFlows) $n -BySender -SettleMs 2500
        $ours = Invoke-Round "netmap:$d}0", "netmap:$d}1" {
            $ports = Open-NetmapPort "netmap:$c}1", "netmap:$d{0", "netmap:$d{1" -Mode Native
            Start-ThreadJob { param($Module, $From, $To) Import-Module $Module; Invoke-NetmapLoadBalance -From $From -To $To } -ArgumentList $ModulePath, $ports[0], $ports[1..2] }.GetNewClosure() (& $pktGenTx "netmap:$c{1" $pktGenFlows) $n -BySender
        @{ Tool = $tool; Ours = $ours } }
    'latency' = { param($n)
        # One probe at a time (pkt-gen ping -b 1), back to back. pkt-gen ping adds a second's round trips into its
        # totals only when it prints that second's line ('count N RTT: min M av A ns'), so the figures are taken
        # from those lines, and the run is long enough for a few of them.
        $pings = $n ? 30000 : 2000; $a = New-PipeName; $b = New-PipeName
        $tool = $null
        if ($n) { # no warm-up for pkt-gen: it would print no second's line
            $pong = Start-PktGen "netmap:$a}1" '-f', 'pong'
            Start-Sleep -Milliseconds 500
            $out = Stop-Tool (Start-PktGen "netmap:$a{1" '-f', 'ping', '-b', '1', '-n', $pings) 120
            $null = Stop-Tool $pong
            # (objects, not hashtables: a hashtable's .Count is its number of keys, and an array's is its length)
            $seconds = @([regex]::Matches($out, 'count (\d+) RTT: min (\d+) av (\d+) ns') | ForEach-Object { [pscustomobject]@{ Probes = [double]$_.Groups[1].Value; MinNs = [double]$_.Groups[2].Value; MeanNs = [double]$_.Groups[3].Value } })
            if (-not $seconds) { throw "pkt-gen ping printed no RTT: $out" }
            $counted = ($seconds.Probes | Measure-Object -Sum).Sum
            $tool = @{ Packets = $counted; MeanNs = (($seconds | ForEach-Object { $_.Probes * $_.MeanNs }) | Measure-Object -Sum).Sum / $counted; MinNs = ($seconds.MinNs | Measure-Object -Minimum).Minimum }
        }
        $near, $far = Open-NetmapPort "netmap:$b{1", "netmap:$b}1" -Mode Native
        $echo = Invoke-NetmapForward -From $far -Echo -AsJob
        $r = Measure-NetmapLatency -Port $near -Count $pings
        $null = $echo | Stop-Job -PassThru | Remove-Job -Force
        Close-NetmapPort -All
        @{ Tool = $tool; Ours = @{ Packets = $r.Received; MeanNs = $r.Mean * 1000; MinNs = $r.Minimum * 1000 } } }
}

$clock = [Diagnostics.Stopwatch]::StartNew()
$results = [ordered]@{ Count = $Count; Length = $Length; Rounds = $Rounds }
foreach ($name in $Scenario) {
    $run = $scenarios[$name]
    [Console]::Error.WriteLine("$([int]$clock.Elapsed.TotalSeconds) s: $name")
    try {
        $null = & $run 0   # warm-up, untimed
        $timed = @(foreach ($round in 1..$Rounds) { & $run $Count })
        $results[$name] = @{ Tool = @($timed.Tool); Ours = @($timed.Ours) }
        if ($timed[0].Reuse) { $results[$name].Reuse = @($timed.Reuse) }
    }
    catch { $results[$name] = @{ Error = "$_ $($_.ScriptStackTrace)" }; Close-NetmapPort -All }
    [Console]::Error.WriteLine(($results[$name] | ConvertTo-Json -Compress -Depth 5)) # seen even if the run is cut short
}
$q = New-PipeName
$rx = Open-NetmapPort "netmap:$q}1" -Mode Native
$tx = Start-PktGen "netmap:$q{1" '-f', 'tx', '-n', ([long]($Count / 10))
Start-Sleep -Milliseconds 700
$s = Measure-Command { $got = (Receive-NetmapPacket -Port $rx -Raw -Count ([long]($Count / 10)) -Timeout 10 | Measure-Object).Count }
Close-NetmapPort -All
$null = Stop-Tool $tx 3
$results['receive'] = @{ Packets = $got; Pps = $got / $s.TotalSeconds }
foreach ($v in $veths) { & ip link del $v 2>$null }
$results['Seconds'] = $clock.Elapsed.TotalSeconds
$results | ConvertTo-Json -Compress -Depth 5
