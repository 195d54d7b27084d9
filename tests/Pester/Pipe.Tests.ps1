BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

Describe 'A pipe shared by two processes' {
    It 'carries 10,000 numbered frames from one pwsh to another, all intact and in order' {
        $name = New-TestName 'pp'
        $receiver = Start-TestScript 'Receive-Numbered.ps1' @('-Port', "netmap:$name}1", '-Count', '10000')
        $sender = Start-TestScript 'Send-Numbered.ps1' @('-Port', "netmap:$name{1", '-Count', '10000')
        Wait-TestScript $sender | Out-Null
        $result = Wait-TestScript $receiver | ConvertFrom-Json
        $result.Received | Should -Be 10000
        $result.OutOfOrder | Should -Be 0
        $result.Damaged | Should -Be 0
        Test-Path (Get-RegionPath "pipe-$name") | Should -BeFalse
    }
}

Describe 'Pipe ports in one session' {
    BeforeEach {
        $name = New-TestName 'ps'
        $master, $slave = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
    }
    AfterEach { Close-NetmapPort -All }

    It 'shows the parsed name, the mode and the geometry on the port object' {
        $master.Spec.Pipe | Should -Be 'Master'
        $master.Mode | Should -Be 'Emulated'
        $master.MemoryId | Should -Be $slave.MemoryId
        $master.TxRingCount | Should -Be 1
        $master.RxRingCount | Should -Be 1
        $master.TxSlots | Should -Be 1024
        $master.BufferSize | Should -Be 2048
        $master.Region | Should -Be (Get-RegionPath "pipe-$name")
        (Get-NetmapPort).Name | Should -Be "netmap:$name{1", "netmap:$name}1"
    }

    It 'moves Get-NetmapRing pointers as packets move' {
        $before = Get-NetmapRing -Port $master, $slave
        $before | Should -HaveCount 4
        $tx = $before | Where-Object { $_.Port -eq $master.Name -and $_.Direction -eq 'TX' }
        $tx.Head | Should -Be 0
        $tx.Tail | Should -Be 1023
        $tx.Space | Should -Be 1023

        1..10 | ForEach-Object { New-TestFrame -Text "frame $_" } | Send-NetmapPacket -Port $master
        $tx = Get-NetmapRing $master -Direction TX
        $tx.Head | Should -Be 10
        $tx.Cur | Should -Be 10
        $tx.Tail | Should -Be 9          # the ten slots went to the pipe and came back free
        $tx.Space | Should -Be 1023

        $packets = Receive-NetmapPacket -Port $slave -Count 10 -Timeout 5
        $packets | Should -HaveCount 10
        $rx = Get-NetmapRing $slave -Direction RX
        $rx.Head | Should -Be 10
        $rx.Tail | Should -Be 10
        $rx.Space | Should -Be 0
        $packets[0].Slot | Should -Be 0
        $packets[9].Slot | Should -Be 9
    }

    It 'delivers the bytes sent, and Data holds the frame' {
        $frame = New-TestFrame -Text 'hello netmap'
        , $frame | Send-NetmapPacket -Port $master
        $p = Receive-NetmapPacket -Port $slave -Count 1 -Timeout 5
        $p.Data | Should -Be $frame
        $p.Length | Should -Be $frame.Length
        $p.Port | Should -Be $slave.Name
    }

    It 'takes -Port by the name of an open port' {
        , (New-TestFrame) | Send-NetmapPacket -Port "netmap:$name{1"
        (Receive-NetmapPacket -Port "netmap:$name}1" -Count 1 -Timeout 5) | Should -HaveCount 1
    }

    It 'receives from every open port when -Port is left out' {
        , (New-TestFrame) | Send-NetmapPacket -Port $master
        , (New-TestFrame) | Send-NetmapPacket -Port $slave
        $got = Receive-NetmapPacket -Count 2 -Timeout 5
        ($got.Port | Sort-Object) | Should -Be ($master.Name, $slave.Name | Sort-Object)
    }

    It 'stops at -Timeout when nothing comes' {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        Receive-NetmapPacket -Port $slave -Timeout 0.5 | Should -BeNullOrEmpty
        $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.4
    }

    It 'stops when Select-Object -First has enough' {
        1..5 | ForEach-Object { New-TestFrame } | Send-NetmapPacket -Port $master
        Receive-NetmapPacket -Port $slave | Select-Object -First 2 | Should -HaveCount 2
        # The three others are still there: nothing was lost between ring and pipeline.
        Receive-NetmapPacket -Port $slave -Count 3 -Timeout 5 | Should -HaveCount 3
    }

    It 'refuses a frame larger than a buffer instead of truncating it' {
        , [byte[]]::new(3000) | Send-NetmapPacket -Port $master -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidPortRequest,*'
        $err[0].Exception.Message | Should -BeLike '*3000 bytes does not fit*'
    }

    It 'refuses to open an end that is already open' {
        Open-NetmapPort "netmap:$name{1" -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PortBusy,*'
    }
}
