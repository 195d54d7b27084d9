# pkt-gen's generator: ranges and lists of addresses, ports, MACs and lengths, rewritten in the ring.
# The frames are received on the other end of a pipe and written to a capture that tcpdump and tshark
# read; what they count is compared with the combinations this file works out for itself.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # Every IPv4 address from $First to $Last, as text (worked out here, not by the module).
    function Get-Ipv4Range([string] $First, [string] $Last) {
        $toNumber = { param($a) $b = ([Net.IPAddress]$a).GetAddressBytes(); [uint32]$b[0] -shl 24 -bor [uint32]$b[1] -shl 16 -bor [uint32]$b[2] -shl 8 -bor $b[3] }
        for ($n = & $toNumber $First; $n -le (& $toNumber $Last); $n++) { '{0}.{1}.{2}.{3}' -f ($n -shr 24), ($n -shr 16 -band 255), ($n -shr 8 -band 255), ($n -band 255) }
    }

    # Receives $Count frames on $Port (a receiver in a thread job, started before the send) into a capture file.
    function Start-Capture($Port, [int] $Count, [string] $File) {
        Start-ThreadJob { param($m, $p, $c, $f) Import-Module $m; Receive-NetmapPacket -Port $p -Count $c -Timeout 5 | Export-NetmapCapture $f } -ArgumentList $ModulePath, $Port, $Count, $File
    }

    # tcpdump's reading of a capture: one object per UDP/IPv4 frame.
    function Read-Tcpdump([string] $File) {
        $lines = @(& tcpdump -nn -e -r $File 2>$null)
        $LASTEXITCODE | Should -Be 0 -Because "tcpdump reads $File"
        foreach ($line in $lines) {
            # 12:00:00.000000 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype IPv4 (0x0800), length 60: 10.0.0.1.1234 > 10.1.0.0.53: ...
            if ($line -match '^\S+ (?<smac>\S+) > (?<dmac>\S+), ethertype IPv4 \(0x0800\), length (?<len>\d+): (?<src>\d+\.\d+\.\d+\.\d+)\.(?<sport>\d+) > (?<dst>\d+\.\d+\.\d+\.\d+)\.(?<dport>\d+):') {
                [pscustomobject]@{ SourceMac = $Matches.smac; DestinationMac = $Matches.dmac; FrameLength = [int]$Matches.len
                    Source = $Matches.src; SourcePort = [int]$Matches.sport; Destination = $Matches.dst; DestinationPort = [int]$Matches.dport }
            }
        }
    }

    # The frames tshark finds a bad IPv4 header or UDP checksum in (its expert info), and how many it read.
    function Get-BadChecksums([string] $File) {
        $rows = @(& tshark -r $File -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -T fields -e frame.number -e ip.checksum.status -e udp.checksum.status -e _ws.expert.message 2>$null)
        $LASTEXITCODE | Should -Be 0 -Because "tshark reads $File"
        [pscustomobject]@{ Frames = $rows.Count; Bad = @($rows | Where-Object { $_ -match 'Bad checksum|checksum.*incorrect' -or ($_ -split "`t")[1] -ne '1' -or ($_ -split "`t")[2] -ne '1' }) }
    }
}

