# nmreplay as Send-NetmapPacket -Replay: a capture sent with its own gaps, sped up, at a rate, in
# loops. The captures are generated here (seeded random gaps, written by this file, not the module);
# over pipes the frames and the schedule are checked, over a veth pair tcpdump's receive times on the
# far side are compared with the capture's.
BeforeDiscovery {
    $CanBuildLab = (& id -u) -eq '0' -and [bool](Get-Command ip -ErrorAction Ignore) -and [bool](Get-Command tcpdump -ErrorAction Ignore) -and
        [bool](Get-Command tshark -ErrorAction Ignore)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # Writes a nanosecond pcap of $Count Ethernet frames (EtherType 0x88B5, numbered, 60 to 259 bytes)
    # with random gaps of $MinGapUs to $MaxGapUs microseconds (seeded); returns the frames and their times.
    function New-GappedCapture([string] $Path, [int] $Count, [int] $Seed = 17, [int] $MinGapUs = 200, [int] $MaxGapUs = 5000, [int] $LinkType = 1) {
        $rng = [Random]::new($Seed)
        $frames = [Collections.Generic.List[byte[]]]::new(); $times = [Collections.Generic.List[long]]::new()
        $writer = [IO.BinaryWriter]::new([IO.File]::Create($Path))
        try {
            foreach ($v in [uint32]2712812621, [uint16]2, [uint16]4, [uint32]0, [uint32]0, [uint32]65535, [uint32]$LinkType) { $writer.Write($v) }
            [long] $t = 1700000000L * 1000000000L
            for ($i = 0; $i -lt $Count; $i++) {
                if ($i) { $t += 1000L * $rng.Next($MinGapUs, $MaxGapUs + 1) }
                $frame = [byte[]]::new(60 + $rng.Next(0, 200))
                [byte[]](0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x88, 0xb5) | ForEach-Object -Begin { $k = 0 } -Process { $frame[$k++] = $_ }
                [BitConverter]::GetBytes($i).CopyTo($frame, 14)
                for ($k = 18; $k -lt $frame.Length; $k++) { $frame[$k] = [byte]$rng.Next(0, 256) }
                foreach ($v in [uint32][Math]::Floor($t / 1e9), [uint32]($t % 1000000000), [uint32]$frame.Length, [uint32]$frame.Length) { $writer.Write($v) }
                $writer.Write($frame)
                $frames.Add($frame); $times.Add($t)
            }
        }
        finally { $writer.Dispose() }
        [pscustomobject]@{ Path = $Path; Frames = $frames; Times = $times; Seconds = ($times[$Count - 1] - $times[0]) / 1e9 }
    }

    # Receives $Count frames on $Port in a thread job, started before the send; the job returns their bytes.
    function Start-Receiver($Port, [int] $Count) {
        Start-ThreadJob { param($m, $p, $c) Import-Module $m; Receive-NetmapPacket -Port $p -Count $c -Timeout 10 | ForEach-Object { , $_.Data } } -ArgumentList $ModulePath, $Port, $Count
    }
}

