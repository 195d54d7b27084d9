BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # Runs Script in a new runspace of this process (the module loaded, the ports shared); returns it running.
    $script:Running = [Collections.Generic.List[powershell]]::new()
    # (One statement, the module in the initial session state: stopping a batch of statements can crash the process.)
    function Start-Running([scriptblock] $Script, [hashtable] $Parameters) {
        $state = [initialsessionstate]::CreateDefault()
        $state.ImportPSModule($ModulePath)
        $ps = [powershell]::Create($state)
        $Running.Add($ps)
        $null = $ps.AddScript($Script).AddParameters($Parameters)
        $output = [Management.Automation.PSDataCollection[psobject]]::new()
        $ps | Add-Member -NotePropertyName Output -NotePropertyValue $output
        $ps | Add-Member -NotePropertyName Async -NotePropertyValue $ps.BeginInvoke([Management.Automation.PSDataCollection[psobject]]::new(), $output)
        $ps
    }

    # Waits until Condition holds while Ps still runs.
    function Wait-Until([scriptblock] $Condition, $Ps) {
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (-not (& $Condition)) {
            if ($Ps.Async.IsCompleted) { throw "It ended before it was stopped: $($Ps.Streams.Error)" }
            if ([DateTime]::UtcNow -gt $deadline) { throw 'It never got to the point where it is to be stopped.' }
            Start-Sleep -Milliseconds 20
        }
    }

    # Stops Ps as Ctrl+C does (PowerShell.Stop); it must end, Stopped, within 5 seconds. Returns its output.
    function Stop-Running($Ps) {
        $stop = $Ps.BeginStop($null, $null)
        $stop.AsyncWaitHandle.WaitOne(5000) | Should -BeTrue -Because 'Ctrl+C ends it within 5 seconds'
        $Ps.InvocationStateInfo.State | Should -Be 'Stopped'
        $null = $Running.Remove($Ps)
        $Ps.Dispose()
        , @($Ps.Output)
    }

    # After each test, even a failed one: nothing runs on the ports when they close.
    function Stop-Everything {
        foreach ($ps in @($Running)) { $ps.Stop(); $ps.Dispose() }
        $Running.Clear()
        Get-Job | Remove-Job -Force
        Close-NetmapPort -All
    }

    # Everything Sender has queued towards Receiver (TxSync hands over what waits in its TX ring).
    function Receive-All($Sender, $Receiver) {
        do { $Sender.TxSync(); $more = @(Receive-NetmapPacket -Port $Receiver -Timeout 0.3); $more } while ($more.Count)
    }

    # The sequence number Send-NetmapPacket -Sequence -SequenceOffset 14 wrote into each packet.
    filter Get-Sequence { [uint32][Net.IPAddress]::NetworkToHostOrder([BitConverter]::ToInt32($_.Data, 14)) }
    function Send-Numbered($Port, [int] $Count) { , (New-TestFrame) | Send-NetmapPacket -Port $Port -Count $Count -Sequence -SequenceOffset 14 }
    function Get-RxHead($Port) { (Get-NetmapRing -Port $Port -Direction RX).Head }

    # The packets tshark reads in a capture file; it must read it without error.
    function Get-TsharkCount([string] $Path) {
        $numbers = @(& tshark -r $Path -T fields -e frame.number 2>$null)
        $LASTEXITCODE | Should -Be 0 -Because "tshark reads $Path without error"
        $numbers.Count
    }

    # Every ring of the ports has head, cur and tail in range, and cur between head and tail.
    function Assert-RingsConsistent([object[]] $Ports) {
        foreach ($r in Get-NetmapRing -Port $Ports) {
            $n = [long]$r.Slots
            @($r.Head, $r.Cur, $r.Tail) | ForEach-Object { $_ | Should -BeLessThan $n }
            (([long]$r.Cur - $r.Head + $n) % $n) | Should -BeLessOrEqual (([long]$r.Tail - $r.Head + $n) % $n)
        }
    }

    # Closes every port; no region file of the pipes named stays behind.
    function Assert-ClosedClean([string[]] $Names) {
        Close-NetmapPort -All
        foreach ($n in $Names) { Test-Path (Get-RegionPath "pipe-$n") | Should -BeFalse }
    }
}

