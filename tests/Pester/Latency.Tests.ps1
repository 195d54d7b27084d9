# Measure-NetmapLatency (pkt-gen's ping) over pipes: straight through, through a forwarding job (whose
# round trips must be the longer), loss where nothing comes back, and typed errors for bad frames.
BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }
AfterAll { Close-NetmapPort -All }

Describe 'Measure-NetmapLatency' {
    BeforeEach {
        $a = New-TestName 'la'; $b = New-TestName 'lb'
        $aOut, $aIn, $bOut, $bIn = Open-NetmapPort "netmap:$a{1", "netmap:$a}1", "netmap:$b{1", "netmap:$b}1"
    }
    AfterEach { Close-NetmapPort -All }

    It 'times every probe over a pipe and reports the order statistics' {
        $r = Measure-NetmapLatency $aOut -ReturnPort $aIn -Count 300
        $r | Should -BeOfType Netmap.Native.Rings.LatencyReport
        $r.Sent, $r.Received, $r.Lost | Should -Be 300, 300, 0
        $r.Minimum | Should -BeGreaterThan 0
        $r.Minimum | Should -BeLessOrEqual $r.Median
        $r.Median | Should -BeLessOrEqual $r.Percentile99
        $r.Percentile99 | Should -BeLessOrEqual $r.Maximum
        $r.Mean | Should -BeGreaterOrEqual $r.Minimum
        ($r | Format-Table | Out-String) | Should -Match 'Median\(us\)'
    }

    It 'times the round trip through a forwarder, with other frames passed over on the way back' {
        New-NetmapPacket -DestinationPort 9 | Send-NetmapPacket -Port $bOut -Count 20   # not probes: read and passed over
        $job = Invoke-NetmapForward -From $aIn -To $bOut -AsJob
        try {
            $r = Measure-NetmapLatency $aOut $bIn -Count 200 -Timeout 2
        }
        finally { $job | Stop-Job; $job | Remove-Job -Force }
        $r.Received | Should -Be 200
        $r.Lost | Should -Be 0
        $r.ReturnPort | Should -Be $bIn.Name
    }

    It 'paces the probes with -Interval' {
        $t = Measure-Command { $r = Measure-NetmapLatency $aOut $aIn -Count 20 -Interval 0.01 }
        $r.Received | Should -Be 20
        $t.TotalSeconds | Should -BeGreaterOrEqual 0.18
    }

    It 'counts the probes that never come back as lost' {
        $r = Measure-NetmapLatency $aOut $bIn -Count 3 -Timeout 0.05
        $r.Sent, $r.Received, $r.Lost | Should -Be 3, 0, 3
        [double]::IsNaN($r.Median) | Should -BeTrue
    }

    It 'takes a packet as the probe and refuses a frame without room for the stamp' {
        $p = New-NetmapPacket -DestinationPort 7 -Length 100
        (Measure-NetmapLatency $aOut $aIn -Count 5 -Packet $p -Offset 60).Received | Should -Be 5
        { Measure-NetmapLatency $aOut $aIn -Count 1 -Packet ([byte[]]::new(50)) } | Should -Throw -ErrorId 'InvalidPortRequest,NetmapPS.MeasureNetmapLatencyCommand' -ExpectedMessage '*at least 58 bytes*'
        { Measure-NetmapLatency $aOut $aIn -Count 1 -Packet 'text' } | Should -Throw -ErrorId 'NotAFrame,NetmapPS.MeasureNetmapLatencyCommand'
    }

    It 'is refused while another loop uses the return rings' {
        $job = Invoke-NetmapForward -From $aIn -To $bOut -AsJob
        try {
            Start-Sleep -Milliseconds 200
            { Measure-NetmapLatency $bOut $aIn -Count 1 } | Should -Throw -ErrorId 'PortBusy,NetmapPS.MeasureNetmapLatencyCommand'
        }
        finally { $job | Stop-Job; $job | Remove-Job -Force }
    }
}

Describe 'Invoke-NetmapForward -Echo' {
    BeforeEach {
        $e = New-TestName 'le'
        $near, $far = Open-NetmapPort "netmap:$e{1", "netmap:$e}1"
    }
    AfterEach { Close-NetmapPort -All }

    It 'answers on the port the frames came in on, addresses and ports swapped, for Measure-NetmapLatency' {
        $job = Invoke-NetmapForward -From $far -Echo -AsJob
        try {
            $r = Measure-NetmapLatency $near -Count 200 -Timeout 2
            $sent = New-NetmapPacket -SourceAddress 10.9.0.1 -DestinationAddress 10.9.0.2 -SourcePort 1111 -DestinationPort 2222 -SourceMac 02-00-00-00-00-0a -DestinationMac 02-00-00-00-00-0b
            $sent | Send-NetmapPacket -Port $near
            $back = Receive-NetmapPacket -Port $near -Count 1 -Timeout 5
        }
        finally { $job | Stop-Job; $job | Remove-Job -Force }
        $r.Received, $r.Lost | Should -Be 200, 0
        "$($back.Ip.Src) $($back.Ip.Dst) $($back.Udp.SrcPort) $($back.Udp.DstPort)" | Should -Be '10.9.0.2 10.9.0.1 2222 1111'
        $back.Ethernet.Source.ToString() | Should -Be '02000000000B'
        $back.Data.Length | Should -Be $sent.Data.Length
    }

    It 'refuses -Bidirectional with -Echo, and a port forwarded to itself without it' {
        { Invoke-NetmapForward -From $far -Echo -Bidirectional -Count 1 } | Should -Throw
        { Invoke-NetmapForward -From $far -To $far -Count 1 } | Should -Throw -ExpectedMessage '*cannot be forwarded to itself*'
    }
}
