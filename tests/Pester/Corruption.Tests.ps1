# A shared region written by a third process while two others send and receive through it: the
# parties end on time with typed errors (or none), never a crash or a hang, and the region's other
# pipe carries on. The test process is the third party: it writes into the region's shared memory,
# or truncates the file that names it.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # Writes Bytes at Offset of the region's shared memory, as another process of the user could.
    function Write-Region([string] $Path, [long] $Offset, [byte[]] $Bytes) {
        if (-not [Netmap.Native.Emulated.RegionFields]::Write($Path, $Offset, $Bytes)) { throw "cannot write into the region of $Path" }
    }
    # The receiver counts for longer than the sender sends, so that only damage ends a party early.
    function Start-Party([string] $Role, [string] $Name, [string] $Ready) {
        Start-TestScript 'Pipe-Party.ps1' @('-Role', $Role, '-Name', $Name, '-Seconds', ($Role -eq 'Send' ? '3' : '5'), '-Ready', $Ready)
    }
}

Describe 'A region another process writes into while a sender and a receiver in two processes use it' {
    # Expect: 'Corrupted' (the party whose ring it is ends with RingCorrupted), 'Unharmed' (a copy
    # nobody trusts: traffic goes on without an error), or 'Either' (random bytes land where they land).
    It 'ends both parties on time with typed errors or none when <Field> is damaged (<Expect>), and the other pipe goes on' -ForEach @(
        @{ Field = 'rx.hwtail'; Value = [BitConverter]::GetBytes([uint32]0xffffff); Expect = 'Corrupted' }
        @{ Field = 'rx.hwcur'; Value = [BitConverter]::GetBytes([uint32]0x7fffffff); Expect = 'Corrupted' }
        @{ Field = 'tx.hwcur'; Value = [BitConverter]::GetBytes([uint32]5000000); Expect = 'Corrupted' }
        @{ Field = 'rx.slots'; Value = [byte[]](1..(16 * 1024) | ForEach-Object { 0xff }); Expect = 'Corrupted' }   # every RX slot's buffer index and length
        @{ Field = 'rx.num_slots'; Value = [BitConverter]::GetBytes([uint32]0x7fffffff); Expect = 'Unharmed' }
        @{ Field = 'rx.buf_ofs'; Value = [BitConverter]::GetBytes([long]-1099511627776); Expect = 'Unharmed' }
        @{ Field = 'rx.producer_lock'; Value = [BitConverter]::GetBytes([int]1); Expect = 'Unharmed' }
        @{ Field = 'random'; Value = $null; Expect = 'Either' }
        @{ Field = 'file'; Value = $null; Expect = 'Unharmed' }   # the region file truncated to nothing (a SIGBUS in every holder, were it the memory)
    ) {
        $name = New-TestName 'cx'
        $dir = Join-Path $TestDrive $Field
        $null = New-Item -ItemType Directory $dir
        $receiver = Start-Party 'Measure' "netmap:$name}1" (Join-Path $dir 'r')
        Wait-File (Join-Path $dir 'r')
        $sender = Start-Party 'Send' "netmap:$name{1" (Join-Path $dir 's')
        Wait-File (Join-Path $dir 's')
        # The healthy pipe of the same region, held here: its ports come after the parties' pipe.
        $m2, $s2 = Open-NetmapPort "netmap:$name{2", "netmap:$name}2"
        Start-Sleep -Milliseconds 700

        $region = $m2.Region
        $master = [Netmap.Native.Emulated.RegionFields]::Offsets($region, "$name{1")   # the sender's end
        $slave = [Netmap.Native.Emulated.RegionFields]::Offsets($region, "$name}1")    # the receiver's end
        if ($Field -eq 'random') {
            # Random bytes over the krings, rings and slots of pipe 1, nothing of pipe 2 (its ports came after).
            $random = [Random]::new(14)
            $rings = $master['tx.ring'], ($slave['rx.slots'] + $slave['slot.count'] * $slave['slot.size'] - 16)
            $krings = $master['tx.hwcur'], ($master['tx.hwcur'] + 4 * $master['kring.size'] - 16)
            foreach ($i in 1..300) {
                $bytes = [byte[]]::new(16); $random.NextBytes($bytes)
                $span = ($rings, $krings)[$i % 2]
                Write-Region $region ($span[0] + $random.NextInt64(0, $span[1] - $span[0])) $bytes
                Start-Sleep -Milliseconds 5
            }
        }
        elseif ($Field -eq 'file') {
            $file = [IO.File]::Open($region, 'Open', 'ReadWrite', 'ReadWrite')
            try { $file.SetLength(0) } finally { $file.Dispose() }
        }
        else {
            # Written again and again for a while: the field's own writer may overwrite one write before a party reads it.
            $table = $Field -like 'tx.*' ? $master : $slave
            $until = [DateTime]::UtcNow.AddMilliseconds(300)
            while ([DateTime]::UtcNow -lt $until) { Write-Region $region $table[$Field] $Value; Start-Sleep -Milliseconds 1 }
        }

        $results = foreach ($p in $sender, $receiver) { Wait-TestScript $p -TimeoutSeconds 30 | ConvertFrom-Json }   # exit code 0: no crash
        foreach ($r in $results) {
            # RingCorrupted, or what follows from the other party's ending on one: its peer gone, or no room freed.
            $r.Errors | Where-Object { ($_ -split ',')[0] -notin 'RingCorrupted', 'PipePeerGone', 'TransmitTimeout' } | Should -BeNullOrEmpty -Because "$($r.Role) may only fail with typed errors"
        }
        $corrupted = @($results | Where-Object { $_.Errors -like 'RingCorrupted,*' })
        switch ($Expect) {
            'Corrupted' { $corrupted | Should -Not -BeNullOrEmpty -Because 'the party whose ring it is is told' }
            'Unharmed' {
                $corrupted | Should -BeNullOrEmpty
                $results[1].Count | Should -BeGreaterThan 0
                $results[1].Count | Should -BeLessOrEqual $results[0].Count
            }
        }
        # The other pipe of the region is untouched by all this.
        1..100 | ForEach-Object { , (New-TestFrame -Text "ok $_") } | Send-NetmapPacket -Port $m2
        Receive-NetmapPacket -Port $s2 -Count 100 -Timeout 5 | Should -HaveCount 100
        Close-NetmapPort $m2, $s2
    }
}