Describe 'Receiving and capturing, stopped as by Ctrl+C' {
    BeforeEach {
        $name = New-TestName 'ir'
        $master, $slave = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        Send-Numbered $master 500
    }
    AfterEach { Stop-Everything }

    It 'Receive-NetmapPacket releases only frames it wrote out (the one in flight may stay); the port receives the rest afterwards' {
        $ps = Start-Running { param($Port) Receive-NetmapPacket -Port $Port | ForEach-Object { Start-Sleep -Milliseconds 2; $_ } } @{ Port = $slave }
        Wait-Until { $ps.Output.Count -ge 50 } $ps
        $out = Stop-Running $ps
        Assert-RingsConsistent $master, $slave
        $k = $out.Count
        $out | Get-Sequence | Should -Be (0..($k - 1))
        $head = Get-RxHead $slave
        $head | Should -BeIn ($k - 1), $k   # the frame in flight when it stopped may stay in the ring: none is lost
        Receive-NetmapPacket -Port $slave -Timeout 1 | Get-Sequence | Should -Be ($head..499)
        Send-Numbered $master 3
        Receive-NetmapPacket -Port $slave -Count 3 -Timeout 5 | Should -HaveCount 3
        Assert-ClosedClean $name
    }

    It 'Select-Object -First 3 takes three frames; the next receive starts with the fourth' {
        Receive-NetmapPacket -Port $slave | Select-Object -First 3 | Get-Sequence | Should -Be 0, 1, 2
        Get-RxHead $slave | Should -Be 3
        Receive-NetmapPacket -Port $slave -Timeout 1 | Get-Sequence | Should -Be (3..499)
    }

    It 'Export-NetmapCapture leaves a valid capture of the frames released (and at most the one in flight); tshark reads it' {
        $file = Join-Path ([IO.Path]::GetTempPath()) "$name.pcapng"
        try {
            $ps = Start-Running { param($Port, $Path) Receive-NetmapPacket -Port $Port | ForEach-Object { Start-Sleep -Milliseconds 2; $_ } | Export-NetmapCapture $Path } @{ Port = $slave; Path = $file }
            Wait-Until { (Get-RxHead $slave) -ge 256 } $ps   # the receiver releases a batch (256) at a time
            Start-Sleep -Milliseconds 100                    # into the second batch
            $null = Stop-Running $ps
            Assert-RingsConsistent $slave
            $head = Get-RxHead $slave
            $head | Should -BeGreaterThan 256
            $head | Should -BeLessThan 500
            $k = @(Import-NetmapCapture $file).Count
            $head | Should -BeIn ($k - 1), $k   # as above: the frame in flight may be written and still in the ring
            Import-NetmapCapture $file | Get-Sequence | Should -Be (0..($k - 1))
            Get-TsharkCount $file | Should -Be $k
            Receive-NetmapPacket -Port $slave -Timeout 1 | Get-Sequence | Should -Be ($head..499)
            Assert-ClosedClean $name
        }
        finally { Remove-Item $file -ErrorAction Ignore }
    }
}

