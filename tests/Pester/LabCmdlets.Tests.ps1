# New-NetmapLab, Remove-NetmapLab and Invoke-NetmapLabCommand: what a lab is made of (checked with
# ip, ethtool and /sys inside its namespaces), that labs never collide, that a lab left by a killed
# process is removed, and that commands run inside a host and bring their output back.
BeforeDiscovery {
    $CanBuildLab = (& id -u) -eq '0' -and [bool](Get-Command ip -ErrorAction Ignore)
}
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # The lab namespaces on the machine.
    function Get-LabNamespace { @(& ip netns list | ForEach-Object { ($_ -split ' ')[0] } | Where-Object { $_ -like 'nmlab-*' }) }
    # 'refused' when a TCP SYN from host From to Address got an RST back (the path works), 'timeout' otherwise.
    function Test-Reach($Lab, [string] $From, [string] $Address) {
        $out = Invoke-NetmapLabCommand -Lab $Lab -Host $From -FilePath bash -ArgumentList '-c', "timeout 2 bash -c 'echo > /dev/tcp/$Address/9' 2>&1; echo rc=`$?" 
        if ("$out" -match 'refused') { 'refused' } elseif ("$out" -match 'rc=124') { 'timeout' } else { "$out" }
    }
}

Describe 'New-NetmapLab' -Tag 'Lab' -Skip:(-not $CanBuildLab) {
    It 'builds two hosts, a and b, each with an eth0 on one veth link, addressed, with permanent neighbours' {
        $lab = New-NetmapLab
        try {
            $lab.Hosts.Name | Should -Be 'a', 'b'
            $lab.Name | Should -Match "^nmlab-$PID-[0-9a-f]{6}$"
            Get-LabNamespace | Should -Contain $lab['a'].Namespace
            Get-LabNamespace | Should -Contain $lab['b'].Namespace
            foreach ($h in $lab.Hosts) {
                $link = & ip -n $h.Namespace -j addr show dev eth0 | ConvertFrom-Json
                $link.address | Should -Be $h['eth0'].Mac
                $link.addr_info.Where({ $_.family -eq 'inet' }).local | Should -Be "$($h['eth0'].Address)"
                $link.operstate | Should -Be 'UP'
            }
            "$($lab['a']['eth0'].Address)" | Should -Be '10.99.0.1'
            "$($lab['b']['eth0'].Address)" | Should -Be '10.99.0.2'
            $lab['a']['eth0'].Peer | Should -Be 'b:eth0'
            $neigh = & ip -n $lab['b'].Namespace -j neigh show dev eth0 | ConvertFrom-Json
            $neigh.Where({ $_.dst -eq '10.99.0.1' }).lladdr | Should -Be $lab['a']['eth0'].Mac
            $neigh.Where({ $_.dst -eq '10.99.0.1' }).state | Should -Contain 'PERMANENT'
            Test-Reach $lab a 10.99.0.2 | Should -Be 'refused'
        }
        finally { Remove-NetmapLab $lab }
        Get-LabNamespace | Should -Not -Contain $lab['a'].Namespace
        Get-LabNamespace | Should -Not -Contain $lab['b'].Namespace
        Test-Path (Join-Path '/run/netmapps/labs' "$($lab.Name).lock") | Should -BeFalse
    }

    It 'builds the links, subnets, queues and offloads asked for, with the interface names given' {
        $lab = New-NetmapLab -Link 'client:eth0=router:lan0', 'router:wan0=server:eth0' -Subnet '192.168.7.0/24', '172.31.5.0/30' -Queues 2 -DisableOffloads -Arp -Name shape
        try {
            $lab.Name | Should -Match "^nmlab-shape-$PID-"
            $lab.Hosts.Name | Should -Be 'client', 'router', 'server'
            $lab['router'].Interfaces.Name | Should -Be 'lan0', 'wan0'
            "$($lab['router']['wan0'].Address)" | Should -Be '172.31.5.1'
            "$($lab['server']['eth0'].Address)" | Should -Be '172.31.5.2'
            "$($lab['client']['eth0'].Address)" | Should -Be '192.168.7.1'
            & ip netns exec $lab['router'].Namespace ls /sys/class/net/wan0/queues | Sort-Object | Should -Be 'rx-0', 'rx-1', 'tx-0', 'tx-1'
            (& ip netns exec $lab['server'].Namespace ethtool -k eth0 | Select-String '^tx-checksumming:') -replace '.*: ' | Should -Be 'off'
            # -Arp: no permanent entries; ARP resolves the router from the client.
            @(& ip -n $lab['client'].Namespace -j neigh show | ConvertFrom-Json | Where-Object state -Contains 'PERMANENT').Count | Should -Be 0
            Test-Reach $lab client 192.168.7.2 | Should -Be 'refused'
        }
        finally { Remove-NetmapLab $lab }
    }

    It 'gives a second lab other namespaces than the first, both alive at once' {
        $first = New-NetmapLab; $second = New-NetmapLab
        try {
            $second.Name | Should -Not -Be $first.Name
            $namespaces = Get-LabNamespace
            foreach ($ns in $first.Hosts.Namespace + $second.Hosts.Namespace) { $namespaces | Should -Contain $ns }
            Test-Reach $first a 10.99.0.2 | Should -Be 'refused'
            Test-Reach $second a 10.99.0.2 | Should -Be 'refused'
        }
        finally { $first, $second | Remove-NetmapLab }
    }

    It 'refuses a bad request with InvalidLabRequest and leaves nothing behind' -ForEach @(
        @{ Arguments = @{ Link = 'a:eth0-b:eth0' }; Message = '*not*host:interface=host:interface*' }
        @{ Arguments = @{ Link = 'a:eth0=b:averylonginterfacename' }; Message = '*1 to 15*' }
        @{ Arguments = @{ Link = 'a:eth0=b:eth0', 'a:eth0=c:eth0' }; Message = '*two links*' }
        @{ Arguments = @{ Subnet = '10.99.0.0/31' }; Message = '*prefix of 8 to 30 bits*' }
        @{ Arguments = @{ Name = 'Has Spaces' }; Message = '*lowercase letters or digits*' }
    ) {
        $before = Get-LabNamespace
        { New-NetmapLab @Arguments } | Should -Throw -ErrorId 'InvalidLabRequest,NetmapPS.NewNetmapLabCommand' -ExpectedMessage $Message
        Get-LabNamespace | Should -Be $before
    }

    It 'removes a lab whose process was killed, with what ran in it and its files: at the next New-NetmapLab, and with Remove-NetmapLab -Stale' {
        $ready = Join-Path ([IO.Path]::GetTempPath()) "nmlab-stale-$PID.txt"
        foreach ($round in 'New', 'Stale') {
            Remove-Item $ready -ErrorAction Ignore
            # The killed process leaves a lab, a child pwsh running in host b, and that command's files.
            $holder = Start-Program $Pwsh @('-NoProfile', '-Command', "Import-Module '$ModulePath'; `$l = New-NetmapLab -Name stale; " +
                "`$j = Invoke-NetmapLabCommand -Lab `$l -Host b -AsJob { Start-Sleep 120 }; `$l.Name | Set-Content '$ready.new'; Move-Item '$ready.new' '$ready'; Start-Sleep 60")   # whole when it appears
            Wait-File $ready
            $name = (Get-Content $ready).Trim()
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while (-not (& ip netns pids "$name.b") -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $inHost = @(& ip netns pids "$name.b")
            $inHost | Should -Not -BeNullOrEmpty
            $mine = New-NetmapLab       # a live lab: never taken for stale
            try {
                & kill -9 $holder.Id
                $holder.WaitForExit(10000) | Out-Null
                Get-LabNamespace | Should -Contain "$name.a"      # the killed process could not clean up
                Get-ChildItem ([IO.Path]::GetTempPath()) -Filter "nmlab-cmd-$($holder.Id)-*" | Should -Not -BeNullOrEmpty
                if ($round -eq 'New') { $next = New-NetmapLab; Remove-NetmapLab $next }
                else { Remove-NetmapLab -Stale }
                Get-LabNamespace | Should -Not -Contain "$name.a"
                Get-LabNamespace | Should -Not -Contain "$name.b"
                Test-Path "/run/netmapps/labs/$name.lock" | Should -BeFalse
                # Gone, or a zombie that only its new parent (init) has yet to reap.
                foreach ($p in $inHost) { (Test-Path "/proc/$p") -and (Get-Content "/proc/$p/stat" -Raw -ErrorAction Ignore) -notmatch '^\d+ \(.*\) Z ' | Should -BeFalse }
                Get-ChildItem ([IO.Path]::GetTempPath()) -Filter "nmlab-cmd-$($holder.Id)-*" | Should -BeNullOrEmpty
                Get-LabNamespace | Should -Contain $mine['a'].Namespace
            }
            finally { Remove-NetmapLab $mine; Remove-Item $ready -ErrorAction Ignore }
        }
    }

    It 'never takes for stale a namespace it did not name, even one that starts with nmlab-' {
        $names = 'nmlab-a', 'nmlab-mine.b', "nmlab-$PID-zzzzzz.a"
        try {
            foreach ($n in $names) { & ip netns add $n }
            Remove-NetmapLab -Stale
            $left = Get-LabNamespace
            foreach ($n in $names) { $left | Should -Contain $n }
        }
        finally { foreach ($n in $names) { & ip netns del $n 2>$null } }
    }
}

Describe 'Invoke-NetmapLabCommand' -Tag 'Lab' -Skip:(-not $CanBuildLab) {
    BeforeAll { $lab = New-NetmapLab -Name invoke }
    AfterAll { Remove-NetmapLab $lab }

    It 'runs a script block inside the host, with NetmapPS loaded, arguments and $using: values, and returns its objects' {
        $greeting = 'hello'
        $r = Invoke-NetmapLabCommand -Lab $lab -Host b {
            param($Number)
            [pscustomobject]@{
                Text = "$using:greeting $Number"
                Mac = (Get-Content /sys/class/net/eth0/address).Trim()
                NetmapPS = [bool](Get-Command Open-NetmapPort -ErrorAction Ignore)
                Host = $using:lab.Hosts[1].Name
            }
        } -ArgumentList 42
        $r.Text | Should -Be 'hello 42'
        $r.Mac | Should -Be $lab['b']['eth0'].Mac
        $r.NetmapPS | Should -BeTrue
        $r.Host | Should -Be 'b'
    }

    It 'brings packets back as packets, and errors back as errors' {
        $r = Invoke-NetmapLabCommand -Lab $lab -Host a { New-NetmapPacket -DestinationPort 53; Write-Error 'soft failure' } -ErrorVariable e -ErrorAction SilentlyContinue
        $r.Udp.DestinationPort | Should -Be 53
        $r.Length | Should -Be 60
        "$e" | Should -BeLike '*soft failure*'
        { Invoke-NetmapLabCommand -Lab $lab -Host a { throw 'hard failure' } } | Should -Throw -ErrorId 'LabCommandError,NetmapPS.InvokeNetmapLabCommandCommand' -ExpectedMessage '*hard failure*'
    }

    It 'runs a native program in the host: its lines, its exit code in $LASTEXITCODE, a failure as NativeCommandFailed' {
        Invoke-NetmapLabCommand -Lab $lab -Host a -FilePath cat -ArgumentList '/sys/class/net/eth0/address' | Should -Be $lab['a']['eth0'].Mac
        $LASTEXITCODE | Should -Be 0
        Invoke-NetmapLabCommand -Lab $lab -Host a -FilePath sh -ArgumentList '-c', 'echo out; echo bad >&2; exit 3' -ErrorVariable e -ErrorAction SilentlyContinue | Should -Be 'out'
        $LASTEXITCODE | Should -Be 3
        $e[0].FullyQualifiedErrorId | Should -BeLike 'NativeCommandFailed,*'
        "$($e[0])" | Should -BeLike '*exited with code 3*bad*'
    }

    It 'pins to a CPU with -Cpu, stops after -Timeout, and runs in the background with -AsJob' {
        Invoke-NetmapLabCommand -Lab $lab -Host a -Cpu 0 -FilePath sh -ArgumentList '-c', 'grep Cpus_allowed_list /proc/self/status' | Should -Match ':\s+0$'
        $watch = [Diagnostics.Stopwatch]::StartNew()
        Invoke-NetmapLabCommand -Lab $lab -Host a -FilePath sleep -ArgumentList 30 -Timeout 1 -ErrorVariable e -ErrorAction SilentlyContinue
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        $e[0].FullyQualifiedErrorId | Should -BeLike 'LabCommandTimeout,*'
        $job = Invoke-NetmapLabCommand -Lab $lab -Host b -AsJob { 1..3 }
        $job | Should -BeOfType [System.Management.Automation.Job]
        $job | Wait-Job -Timeout 60 | Receive-Job | Should -Be 1, 2, 3
        $job.State | Should -Be 'Completed'
        Remove-Job $job
    }

    It 'ends what still runs in a host when the lab is removed' {
        $other = New-NetmapLab
        $job = Invoke-NetmapLabCommand -Lab $other -Host b -AsJob -FilePath sleep -ArgumentList 300
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while (-not (& ip netns pids $other['b'].Namespace) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        $sleeper = [int]@(& ip netns pids $other['b'].Namespace)[0]
        Remove-NetmapLab $other
        Get-Process -Id $sleeper -ErrorAction Ignore | Should -BeNullOrEmpty
        $job | Wait-Job -Timeout 10 | Out-Null
        $job.State | Should -Not -Be 'Running'
        Remove-Job $job -Force
    }

    It 'says which hosts there are for an unknown host, and that a removed lab is gone' {
        Invoke-NetmapLabCommand -Lab $lab -Host c { 1 } -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'LabHostNotFound,*'
        "$($e[0])" | Should -BeLike "*no host 'c'*a, b*"
        $gone = New-NetmapLab; Remove-NetmapLab $gone
        Invoke-NetmapLabCommand -Lab $gone -Host a { 1 } -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'LabRemoved,*'
    }
}

Describe 'The README''s lab test' -Tag 'Lab' -Skip:(-not $CanBuildLab) {
    It 'passes as written, run by Invoke-Pester with NetmapPS imported by name' {
        $readme = Get-Content (Join-Path $PSScriptRoot '../../README.md') -Raw
        $code = [regex]::Match($readme, '(?s)## Lab tests of your own network functions.*?```powershell\r?\n(.*?)```').Groups[1].Value
        $code | Should -Match 'New-NetmapLab'
        $file = Join-Path $TestDrive 'Echo.Tests.ps1'
        Set-Content $file $code
        $pester = (Get-Module Pester).Path -replace 'psm1$', 'psd1'
        $modules = Split-Path (Split-Path $ModulePath)
        $out = & $Pwsh -NoProfile -NonInteractive -Command ("`$env:PSModulePath = '$modules' + [IO.Path]::PathSeparator + `$env:PSModulePath; Import-Module '$pester'; " +
            "`$r = Invoke-Pester '$file' -PassThru -Output Detailed; 'RESULT:' + `$r.PassedCount + '/' + `$r.FailedCount")
        $out | Should -Contain 'RESULT:2/0' -Because ($out -join "`n")
    }
}
