# Tab completion, as TabExpansion2 (the engine behind Tab) computes it.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # The completions of the input up to its end (or up to Cursor).
    function Get-Completion([string] $InputScript, [int] $Cursor = $InputScript.Length) {
        @((TabExpansion2 -inputScript $InputScript -cursorColumn $Cursor).CompletionMatches)
    }
    # What a completion text means once PowerShell parses it as an argument.
    function ConvertFrom-CompletionText([string] $Text) { (Invoke-Expression "Write-Output $Text") }
}

Describe 'Completion of port names to open' {
    AfterAll { Close-NetmapPort -All }

    It 'offers netmap: with every interface of /sys/class/net' {
        $names = (Get-ChildItem /sys/class/net).Name
        $texts = (Get-Completion 'Open-NetmapPort netmap:').CompletionText
        foreach ($n in $names) { $texts | Should -Contain "netmap:$n" }
        (Get-Completion 'Open-NetmapPort netmap:l').CompletionText | Should -Contain 'netmap:lo'
        (Get-Completion 'Open-NetmapPort netmap:l').CompletionText | Should -Not -Contain 'netmap:lo^'
    }

    It 'offers ring pairs, ^ and * once the interface is typed in full' {
        $if = Get-ChildItem /sys/class/net | Sort-Object { @(Get-ChildItem (Join-Path $_.FullName 'queues') -Directory -Filter rx-* -ErrorAction Ignore).Count } | Select-Object -Last 1
        $queues = [Math]::Max(1, [Math]::Max(@(Get-ChildItem "$($if.FullName)/queues" -Directory -Filter rx-* -ErrorAction Ignore).Count,
                                             @(Get-ChildItem "$($if.FullName)/queues" -Directory -Filter tx-* -ErrorAction Ignore).Count))
        $texts = (Get-Completion "Open-NetmapPort netmap:$($if.Name)").CompletionText
        $texts | Should -Contain "netmap:$($if.Name)^"
        $texts | Should -Contain "netmap:$($if.Name)*"
        @($texts | Where-Object { $_ -match "^netmap:$([regex]::Escape($if.Name))-\d+$" }).Count | Should -Be $queues
        (Get-Completion "Open-NetmapPort netmap:$($if.Name)-").CompletionText | Should -Contain "netmap:$($if.Name)-0"
    }

    It 'offers the other end of a pipe open here, quoted so that PowerShell keeps the braces' {
        $name = New-TestName 'cpl'
        Open-NetmapPort "netmap:$name{1" | Out-Null
        $match = Get-Completion "Open-NetmapPort netmap:$name" | Where-Object ListItemText -eq "netmap:$name}1"
        $match | Should -Not -BeNullOrEmpty
        $match.CompletionText | Should -Be "'netmap:$name}1'"
        ConvertFrom-CompletionText $match.CompletionText | Should -BeExactly "netmap:$name}1"
        $match.ToolTip | Should -BeLike '*other end*'
    }

    It 'offers the pipe ends another process holds (read from its region file in shared memory)' {
        $name = New-TestName 'cpx'
        $ready = Join-Path $TestDrive "$name.ready"
        $holder = Start-TestScript 'Hold-Port.ps1' @('-Port', "netmap:$name{1", '-ReadyFile', $ready)
        try {
            Wait-File $ready
            $texts = (Get-Completion "Open-NetmapPort 'netmap:$name").CompletionText
            $texts | Should -Contain "'netmap:$name}1'"
            $texts | Should -Contain "'netmap:$name{1'"
        }
        finally { $holder.Kill($true); $holder.WaitForExit() }
    }

    It 'offers the VALE switches in use, and their ports' {
        $switch = New-TestName 'vale'
        Open-NetmapPort "${switch}:a" | Out-Null
        (Get-Completion 'Open-NetmapPort val').CompletionText | Should -Contain "${switch}:"
        (Get-Completion "Open-NetmapPort ${switch}:").CompletionText | Should -Contain "${switch}:a"
        Close-NetmapPort "${switch}:a"
        (Get-Completion 'Open-NetmapPort val').CompletionText | Should -Not -Contain "${switch}:"
    }

    It 'keeps the quote the user started with' {
        (Get-Completion "Open-NetmapPort 'netmap:lo").CompletionText | Should -Contain "'netmap:lo'"
        (Get-Completion 'Open-NetmapPort "netmap:lo').CompletionText | Should -Contain '"netmap:lo"'
        (Get-Completion 'Get-NetmapPortName netmap:lo').CompletionText | Should -Contain 'netmap:lo^'
    }
}

