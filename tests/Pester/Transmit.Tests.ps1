BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

Describe 'Send-NetmapPacket, Measure-NetmapTraffic and Invoke-NetmapForward' {
    AfterEach { Close-NetmapPort -All }

    It 'sends 1,000,000 sequenced frames from one process, measured in another with no gap' {
        $name = New-TestName 'sq'
        $meter = Start-TestScript 'Measure-Sequenced.ps1' @('-Port', "netmap:$name}1", '-Count', '1000000')
        $null = Open-NetmapPort "netmap:$name{1"
        $sent = New-NetmapPacket -Length 60 | Send-NetmapPacket -Port "netmap:$name{1" -Count 1000000 -Sequence -Summary -Timeout 60
        $sent.Packets | Should -Be 1000000
        $total = Wait-TestScript $meter | ConvertFrom-Json
        $total.Packets | Should -Be 1000000
        $total.Gaps | Should -Be 0
        $total.Reordered | Should -Be 0
    }

    It 'counts a gap when sequence numbers are missing' {
        $name = New-TestName 'gp'
        $tx, $rx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $frames = 0, 1, 2, 5, 6, 4 | ForEach-Object {
            $p = New-NetmapPacket -Length 60
            [Array]::Copy([BitConverter]::GetBytes([Net.IPAddress]::HostToNetworkOrder([int]$_)), 0, $p.Data, 42, 4)
            $p
        }
        $frames | Send-NetmapPacket -Port $tx
        $total = Measure-NetmapTraffic $rx -Sequence -Count 6 -Timeout 2 -TotalOnly
        $total.Packets | Should -Be 6
        $total.Gaps | Should -Be 2        # 3 and 4 were missing when 5 came
        $total.Reordered | Should -Be 1   # then 4 came late
    }

    It 'paces with -Rate' {
        $name = New-TestName 'rt'
        $null = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $report = New-NetmapPacket | Send-NetmapPacket -Port "netmap:$name{1" -Count 200 -Rate 1000 -Summary
        $report.Seconds | Should -BeGreaterThan 0.15
        $report.Packets | Should -Be 200
    }

    It 'sends for -Duration seconds without -Count, and every frame sent arrives' {
        $name = New-TestName 'du'
        $tx, $rx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $counter = Start-ThreadJob { param($m, $p) Import-Module $m; Measure-NetmapTraffic -Port $p -Sequence -Timeout 3 -TotalOnly } -ArgumentList $ModulePath, $rx
        $report = New-NetmapPacket | Send-NetmapPacket -Port $tx -Duration 0.5 -Sequence -Summary
        $report.Seconds | Should -BeGreaterOrEqual 0.5
        $report.Seconds | Should -BeLessThan 5
        $report.Packets | Should -BeGreaterThan 1000   # far more than the one frame -Count defaults to
        $total = $counter | Wait-Job -Timeout 30 | Receive-Job
        $total.Packets | Should -Be $report.Packets
        $total.Gaps | Should -Be 0
    }

    It 'says what it would do with -WhatIf, and sends nothing' {
        $name = New-TestName 'wf'
        $tx, $rx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        New-NetmapPacket | Send-NetmapPacket -Port $tx -WhatIf
        Receive-NetmapPacket -Port $rx -Timeout 0.2 | Should -BeNullOrEmpty
    }

    It 'sends with -ReuseBuffers the frames it was given, one frame and then another, through turns of the ring' {
        $name = New-TestName 'ru'
        $tx, $rx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $received = Start-ThreadJob { param($m, $p) Import-Module $m; Receive-NetmapPacket -Port $p -Count 6000 -Timeout 5 | ForEach-Object { $_.Udp.SrcPort } } -ArgumentList $ModulePath, $rx
        New-NetmapPacket -SourcePort 1111 -Length 60 | Send-NetmapPacket -Port $tx -Count 3000 -ReuseBuffers -Timeout 5
        New-NetmapPacket -SourcePort 2222 -Length 60 | Send-NetmapPacket -Port $tx -Count 3000 -ReuseBuffers -Timeout 5
        $ports = @($received | Wait-Job -Timeout 30 | Receive-Job)
        $ports.Count | Should -Be 6000
        ($ports[0..2999] | Sort-Object -Unique) | Should -Be 1111
        ($ports[3000..5999] | Sort-Object -Unique) | Should -Be 2222
    }

    It 'refuses -ReuseBuffers with -Sequence, and with a packet whose fields vary' {
        $name = New-TestName 'rv'
        $tx, $rx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        { New-NetmapPacket | Send-NetmapPacket -Port $tx -ReuseBuffers -Sequence -Count 5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidPacketParameter,NetmapPS.SendNetmapPacketCommand' -ExpectedMessage '*-Sequence*'
        New-NetmapPacket -SourcePort 1000-1009 | Send-NetmapPacket -Port $tx -ReuseBuffers -Count 5 -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.FullyQualifiedErrorId | Should -Be 'InvalidPacketParameter,NetmapPS.SendNetmapPacketCommand'
        "$failed" | Should -BeLike '*ranges*'
        Receive-NetmapPacket -Port $rx -Timeout 0.2 | Should -BeNullOrEmpty
    }

    It 'forwards matching packets between two pipes of one parent by swapping buffers, and drops the rest' {
        $name = New-TestName 'fw'
        $inTx, $inRx, $outTx, $outRx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1", "netmap:$name{2", "netmap:$name}2"
        $dns = 1..5 | ForEach-Object { New-NetmapPacket -DestinationPort 53 -Payload "query $_" }
        $dns | Send-NetmapPacket -Port $inTx
        1..3 | ForEach-Object { New-NetmapPacket -DestinationPort 80 } | Send-NetmapPacket -Port $inTx
        $report = Invoke-NetmapForward -From $inRx -To $outTx -Filter 'udp dst port 53' -Duration 1
        $report.ZeroCopy | Should -BeTrue       # one region: p}1 and p{2 share buffers
        $report.Forwarded | Should -Be 5
        $report.Filtered | Should -Be 3
        $out = @(Receive-NetmapPacket -Port $outRx -Timeout 0.5)
        $out.Count | Should -Be 5
        for ($i = 0; $i -lt 5; $i++) { $out[$i].Data | Should -Be $dns[$i].Data }
    }

    It 'copies when the two ports live in different regions' {
        $a = New-TestName 'fa'; $b = New-TestName 'fb'
        $inTx, $inRx, $outTx, $outRx = Open-NetmapPort "netmap:$a{1", "netmap:$a}1", "netmap:$b{1", "netmap:$b}1"
        $frames = 1..4 | ForEach-Object { New-NetmapPacket -Payload "copy $_" }
        $frames | Send-NetmapPacket -Port $inTx
        $report = Invoke-NetmapForward -From $inRx -To $outTx -Count 4
        $report.ZeroCopy | Should -BeFalse
        $report.Forwarded | Should -Be 4
        (Receive-NetmapPacket -Port $outRx -Count 4 -Timeout 1)[3].Data | Should -Be $frames[3].Data
    }

    It 'counts what each loop moves in the statistics of its ports: send, forward (filtered or not), measure' {
        $a = New-TestName 'sa'; $b = New-TestName 'sb'
        $inTx, $inRx, $outTx, $outRx = Open-NetmapPort "netmap:$a{1", "netmap:$a}1", "netmap:$b{1", "netmap:$b}1"
        New-NetmapPacket -DestinationPort 53 | Send-NetmapPacket -Port $inTx -Count 7
        New-NetmapPacket -DestinationPort 80 | Send-NetmapPacket -Port $inTx -Count 2
        $inTx.Statistics.Sent | Should -Be 9
        $report = Invoke-NetmapForward -From $inRx -To $outTx -Filter 'udp dst port 53' -Count 7 -Duration 5
        $report.Forwarded | Should -Be 7
        $inRx.Statistics.Seen | Should -Be $(7 + $report.Filtered)
        $inRx.Statistics.Matched | Should -Be 7
        $inRx.Statistics.Received | Should -Be 7
        $outTx.Statistics.Sent | Should -Be 7
        (Measure-NetmapTraffic $outRx -Count 7 -Timeout 2 -TotalOnly).Packets | Should -Be 7
        $outRx.Statistics.Received | Should -Be 7
    }

    It 'forwards in the background with -AsJob until Stop-Job' {
        $name = New-TestName 'fj'
        $inTx, $inRx, $outTx, $outRx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1", "netmap:$name{2", "netmap:$name}2"
        $job = Invoke-NetmapForward -From $inRx -To $outTx -AsJob
        1..10 | ForEach-Object { New-NetmapPacket } | Send-NetmapPacket -Port $inTx
        @(Receive-NetmapPacket -Port $outRx -Count 10 -Timeout 5).Count | Should -Be 10
        $job | Stop-Job
        $job.State | Should -Be 'Stopped'
        ($job | Receive-Job).Forwarded | Should -Be 10
    }
}