Describe 'Send-NetmapPacket -Replay over a pipe' {
    BeforeAll {
        $dir = Join-Path ([IO.Path]::GetTempPath()) (New-TestName 'replay')
        New-Item $dir -ItemType Directory | Out-Null
        $capture = New-GappedCapture (Join-Path $dir 'gaps.pcap') -Count 60 -MaxGapUs 3000
    }
    AfterAll { Remove-Item $dir -Recurse -ErrorAction Ignore }
    BeforeEach {
        $name = New-TestName 'rp'
        $tx, $rx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
    }
    AfterEach {
        Get-Job | Remove-Job -Force
        Close-NetmapPort -All
    }

    It 'sends the frames of the file -Loop 3 times, in order and byte for byte, and counts them' {
        $receiver = Start-Receiver $rx (3 * $capture.Frames.Count)
        $report = Send-NetmapPacket $tx -Replay -LiteralPath $capture.Path -Loop 3 -Speed 4 -Summary
        $received = @($receiver | Wait-Job -Timeout 30 | Receive-Job)
        $report.Frames | Should -Be (3 * $capture.Frames.Count)
        $report.Loops | Should -Be 3
        $tx.Statistics.Sent | Should -Be (3 * $capture.Frames.Count)
        $received.Count | Should -Be (3 * $capture.Frames.Count)
        for ($i = 0; $i -lt $received.Count; $i++) {
            [Convert]::ToHexString($received[$i]) | Should -Be ([Convert]::ToHexString($capture.Frames[$i % $capture.Frames.Count])) -Because "frame $i"
        }
    }

    It 'keeps the schedule of the capture: its span, half with -Speed 2, one frame per 1/rate with -Rate' {
        $n = $capture.Frames.Count
        foreach ($case in @{ Speed = 1; Expected = $capture.Seconds }, @{ Speed = 2; Expected = $capture.Seconds / 2 }, @{ Rate = 500; Expected = ($n - 1) / 500 }) {
            $timing = $case.Clone(); $timing.Remove('Expected')
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $report = Send-NetmapPacket $tx -Replay -LiteralPath $capture.Path -Summary @timing
            $clock.Stop()
            $report.ScheduledSeconds | Should -BeGreaterOrEqual ($case.Expected - 1e-6) -Because "$($timing.Keys) $($timing.Values)"
            $report.ScheduledSeconds | Should -BeLessOrEqual ($case.Expected + 1e-6) -Because "$($timing.Keys) $($timing.Values)"
            # never early; late by at most half a second on a loaded machine
            $report.Seconds | Should -BeGreaterOrEqual $report.ScheduledSeconds
            $report.Seconds | Should -BeLessThan ($case.Expected + 0.5)
            $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual $case.Expected
            $report.CaptureSeconds | Should -BeGreaterOrEqual ($capture.Seconds - 1e-9)
            $report.MaxLateness | Should -BeGreaterOrEqual $report.MeanLateness
            $null = Receive-NetmapPacket $rx -Count $n -Timeout 1
        }
    }

    It 'replays packets piped from Import-NetmapCapture with their timestamps' {
        $report = Import-NetmapCapture $capture.Path | Send-NetmapPacket $tx -Replay -Speed 2 -Summary
        $report.Frames | Should -Be $capture.Frames.Count
        $report.ScheduledSeconds | Should -BeGreaterOrEqual ($capture.Seconds / 2 - 1e-6)
        $report.ScheduledSeconds | Should -BeLessOrEqual ($capture.Seconds / 2 + 1e-6)
        $report.ToString() | Should -Match "^Replayed $($capture.Frames.Count) frames"
        (@(Receive-NetmapPacket $rx -Count 100 -Timeout 1)).Count | Should -Be $capture.Frames.Count
    }

    It 'takes byte arrays, which have no timestamps, only at a -Rate' {
        $err = { , $capture.Frames[0] | Send-NetmapPacket $tx -Replay } | Should -Throw -ErrorId 'InvalidReplay,NetmapPS.SendNetmapPacketCommand' -PassThru
        "$err" | Should -Match '-Rate'
        $report = $capture.Frames | ForEach-Object { , $_ } | Send-NetmapPacket $tx -Replay -Rate 2000 -Loop 2 -Summary
        $report.Frames | Should -Be (2 * $capture.Frames.Count)
    }

    It 'sends nothing with -WhatIf' {
        Send-NetmapPacket $tx -Replay -LiteralPath $capture.Path -WhatIf
        Receive-NetmapPacket $rx -Timeout 0.2 | Should -BeNullOrEmpty
    }

    It 'refuses <Case> with <Id>, saying what to do, and sends nothing' -ForEach @(
        @{ Case = 'a missing file'; Id = 'CaptureFileNotFound'; Words = 'does not exist'; Arguments = @{ LiteralPath = 'no-such-file.pcap' } }
        @{ Case = 'a corrupt file'; Id = 'CaptureFileCorrupt'; Words = 'byte offset'; Corrupt = $true }
        @{ Case = '-Speed 0'; Id = 'InvalidReplay'; Words = 'above 0'; Arguments = @{ Speed = 0 } }
        @{ Case = 'a negative -Speed'; Id = 'InvalidReplay'; Words = 'above 0'; Arguments = @{ Speed = -2 } }
        @{ Case = '-Speed with -Rate'; Id = 'InvalidReplay'; Words = 'not both'; Arguments = @{ Speed = 2; Rate = 100 } }
        @{ Case = 'a capture of another link type'; Id = 'InvalidReplay'; Words = 'link type 101'; LinkType = 101 }
        @{ Case = 'no capture at all'; Id = 'InvalidReplay'; Words = '-LiteralPath'; Arguments = @{ LiteralPath = $null } }
    ) {
        $file = Join-Path $dir "$(New-TestName 'bad').pcap"
        $null = New-GappedCapture $file -Count 20 -LinkType ($LinkType ?? 1)
        if ($Corrupt) { $bytes = [IO.File]::ReadAllBytes($file); $bytes[24 + 11] = 0x7f; [IO.File]::WriteAllBytes($file, $bytes) } # the first record claims 2 GB
        $parameters = @{ LiteralPath = $file }
        if ($Arguments) { foreach ($k in $Arguments.Keys) { $parameters[$k] = $Arguments[$k] } }
        if (-not $parameters.LiteralPath) { $parameters.Remove('LiteralPath') }
        $err = { Send-NetmapPacket $tx -Replay @parameters } | Should -Throw -ErrorId "$Id,NetmapPS.SendNetmapPacketCommand" -PassThru
        "$err" | Should -Match ([regex]::Escape($Words))
        Receive-NetmapPacket $rx -Timeout 0.2 | Should -BeNullOrEmpty
        $tx.Statistics.Sent | Should -Be 0
    }
}