Describe 'Generated traffic (pkt-gen ranges)' {
    BeforeEach {
        $name = New-TestName 'ge'
        $file = Join-Path ([IO.Path]::GetTempPath()) "$name.pcapng"
    }
    AfterEach {
        Get-Job | Remove-Job -Force
        Close-NetmapPort -All
        Remove-Item $file -ErrorAction Ignore
    }

    It 'steps through addresses and ports as pkt-gen does, every combination once, with checksums tshark accepts' {
        $tx, $rx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $sources = @(Get-Ipv4Range 10.0.0.1 10.0.0.9); $sourcePorts = 1234..1240
        $destinations = @(Get-Ipv4Range 10.1.0.0 10.1.0.3); $destinationPorts = 53, 80
        $expected = $sources.Count * $sourcePorts.Count * $destinations.Count * $destinationPorts.Count
        $capture = Start-Capture $rx $expected $file
        $report = New-NetmapPacket -SourceAddress 10.0.0.1-10.0.0.9:1234-1240 -DestinationAddress 10.1.0.0/30 -DestinationPort 53,80 |
            Send-NetmapPacket -Port $tx -Summary
        $report.Packets | Should -Be $expected   # without -Count: one turn of every range
        $capture | Wait-Job -Timeout 30 | Receive-Job
        $frames = @(Read-Tcpdump $file)
        $frames.Count | Should -Be $expected
        ($frames.Source | Sort-Object -Unique) | Should -Be ($sources | Sort-Object)
        ($frames.SourcePort | Sort-Object -Unique) | Should -Be $sourcePorts
        ($frames.Destination | Sort-Object -Unique) | Should -Be ($destinations | Sort-Object)
        ($frames.DestinationPort | Sort-Object -Unique) | Should -Be $destinationPorts
        @($frames | ForEach-Object { "$($_.Source):$($_.SourcePort)>$($_.Destination):$($_.DestinationPort)" } | Sort-Object -Unique).Count | Should -Be $expected
        # pkt-gen's order: the source port turns fastest, then the source address, then the destination port
        ($frames[0..7] | ForEach-Object { "$($_.Source):$($_.SourcePort)" }) | Should -Be (@(1234..1240 | ForEach-Object { "10.0.0.1:$_" }) + '10.0.0.2:1234')
        $frames[63].DestinationPort | Should -Be 80
        $checks = Get-BadChecksums $file
        $checks.Frames | Should -Be $expected
        $checks.Bad | Should -BeNullOrEmpty
    }

    It 'sends every length of -Length 60-1500 once, the IP and UDP lengths and checksums right (with -Sequence in the payload)' {
        $tx, $rx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $capture = Start-Capture $rx 1441 $file
        $report = New-NetmapPacket -Payload 'pad' | Send-NetmapPacket -Port $tx -Length 60-1500 -Sequence -Summary
        $report.Packets | Should -Be 1441
        $capture | Wait-Job -Timeout 30 | Receive-Job
        $frames = @(Read-Tcpdump $file)
        ($frames.FrameLength | Sort-Object -Unique) | Should -Be (60..1500)
        $udpLengths = @(& tshark -r $file -T fields -e udp.length -e ip.len -e frame.len 2>$null | ForEach-Object { $u, $i, $f = $_ -split "`t"; [int]$f - [int]$i - 14; [int]$i - [int]$u - 20 } | Sort-Object -Unique)
        $udpLengths | Should -Be 0 -Because 'the IP and UDP lengths cover the whole frame: no Ethernet padding, no gap'
        $checks = Get-BadChecksums $file
        $checks.Frames | Should -Be 1441
        $checks.Bad | Should -BeNullOrEmpty
    }

    It 'fills a fixed -Length with payload as pkt-gen -l does (UDP, TCP, ICMP, IPv6, VLAN); ARP and frames without -Length are padded' {
        $packets = @(
            New-NetmapPacket -Length 100 -Payload 'ab'
            New-NetmapPacket -Length 100 -Protocol Tcp
            New-NetmapPacket -Length 100 -Protocol Icmp
            New-NetmapPacket -Length 100 -SourceAddress fe80::1 -DestinationAddress fe80::2
            New-NetmapPacket -Length 100 -VlanId 7
            New-NetmapPacket -Length 100 -Protocol Arp
            New-NetmapPacket)
        $packets | Export-NetmapCapture -Path $file
        $rows = @(& tshark -r $file -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE -T fields -E occurrence=l `
                -e frame.len -e ip.len -e ipv6.plen -e eth.padding -e ip.checksum.status -e udp.checksum.status -e tcp.checksum.status -e icmp.checksum.status -e data.len 2>$null |
            ForEach-Object { $f = $_ -split "`t"; [pscustomobject]@{ Frame = $f[0]; IpLength = $f[1]; Ipv6Payload = $f[2]; Padding = $f[3]; Checks = ($f[4..7] | Where-Object { $_ }) -join ','; Data = $f[8] } })
        $rows.Count | Should -Be 7
        $rows.Frame | Should -Be '100', '100', '100', '100', '100', '100', '60'
        $rows[0..2].IpLength | Should -Be '86', '86', '86' -Because 'the IPv4 packet fills the 100-byte frame'
        $rows[0].Data | Should -Be '58' -Because "'ab' and 56 zeros: 100 - 14 - 20 - 8"
        $rows[3].Ipv6Payload | Should -Be '46'
        $rows[4].IpLength | Should -Be '82' -Because 'the frame is 100 bytes with its tag'
        $rows[0..4].Padding | Should -Be '', '', '', '', ''
        $rows[0..4].Checks | ForEach-Object { $_ | Should -Match '^1(,1)*$' -Because 'tshark finds every checksum good' }
        $rows[5].Padding | Should -Not -BeNullOrEmpty -Because 'an ARP frame is padded after its body'
        $rows[6].IpLength | Should -Be '28' -Because 'without -Length a short frame is padded after the packet, as a network card pads it'
        $rows[6].Padding | Should -Not -BeNullOrEmpty
    }

    It 'takes random values within the ranges with -Random, and varies the MACs' {
        $tx, $rx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $capture = Start-Capture $rx 2000 $file
        New-NetmapPacket | Send-NetmapPacket -Port $tx -Count 2000 -SourcePort 1000-1099 -DestinationAddress 10.9.0.0/24 -SourceMac 02:00:00:00:00:01-02:00:00:00:00:04 -Random
        $capture | Wait-Job -Timeout 30 | Receive-Job
        $frames = @(Read-Tcpdump $file)
        $frames.Count | Should -Be 2000
        $frames.SourcePort | Where-Object { $_ -lt 1000 -or $_ -gt 1099 } | Should -BeNullOrEmpty
        @($frames.SourcePort | Sort-Object -Unique).Count | Should -BeGreaterThan 90
        $frames.Destination | Where-Object { $_ -notlike '10.9.0.*' } | Should -BeNullOrEmpty
        @($frames.Destination | Sort-Object -Unique).Count | Should -BeGreaterThan 200
        ($frames.SourceMac | Sort-Object -Unique) | Should -Be '02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03', '02:00:00:00:00:04'
        # not stepped: the first ports are not 1000, 1001, 1002...
        ($frames[0..9].SourcePort -join ',') | Should -Not -Be ((1000..1009) -join ',')
        (Get-BadChecksums $file).Bad | Should -BeNullOrEmpty
    }

    It 'sends from two rings of one port with -Threads 2, the count shared, and reports as pkt-gen' {
        $tx = Open-NetmapPort "netmap:$name{1@conf:rings=2"
        $rx = Open-NetmapPort "netmap:$name}1"
        $tx.TxRings.Count | Should -Be 2
        $received = Start-ThreadJob { param($m, $p) Import-Module $m; Receive-NetmapPacket -Port $p -Count 4000 -Timeout 5 | Group-Object Ring -NoElement } -ArgumentList $ModulePath, $rx
        $report = New-NetmapPacket -SourcePort 1-100 | Send-NetmapPacket -Port $tx -Count 4000 -Threads 2 -Summary
        $report.Packets | Should -Be 4000
        $report.Rings | Should -Be 2
        $byRing = $received | Wait-Job -Timeout 30 | Receive-Job
        $byRing.Count | Should -Be 2 -Because 'frames arrived on both rings'
        $byRing | ForEach-Object { $_.Count | Should -Be 2000 }
        $lines = ($report | Out-String).Trim() -split '\r?\n'
        $lines[0] | Should -Match '^Sent 4000 packets 240000 bytes \d+ events 60 bytes each in \d+\.\d\d seconds\.$'
        $lines[1] | Should -Match '^Speed: \d+\.\d{3} [KMG]?pps Bandwidth: \d+\.\d{3} [KMG]?bps \(raw \d+\.\d{3} [KMG]?bps\)\. Average batch: \d+\.\d\d pkts$'
    }

    It 'says what is wrong: too few rings for -Threads, ranges on a TCP frame, a range that does not parse' {
        $tx = Open-NetmapPort "netmap:$name{1"
        { New-NetmapPacket | Send-NetmapPacket -Port $tx -Threads 2 } | Should -Throw "*holds 1 TX ring*-Threads 2*"
        New-NetmapPacket -Protocol Tcp | Send-NetmapPacket -Port $tx -SourcePort 1-9 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidPacketParameter,*'
        $err[0].Exception.Message | Should -BeLike '*IPv4/UDP*'
        New-NetmapPacket -SourceAddress 10.0.0.1-10.0.0.300 -ErrorVariable bad -ErrorAction SilentlyContinue
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'InvalidPacketParameter,*'
        $bad[0].Exception.Message | Should -BeLike "*'10.0.0.1-10.0.0.300' is not a valid source address*"
    }
}