Describe 'Completion of open ports' {
    BeforeAll {
        $name = New-TestName 'cpo'
        $tx, $rx = Open-NetmapPort "netmap:$name{1@conf:rings=3", "netmap:$name}1-1"
    }
    AfterAll { Close-NetmapPort -All }

    It 'completes every parameter that takes ports with the open ports, and nothing else' {
        $portTypes = [Netmap.Native.Ports.NetmapPort], [Netmap.Native.Ports.NetmapPort[]]
        $pairs = foreach ($c in Get-Command -Module NetmapPS -CommandType Cmdlet) {
            foreach ($p in $c.Parameters.Values | Where-Object ParameterType -in $portTypes) { "$($c.Name) -$($p.Name)" }
        }
        $pairs | Should -Contain 'Receive-NetmapPacket -Port'
        $pairs | Should -Contain 'Send-NetmapPacket -Port'
        foreach ($pair in $pairs) {
            $texts = (Get-Completion "$pair 'netmap:$name").CompletionText
            $texts | Should -Be "'$($tx.Name)'", "'$($rx.Name)'" -Because "$pair completes open ports"
        }
    }

    It 'completes -Name of Close-NetmapPort and Get-NetmapPort, and forgets closed ports' {
        (Get-Completion "Close-NetmapPort 'netmap:$name").ListItemText | Should -Be $tx.Name, $rx.Name
        (Get-Completion "Get-NetmapPort 'netmap:$name}").ListItemText | Should -Be $rx.Name
        $other = Open-NetmapPort "netmap:$(New-TestName 'cpc'){1"
        (Get-Completion "Close-NetmapPort '$($other.Name)").ListItemText | Should -Be $other.Name
        Close-NetmapPort -Port $other
        Get-Completion "Close-NetmapPort '$($other.Name)" | Should -BeNullOrEmpty
    }

    It 'completes -Ring with the rings the chosen port holds' {
        (Get-Completion "Receive-NetmapPacket -Port '$($tx.Name)' -Ring ").CompletionText | Should -Be '0', '1', '2'
        (Get-Completion "Receive-NetmapPacket -Port '$($rx.Name)' -Ring ").CompletionText | Should -Be '1'
        (Get-Completion "Send-NetmapPacket -Port '$($tx.Name)' -Ring 2").CompletionText | Should -Be '2'
        # A port given as a variable, and no port: the rings of every open port.
        (Get-Completion "Receive-NetmapPacket -Port `$rx -Ring ").CompletionText | Should -Be '1'
        (Get-Completion 'Receive-NetmapPacket -Ring ').CompletionText | Should -Be '0', '1', '2'
        # A pipe has no host rings (with no ring to offer, PowerShell falls back to file names).
        Get-Completion "Send-NetmapPacket -Port '$($tx.Name)' -HostRing -Ring " | Where-Object CompletionText -Match '^\d+$' | Should -BeNullOrEmpty
    }
}

Describe 'Completion of filters' {
    It 'offers pcap-filter examples, quoted where PowerShell would split them' {
        $all = Get-Completion 'Receive-NetmapPacket -Filter '
        $all.Count | Should -BeGreaterOrEqual 10
        foreach ($c in $all) {
            ConvertFrom-CompletionText $c.CompletionText | Should -BeExactly $c.ListItemText
            $c.ToolTip | Should -Not -BeNullOrEmpty
        }
        (Get-Completion 'Receive-NetmapPacket -Filter dst').ListItemText | Should -Contain 'udp dst port 53'
        (Get-Completion "Import-NetmapCapture x.pcap -Filter 'ar").CompletionText | Should -Contain "'arp'"
    }

    It 'offers only expressions libpcap compiles' {
        foreach ($c in Get-Completion 'Receive-NetmapPacket -Filter ') {
            { [Netmap.Native.Filters.PacketFilter]::Compile($c.ListItemText) } | Should -Not -Throw -Because "'$($c.ListItemText)' is offered"
        }
    }
}