Describe 'Send-NetmapPacket -Replay on a veth pair, received by tcpdump' -Tag 'Lab' -Skip:(-not $CanBuildLab) {
    BeforeAll {
        $id = [guid]::NewGuid().ToString('N').Substring(0, 6)
        $A = "nmps-rpa-$id"; $B = "nmps-rpb-$id"
        foreach ($step in "netns add $A", "netns add $B", "-n $A link add eth0 type veth peer name peer0 netns $B",
                          "-n $A link set eth0 up", "-n $B link set peer0 up") {
            & ip @($step -split ' ')
            if ($LASTEXITCODE) { throw "ip $step failed" }
        }
        $dir = Join-Path ([IO.Path]::GetTempPath()) "nmps-replay-$id"
        New-Item $dir -ItemType Directory | Out-Null
        # 300 frames, gaps of 0.2 to 5 ms: about 0.8 s
        $capture = New-GappedCapture (Join-Path $dir 'gaps.pcap') -Count 300 -Seed 4242

        # Replays the capture from namespace A with the given options while tcpdump records what peer0
        # receives (software timestamps in nanoseconds); returns the report and the received file.
        function Invoke-Replay([hashtable] $Options) {
            $received = Join-Path $dir "$(New-TestName 'got').pcap"
            $info = [Diagnostics.ProcessStartInfo]::new('ip')
            foreach ($word in 'netns', 'exec', $B, 'tcpdump', '--time-stamp-precision=nano', '--immediate-mode', '-i', 'peer0', '-U', '-w', $received, 'ether proto 0x88b5') { $info.ArgumentList.Add($word) }
            $info.RedirectStandardError = $true; $info.RedirectStandardOutput = $true
            $tcpdump = [Diagnostics.Process]::Start($info)
            $null = $tcpdump.StandardOutput.ReadToEndAsync()
            $line = $tcpdump.StandardError.ReadLineAsync()
            if (-not $line.Wait(15000) -or $line.Result -notmatch 'listening') { $tcpdump.Kill(); throw "tcpdump did not start: $($line.Result)" }
            $null = $tcpdump.StandardError.ReadToEndAsync()
            try {
                $arguments = @('-Capture', $capture.Path) + @($Options.GetEnumerator() | ForEach-Object { "-$($_.Key)", "$($_.Value)" })
                $report = Wait-TestScript (Start-TestScript 'Lab-Replay.ps1' $arguments -Namespace $A) | ConvertFrom-Json
            }
            finally { Stop-Tcpdump $tcpdump }
            [pscustomobject]@{ Report = $report; File = $received }
        }

        # The receive times tcpdump wrote, in seconds (as decimals: nanoseconds kept).
        function Get-ReceiveTimes([string] $File) {
            $lines = @(& tshark -r $File -T fields -e frame.time_epoch 2>$null)
            $LASTEXITCODE | Should -Be 0 -Because "tshark reads $File"
            $lines | ForEach-Object { [decimal]$_ }
        }

        # Each frame's bytes as tcpdump prints them (-xx), one hex string per frame.
        function Get-FrameHex([string] $File) {
            $frame = $null
            foreach ($line in & tcpdump -nn -xx -r $File 2>$null) {
                if ($line -match '^\s+0x[0-9a-f]+:\s+(?<hex>.*)$') { $frame += $Matches.hex -replace '\s', '' }
                else { if ($null -ne $frame) { $frame }; $frame = '' }
            }
            if ($null -ne $frame) { $frame }
        }

        # The median of |received gap - capture gap / speed| in seconds, and the received span.
        function Compare-Gaps([decimal[]] $Received, [double] $Speed = 1) {
            $n = [Math]::Min($Received.Count, $capture.Times.Count)
            $errors = for ($i = 1; $i -lt $n; $i++) {
                [Math]::Abs([double]($Received[$i] - $Received[$i - 1]) - ($capture.Times[$i] - $capture.Times[$i - 1]) / 1e9 / $Speed)
            }
            $sorted = @($errors | Sort-Object)
            [pscustomobject]@{ MedianError = $sorted[[int]($sorted.Count / 2)]; Span = [double]($Received[$n - 1] - $Received[0]) }
        }
    }
    AfterAll {
        & ip netns del $A 2>$null
        & ip netns del $B 2>$null
        Remove-Item $dir -Recurse -ErrorAction Ignore
    }

    It 'arrives with the gaps of the capture (-Speed <Speed>)' -ForEach @(@{ Speed = 1 }, @{ Speed = 2 }) {
        $run = Invoke-Replay @{ Speed = $Speed }
        $times = @(Get-ReceiveTimes $run.File)
        $times.Count | Should -Be 300
        $gaps = Compare-Gaps $times $Speed
        # gaps are 0.2-5 ms (mean 2.6): sending them all at once would miss by 2.6 ms, whole-millisecond
        # sleeps by about 0.5 ms; the sender spins the last 2 ms before each frame (tens of us idle)
        $gaps.MedianError | Should -BeLessThan 300e-6 -Because "the median gap error was $([Math]::Round($gaps.MedianError * 1e6)) us"
        $gaps.Span | Should -BeGreaterThan (0.95 * $capture.Seconds / $Speed)
        $gaps.Span | Should -BeLessThan (1.05 * $capture.Seconds / $Speed + 0.02)
        $run.Report.Frames | Should -Be 300
        $run.Report.MeanLateness | Should -BeLessThan 0.01
    }

    It 'arrives at -Rate 1000 frames a second whatever the gaps' {
        $run = Invoke-Replay @{ Rate = 1000 }
        $times = @(Get-ReceiveTimes $run.File)
        $times.Count | Should -Be 300
        $rate = 299 / [double]($times[-1] - $times[0])
        $rate | Should -BeGreaterThan 950
        $rate | Should -BeLessThan 1050
        $sorted = @(for ($i = 1; $i -lt 300; $i++) { [double]($times[$i] - $times[$i - 1]) }) | Sort-Object
        [Math]::Abs($sorted[150] - 0.001) | Should -BeLessThan 300e-6
    }

    It 'sends -Loop 3 times the frames, byte for byte those of the file' {
        $run = Invoke-Replay @{ Loop = 3; Speed = 4 }
        $original = @(Get-FrameHex $capture.Path)
        $original.Count | Should -Be 300
        $received = @(Get-FrameHex $run.File)
        $received.Count | Should -Be 900
        for ($i = 0; $i -lt 900; $i++) { $received[$i] | Should -Be $original[$i % 300] -Because "frame $i is frame $($i % 300) of pass $([Math]::Floor($i / 300))" }
        $run.Report.Loops | Should -Be 3
        $span = [double]((Get-ReceiveTimes $run.File)[-1] - (Get-ReceiveTimes $run.File)[0])
        $span | Should -BeGreaterThan (0.95 * 3 * $capture.Seconds / 4)
    }
}
