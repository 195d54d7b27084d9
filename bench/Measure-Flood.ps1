# Capture on a flooded veth. In a lab (New-NetmapLab), bench/c/flood.c in namespace B sends
# Count UDP frames of Size bytes to eth0 in namespace A (at most Seconds long), twice: once received
# by NetmapPS (Measure-NetmapTraffic -Port netmap:eth0, or -PortName such as the monitor netmap:eth0/r;
# bench/Flood-Receiver.ps1), once by
# tcpdump -i eth0 -Q in -w /dev/null. Each receiver first takes an untimed warm-up flood (a tenth of
# Count: the JIT has compiled the receive path for good before the measured flood). For each: frames
# sent, received, dropped as the receiver's kernel side counts them, and CPU seconds (utime + stime in
# /proc/PID/stat) of the receiving process from the moment it is ready to Silence seconds after the
# flood. Needs root, ip and tcpdump. Prints JSON.
param([string] $ModulePath, [string] $Flood, [long] $Count, [double] $Seconds, [int] $Size = 60, [double] $Silence = 1, [string] $PortName = 'netmap:eth0')
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
Import-Module $ModulePath
$tick = [double](& getconf CLK_TCK)
function Get-CpuSeconds([int] $ProcessId) {
    $fields = ((Get-Content "/proc/$ProcessId/stat" -Raw) -split '\) ')[1] -split ' '   # fields from the 3rd on
    ([double]$fields[11] + [double]$fields[12]) / $tick
}
# Starts a command in namespace A, on the receiver's CPU, with its standard error kept.
function Start-Receiver([string[]] $Command) {
    $info = [Diagnostics.ProcessStartInfo]::new('ip')
    foreach ($a in @('netns', 'exec', $nsA) + $rxCpu + $Command) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardError = $info.RedirectStandardOutput = $true
    $process = [Diagnostics.Process]::Start($info)
    $null = $process.StandardOutput.ReadToEndAsync()
    $process
}
function Wait-Until([scriptblock] $Condition, $Process, [string] $What) {
    $deadline = [DateTime]::UtcNow.AddSeconds(60 + $Seconds)
    while (-not (& $Condition)) {
        if ($Process.HasExited) { throw "The receiver did not $What`: $($Process.StandardError.ReadToEnd())" }
        if ([DateTime]::UtcNow -gt $deadline) { throw "The receiver did not $What in time." }
        Start-Sleep -Milliseconds 20
    }
}
# Two CPUs: the flood sends from CPU 0 (queue 0 of peer0, RX ring 0 of eth0), the receiver runs on CPU 1.
$two = [Environment]::ProcessorCount -ge 2
$rxCpu = $two ? @('taskset', '-c', '1') : @()
$txCpu = $two ? @('taskset', '-c', '0') : @()

$lab = New-NetmapLab -Link 'a:eth0=b:peer0' -Queues 2 -Name flood
$nsA, $nsB = $lab['a'].Namespace, $lab['b'].Namespace
$ready = Join-Path ([IO.Path]::GetTempPath()) "nmps-flood-$PID.ready"
$warm = Join-Path ([IO.Path]::GetTempPath()) "nmps-flood-$PID.warm"
$warmCount = [Math]::Max(1000, [long]($Count / 10))
$result = Join-Path ([IO.Path]::GetTempPath()) "nmps-flood-$PID.result"
$receiver = $tcpdump = $null
try {
    function Send-Flood([long] $Frames = $Count) {
        $sent = & ip netns exec $nsB @txCpu $Flood peer0 $lab['a']['eth0'].Mac $lab['b']['peer0'].Address $lab['a']['eth0'].Address $Frames $Seconds $Size
        if ($LASTEXITCODE) { throw 'The flood sender failed.' }
        $sent, $seconds = -split $sent
        @{ Sent = [long]$sent; FloodSeconds = [double]$seconds }
    }

    # Round 1: NetmapPS.
    $pwsh = Join-Path $PSHOME 'pwsh'
    $receiver = Start-Receiver @($pwsh, '-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Flood-Receiver.ps1'),
        '-ModulePath', $ModulePath, '-PortName', $PortName, '-WarmFile', $warm, '-ReadyFile', $ready, '-ResultFile', $result, '-Silence', $Silence, '-MaxSeconds', (30 + $Seconds))
    Wait-Until { Test-Path $warm } $receiver 'open the port'
    $null = Send-Flood $warmCount
    Wait-Until { Test-Path $ready } $receiver 'get ready'
    $cpu = Get-CpuSeconds $receiver.Id
    $ours = Send-Flood
    Wait-Until { (Test-Path $result) -and (Get-Content $result -Raw) -match '^\d+ \d+\r?\n' } $receiver 'finish'
    $ours.Cpu = (Get-CpuSeconds $receiver.Id) - $cpu
    $ours.Received, $ours.Dropped = [long[]](-split (Get-Content $result -Raw))
    Remove-Item $ready
    if (-not $receiver.WaitForExit(30000)) { throw 'The receiver did not exit.' }

    # Round 2: tcpdump on the same flood.
    $tcpdump = Start-Receiver 'tcpdump', '-i', 'eth0', '-Q', 'in', '-nn', '-w', '/dev/null'
    if ($tcpdump.StandardError.ReadLine() -notmatch 'listening') { throw 'tcpdump did not start.' }
    $null = Send-Flood $warmCount
    Start-Sleep -Seconds $Silence
    $warmStats = @{ Cpu = Get-CpuSeconds $tcpdump.Id }
    $cpu = $warmStats.Cpu
    $theirs = Send-Flood
    Start-Sleep -Seconds $Silence
    $theirs.Cpu = (Get-CpuSeconds $tcpdump.Id) - $cpu
    & kill -INT $tcpdump.Id
    $stats = $tcpdump.StandardError.ReadToEnd()
    $tcpdump.WaitForExit()
    $theirs.Received = [long]($stats -replace '(?s).*?(\d+) packets captured.*', '$1') - $warmCount
    $theirs.Dropped = [long]($stats -replace '(?s).*?(\d+) packets dropped by kernel.*', '$1')
    @{ NetmapPS = $ours; Tcpdump = $theirs; Size = $Size } | ConvertTo-Json -Compress
}
finally {
    foreach ($p in $receiver, $tcpdump) { if ($p -and -not $p.HasExited) { $p.Kill() } }
    Remove-NetmapLab $lab
    Remove-Item $ready, $warm, $result -ErrorAction Ignore
}
