BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

Describe 'Monitor ports on software ports' {
    AfterEach { Close-NetmapPort -All }

    It 'copies what a pipe end transmits (/t) and what the other end receives (/r), taking nothing away' {
        $name = New-TestName 'mo'
        $master, $slave = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $txMonitor, $rxMonitor = Open-NetmapPort "netmap:$name{1/t", "netmap:$name}1/r"
        $txMonitor.TxRings.Count | Should -Be 0
        $txMonitor.MemoryId | Should -Be $master.MemoryId
        1..5 | ForEach-Object { New-NetmapPacket -Payload "m$_" } | Send-NetmapPacket -Port $master
        @(Receive-NetmapPacket -Port $slave -Timeout 0.5).Count | Should -Be 5
        $seen = @(Receive-NetmapPacket -Port $txMonitor -Timeout 0.5)
        $seen.Count | Should -Be 5
        [Text.Encoding]::ASCII.GetString($seen[4].Udp.PayloadData) | Should -Be 'm5'
        @(Receive-NetmapPacket -Port $rxMonitor -Timeout 0.5).Count | Should -Be 5
    }

    It 'lets a second process watch a pipe end another process uses' {
        $name = New-TestName 'mp'
        $master, $slave = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $ready = Join-Path ([IO.Path]::GetTempPath()) "$name.ready"
        $watcher = Start-TestScript 'Monitor-Count.ps1' @('-Port', "netmap:$name}1/r", '-ReadyFile', $ready)
        Wait-File $ready
        1..20 | ForEach-Object { New-NetmapPacket } | Send-NetmapPacket -Port $master
        @(Receive-NetmapPacket -Port $slave -Timeout 0.5).Count | Should -Be 20
        [int](Wait-TestScript $watcher) | Should -Be 20
        Remove-Item $ready
    }

    It 'copies what a VALE port receives with /r and transmits with /t' {
        $switch = 'vale' + (New-TestName 'm')
        $a, $b = Open-NetmapPort "${switch}:a", "${switch}:b"
        $watchB, $watchA = Open-NetmapPort "${switch}:b/r", "${switch}:a/t"
        1..3 | ForEach-Object { New-NetmapPacket -SourceMac 02:00:00:00:00:0a } | Send-NetmapPacket -Port $a
        @(Receive-NetmapPacket -Port $b -Timeout 0.5).Count | Should -Be 3
        @(Receive-NetmapPacket -Port $watchB -Timeout 0.5).Count | Should -Be 3
        @(Receive-NetmapPacket -Port $watchA -Timeout 0.5).Count | Should -Be 3
        # A monitor is no switch port: a broadcast from b does not reach it as traffic of its own.
        New-NetmapPacket -SourceMac 02:00:00:00:00:0b | Send-NetmapPacket -Port $b
        @(Receive-NetmapPacket -Port $watchB -Timeout 0.3).Count | Should -Be 0
        @(Receive-NetmapPacket -Port $a -Timeout 0.3).Count | Should -Be 1
    }

    It 'refuses to monitor a port that is not open' {
        $name = New-TestName 'mn'
        Open-NetmapPort "netmap:$name{1/r" -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PortNotFound,*'
        Test-Path (Get-RegionPath "pipe-$name") | Should -BeFalse
    }
}
