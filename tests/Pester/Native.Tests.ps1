# The kernel backend against the real netmap module. Where /dev/netmap is absent these tests skip.
# To run them: load netmap (docs/native.md, 'Checking your own kernel'), then as root
# './build.ps1 Test -TestPath tests/Pester/Native.Tests.ps1'. './build.ps1 NativeLab' does that in a
# VM that has the module, for those who have such a VM (NETMAP_VM names its script).
BeforeDiscovery {
    $HasNetmap = Test-Path /dev/netmap
    $HasPktGen = [bool](Get-Command pkt-gen -ErrorAction Ignore)
    $HasNmreplay = [bool](Get-Command nmreplay -ErrorAction Ignore)
    $HasIp = [bool](Get-Command ip -ErrorAction Ignore)
    $IsRoot = (& id -u) -eq '0'
}
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # Waits for a program started by Start-Program; returns stdout and stderr together.
    function Wait-Program($Process, [int] $TimeoutSeconds = 60) {
        if (-not $Process.WaitForExit($TimeoutSeconds * 1000)) {
            $Process.Kill($true)
            throw "$($Process.StartInfo.FileName) did not finish within $TimeoutSeconds s: $($Process.Output.Result) $($Process.Errors.Result)"
        }
        $Process.Output.Result + $Process.Errors.Result
    }

    # pkt-gen on a port: -f tx or rx, and more arguments; -w 0 skips its 2-second wait for a physical link.
    function Start-PktGen([string] $Port, [string] $Function, [string[]] $More = @()) {
        Start-Program (Get-Command pkt-gen).Source (@('-i', $Port, '-f', $Function, '-w', '0') + $More)
    }

    # The figures pkt-gen prints at the end: packets and rate.
    function Get-PktGenResult([string] $Output) {
        $packets = if ($Output -match '(Received|Sent) (\d+) packets \d+ bytes \d+ events \d+ bytes each in ([\d.]+) seconds') { [long]$Matches[2] } else { -1 }
        $seconds = if ($packets -ge 0) { [double]$Matches[3] } else { 0 }
        [pscustomobject]@{ Packets = $packets; Seconds = $seconds; Speed = if ($Output -match 'Speed: ([\d.]+ ?[KMG]?pps)') { $Matches[1] } else { '?' } }
    }

    # The error record of a command that fails (null when it does not).
    function Get-Failure([scriptblock] $Command) {
        try { $null = & $Command; $null } catch { $_ }
    }

    # HugePages_Free of /proc/meminfo.
    function Get-HugePagesFree {
        [int]((Select-String '^HugePages_Free:\s+(\d+)' /proc/meminfo).Matches[0].Groups[1].Value)
    }

    # vm.nr_hugepages, written by the shell: Set-Content left it unchanged in the lab VM.
    function Set-HugePages([int] $Count) { & sh -c "echo $Count > /proc/sys/vm/nr_hugepages" }

    function New-Frame([int] $Length = 60) {
        $frame = [byte[]]::new($Length)
        for ($i = 0; $i -lt 6; $i++) { $frame[$i] = 0xff }
        $frame[6] = 2; $frame[11] = 1; $frame[12] = 0x88; $frame[13] = 0xb5
        , $frame
    }
}

Describe 'Native backend where the netmap kernel module is absent' -Tag 'Native' -Skip:$HasNetmap {
    It 'skips the kernel tests: /dev/netmap does not exist here' {
        Set-ItResult -Skipped -Because "/dev/netmap is absent: the netmap kernel module is not loaded here. To run these tests, load netmap (docs/native.md, 'Checking your own kernel') and run ./build.ps1 Test -TestPath tests/Pester/Native.Tests.ps1 as root; with a VM that has the module, set NETMAP_VM and run ./build.ps1 NativeLab."
    }

    It 'opens ports in Emulated mode by default, and -Mode Native says the module is not loaded' {
        $env:NETMAPPS_MODE = $null
        (Get-NetmapSystem).DefaultMode | Should -Be 'Emulated'
        $pipe = New-TestName 'nk'
        # the engine's message says what happened; the ErrorRecord adds the module's words for the fix
        $failure = Get-Failure { Open-NetmapPort "netmap:$pipe{1" -Mode Native -ErrorAction Stop }
        $failure.Exception.Message | Should -BeLike '*netmap kernel module is not loaded*emulated mode*'
        "$failure" | Should -BeLike '*netmap kernel module is not loaded*-Mode Emulated*'
        { Add-NetmapValePort -Persistent -Name $pipe -ErrorAction Stop } | Should -Throw '*needs the netmap kernel module*'
    }
}

