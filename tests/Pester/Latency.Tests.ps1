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
