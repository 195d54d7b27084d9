# Invoke-NetmapLoadBalance over emulated pipes: where each frame goes is predicted by a flow hash
# computed here, from the addresses and ports each frame was built with (not from its bytes).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # The documented hash: 32-bit FNV-1a over protocol, lower endpoint, higher endpoint (address bytes,
    # then the port big-endian), then murmur3's fmix32, modulo the number of outputs.
    function Get-ExpectedOutput([byte] $Protocol, [byte[]] $AddressA, [int] $PortA, [byte[]] $AddressB, [int] $PortB, [int] $Outputs) {
        $a = [byte[]]($AddressA + [byte[]]@(($PortA -shr 8), ($PortA -band 255)))
        $b = [byte[]]($AddressB + [byte[]]@(($PortB -shr 8), ($PortB -band 255)))
        $order = 0
        for ($i = 0; $i -lt $a.Count -and $order -eq 0; $i++) { $order = $a[$i].CompareTo($b[$i]) }
        if ($order -gt 0) { $a, $b = $b, $a }
        [uint64] $hash = 2166136261
        foreach ($byte in [byte[]](@($Protocol) + $a + $b)) { $hash = (($hash -bxor $byte) * [uint64]16777619) % 4294967296 }
        # murmur3's fmix32, products taken modulo 2^32 through BigInteger
        $hash = $hash -bxor ($hash -shr 16)
        $hash = [uint64](([bigint]$hash * 0x85ebca6bu) % 4294967296)
        $hash = $hash -bxor ($hash -shr 13)
        $hash = [uint64](([bigint]$hash * 0xc2b2ae35u) % 4294967296)
        $hash = $hash -bxor ($hash -shr 16)
        [int]($hash % $Outputs)
    }

    function Get-AddressBytes([string] $Address) { [Net.IPAddress]::Parse($Address).GetAddressBytes() }

    # The flows: TCP and UDP over IPv4, some over IPv6, some behind a VLAN tag, and one that is not IP.
    # Each flow sends one frame each way, tagged in its payload with the flow number and the direction.
    function New-Flows([int] $Outputs) {
        $flows = [Collections.Generic.List[object]]::new()
        for ($i = 0; $i -lt 120; $i++) {
            $v6 = $i % 10 -eq 9
            $client = if ($v6) { "2001:db8::$($i + 1)" } else { "10.0.$($i % 7).$($i + 1)" }
            $server = if ($v6) { "2001:db8:1::$($i % 3 + 1)" } else { "10.1.0.$($i % 3 + 1)" }
            $protocol = if ($i % 2) { 'Tcp' } else { 'Udp' }
            $clientPort = 20000 + 37 * $i
            $serverPort = (53, 80, 443)[$i % 3]
            $vlan = if ($i % 8 -eq 3) { @{ VlanId = 20 } } else { @{} }
            $flows.Add([pscustomobject]@{
                Id = $i
                Expected = Get-ExpectedOutput ($protocol -eq 'Tcp' ? 6 : 17) (Get-AddressBytes $client) $clientPort (Get-AddressBytes $server) $serverPort $Outputs
                Frames = @(
                    New-NetmapPacket -Protocol $protocol -SourceAddress $client -DestinationAddress $server -SourcePort $clientPort -DestinationPort $serverPort -Payload "flow$i-fwd" @vlan
                    New-NetmapPacket -Protocol $protocol -SourceAddress $server -DestinationAddress $client -SourcePort $serverPort -DestinationPort $clientPort -Payload "flow$i-rev" @vlan)
            })
        }
        $macA = [byte[]](2, 0, 0, 0, 0, 0xa); $macB = [byte[]](2, 0, 0, 0, 0, 0xb)
        $flows.Add([pscustomobject]@{
            Id = 999
            Expected = Get-ExpectedOutput 0 $macA 0 $macB 0 $Outputs
            Frames = @((New-TestFrame '02:00:00:00:00:0b' '02:00:00:00:00:0a' 'flow999-fwd'), (New-TestFrame '02:00:00:00:00:0a' '02:00:00:00:00:0b' 'flow999-rev'))
        })
        $flows
    }

    # The flow tags of the raw frames a port received: 'flow12-fwd', ...
    function Get-Tags([object[]] $Frames) {
        foreach ($f in $Frames) { if ([Text.Encoding]::ASCII.GetString($f) -match 'flow\d+-(fwd|rev)') { $Matches[0] } }
    }
}

