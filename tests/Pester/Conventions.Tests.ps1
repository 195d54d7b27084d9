# PowerShell conventions: approved verbs, a quiet import, one noun family, -WhatIf where state
# changes, declared output types, and objects that flow from one cmdlet into the next.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $commands = Get-Command -Module NetmapPS -CommandType Cmdlet
    # Verbs whose cmdlets change something outside the pipeline.
    $changing = 'Open', 'Close', 'Send', 'Export', 'Set', 'Remove', 'Clear', 'Reset', 'Start', 'Stop', 'Restart', 'Enable', 'Disable',
        'Add', 'Register', 'Unregister', 'Install', 'Uninstall', 'Update', 'Write', 'Move', 'Rename', 'Copy', 'Suspend', 'Resume', 'Invoke'
}
AfterAll { Close-NetmapPort -All }

Describe 'Names' {
    It 'uses approved verbs only' {
        $approved = (Get-Verb).Verb
        foreach ($c in $commands) { $approved | Should -Contain $c.Verb -Because "$($c.Name) needs an approved verb" }
    }

    It 'names every noun Netmap<Thing>' {
        foreach ($c in $commands) { $c.Noun | Should -Match '^Netmap[A-Z]\w+$' }
    }

    It 'imports without a word: no warning, no error, no output' {
        $out = & $Pwsh -NoProfile -NonInteractive -Command "Import-Module '$ModulePath' *>&1 | Out-String; Import-Module '$ModulePath' -Force -Verbose 4>`$null 3>&1 | Out-String"
        $LASTEXITCODE | Should -Be 0
        ($out -join '').Trim() | Should -BeNullOrEmpty
    }
}

Describe '-WhatIf and -Confirm' {
    It 'are offered by every cmdlet that changes state' {
        foreach ($c in $commands | Where-Object Verb -in $changing) {
            $c.Parameters.Keys | Should -Contain 'WhatIf' -Because "$($c.Name) changes state"
            $c.Parameters.Keys | Should -Contain 'Confirm' -Because "$($c.Name) changes state"
        }
    }

    It 'change nothing with -WhatIf' {
        $name = New-TestName 'wi'
        Open-NetmapPort "netmap:$name{1" -WhatIf | Should -BeNullOrEmpty
        Test-Path (Get-RegionPath "pipe-$name") | Should -BeFalse
        $tx, $rx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        New-NetmapPacket | Send-NetmapPacket -Port $tx -WhatIf
        Receive-NetmapPacket -Port $rx -Timeout 0.2 | Should -BeNullOrEmpty
        $file = Join-Path $TestDrive 'whatif.pcapng'
        New-NetmapPacket | Export-NetmapCapture $file -WhatIf
        $file | Should -Not -Exist
        Close-NetmapPort $tx.Name -WhatIf
        $tx.IsOpen | Should -BeTrue
        Close-NetmapPort -All
        $tx.IsOpen | Should -BeFalse
    }
}

Describe 'Objects between cmdlets' {
    It 'declares what each cmdlet that writes objects writes' {
        foreach ($c in $commands | Where-Object Verb -in 'Get', 'New', 'Import', 'Receive', 'Open') {
            $c.OutputType | Should -Not -BeNullOrEmpty -Because "$($c.Name) writes objects"
        }
    }

    It 'lets ports flow into Get-NetmapRing and rings into Get-NetmapSlot' {
        $name = New-TestName 'flow'
        Open-NetmapPort "netmap:$name{1" | Out-Null
        $slots = Get-NetmapPort "netmap:$name{1" | Get-NetmapRing -Direction TX | Get-NetmapSlot -Index 0
        $slots | Should -HaveCount 1
        $slots.Port | Should -Be "netmap:$name{1"
        Open-NetmapPort "netmap:$name}1" | Receive-NetmapPacket -Timeout 0.1 | Should -BeNullOrEmpty
    }

    It 'tells under -Verbose which backend serves a port' {
        $name = New-TestName 'vb'
        $output = Open-NetmapPort "netmap:$name{1" -Verbose 4>&1
        $port = $output | Where-Object { $_ -is [Netmap.Native.Ports.NetmapPort] }
        $verbose = $output | Where-Object { $_ -is [Management.Automation.VerboseRecord] }
        "$verbose" | Should -Match 'Emulated'
        "$verbose" | Should -Match ([regex]::Escape($port.Mechanism))
        "$verbose" | Should -Match ([regex]::Escape($port.Region))
        $port.Region | Should -Exist
    }
}

Describe 'Backends behind one interface' {
    # The cmdlets and completers reach ports, switches and names through NetmapBackends and
    # INetmapBackend only: no call into a backend's own code (Netmap.Native.Kernel, Netmap.Native.Emulated).
    It 'the module calls no member of a backend namespace' {
        $dll = Join-Path (Split-Path $ModulePath) 'NetmapPS.dll'
        $pe = [System.Reflection.PortableExecutable.PEReader]::new([IO.File]::OpenRead($dll))
        try {
            $md = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
            $calls = foreach ($handle in $md.MemberReferences) {
                $member = $md.GetMemberReference($handle)
                if ($member.Parent.Kind -ne 'TypeReference') { continue }
                $type = $md.GetTypeReference([System.Reflection.Metadata.TypeReferenceHandle]$member.Parent)
                $namespace = $md.GetString($type.Namespace)
                if ($namespace -match '^Netmap\.Native\.(Kernel|Emulated)') { "$namespace.$($md.GetString($type.Name))::$($md.GetString($member.Name))" }
            }
            $types = foreach ($handle in $md.TypeReferences) {
                $type = $md.GetTypeReference($handle)
                $md.GetString($type.Namespace)
            }
            $types | Should -Contain 'Netmap.Native.Ports' -Because 'the check reads the module''s references (a control)'
            $calls | Should -BeNullOrEmpty
        }
        finally { $pe.Dispose() }
    }
}
