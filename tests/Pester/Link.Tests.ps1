# Invoke-NetmapForward as netmap's tlem: a link emulated between two pipes, each figure checked against
# what an independent receiver saw (Measure-NetmapLatency's round trips, Measure-NetmapTraffic's
# sequence gaps, the receive timestamps of Receive-NetmapPacket) or against a bound computed here.
# The machine may be loaded (two cores, builds running next to the tests): the timing bounds are wide,
# but each one fails when the emulation does not do what it says.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # Starts a thread job that counts what arrives on Port (Measure-NetmapTraffic -Sequence) until 2 s of silence.
    function Start-Counter($Port) {
        Start-ThreadJob { param($m, $p) Import-Module $m; Measure-NetmapTraffic -Port $p -Sequence -Timeout 2 -TotalOnly } -ArgumentList $ModulePath, $Port
    }

    # Starts a thread job that receives Count frames on Port and returns each one's sequence number and
    # receive time (ns: the ring's timestamp at the sync that brought it); returns once it is receiving.
    function Start-Receiver($Port, [int] $Count, [double] $Timeout = 5) {
        $ready = [Threading.ManualResetEventSlim]::new()
        Start-ThreadJob {
            param($m, $p, $c, $ready, $t)
            Import-Module $m
            $ready.Set()
            Receive-NetmapPacket -Port $p -Count $c -Timeout $t | ForEach-Object {
                $d = $_.Data
                [pscustomobject]@{ Sequence = [int]$d[42] * 16777216 + [int]$d[43] * 65536 + [int]$d[44] * 256 + [int]$d[45]; Time = $_.TimestampNanoseconds; Length = $d.Length }
            }
        } -ArgumentList $ModulePath, $Port, $Count, $ready, $Timeout
        if (-not $ready.Wait(30000)) { throw 'The receiver did not start.' }
    }

    # Sends Count sequence-stamped frames of Length bytes through the link (forward job started with Link),
    # waits for the job (it ends after -Count frames) and returns its reports.
    function Invoke-Link([hashtable] $Link, [int] $Count, [int] $Length = 100, [double] $Rate = 0) {
        $job = Invoke-NetmapForward -From $aIn -To $bOut -Count $Count -AsJob @Link
        try {
            $null = New-NetmapPacket -Length $Length | Send-NetmapPacket -Port $aOut -Count $Count -Sequence -Rate $Rate -Timeout 10
            $null = $job | Wait-Job -Timeout 60
            $job.State | Should -Be 'Completed'
            $job | Receive-Job
        }
        finally { $job | Stop-Job; $job | Remove-Job -Force }
    }

    # The bounds of a binomial count: mean +- 4 standard deviations.
    function Get-BinomialBounds([int] $N, [double] $P) {
        $sigma = [math]::Sqrt($N * $P * (1 - $P))
        ($N * $P - 4 * $sigma), ($N * $P + 4 * $sigma)
    }
}
AfterAll { Close-NetmapPort -All }