Describe 'Invoke-NetmapLoadBalance' {
    BeforeEach {
        $name = New-TestName 'lb'
        $inSend, $from = Open-NetmapPort "netmap:$name{9", "netmap:$name}9"
        $outputs = Open-NetmapPort "netmap:$name{0", "netmap:$name{1", "netmap:$name{2", "netmap:$name{3"
        $workers = Open-NetmapPort "netmap:$name}0", "netmap:$name}1", "netmap:$name}2", "netmap:$name}3"
    }
    AfterEach { Close-NetmapPort -All }

    It 'sends each flow, both directions, to the output the symmetric hash names, and counts per output' {
        $flows = New-Flows 4
        $frames = $flows | ForEach-Object Frames
        $frames | Send-NetmapPacket -Port $inSend
        $report = Invoke-NetmapLoadBalance -From $from -To $outputs -Count $frames.Count

        $report.Forwarded | Should -Be $frames.Count
        $report.Outputs.Port | Should -Be $outputs.Name
        $landed = @{}
        for ($k = 0; $k -lt 4; $k++) {
            $expected = @($flows | Where-Object Expected -eq $k).Count * 2
            $report.Outputs[$k].Packets | Should -Be $expected -Because "output $k gets both frames of each flow the hash gives it"
            $outputs[$k].Statistics.Sent | Should -Be $expected
            $got = @(Receive-NetmapPacket -Port $workers[$k] -Raw -Count $expected -Timeout 5)
            $got.Count | Should -Be $expected
            foreach ($tag in Get-Tags $got) { $landed[$tag] = $k }
        }
        # every output got some of the 121 flows, and each flow's two directions met at the predicted one
        @($report.Outputs | Where-Object Packets -eq 0).Count | Should -Be 0
        foreach ($flow in $flows) {
            $landed["flow$($flow.Id)-fwd"] | Should -Be $flow.Expected -Because "flow $($flow.Id) forward"
            $landed["flow$($flow.Id)-rev"] | Should -Be $flow.Expected -Because "flow $($flow.Id) reverse"
        }
        $from.Statistics.Received | Should -Be $frames.Count
    }

    It 'copies every frame to -Copy, in order, as well as balancing it; outputs of another region get the bytes copied' {
        $tap, $tapReader = Open-NetmapPort "netmap:$name{8", "netmap:$name}8"
        $other = New-TestName 'lo'
        $copying = Open-NetmapPort "netmap:$other{0", "netmap:$other{1"     # another parent: another region, so no buffer swap
        $readers = Open-NetmapPort "netmap:$other}0", "netmap:$other}1"
        $flows = New-Flows 2
        $frames = $flows | ForEach-Object Frames
        $bytes = { param($f) if ($f -is [byte[]]) { , $f } else { , $f.Data } }
        $frames | Send-NetmapPacket -Port $inSend
        $report = Invoke-NetmapLoadBalance -From $from -To $copying -Copy $tap -Count $frames.Count
        $report.Copied | Should -Be $frames.Count
        $report.CopyDropped | Should -Be 0
        $report.Copy | Should -Be $tap.Name
        $copies = @(Receive-NetmapPacket -Port $tapReader -Raw -Count $frames.Count -Timeout 5)
        ($copies | ForEach-Object { [Convert]::ToHexString($_) }) -join ',' | Should -Be (($frames | ForEach-Object { [Convert]::ToHexString((& $bytes $_)) }) -join ',')
        for ($k = 0; $k -lt 2; $k++) {
            $expected = @($flows | Where-Object Expected -eq $k | ForEach-Object Frames)
            $report.Outputs[$k].Packets | Should -Be $expected.Count
            $got = @(Receive-NetmapPacket -Port $readers[$k] -Raw -Count $expected.Count -Timeout 5)
            $got.Count | Should -Be $expected.Count
            # the frames of each output, compared byte for byte as sets (the order across flows follows the input)
            ($got | ForEach-Object { [Convert]::ToHexString($_) } | Sort-Object) -join ',' | Should -Be (($expected | ForEach-Object { [Convert]::ToHexString((& $bytes $_)) } | Sort-Object) -join ',')
        }
    }

    It 'waits when an output is full and loses nothing; a full copy port drops copies and counts them' {
        $tap = Open-NetmapPort "netmap:$name{8"     # nobody reads it: its rings fill
        $frame = New-NetmapPacket -Protocol Udp -SourcePort 1 -DestinationPort 2
        $target = Get-ExpectedOutput 17 (Get-AddressBytes 10.0.0.2) 1 (Get-AddressBytes 10.0.0.1) 2 4
        $runs = foreach ($round in 1..3) {
            1..1000 | ForEach-Object { $frame } | Send-NetmapPacket -Port $inSend
            Invoke-NetmapLoadBalance -From $from -To $outputs -Copy $tap -Duration 0.5
        }
        # one flow, one output: its TX ring and its peer's RX ring (1023 usable slots each) hold 2046 frames
        $runs[0].Outputs[$target].Packets | Should -Be 1000
        $runs[1].Outputs[$target].Packets | Should -Be 1000
        $runs[2].Outputs[$target].Packets | Should -BeLessThan 1000 -Because 'the output is full: the rest waits in the RX ring of -From'
        # a worker that reads, and the balancer again: it moves what waited in -From, and its flush hands on what waited in the output's TX ring
        $read = 0
        for ($i = 0; $i -lt 5 -and $read -lt 3000; $i++) {
            $read += @(Receive-NetmapPacket -Port $workers[$target] -Raw -Count (3000 - $read) -Timeout 1).Count
            $runs += Invoke-NetmapLoadBalance -From $from -To $outputs -Copy $tap -Duration 0.2
        }
        ($runs | Measure-Object Forwarded -Sum).Sum | Should -Be 3000
        $read | Should -Be 3000
        $copied = ($runs | Measure-Object Copied -Sum).Sum
        $copied + ($runs | Measure-Object CopyDropped -Sum).Sum | Should -Be 3000
        $copied | Should -BeLessThan 3000 -Because 'the copy port filled up and the balancer went on without it'
        $tap.Statistics.Sent | Should -Be $copied
    }

    It 'refuses a port given twice, and says why' {
        { Invoke-NetmapLoadBalance -From $from -To $outputs[0], $outputs[0] -Count 1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidPortRequest,NetmapPS.InvokeNetmapLoadBalanceCommand' -ExpectedMessage '*must be different ports*'
        { Invoke-NetmapLoadBalance -From $from -To $outputs[0] -Copy $from -Count 1 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*must be different ports*'
    }
}
