# -BusyWait on the receive loops (Measure-NetmapTraffic, Receive-NetmapPacket, Invoke-NetmapForward): they
# spin on rxsync instead of sleeping in the wait, and must still count every frame, stop on time and on Stop-Job.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # A thread job sending $Count sequenced frames into $Port, paced so that the receiver often finds the rings empty.
    function Start-Sender($Port, [long] $Count, [double] $Rate = 20000) {
        Start-ThreadJob { param($m, $p, $n, $r) Import-Module $m; New-NetmapPacket -Length 60 | Send-NetmapPacket -Port $p -Count $n -Rate $r -Sequence -Summary -Timeout 30 } -ArgumentList $ModulePath, $Port, $Count, $Rate
    }
}

Describe '-BusyWait' {
    AfterEach { Get-Job | Remove-Job -Force; Close-NetmapPort -All }

    It 'Measure-NetmapTraffic -BusyWait counts every sequenced frame and stops after -Timeout of silence' {
        $name = New-TestName 'bw'
        $tx, $rx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $sender = Start-Sender $tx 20000
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $total = Measure-NetmapTraffic -Port $rx -BusyWait -Sequence -Timeout 1 -TotalOnly
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 15
        ($sender | Wait-Job -Timeout 30 | Receive-Job).Packets | Should -Be 20000
        $total.Packets | Should -Be 20000
        $total.Gaps | Should -Be 0
        $total.Reordered | Should -Be 0
    }

    It 'Receive-NetmapPacket -BusyWait -Count N takes N frames in order and leaves the rest' {
        $name = New-TestName 'br'
        $tx, $rx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $sender = Start-Sender $tx 3000
        $seq = Receive-NetmapPacket -Port $rx -BusyWait -Count 2000 -Timeout 10 -Raw | ForEach-Object { [Net.IPAddress]::NetworkToHostOrder([BitConverter]::ToInt32($_, 42)) }
        $seq | Should -Be (0..1999)
        $null = $sender | Wait-Job -Timeout 30
        $rest = Measure-NetmapTraffic -Port $rx -Sequence -Timeout 1 -TotalOnly
        $rest.Packets | Should -Be 1000
    }

    It 'Invoke-NetmapForward -BusyWait forwards every frame, and Stop-Job ends it while it spins on empty rings' {
        $a, $b = (New-TestName 'bfa'), (New-TestName 'bfb')
        $aIn, $aOut, $bIn, $bOut = Open-NetmapPort "netmap:$a{1", "netmap:$a}1", "netmap:$b{1", "netmap:$b}1"
        $job = Invoke-NetmapForward -From $aOut -To $bIn -BusyWait -AsJob
        $sender = Start-Sender $aIn 10000
        $total = Measure-NetmapTraffic -Port $bOut -Sequence -Timeout 2 -TotalOnly
        $total.Packets | Should -Be 10000
        $total.Gaps | Should -Be 0
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $job | Stop-Job
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 3
        $job.State | Should -Be 'Stopped'
        ($job | Receive-Job).Forwarded | Should -Be 10000
    }
}
