BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

Describe 'Region files' {
    AfterEach { Close-NetmapPort -All }

    It 'are private to their owner and removed when the last port closes' {
        $name = New-TestName 'lf'
        $path = Get-RegionPath "pipe-$name"
        $master, $slave = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        Test-Path $path | Should -BeTrue
        (Get-Item $path).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
        Close-NetmapPort -Port $master
        Test-Path $path | Should -BeTrue
        $master.IsOpen | Should -BeFalse
        $slave | Close-NetmapPort
        Test-Path $path | Should -BeFalse
        Get-NetmapPort | Should -BeNullOrEmpty
    }

    It 'closes ports by name, with wildcards, and with -All' {
        $name = New-TestName 'cn'
        $null = Open-NetmapPort "netmap:$name{1", "netmap:$name}1", "netmap:$name{2"
        Close-NetmapPort "netmap:$name{1"
        (Get-NetmapPort).Name | Should -Be "netmap:$name}1", "netmap:$name{2"
        Close-NetmapPort "netmap:$name}*"
        (Get-NetmapPort).Name | Should -Be "netmap:$name{2"
        Close-NetmapPort -All
        Get-NetmapPort | Should -BeNullOrEmpty
        Get-ChildItem $ShmDir -Filter "netmapps-$Uid-pipe-$name" | Should -BeNullOrEmpty
    }

    It 'says which port is not open' {
        Close-NetmapPort 'netmap:neveropened{1' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PortNotOpen,*'
    }

    It 'keeps the port open with -WhatIf' {
        $name = New-TestName 'wi'
        $p = Open-NetmapPort "netmap:$name{1"
        Close-NetmapPort -Port $p -WhatIf
        $p.IsOpen | Should -BeTrue
        Close-NetmapPort -Port $p
    }
}

Describe 'A holder killed with SIGKILL' {
    BeforeAll {
        # A child holds PeerPort (with HolderArguments) and is killed; then Work runs on Port in a thread
        # job, which must end by itself within 20 s. Returns the job's output.
        function Invoke-AfterPeerKilled([string] $PeerPort, [string[]] $HolderArguments, $Port, [scriptblock] $Work) {
            $ready = Join-Path ([IO.Path]::GetTempPath()) "$(New-TestName 'peer').ready"
            $holder = Start-TestScript 'Hold-Port.ps1' (@('-Port', $PeerPort, '-ReadyFile', $ready) + $HolderArguments)
            try {
                Wait-File $ready
                & kill -9 $holder.Id
                $holder.WaitForExit()
                $job = Start-ThreadJob $Work -ArgumentList $ModulePath, $Port
                $job | Wait-Job -Timeout 20 | Should -Not -BeNullOrEmpty -Because 'a wait without -Timeout must end when the other end is gone'
                $job | Receive-Job
            }
            finally {
                if (-not $holder.HasExited) { & kill -9 $holder.Id }
                Remove-Item $ready -ErrorAction Ignore
                Close-NetmapPort -All
            }
        }
    }

    It 'leaves a region that the next open reclaims: its rings are free again and the file goes' {
        $name = New-TestName 'kh'
        $path = Get-RegionPath "pipe-$name"
        $ready = Join-Path ([IO.Path]::GetTempPath()) "$name.ready"
        $holder = Start-TestScript 'Hold-Port.ps1' @('-Port', "netmap:$name{1", '-ReadyFile', $ready)
        try {
            Wait-File $ready
            Open-NetmapPort "netmap:$name{1" -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PortBusy,*'
            $err[0].Exception.Message | Should -BeLike "*process $($holder.Id)*"
        }
        finally {
            & kill -9 $holder.Id
            $holder.WaitForExit()
            Remove-Item $ready -ErrorAction Ignore
        }
        Test-Path $path | Should -BeTrue   # nobody cleaned up after the dead process yet
        $port = Open-NetmapPort "netmap:$name{1"
        $port.IsOpen | Should -BeTrue
        Close-NetmapPort -Port $port
        Test-Path $path | Should -BeFalse
    }

    It 'leaves a region that any later open sweeps away' {
        $name = New-TestName 'ks'
        $path = Get-RegionPath "pipe-$name"
        $ready = Join-Path ([IO.Path]::GetTempPath()) "$name.ready"
        $holder = Start-TestScript 'Hold-Port.ps1' @('-Port', "netmap:$name}1", '-ReadyFile', $ready)
        Wait-File $ready
        & kill -9 $holder.Id
        $holder.WaitForExit()
        Remove-Item $ready
        Test-Path $path | Should -BeTrue
        $other = Open-NetmapPort ('netmap:' + (New-TestName 'other') + '{1')
        Test-Path $path | Should -BeFalse
        Close-NetmapPort -Port $other
    }

    It 'ends a wait on the other end of its pipe: what it sent is received, then PipePeerGone instead of waiting forever' {
        $name = New-TestName 'pg'
        $rx = Open-NetmapPort "netmap:$name}1"
        $out = Invoke-AfterPeerKilled "netmap:$name{1" @('-Send', '5') $rx { param($m, $p) Import-Module $m; Receive-NetmapPacket -Port $p 2>&1 }
        ($out | Where-Object { $_ -is [Netmap.Native.Packets.NetmapPacket] }).Count | Should -Be 5
        ($out | Where-Object { $_ -is [Management.Automation.ErrorRecord] }).FullyQualifiedErrorId | Should -BeLike 'PipePeerGone,*'
    }

    It 'ends a blocked send on the other end of its pipe when the receiver is killed' {
        $name = New-TestName 'ps'
        $tx = Open-NetmapPort "netmap:$name{1"
        # More frames than both rings hold: the sender blocks once they are full, and must end there.
        $out = Invoke-AfterPeerKilled "netmap:$name}1" @() $tx { param($m, $p) Import-Module $m; New-NetmapPacket -Length 60 | Send-NetmapPacket -Port $p -Count 10000 -Summary 2>&1 }
        ($out | Where-Object { $_ -is [Management.Automation.ErrorRecord] })[0].FullyQualifiedErrorId | Should -BeLike 'PipePeerGone,*'
    }

    It 'frees the files of a process that exits without closing its ports' {
        $name = New-TestName 'ex'
        $script = "Import-Module '$ModulePath'; `$null = Open-NetmapPort 'netmap:$name{1'; exit 0"
        & $Pwsh -NoProfile -NonInteractive -Command $script
        $LASTEXITCODE | Should -Be 0
        Test-Path (Get-RegionPath "pipe-$name") | Should -BeFalse
    }
}