Describe 'Native backend on the netmap kernel module' -Tag 'Native' -Skip:(-not $HasNetmap) {
    BeforeAll { $env:NETMAPPS_MODE = $null }
    AfterEach { Close-NetmapPort -All }

    It 'reports the module, the API version and the Native backend in Get-NetmapSystem' {
        $system = Get-NetmapSystem
        $system.KernelModuleLoaded | Should -BeTrue
        $system.DeviceAccessible | Should -BeTrue
        $system.ApiVersion | Should -Be 14
        $system.KernelAcceptsApi | Should -BeTrue
        $system.DefaultMode | Should -Be 'Native'
        $system.DefaultModeReason | Should -Be '/dev/netmap exists'
        $system.GlobalMemorySize | Should -BeGreaterThan 0
        ($system.Pools | Where-Object MemoryId -eq 1).Pool | Should -Be 'Interfaces', 'Rings', 'Buffers'
    }

    It 'opens both ends of a pipe with Mode = Native, in one memory region' {
        $pipe = New-TestName 'np'
        $m, $s = Open-NetmapPort "netmap:$pipe{1", "netmap:$pipe}1"
        $m.Mode | Should -Be 'Native'
        $s.Mode | Should -Be 'Native'
        $m.Mechanism | Should -BeLike 'netmap kernel pipe*'
        $m.MemoryId | Should -Be $s.MemoryId
        $m.RxRings.Count | Should -Be 1
        $m.TxSlots | Should -Be 1024
        # the kernel's placeholder host rings are not mapped, so only the two NIC rings show
        @(Get-NetmapRing $m).Count | Should -Be 2
        $system = Get-NetmapSystem
        ($system.Pools | Where-Object MemoryId -eq $m.MemoryId | Select-Object -First 1).UsedBy | Should -Contain "netmap:$pipe{1"
    }

    It 'opens VALE ports with Mode = Native, lists them, and @share puts a port in the region of another' {
        $switch = 'vale' + (New-TestName '')
        $a = Open-NetmapPort "${switch}:a"
        $b = Open-NetmapPort "${switch}:b@share=${switch}:a"
        $a.Mode | Should -Be 'Native'
        $a.Mechanism | Should -Be "netmap kernel VALE switch '$switch'"
        $b.MemoryId | Should -Be $a.MemoryId
        $listed = Get-NetmapValeSwitch $switch
        $listed.Mode | Should -Be 'Native'
        $listed.Ports.Name | Should -Be 'a', 'b'
        (Get-NetmapPortInfo "${switch}:a").MemoryId | Should -Be $a.MemoryId
        , (New-Frame) | Send-NetmapPacket -Port $a
        @(Receive-NetmapPacket -Port $b -Count 1 -Timeout 5).Count | Should -Be 1
    }

    It 'attaches and detaches a persistent VALE port, as vale-ctl -n / -a / -d / -r' {
        $name = New-TestName 'pv'
        $switch = 'vale' + (New-TestName '')
        (Add-NetmapValePort -Persistent -Name $name).TxSlots | Should -Be 1024
        (Add-NetmapValePort -Switch $switch -Interface $name).Name | Should -Be $name
        (Get-NetmapValeSwitch $switch).Ports.Name | Should -Be $name
        if (Get-Command vale-ctl -ErrorAction Ignore) { (& vale-ctl) -match "^${switch}:$name bridge_idx" | Should -Not -BeNullOrEmpty }
        { Remove-NetmapValePort -Persistent -Name $name -ErrorAction Stop } | Should -Throw '*still in use*'
        Remove-NetmapValePort -Switch $switch -Interface $name
        Get-NetmapValeSwitch | Where-Object Name -eq $switch | Should -BeNullOrEmpty
        Remove-NetmapValePort -Persistent -Name $name
        { Remove-NetmapValePort -Persistent -Name $name -ErrorAction Stop } | Should -Throw '*no persistent VALE port*'
    }

    It 'opens the emulated (generic) adapter of a veth with Mode = Native' -Skip:(-not ($HasIp -and $IsRoot)) {
        $v = New-TestName 'nv'
        & ip link add "${v}a" type veth peer name "${v}b"
        try {
            & ip link set "${v}a" up; & ip link set "${v}b" up
            $port = Open-NetmapPort "netmap:${v}a"
            $port.Mode | Should -Be 'Native'
            $port.MemoryId | Should -Be 1
            $port.HostTxRingCount | Should -Be 1
            (& dmesg) -match "Emulated adapter for ${v}a" | Should -Not -BeNullOrEmpty
            (Open-NetmapPort "netmap:${v}a^").TxRings.ToString() | Should -Be '1'   # the host ring follows the NIC ring
        }
        finally {
            Close-NetmapPort -All
            & ip link del "${v}a"
        }
    }

    It 'Dropped: n/a where netmap counts nothing (pipe, VALE), the drops of the interface since open on a veth' -Skip:(-not ($HasIp -and $IsRoot)) {
        $pipe = New-TestName 'nd'
        $m = Open-NetmapPort "netmap:$pipe{1"
        $m.Dropped | Should -BeNullOrEmpty
        ($m | Format-List | Out-String) | Should -Match 'Dropped\s+: n/a'
        (Open-NetmapPort "vale$(New-TestName ''):a").Dropped | Should -BeNullOrEmpty
        $v = New-TestName 'nx'
        & ip link add "${v}a" type veth peer name "${v}b"
        try {
            & ip link set "${v}a" up; & ip link set "${v}b" up
            # the /proc/net/dev drop column of a: rx_dropped + rx_missed_errors
            $drops = { [long]((Get-Content /proc/net/dev | Where-Object { $_ -match "^\s*${v}a:" }) -replace '^[^:]+:' -split '\s+' | Where-Object { $_ })[3] }
            $sender = Open-NetmapPort "netmap:${v}b"
            # a's stack has no handler for EtherType 0x88b5: it drops and counts every such frame
            $frames = foreach ($i in 1..20) { , (New-Frame) }
            $frames | Send-NetmapPacket -Port $sender
            Start-Sleep -Milliseconds 500
            $before = & $drops
            $before | Should -BeGreaterOrEqual 20
            $hostRings = Open-NetmapPort "netmap:${v}a^"      # host rings only: frames from the wire still reach a's stack
            $hostRings.Dropped | Should -Be 0
            $frames[0..6] | Send-NetmapPacket -Port $sender
            Start-Sleep -Milliseconds 500
            (& $drops) - $before | Should -Be 7
            $hostRings.Dropped | Should -Be 7                   # the growth since open, not the 20 before
            Close-NetmapPort -Port $hostRings
            $nic = Open-NetmapPort "netmap:${v}a"          # the NIC rings: netmap takes every frame, the stack drops none
            $frames[0..4] | Send-NetmapPacket -Port $sender
            @(Receive-NetmapPacket -Port $nic -Count 5 -Timeout 10 -Raw).Count | Should -Be 5
            $nic.Dropped | Should -Be 0
        }
        finally {
            Close-NetmapPort -All
            & ip link del "${v}a"
        }
    }

    It 'binds the rings each register mode asks for on a veth, and monitors an open port' -Skip:(-not ($HasIp -and $IsRoot)) {
        $v = New-TestName 'nw'
        & ip link add "${v}a" numtxqueues 2 numrxqueues 2 type veth peer name "${v}b" numtxqueues 2 numrxqueues 2
        try {
            & ip link set "${v}a" up; & ip link set "${v}b" up
            $spans = [ordered]@{
                "netmap:${v}a"      = '0..1', '0..1'   # NR_REG_ALL_NIC
                "netmap:${v}a^"     = '2', '2'         # NR_REG_SW: the host ring follows the NIC rings
                "netmap:${v}a*"     = '0..2', '0..2'   # NR_REG_NIC_SW
                "netmap:${v}a-1"    = '1', '1'         # NR_REG_ONE_NIC
                "netmap:${v}a^0"    = '2', '2'         # NR_REG_ONE_SW
                "netmap:${v}a-0/T"  = '0', 'none'      # NR_TX_RINGS_ONLY
                "netmap:${v}a-1/R"  = 'none', '1'      # NR_RX_RINGS_ONLY
            }
            foreach ($name in $spans.Keys) {
                $port = Open-NetmapPort $name
                $port.Mode | Should -Be 'Native'
                "$($port.TxRings) $($port.RxRings)" | Should -Be ($spans[$name] -join ' ') -Because $name
                @(Get-NetmapRing $port).Count | Should -Be ($port.TxRings.Count + $port.RxRings.Count) -Because "$name shows only the rings it holds"
            }
            $exclusive = Open-NetmapPort "netmap:${v}b-0/x"
            (Get-Failure { Open-NetmapPort "netmap:${v}b-0" -ErrorAction Stop }).FullyQualifiedErrorId | Should -BeLike 'PortBusy,*'
            $monitor = Open-NetmapPort "netmap:${v}a/r"
            $monitor.Mode | Should -Be 'Native'
            $monitor.Mechanism | Should -BeLike 'netmap kernel monitor of*'
            $monitor.RxRings.Count | Should -BeGreaterThan 0
        }
        finally {
            Close-NetmapPort -All
            & ip link del "${v}a"
        }
    }

    It 'receives every packet pkt-gen sends on the other end of a pipe; pkt-gen rx and Measure-NetmapTraffic on the same pipe for comparison' -Skip:(-not $HasPktGen) {
        $pipe = New-TestName 'nr'
        $count = 10000
        $bulk = 200000
        # pkt-gen on both ends first: its own receive rate on this pipe
        $rx = Start-PktGen "netmap:$pipe}1" 'rx' @('-W')
        Start-Sleep -Milliseconds 500
        $tx = Start-PktGen "netmap:$pipe{1" 'tx' @('-n', $bulk)
        $pktgen = Get-PktGenResult (Wait-Program $rx)
        $null = Wait-Program $tx
        $pktgen.Packets | Should -Be $bulk

        # Measure-NetmapTraffic: the compiled receive loop, no objects
        $s = Open-NetmapPort "netmap:$pipe}1"
        $tx = Start-PktGen "netmap:$pipe{1" 'tx' @('-n', $bulk)
        $measured = Measure-NetmapTraffic -Port $s -Count $bulk -Timeout 20 -TotalOnly
        $null = Wait-Program $tx
        $measured.Packets | Should -Be $bulk
        $measured.Bytes | Should -Be (60 * $bulk)

        # then Receive-NetmapPacket on the same pipe end: a warm-up round (the JIT is slow under TCG), then the count
        $tx = Start-PktGen "netmap:$pipe{1" 'tx' @('-n', 1000)
        $null = Receive-NetmapPacket -Port $s -Count 1000 -Timeout 20 -Raw
        $null = Wait-Program $tx
        $tx = Start-PktGen "netmap:$pipe{1" 'tx' @('-n', $count)
        $first = Receive-NetmapPacket -Port $s -Count 1 -Timeout 20
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $rest = Receive-NetmapPacket -Port $s -Count ($count - 1) -Timeout 5 | Measure-Object -Property Length -Sum -Minimum -Maximum
        $clock.Stop()
        $txOut = Wait-Program $tx
        $rate = ($count - 1) / $clock.Elapsed.TotalSeconds
        $tx = Start-PktGen "netmap:$pipe{1" 'tx' @('-n', $count)
        $null = Receive-NetmapPacket -Port $s -Count 1 -Timeout 20 -Raw
        $clock.Restart()
        $raw = Receive-NetmapPacket -Port $s -Count ($count - 1) -Timeout 5 -Raw | Measure-Object
        $clock.Stop()
        $rawRate = ($count - 1) / $clock.Elapsed.TotalSeconds
        $null = Wait-Program $tx
        Write-Host ("    pipe $pipe, 60-byte frames, same run: pkt-gen rx {0} packets at {1} ({2:F3} s); Measure-NetmapTraffic {3} at {4:N0} pps; Receive-NetmapPacket -Count {5} at {6:N0} pps, with -Raw {7} at {8:N0} pps" -f
            $pktgen.Packets, $pktgen.Speed, $pktgen.Seconds, $measured.Packets, $measured.PacketsPerSecond, ($rest.Count + 1), $rate, ($raw.Count + 1), $rawRate)
        $raw.Count | Should -Be ($count - 1)
        $first.Length | Should -Be 60
        $rest.Count | Should -Be ($count - 1)
        $rest.Minimum | Should -Be 60
        $rest.Maximum | Should -Be 60
        (Get-PktGenResult $txOut).Packets | Should -Be $count
    }

    It 'busy-waits on rxsync (-BusyWait) and still takes every frame pkt-gen sends on a kernel pipe (Measure-NetmapTraffic, Receive-NetmapPacket)' -Skip:(-not $HasPktGen) {
        $pipe = New-TestName 'nb'
        $s = Open-NetmapPort "netmap:$pipe}1"
        $tx = Start-PktGen "netmap:$pipe{1" 'tx' @('-n', 100000)
        $measured = Measure-NetmapTraffic -Port $s -Count 100000 -Timeout 20 -TotalOnly -BusyWait
        $measured.Packets | Should -Be 100000
        (Get-PktGenResult (Wait-Program $tx)).Packets | Should -Be 100000
        $tx = Start-PktGen "netmap:$pipe{1" 'tx' @('-n', 500)
        (Receive-NetmapPacket -Port $s -Count 500 -Timeout 20 -Raw -BusyWait | Measure-Object).Count | Should -Be 500
        (Get-PktGenResult (Wait-Program $tx)).Packets | Should -Be 500
    }

    It 'forwards without copying between two pipes of one parent (one memory region)' -Skip:(-not $HasPktGen) {
        $parent = New-TestName 'nf'
        $in, $out, $sink = Open-NetmapPort "netmap:$parent}1", "netmap:$parent{2", "netmap:$parent}2"
        $in.MemoryId | Should -Be $out.MemoryId
        $tx = Start-PktGen "netmap:$parent{1" 'tx' @('-n', 1000)
        $report = Invoke-NetmapForward -From $in -To $out -Count 1000
        $null = Wait-Program $tx
        $report.ZeroCopy | Should -BeTrue
        $report.Forwarded | Should -Be 1000
        $got = Receive-NetmapPacket -Port $sink -Count 1000 -Timeout 5 -Raw | Measure-Object -Property Length -Minimum -Maximum
        $got.Count | Should -Be 1000
        $got.Minimum | Should -Be 60
    }

    It 'sends packets that pkt-gen rx on the other end of a pipe counts, every one' -Skip:(-not $HasPktGen) {
        $pipe = New-TestName 'ns'
        $count = 10000
        # no -W: PowerShell under TCG can pause longer than the one second of silence that ends pkt-gen -W
        $rx = Start-PktGen "netmap:$pipe}1" 'rx'
        Start-Sleep -Milliseconds 500
        $m = Open-NetmapPort "netmap:$pipe{1"
        $frame = New-Frame
        $clock = [Diagnostics.Stopwatch]::StartNew()
        1..$count | ForEach-Object { , $frame } | Send-NetmapPacket -Port $m -Timeout 30
        $clock.Stop()
        Start-Sleep -Seconds 2                         # let pkt-gen take the last ring's worth
        & kill -INT $rx.Id                             # pkt-gen prints its totals on SIGINT
        $result = Get-PktGenResult (Wait-Program $rx)
        Write-Host ("    pipe $pipe, Send-NetmapPacket {0} frames at {1:N0} pps; pkt-gen rx counted {2}" -f $count, ($count / $clock.Elapsed.TotalSeconds), $result.Packets)
        $result.Packets | Should -Be $count
    }

    It 'sends with -ReuseBuffers on a kernel pipe the frames it was given, one frame and then another, through turns of the ring' {
        # a kernel pipe hands the sender's buffers back in the same slots, so later turns send what the buffers hold
        $pipe = New-TestName 'nr'
        $tx, $rx = Open-NetmapPort "netmap:$pipe{1", "netmap:$pipe}1"
        $received = Start-ThreadJob { param($m, $p) Import-Module $m; Receive-NetmapPacket -Port $p -Count 6000 -Timeout 30 | ForEach-Object { $_.Udp.SrcPort } } -ArgumentList $ModulePath, $rx
        $first = New-NetmapPacket -SourcePort 1111 -Length 60 | Send-NetmapPacket -Port $tx -Count 3000 -ReuseBuffers -Timeout 30 -Summary
        $second = New-NetmapPacket -SourcePort 2222 -Length 60 | Send-NetmapPacket -Port $tx -Count 3000 -ReuseBuffers -Timeout 30 -Summary
        $ports = @($received | Wait-Job -Timeout 120 | Receive-Job)
        Write-Host "    pipe $pipe, -ReuseBuffers: $($first.Packets) + $($second.Packets) frames sent, $($ports.Count) received"
        $ports.Count | Should -Be 6000
        ($ports[0..2999] | Sort-Object -Unique) | Should -Be 1111
        ($ports[3000..5999] | Sort-Object -Unique) | Should -Be 2222
    }

    It 'generates the address and port ranges pkt-gen tx -s/-d generates, in its order, with checksums tshark accepts' -Skip:(-not $HasPktGen) {
        $pipe = New-TestName 'ng'
        $count = 72   # two turns of 3 sources x 3 source ports x 2 destinations x 2 destination ports
        $seen = @{}; $badUdp = @{}
        foreach ($sender in 'pkt-gen', 'NetmapPS') {
            $file = Join-Path ([IO.Path]::GetTempPath()) "$pipe-$sender.pcap"
            $end = $sender -eq 'pkt-gen' ? 1 : 2
            $rx = Open-NetmapPort "netmap:$pipe}$end"
            if ($sender -eq 'pkt-gen') {
                $tx = Start-PktGen "netmap:$pipe{$end" 'tx' @('-n', $count, '-l', 60, '-s', '10.0.0.1:1234-10.0.0.3:1236', '-d', '10.1.0.0:53-10.1.0.1:54')
            }
            else {
                $m = Open-NetmapPort "netmap:$pipe{$end"
                New-NetmapPacket -SourceAddress 10.0.0.1-10.0.0.3 -SourcePort 1234-1236 -DestinationAddress 10.1.0.0-10.1.0.1 -DestinationPort 53-54 -Length 60 |
                    Send-NetmapPacket -Port $m -Count $count
            }
            Receive-NetmapPacket -Port $rx -Count $count -Timeout 20 | Export-NetmapCapture -Path $file
            if ($tx) { $null = Wait-Program $tx; $tx = $null }
            $lines = @(& tcpdump -nn -q -r $file 2>$null)   # -q: no DNS decoding of port 53
            $seen[$sender] = @($lines | ForEach-Object { if ($_ -match 'IP (\S+) > (\S+): UDP, length (\d+)') { "$($Matches[1]) > $($Matches[2]) ($($Matches[3]))" } })
            $checks = @(& tshark -r $file -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -T fields -e ip.checksum.status -e udp.checksum.status 2>$null)
            $checks.Count | Should -Be $count -Because "tshark reads the $count frames $sender sent"
            @($checks | Where-Object { $_ -notlike "1`t*" }) | Should -BeNullOrEmpty -Because "every IP header checksum of $sender's frames is good"
            # pkt-gen updates the UDP checksum by increments that tshark finds wrong after the first change; ours must all be right
            $badUdp[$sender] = @($checks | Where-Object { $_ -notlike "*`t1" }).Count
            Remove-Item $file
        }
        $seen['pkt-gen'].Count | Should -Be $count
        @($seen['pkt-gen'] | Sort-Object -Unique).Count | Should -Be 36
        Write-Host "    pkt-gen's first frames: $($seen['pkt-gen'][0..3] -join '; '); UDP checksums tshark finds bad: pkt-gen $($badUdp['pkt-gen']), NetmapPS $($badUdp['NetmapPS'])"
        $badUdp['NetmapPS'] | Should -Be 0
        $seen['NetmapPS'] | Should -Be $seen['pkt-gen'] -Because 'the generator steps through the ranges as pkt-gen does, frame by frame'
    }

    It 'replays a capture as nmreplay does: the frames of the file in order over a kernel pipe, in about its time' -Skip:(-not $HasNmreplay) {
        $pipe = New-TestName 'nr'
        $file = Join-Path ([IO.Path]::GetTempPath()) "$pipe.pcap"
        # 100 frames, numbered, gaps of 2 to 8 ms (seeded): about 0.5 s, wide enough for TCG's pauses
        $rng = [Random]::new(7); [long] $t = 1700000000L * 1000000000L
        $frames = for ($i = 0; $i -lt 100; $i++) {
            $t += 1000000L * $rng.Next(2, 9)
            $data = New-Frame (60 + $i)
            [BitConverter]::GetBytes($i).CopyTo($data, 14)
            [Netmap.Native.Packets.NetmapPacket]::new($data, [DateTime]::UnixEpoch.AddTicks($t / 100), 'gen', 0, 0, $data.Length, $t)
        }
        $frames | Export-NetmapCapture $file
        $span = ($frames[-1].TimestampNanoseconds - $frames[0].TimestampNanoseconds) / 1e9
        $expected = $frames | ForEach-Object { [Convert]::ToHexString($_.Data) }
        $rx = Open-NetmapPort "netmap:$pipe}1"
        # nmreplay loops over the file without end: it is stopped once its 11th pass is in. Its first passes
        # come at once: its clock starts before its queue of 10,000 frames is built, slowly under TCG
        # (seen: the first pass in 0.034 s), and it sends late frames at once until it has caught up
        # the kernel pipe stamps no receive time per frame: the receiver clocks the first frame to the last itself
        $receive = { param($Skip) if ($Skip) { $null = Receive-NetmapPacket -Port $rx -Count $Skip -Timeout 60 }
                     $first = @(Receive-NetmapPacket -Port $rx -Count 1 -Timeout 30); $clock = [Diagnostics.Stopwatch]::StartNew()
                     $rest = @(Receive-NetmapPacket -Port $rx -Count 99 -Timeout 30); [pscustomobject]@{ Frames = $first + $rest; Seconds = $clock.Elapsed.TotalSeconds } }
        $nmreplay = Start-Program (Get-Command nmreplay).Source @('-f', $file, '-i', "netmap:$pipe{1", '-B', 'real,1', '-w', '0')
        try {
            $theirs = & $receive 1000
        }
        finally { & kill -INT $nmreplay.Id; $null = $nmreplay.WaitForExit(10000); if (-not $nmreplay.HasExited) { $nmreplay.Kill() } }
        while (Receive-NetmapPacket -Port $rx -Count 1000 -Timeout 0.5) { }   # what nmreplay sent after the first pass
        $sender = Start-ThreadJob { param($mod, $port, $f) Import-Module $mod; Send-NetmapPacket (Open-NetmapPort $port) -Replay -LiteralPath $f -Summary } -ArgumentList $ModulePath, "netmap:$pipe{1", $file
        $ours = & $receive
        $report = $sender | Wait-Job -Timeout 60 | Receive-Job
        Remove-Item $file -ErrorAction Ignore
        $theirSpan = $theirs.Seconds; $ourSpan = $ours.Seconds
        Write-Host ("    capture {0:F3} s; received over the pipe: nmreplay {1:F3} s, Send-NetmapPacket -Replay {2:F3} s (late by {3:F0} us on average, {4:F0} us at most)" -f
            $span, $theirSpan, $ourSpan, ($report.MeanLateness * 1e6), ($report.MaxLateness * 1e6))
        @($theirs.Frames | ForEach-Object { [Convert]::ToHexString($_.Data) }) | Should -Be $expected
        @($ours.Frames | ForEach-Object { [Convert]::ToHexString($_.Data) }) | Should -Be $expected
        # under an emulated CPU, as a PowerShell receiver clocks them: both near the capture's span, ours not far beyond nmreplay's
        $theirSpan | Should -BeGreaterThan (0.8 * $span)
        $ourSpan | Should -BeGreaterThan (0.8 * $span)
        $ourSpan | Should -BeLessThan ([Math]::Max(1.5 * $span, $theirSpan * 1.5))
    }

    It "shows the kernel's ring pointers moving in Get-NetmapRing" {
        $pipe = New-TestName 'ng'
        $m, $s = Open-NetmapPort "netmap:$pipe{1", "netmap:$pipe}1"
        $before = Get-NetmapRing $s -Direction RX
        $before.Tail | Should -Be 0
        1..5 | ForEach-Object { , (New-Frame) } | Send-NetmapPacket -Port $m
        $tx = Get-NetmapRing $m -Direction TX
        $tx.Head | Should -Be 5
        $tx.Tail | Should -Be 1023                     # the kernel has not reclaimed the slots: the receiver holds them
        @(Receive-NetmapPacket -Port $s -Count 5 -Timeout 5).Count | Should -Be 5
        $after = Get-NetmapRing $s -Direction RX
        $after.Tail | Should -Be 5                     # rxsync: the kernel moved tail past the five frames
        $after.Head | Should -Be 5                     # and we gave them back
        , (New-Frame) | Send-NetmapPacket -Port $m     # txsync: the kernel reclaims what the receiver released
        (Get-NetmapRing $m -Direction TX).Tail | Should -Not -Be 1023
    }

    Context 'errno cases' {
        It 'EBUSY: rings held exclusively by another port' {
            $pipe = New-TestName 'nb'
            $null = Open-NetmapPort "netmap:$pipe{1/x"
            $failure = Get-Failure { Open-NetmapPort "netmap:$pipe{1" -ErrorAction Stop }
            $failure.FullyQualifiedErrorId | Should -BeLike 'PortBusy,*'
            $failure.Exception.Message | Should -BeLike '*is in use*exclusively (/x)*'
        }

        It 'EINVAL: a ring the port does not have, and host rings on a VALE port' {
            $pipe = New-TestName 'ni'
            $failure = Get-Failure { Open-NetmapPort "netmap:$pipe{1-3" -ErrorAction Stop }
            $failure.FullyQualifiedErrorId | Should -BeLike 'InvalidPortRequest,*'
            $failure.Exception.Message | Should -BeLike "*Ring 3 does not exist: '$pipe{1' has 1 TX and 1 RX rings*"
            (Get-Failure { Open-NetmapPort "vale0:$pipe^" -ErrorAction Stop }).Exception.Message | Should -BeLike '*have no host rings*'
        }

        It 'ENXIO / ENOENT: no such interface, nothing attached under that name' {
            $failure = Get-Failure { Open-NetmapPort 'netmap:nosuch0' -ErrorAction Stop }
            $failure.FullyQualifiedErrorId | Should -BeLike 'PortNotFound,*'
            $failure.Exception.Message | Should -BeLike '*there is no such interface*ip link*'
            (Get-Failure { Remove-NetmapValePort -Switch vale9 -Interface nosuch0 -ErrorAction Stop }).Exception.Message | Should -BeLike '*not attached*'
        }

        It 'ENOMEM: the pools of the region are exhausted, with their sizes' {
            $pipe = New-TestName 'nm'
            $opened = 0
            $failure = $null
            for ($i = 0; $i -lt 64 -and -not $failure; $i++) {
                try { $null = Open-NetmapPort "netmap:$pipe{1" -ErrorAction Stop; $opened++ } catch { $failure = $_ }
            }
            $opened | Should -BeGreaterThan 0
            $failure.FullyQualifiedErrorId | Should -BeLike 'NetmapMemoryExhausted,*'
            $failure.Exception.Message | Should -BeLike "*pools are exhausted*Memory region * has * interfaces of * B, * rings of * B, * buffers of * B."
        }

        It '@extmem on hugetlbfs: a pipe opens in the file, moves frames both ways, and the file is released on close' -Skip:(-not $IsRoot) {
            $hugeBefore = [int](Get-Content /proc/sys/vm/nr_hugepages)
            $dir = (& mktemp -d).Trim()
            try {
                Set-HugePages ($hugeBefore + 40)
                (Get-HugePagesFree) | Should -BeGreaterOrEqual 32 -Because 'the kernel must find 32 free huge pages of 2 MiB for the 64 MiB file'
                & mount -t hugetlbfs none $dir
                $file = Join-Path $dir 'extmem'
                $freeBefore = Get-HugePagesFree
                & truncate -s 64M $file
                $pipe = New-TestName 'ne'
                $failure = Get-Failure { $script:m = Open-NetmapPort "netmap:$pipe{1@extmem:file=$file" -ErrorAction Stop }
                if ($failure -and "$failure" -like '*built without external memory support*--enable-extmem*') {
                    Set-ItResult -Skipped -Because 'this netmap module was built without --enable-extmem (the message says so)'
                    return
                }
                $failure | Should -BeNullOrEmpty
                $s = Open-NetmapPort "netmap:$pipe}1"
                $m.Region | Should -Be "$file (external memory, region $($m.MemoryId))"
                $m.RegionSize | Should -Be 64MB
                $m.MemoryId | Should -BeGreaterThan 1                 # a region of its own, not the global allocator
                $s.MemoryId | Should -Be $m.MemoryId                  # the other end lives in the same file
                (Get-HugePagesFree) | Should -Be ($freeBefore - 32)   # the kernel pinned all 32 huge pages of the file

                $frames = foreach ($i in 1..50) { $f = New-Frame (60 + $i); $f[14] = $i; , $f }
                $frames | Send-NetmapPacket -Port $s
                $got = @(Receive-NetmapPacket -Port $m -Count 50 -Timeout 10 -Raw)
                $got.Count | Should -Be 50
                ($got | ForEach-Object { "$($_.Length):$($_[14])" }) -join ',' | Should -Be (($frames | ForEach-Object { "$($_.Length):$($_[14])" }) -join ',')
                $frames | Send-NetmapPacket -Port $m
                @(Receive-NetmapPacket -Port $s -Count 50 -Timeout 10 -Raw).Count | Should -Be 50

                Close-NetmapPort -All
                (Get-Content /proc/self/maps) -match [regex]::Escape($file) | Should -BeNullOrEmpty
                Remove-Item $file
                (Get-HugePagesFree) | Should -Be $freeBefore          # nothing holds the pages any more: the kernel unpinned them
            }
            finally {
                Close-NetmapPort -All
                & umount $dir 2>$null
                Remove-Item $dir -Recurse -Force -ErrorAction Ignore
                Set-HugePages $hugeBefore
            }
        }

        It '@extmem ENOMEM: says what the region holds, what a pipe needs, and that the file is not on hugetlbfs' -Skip:(-not $IsRoot) {
            $file = Join-Path ([IO.Path]::GetTempPath()) (New-TestName 'extmem')
            & truncate -s 16M $file
            try {
                # one ring where a pipe needs four: the kernel accepts the region and cannot build the rings in it
                $failure = Get-Failure { Open-NetmapPort "netmap:$(New-TestName 'ne'){1@extmem:file=$file,ring_num=1" -ErrorAction Stop }
                if ("$failure" -like '*built without external memory support*') { Set-ItResult -Skipped -Because 'this netmap module was built without --enable-extmem'; return }
                $failure.FullyQualifiedErrorId | Should -BeLike 'NetmapMemoryExhausted,*'
                $failure.Exception.Message | Should -BeLike "*netmap took '$file' (16777216 B) as the region*2 interfaces of 1024 B, 1 rings of 20480 B and 4098 or more buffers of 2048 B*a pipe takes 4 rings*not on hugetlbfs*mount -t hugetlbfs*"
                (Get-Content /proc/self/maps) -match [regex]::Escape($file) | Should -BeNullOrEmpty   # unmapped again
            }
            finally { Close-NetmapPort -All; Remove-Item $file }
        }

        It 'ENODEV / EOPNOTSUPP: an interface without a native driver when netmap may not emulate one (admode=1)' -Tag 'NativeAdmode' -Skip:(-not ($HasIp -and $IsRoot)) {
            if ((Get-Content /sys/module/netmap/parameters/admode -ErrorAction Ignore) -ne '1') {
                Set-ItResult -Skipped -Because 'netmap was loaded with admode other than 1; ./build.ps1 NativeLab runs this test in a second boot with NETMAP_VM_NETMAP_ARGS=admode=1'
                return
            }
            $v = New-TestName 'nd'
            & ip link add "${v}a" type veth peer name "${v}b"
            try {
                $failure = Get-Failure { Open-NetmapPort "netmap:${v}a" -ErrorAction Stop }
                $failure.FullyQualifiedErrorId | Should -BeLike 'NotSupported,*'
                "$failure" | Should -BeLike '*cannot do netmap in the kernel*admode=0*-Mode Emulated*'
            }
            finally { & ip link del "${v}a" }
        }

        It 'EACCES: without the right to open /dev/netmap the message says root is needed' -Skip:(-not $IsRoot -or -not (Get-Command setpriv -ErrorAction Ignore)) {
            $mode = (& stat -c '%a' /dev/netmap)
            & chmod 000 /dev/netmap
            try {
                # root without CAP_DAC_OVERRIDE meets the file mode like anyone else
                $child = Start-Program (Get-Command setpriv).Source @('--bounding-set=-dac_override,-dac_read_search', '--inh-caps=-dac_override,-dac_read_search', '--',
                    $Pwsh, '-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Scripts/Native-OpenError.ps1'), 'netmap:x{1')
                $result = (Wait-Program $child 120) | ConvertFrom-Json
            }
            finally { & chmod $mode /dev/netmap }
            $result.Id | Should -BeLike 'PermissionDenied,*'
            $result.Message | Should -BeLike '*cannot open /dev/netmap: Permission denied*root*'
        }
    }
}