Describe 'Sending, stopped as by Ctrl+C' {
    AfterEach { Stop-Everything }

    It 'Send-NetmapPacket -Count 100000000, blocked on a full pipe, stops; every frame it queued arrives once, in order' {
        $name = New-TestName 'is'
        $master, $slave = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $ps = Start-Running { param($Port, $Frame) , $Frame | Send-NetmapPacket -Port $Port -Count 100000000 -Sequence -SequenceOffset 14 } @{ Port = $master; Frame = (New-TestFrame) }
        Wait-Until { (Get-NetmapRing -Port $master -Direction TX).Space -eq 0 } $ps
        Start-Sleep -Milliseconds 200   # now it waits for room
        $null = Stop-Running $ps
        Assert-RingsConsistent $master, $slave
        $got = @(Receive-All $master $slave | Get-Sequence)
        $got.Count | Should -Be 2046     # the slave's RX ring and the master's TX ring, full
        $got | Should -Be (0..2045)
        , (New-TestFrame -Text 'after') | Send-NetmapPacket -Port $master
        Receive-NetmapPacket -Port $slave -Count 1 -Timeout 5 | Should -HaveCount 1
        Assert-ClosedClean $name
    }

    It 'Send-NetmapPacket -Rate 0.02 (a frame every 50 s) stops within a second, its first frame sent' {
        $name = New-TestName 'ip'
        $master, $slave = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $ps = Start-Running { param($Port, $Frame) , $Frame | Send-NetmapPacket -Port $Port -Count 3 -Rate 0.02 } @{ Port = $master; Frame = (New-TestFrame) }
        Wait-Until { @(Receive-NetmapPacket -Port $slave -Timeout 0).Count -eq 1 } $ps
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $null = Stop-Running $ps
        $clock.ElapsedMilliseconds | Should -BeLessThan 1000
        Assert-ClosedClean $name
    }
}

Describe 'Two loops on one ring, and a port forwarded to itself' {
    AfterEach { Stop-Everything }

    It 'refuses a second loop on a ring a forwarding job uses, naming that loop, and takes it once the job ends' {
        $a, $b = (New-TestName 'la'), (New-TestName 'lb')
        $aIn, $aOut, $bIn, $bOut = Open-NetmapPort "netmap:$a{1", "netmap:$a}1", "netmap:$b{1", "netmap:$b}1"
        $job = Invoke-NetmapForward -From $aOut -To $bIn -AsJob
        { Invoke-NetmapForward -From $aOut -To $bOut -Count 1 } | Should -Throw -ErrorId 'PortBusy,NetmapPS.InvokeNetmapForwardCommand' -ExpectedMessage '*in use by Invoke-NetmapForward*'
        { Receive-NetmapPacket -Port $aOut -Timeout 0 } | Should -Throw -ErrorId 'PortBusy,NetmapPS.ReceiveNetmapPacketCommand'
        Send-Numbered $aIn 10
        $job | Stop-Job
        $job | Remove-Job
        @(Receive-NetmapPacket -Port $aOut -Timeout 0.5) + @(Receive-NetmapPacket -Port $bOut -Timeout 0.5) | Should -HaveCount 10   # none doubled, none lost
    }

    It 'refuses to forward a port to itself, even both ways' {
        $name = New-TestName 'ls'
        $p = Open-NetmapPort "netmap:$name{1"
        { Invoke-NetmapForward -From $p -To $p -Bidirectional -Count 1 } | Should -Throw -ExpectedMessage '*cannot be forwarded to itself*'
    }
}