Describe 'Invoke-NetmapForward as an emulated link' {
    BeforeEach {
        $a = New-TestName 'ta'; $b = New-TestName 'tb'
        $aOut, $aIn, $bOut, $bIn = Open-NetmapPort "netmap:$a{1", "netmap:$a}1", "netmap:$b{1", "netmap:$b}1"
    }
    AfterEach { Close-NetmapPort -All }

    It 'delays every frame by -Delay: no round trip under 5 ms, the median within 2 ms over 5 ms plus the plain forward''s' {
        $job = Invoke-NetmapForward -From $aIn -To $bOut -AsJob
        try { $plain = Measure-NetmapLatency $aOut $bIn -Count 200 -Timeout 2 } finally { $job | Stop-Job; $job | Remove-Job -Force }
        $job = Invoke-NetmapForward -From $aIn -To $bOut -Delay 5ms -AsJob
        try { $r = Measure-NetmapLatency $aOut $bIn -Count 200 -Timeout 2 }
        finally { $job | Stop-Job; $report = $job | Receive-Job; $job | Remove-Job -Force }
        $r.Received | Should -Be 200
        $r.Minimum | Should -BeGreaterOrEqual 5000
        # The loop sleeps until 1 ms before a frame is due and spins the rest: at the median only the
        # scheduler adds to the 5 ms, and 2 ms is generous even with builds on both cores.
        $r.Median | Should -BeLessOrEqual (5000 + $plain.Median + 2000)
        $report | Should -BeOfType Netmap.Native.Rings.LinkReport
        $report.Forwarded | Should -Be 200
        $report.MeanDelay | Should -BeGreaterOrEqual 5000
        $report.MeanDelay | Should -BeLessOrEqual $r.Mean
        ($report | Format-Table | Out-String) | Should -Match 'QDrop'
    }

    It 'drops frames with probability -Loss: the receiver''s gaps are the reported losses, within 4 sigma of binomial' {
        $n = 4000
        $counter = Start-Counter $bIn
        $report = Invoke-Link @{ Loss = 0.2; Seed = 11 } $n
        $total = $counter | Wait-Job -Timeout 60 | Receive-Job
        $low, $high = Get-BinomialBounds $n 0.2
        $report.Offered | Should -Be $n
        $report.Lost | Should -BeGreaterOrEqual $low
        $report.Lost | Should -BeLessOrEqual $high
        $report.Forwarded | Should -Be ($n - $report.Lost)
        $total.Packets | Should -Be $report.Forwarded
        # Gaps are the sequence numbers missing before the last frame that arrived: the losses, but for
        # those after it (20 losses in a row at p = 0.2: 1e-14).
        $total.Gaps | Should -BeLessOrEqual $report.Lost
        $total.Gaps | Should -BeGreaterOrEqual ($report.Lost - 20)
        $report.Seed | Should -Be 11
    }

    It 'loses the same frames with the same -Seed, other frames with another' {
        $n = 1000
        $lost = foreach ($seed in 5, 5, 6) {
            $receiver = Start-Receiver $bIn $n -Timeout 1   # fewer than $n come: it ends 1 s after the last
            $report = Invoke-Link @{ Loss = '30%'; Seed = $seed } $n
            $kept = @($receiver | Wait-Job -Timeout 60 | Receive-Job).Sequence
            $kept.Count | Should -Be $report.Forwarded
            , @(0..($n - 1) | Where-Object { $_ -notin $kept })
        }
        $lost[0].Count | Should -BeGreaterThan 200
        $lost[1] | Should -Be $lost[0]
        ($lost[2] -join ',') | Should -Not -Be ($lost[0] -join ',')
    }

    It 'sends a second copy with probability -Duplicate, within 4 sigma of binomial' {
        $n = 4000
        $counter = Start-Counter $bIn
        $report = Invoke-Link @{ Duplicate = 0.1 } $n
        $total = $counter | Wait-Job -Timeout 60 | Receive-Job
        $low, $high = Get-BinomialBounds $n 0.1
        $report.Duplicated | Should -BeGreaterOrEqual $low
        $report.Duplicated | Should -BeLessOrEqual $high
        $report.Forwarded | Should -Be ($n + $report.Duplicated)
        $total.Packets | Should -Be $report.Forwarded
        $total.Gaps | Should -Be 0
    }

    It 'holds -Bandwidth 10M: the receiver measures 10 Mbit/s within 3 % from 1000-byte frames offered faster' {
        $n = 1200
        $receiver = Start-Receiver $bIn $n
        $report = Invoke-Link @{ Bandwidth = '10M' } $n -Length 1000 -Rate 2000   # 16 Mbit/s offered
        $frames = @($receiver | Wait-Job -Timeout 60 | Receive-Job)
        $frames.Count | Should -Be $n
        $report.QueueDrops | Should -Be 0
        # What the receiver saw: the bits of every frame but the first over the time from first to last.
        $bits = ($frames | Select-Object -Skip 1 | Measure-Object Length -Sum).Sum * 8
        $seconds = ($frames[-1].Time - $frames[0].Time) / 1e9
        $rate = $bits / $seconds
        $rate | Should -BeGreaterOrEqual 9.7e6
        $rate | Should -BeLessOrEqual 10.3e6
        $report.BitsPerSecond | Should -BeGreaterOrEqual 9.7e6
        $report.BitsPerSecond | Should -BeLessOrEqual 10.3e6
    }

    It 'spreads the delay with -Jitter and keeps the order' {
        $job = Invoke-NetmapForward -From $aIn -To $bOut -Delay 5ms -AsJob
        try { $steady = Measure-NetmapLatency $aOut $bIn -Count 300 -Timeout 2 } finally { $job | Stop-Job; $job | Remove-Job -Force }
        $job = Invoke-NetmapForward -From $aIn -To $bOut -Delay 5ms -Jitter 2ms -AsJob
        try { $jittered = Measure-NetmapLatency $aOut $bIn -Count 300 -Timeout 2 } finally { $job | Stop-Job; $job | Remove-Job -Force }
        # Uniform on [3, 7] ms: the lowest of 300 within 0.1 ms of 3 ms (load only adds: below 4 ms is
        # something no plain 5 ms delay gives), the median near 5 ms, the 99th percentile near 6.96 ms.
        # The tail of the steady run is the scheduler's under load, so the spreads are compared at the
        # median: about 2 ms with jitter, against the steady run's scheduling noise.
        $jittered.Minimum | Should -BeGreaterOrEqual 3000
        $jittered.Minimum | Should -BeLessThan 4000
        ($jittered.Percentile99 - $jittered.Minimum) | Should -BeGreaterThan 3000
        ($jittered.Median - $jittered.Minimum) | Should -BeGreaterThan ($steady.Median - $steady.Minimum + 1000)

        # Frames 0.1 ms apart with 4 ms of jitter would overtake each other: they arrive in order.
        $counter = Start-Counter $bIn
        $report = Invoke-Link @{ Delay = '5ms'; Jitter = '2ms' } 2000 -Rate 10000
        $total = $counter | Wait-Job -Timeout 60 | Receive-Job
        $total.Packets | Should -Be 2000
        $total.Gaps | Should -Be 0
        $total.Reordered | Should -Be 0
        $report.MaxDelay | Should -BeGreaterThan 5000
    }

    It 'takes one value per direction with -Bidirectional: 2 ms there, 8 ms and a loss of 0.2 back' {
        $job = Invoke-NetmapForward -From $aIn -To $bOut -Bidirectional -Delay 2ms, 8ms -Loss 0, 0.2 -Seed 3 -AsJob
        try {
            $there = Measure-NetmapLatency $aOut $bIn -Count 100 -Timeout 2
            $back = Measure-NetmapLatency $bIn $aOut -Count 100 -Timeout 0.25   # a lost probe costs the timeout
        }
        finally { $job | Stop-Job; $reports = $job | Receive-Job; $job | Remove-Job -Force }
        $there.Lost | Should -Be 0
        $there.Minimum | Should -BeGreaterOrEqual 2000
        $there.Median | Should -BeLessThan 8000
        $back.Minimum | Should -BeGreaterOrEqual 8000
        $low, $high = Get-BinomialBounds 100 0.2
        $back.Lost | Should -BeGreaterOrEqual $low
        $back.Lost | Should -BeLessOrEqual $high
        $reports.Count | Should -Be 2
        $reports[0].From, $reports[1].From | Should -Be $aIn.Name, $bOut.Name
        $reports[0].MeanDelay | Should -BeLessThan 8000
        $reports[1].MeanDelay | Should -BeGreaterOrEqual 8000
        $reports[1].Lost | Should -Be $back.Lost
    }

    It 'counts the frames still on the line when it is stopped as Unsent, and sends none of them' {
        $job = Invoke-NetmapForward -From $aIn -To $bOut -Delay 10s -AsJob
        try {
            New-NetmapPacket | Send-NetmapPacket -Port $aOut -Count 5
            Start-Sleep -Milliseconds 300
        }
        finally { $job | Stop-Job; $report = $job | Receive-Job; $job | Remove-Job -Force }
        $report.Offered, $report.Forwarded, $report.Unsent | Should -Be 5, 0, 5
        Receive-NetmapPacket -Port $bIn -Timeout 0.2 | Should -BeNullOrEmpty
    }

    It 'refuses <Case> with InvalidLinkParameter, saying what to give' -TestCases @(
        @{ Case = 'a negative delay'; Link = @{ Delay = '-1ms' }; Message = "*-Delay '-1ms' is negative*'5ms'*" }
        @{ Case = 'a jitter of two hours'; Link = @{ Jitter = '2:00:00' }; Message = '*-Jitter*longer than an hour*' }
        @{ Case = 'a duplication in percent over 100'; Link = @{ Duplicate = '150%' }; Message = "*-Duplicate '150%' is not a probability*" }
        @{ Case = 'an unparsable delay'; Link = @{ Delay = '5 parsecs' }; Message = "*'5 parsecs' is not a time*'200us'*" }
        @{ Case = 'loss 1.5'; Link = @{ Loss = 1.5 }; Message = "*-Loss '1.5' is not a probability*0 to 1*" }
        @{ Case = 'bandwidth 0'; Link = @{ Bandwidth = 0 }; Message = "*not above 0*'10M'*" }
        @{ Case = 'a bandwidth that is not a rate'; Link = @{ Bandwidth = 'fast' }; Message = "*not a rate*'1G'*" }
        @{ Case = 'two values one way'; Link = @{ Delay = '1ms', '2ms' }; Message = '*Add -Bidirectional*' }
        @{ Case = 'three values'; Link = @{ Delay = '1ms', '2ms', '3ms'; Bidirectional = $true }; Message = '*one value*or two*' }
    ) {
        { Invoke-NetmapForward -From $aIn -To $bOut -Count 1 @Link } |
            Should -Throw -ErrorId 'InvalidLinkParameter,NetmapPS.InvokeNetmapForwardCommand' -ExpectedMessage $Message
        { Invoke-NetmapForward -From $aIn -Echo -Delay 1ms -Count 1 } | Should -Throw -ErrorId 'AmbiguousParameterSet,NetmapPS.InvokeNetmapForwardCommand'
    }
}