Describe 'Forwarding, stopped while frames come in' {
    BeforeAll {
        # Frames numbered from 0 reach b}1 or stay in a}1 (or wait in a TX ring): once each, in order, none lost.
        function Assert-NothingLost([long] $Forwarded) {
            Assert-RingsConsistent $aIn, $aOut, $bIn, $bOut
            $atB = @(Receive-All $bIn $bOut | Get-Sequence)
            $atA = @(Receive-All $aIn $aOut | Get-Sequence)
            if ($Forwarded -ge 0) { $atB.Count | Should -Be $Forwarded }
            $atB.Count | Should -BeGreaterThan 0
            $atA.Count | Should -BeGreaterThan 0
            ($atB + $atA) | Should -Be (0..($atB.Count + $atA.Count - 1))
            Send-Numbered $aIn 2
            (Invoke-NetmapForward -From $aOut -To $bIn -Count 2).Forwarded | Should -Be 2
            Receive-NetmapPacket -Port $bOut -Count 2 -Timeout 5 | Should -HaveCount 2
            Assert-ClosedClean $a, $b
        }
    }
    BeforeEach {
        # A paced sender feeds a{1; the forwarder takes a}1 to b{1; nobody drains b}1.
        $a, $b = (New-TestName 'ia'), (New-TestName 'ib')
        $aIn, $aOut, $bIn, $bOut = Open-NetmapPort "netmap:$a{1", "netmap:$a}1", "netmap:$b{1", "netmap:$b}1"
        $sender = Start-Running { param($Port, $Frame) , $Frame | Send-NetmapPacket -Port $Port -Count 100000000 -Rate 5000 -Sequence -SequenceOffset 14 } @{ Port = $aIn; Frame = (New-TestFrame) }
    }
    AfterEach { Stop-Everything }

    It 'Invoke-NetmapForward stops in place' {
        $ps = Start-Running { param($From, $To) Invoke-NetmapForward -From $From -To $To } @{ From = $aOut; To = $bIn }
        Wait-Until { (Get-RxHead $aOut) -ge 200 } $ps
        $null = Stop-Running $ps
        Start-Sleep -Milliseconds 100     # the sender goes on into a}1 for a while
        $null = Stop-Running $sender
        Assert-NothingLost -1
    }

    It 'Invoke-NetmapForward -AsJob stops with Stop-Job and reports what it forwarded' {
        $job = Invoke-NetmapForward -From $aOut -To $bIn -AsJob
        Wait-Until { (Get-RxHead $aOut) -ge 200 } $sender
        $job | Stop-Job
        $job.State | Should -Be 'Stopped'
        Start-Sleep -Milliseconds 100
        $null = Stop-Running $sender
        $report = $job | Receive-Job
        $job | Remove-Job
        Assert-NothingLost $report.Forwarded
    }
}

Describe 'A child pwsh interrupted with SIGINT' {
    AfterEach { Stop-Everything }

    It 'stops its Receive-NetmapPacket | Export-NetmapCapture, runs its finally block and leaves a valid capture' {
        $name = New-TestName 'ig'
        $base = Join-Path ([IO.Path]::GetTempPath()) $name
        $master = Open-NetmapPort "netmap:$name{1"
        try {
            $child = Start-TestScript 'Interrupt-Receive.ps1' @('-Port', "netmap:$name}1", '-Capture', "$base.pcapng", '-ReadyFile', "$base.ready", '-ResultFile', "$base.json")
            Wait-File "$base.ready"
            Send-Numbered $master 300
            Start-Sleep -Seconds 2
            & kill -INT $child.Id
            $child.WaitForExit(10000) | Should -BeTrue -Because 'SIGINT stops a non-interactive pwsh as Ctrl+C does'
            $rx = Get-Content "$base.json" -Raw | ConvertFrom-Json | Where-Object Direction -eq 1   # written by its finally block
            $k = @(Import-NetmapCapture "$base.pcapng").Count
            $k | Should -BeGreaterThan 0
            $rx.Head | Should -BeIn ($k - 1), $k
            Import-NetmapCapture "$base.pcapng" | Get-Sequence | Should -Be (0..($k - 1))
            Get-TsharkCount "$base.pcapng" | Should -Be $k
            Assert-ClosedClean $name
        }
        finally {
            if ($child -and -not $child.HasExited) { $child.Kill($true) }
            Remove-Item "$base.*" -ErrorAction Ignore
        }
    }
}

Describe 'Close-NetmapPort -All while loops run on the ports' {
    It 'ends a forwarding job, a send and a receive with PortClosed instead of crashing the process, and leaves no region file' {
        # In a child pwsh: before the fix, the unmapped rings killed the whole process (AccessViolationException).
        $result = Wait-TestScript (Start-TestScript 'Close-WhileRunning.ps1' @('-Name', (New-TestName 'cw'))) | ConvertFrom-Json
        $result.Ended | Should -BeTrue
        $result.Job | Should -Be 'Failed'
        $result.JobError | Should -Be 'PortClosed'
        $result.Send | Should -Be 'PortClosed,NetmapPS.SendNetmapPacketCommand'
        $result.Receive | Should -Be 'PortClosed,NetmapPS.ReceiveNetmapPacketCommand'
        $result.Regions | Should -BeNullOrEmpty
    }
}
