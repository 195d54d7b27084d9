BeforeDiscovery {
    # The lab builds network namespaces: root and the ip command are needed.
    $CanBuildLab = (& id -u) -eq '0' -and [bool](Get-Command ip -ErrorAction Ignore)
}
BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

Describe 'Emulated adapter on a veth in a namespace' -Tag 'Lab' -Skip:(-not $CanBuildLab) {
    BeforeAll {
        # Host a holds eth0 (the port under test), host b its peer 'peer0'; two queues on each, CPU n sending on queue n.
        $lab = New-NetmapLab -Link 'a:eth0=b:peer0' -Queues 2 -Name labtests
        $A = $lab['a'].Namespace
        $B = $lab['b'].Namespace
        $Address = "$($lab['a']['eth0'].Address)"
        $PeerAddress = "$($lab['b']['peer0'].Address)"
        $DnsSender = (Get-Command (Join-Path $PSScriptRoot '../../demo/Send-DnsQueries.ps1')).ScriptBlock
        # Runs a bash command in host b, pinned to a CPU when one is given.
        function Invoke-Peer([string] $Command, [int] $Cpu = -1) {
            $pin = if ($Cpu -ge 0) { @{ Cpu = $Cpu } } else { @{} }
            Invoke-NetmapLabCommand -Lab $lab -Host b -FilePath bash -ArgumentList '-c', $Command @pin
        }
        $ready = Join-Path ([IO.Path]::GetTempPath()) "nmps-lab-$PID.ready"
        # Whether generic segmentation offload is on for eth0 in namespace A ('on' or 'off').
        function Get-EthGso { ((& ip netns exec $A ethtool -k eth0 | Select-String '^generic-segmentation-offload:') -replace '.*: ', '').Trim() }
    }
    AfterAll { Remove-NetmapLab $lab }
    AfterEach { Remove-Item $ready -ErrorAction Ignore }

    It 'captures exactly the DNS queries sent among other traffic, as tcpdump on the peer counts them' {
        $pcap = Join-Path ([IO.Path]::GetTempPath()) "nmps-lab-$PID.pcap"
        $tcpdump = Start-Tcpdump $B peer0 $pcap 'udp dst port 53'
        $capture = Start-TestScript 'Lab-Capture.ps1' @('-PortName', 'netmap:eth0', '-ReadyFile', $ready) -Namespace $A
        Wait-File $ready
        Start-Sleep -Milliseconds 300
        $ids = 1001..1020
        $null = Invoke-NetmapLabCommand -Lab $lab -Host b -ScriptBlock $DnsSender -ArgumentList $Address, $ids.Count, 0, $ids[0]
        Invoke-Peer "timeout 1 bash -c 'echo > /dev/tcp/$($Address)/80' 2>/dev/null; true"
        $result = Wait-TestScript $capture | ConvertFrom-Json
        Stop-Tcpdump $tcpdump
        $tcpdumpCount = @(& tcpdump -nn -r $pcap 2>$null).Count
        Remove-Item $pcap -ErrorAction Ignore

        $result.Mode | Should -Be 'Emulated'
        $result.Mechanism | Should -BeLike 'AF_XDP*'
        $dns = @($result.Frames | Where-Object { $_.Udp -and $_.DstPort -eq 53 })
        $dns.DnsId | Sort-Object | Should -Be $ids
        $tcpdumpCount | Should -Be $ids.Count
        @($result.Frames | Where-Object { $_.Udp -and $_.DstPort -eq 40000 }).Count | Should -Be 20
    }

    It 'runs the three used-by lines as written: Open-NetmapPort netmap:eth0-1, Get-NetmapRing | Format-Table, Receive-NetmapPacket | Where Udp.DstPort -eq 53' -Skip:([Environment]::ProcessorCount -lt 2) {
        $script = Start-TestScript 'Lab-UsedBy.ps1' @('-Count', '10', '-ReadyFile', $ready) -Namespace $A
        Wait-File $ready
        Start-Sleep -Milliseconds 300
        # CPU 1 sends on queue 1: ring 1.
        $traffic = Invoke-NetmapLabCommand -Lab $lab -Host b -Cpu 1 -AsJob -ScriptBlock $DnsSender -ArgumentList $Address, 10, 0.05
        $result = Wait-TestScript $script | ConvertFrom-Json
        $traffic | Wait-Job -Timeout 30 | Remove-Job -Force
        $result.Mode | Should -Be 'Emulated'
        $result.RingTable | Should -Match 'netmap:eth0-1\s+NIC\s+RX\s+1\s+yes\s+4096'
        $result.Ids | Should -Be (0x1001..0x100a)
        $result.Rings | Select-Object -Unique | Should -Be 1
        $result.Info[0] | Should -Be 'Standard query 0x1001 A host1.example.test'
    }

    It 'delivers what the peer sends on queue 0 to ring 0 and on queue 1 to ring 1' -Skip:([Environment]::ProcessorCount -lt 2) {
        $capture = Start-TestScript 'Lab-Capture.ps1' @('-PortName', 'netmap:eth0', '-ReadyFile', $ready) -Namespace $A
        Wait-File $ready
        Start-Sleep -Milliseconds 300
        1..5 | ForEach-Object { Invoke-Peer "echo -n q0 > /dev/udp/$($Address)/7000" -Cpu 0 }
        1..5 | ForEach-Object { Invoke-Peer "echo -n q1 > /dev/udp/$($Address)/7001" -Cpu 1 }
        $frames = (Wait-TestScript $capture | ConvertFrom-Json).Frames
        @($frames | Where-Object DstPort -eq 7000).Ring | Should -Be (0, 0, 0, 0, 0)
        @($frames | Where-Object DstPort -eq 7001).Ring | Should -Be (1, 1, 1, 1, 1)
    }

    It 'opens one ring pair with netmap:eth0-1 and leaves the other queue to the stack' {
        $capture = Start-TestScript 'Lab-Capture.ps1' @('-PortName', 'netmap:eth0-1', '-ReadyFile', $ready) -Namespace $A
        Wait-File $ready
        Start-Sleep -Milliseconds 300
        1..3 | ForEach-Object { Invoke-Peer "echo -n q0 > /dev/udp/$($Address)/7000" -Cpu 0 }
        1..3 | ForEach-Object { Invoke-Peer "echo -n q1 > /dev/udp/$($Address)/7001" -Cpu 1 }
        $frames = (Wait-TestScript $capture | ConvertFrom-Json).Frames
        @($frames | Where-Object DstPort -eq 7001).Count | Should -Be 3
        @($frames | Where-Object DstPort -eq 7000).Count | Should -Be 0
        $frames.Ring | Select-Object -Unique | Should -Be 1
    }

    It 'lets two processes hold different queues of eth0 at once (one XDP program, shared)' -Skip:([Environment]::ProcessorCount -lt 2) {
        $ready1 = "$ready.q1"
        $q0 = Start-TestScript 'Lab-Capture.ps1' @('-PortName', 'netmap:eth0-0', '-ReadyFile', $ready) -Namespace $A
        Wait-File $ready
        $q1 = Start-TestScript 'Lab-Capture.ps1' @('-PortName', 'netmap:eth0-1', '-ReadyFile', $ready1) -Namespace $A
        Wait-File $ready1
        Start-Sleep -Milliseconds 300
        1..3 | ForEach-Object { Invoke-Peer "echo -n q0 > /dev/udp/$($Address)/7000" -Cpu 0 }
        1..3 | ForEach-Object { Invoke-Peer "echo -n q1 > /dev/udp/$($Address)/7001" -Cpu 1 }
        $first = (Wait-TestScript $q0 | ConvertFrom-Json)
        $second = (Wait-TestScript $q1 | ConvertFrom-Json)
        Remove-Item $ready1 -ErrorAction Ignore
        @($first.Frames | Where-Object DstPort -eq 7000).Count | Should -Be 3
        @($first.Frames | Where-Object DstPort -eq 7001).Count | Should -Be 0
        @($second.Frames | Where-Object DstPort -eq 7001).Count | Should -Be 3
        @($second.Frames | Where-Object DstPort -eq 7000).Count | Should -Be 0
        $second.Mechanism | Should -BeLike 'AF_XDP shared XDP*'
    }

    It 'takes the traffic away from a socket on eth0 while open, and gives it back after close' {
        $out = Start-TestScript 'Lab-Socket.ps1' @('-PortName', 'netmap:eth0', '-Namespace', $B, '-Address', $Address) -Namespace $A
        $result = Wait-TestScript $out | ConvertFrom-Json
        $result.WhileOpen | Should -Be 0
        $result.ToPort | Should -Be 3
        $result.AfterClose | Should -Be 3
    }

    It 'leaves no XDP program, link or socket behind when its holder is killed with SIGKILL, and the interface works again' {
        $holder = Start-TestScript 'Hold-Port.ps1' @('-Port', 'netmap:eth0', '-ReadyFile', $ready) -Namespace $A
        Wait-File $ready
        (& ip -n $A link show eth0) -join "`n" | Should -Match 'xdp'
        $pwshPid = (& pgrep -f "Hold-Port.ps1 -Port netmap:eth0 -ReadyFile $ready") | Select-Object -First 1
        & kill -9 $pwshPid
        $holder.WaitForExit(10000) | Out-Null
        Start-Sleep -Milliseconds 500
        (& ip -n $A link show eth0) -join "`n" | Should -Not -Match 'xdp'
        # The queues bind again (a socket left behind would make that fail with EBUSY), the port gets
        # the traffic, and after close the stack does.
        $out = Start-TestScript 'Lab-Socket.ps1' @('-PortName', 'netmap:eth0', '-Namespace', $B, '-Address', $Address) -Namespace $A
        $result = Wait-TestScript $out | ConvertFrom-Json
        $result.ToPort | Should -Be 3
        $result.AfterClose | Should -Be 3
    }

    It 'puts what the stack sends on the host RX ring instead of the wire, and injects the host TX ring into the stack' {
        $pcap = Join-Path ([IO.Path]::GetTempPath()) "nmps-lab-host-$PID.pcap"
        $tcpdump = Start-Tcpdump $B peer0 $pcap 'udp port 7777'
        $out = Start-TestScript 'Lab-HostRings.ps1' @('-PeerAddress', $PeerAddress, '-Address', $Address) -Namespace $A
        $result = Wait-TestScript $out | ConvertFrom-Json
        Stop-Tcpdump $tcpdump
        $dump = & tcpdump -nn -A -r $pcap 2>&1
        $atPeer = @($dump | Select-String 'fromstack|afterclose' | ForEach-Object { $_.Matches[0].Value })
        if ($atPeer -notcontains 'afterclose') { Write-Host "tcpdump at the peer saw:`n$($dump -join "`n")`nscript: $($result | ConvertTo-Json -Compress)" }
        Remove-Item $pcap -ErrorAction Ignore
        $result.Mechanism | Should -BeLike '*TAP*tcx*'
        $result.HostRx | Should -Be 1
        $atPeer | Should -Be 'afterclose'     # 'fromstack' never reached the wire
        $result.Injected | Should -Be 'injected'
        $result.TapWhileOpen | Should -Be 1
        $result.TapAfterClose | Should -Be 0
    }

    It 'leaves no TAP or tcx link behind when a holder of the host rings is killed with SIGKILL' {
        $holder = Start-TestScript 'Hold-Port.ps1' @('-Port', 'netmap:eth0*', '-ReadyFile', $ready) -Namespace $A
        Wait-File $ready
        @(& ip -n $A -o link show | Select-String 'nmh').Count | Should -Be 1
        & kill -9 $holder.Id
        $holder.WaitForExit(10000) | Out-Null
        Start-Sleep -Milliseconds 500
        @(& ip -n $A -o link show | Select-String 'nmh').Count | Should -Be 0
        (& ip -n $A link show eth0) -join "`n" | Should -Not -Match 'xdp'
        # The stack reaches the wire again: the tcx egress redirect is gone.
        $out = Start-TestScript 'Lab-Socket.ps1' @('-PortName', 'netmap:eth0', '-Namespace', $B, '-Address', $Address) -Namespace $A
        (Wait-TestScript $out | ConvertFrom-Json).AfterClose | Should -Be 3
    }

    It 'monitors with /rt: copies of both directions, queue N on ring N, nothing taken from the stack' -Skip:([Environment]::ProcessorCount -lt 2) {
        $out = Start-TestScript 'Lab-Monitor.ps1' @('-Namespace', $B, '-Address', $Address, '-PeerAddress', $PeerAddress) -Namespace $A
        $result = Wait-TestScript $out | ConvertFrom-Json
        $result.Mechanism | Should -BeLike 'AF_PACKET TPACKET_V3 monitor of RX and TX*'
        $result.TxRings | Should -Be 0
        @($result.Seen | Where-Object Text -eq 'q0').Ring | Should -Be (0, 0, 0)
        @($result.Seen | Where-Object Text -eq 'q1').Ring | Should -Be (1, 1, 1)
        @($result.Seen | Where-Object Text -eq 'out').Count | Should -Be 1
        $result.SocketGot | Should -Be 6     # the stack still got every datagram
    }

    It 'warns about offloads at open, and -DisableOffloads turns them off until the port closes' {
        $script = "Import-Module '$ModulePath'; " +
            "`$null = Open-NetmapPort netmap:eth0 -WarningVariable w -WarningAction SilentlyContinue; Close-NetmapPort -All; " +
            "'WARN:' + (`$w -match 'offloads on' -join ''); " +
            "`$null = Open-NetmapPort netmap:eth0 -DisableOffloads -WarningAction SilentlyContinue; " +
            "'OPEN:' + ((ethtool -k eth0 | Select-String '^generic-segmentation-offload:') -replace '.*: ',''); Close-NetmapPort -All; " +
            "'CLOSED:' + ((ethtool -k eth0 | Select-String '^generic-segmentation-offload:') -replace '.*: ','')"
        $out = & ip netns exec $A $Pwsh -NoProfile -Command $script
        ($out | Where-Object { $_ -like 'WARN:*' }) | Should -BeLike "WARN:*ethtool -K eth0*gso off*"
        ($out | Where-Object { $_ -like 'OPEN:*' }) | Should -Be 'OPEN:off'
        ($out | Where-Object { $_ -like 'CLOSED:*' }) | Should -Be 'CLOSED:on'
    }

    It 'turns back on, at the next open, the offloads a -DisableOffloads holder killed with SIGKILL left off' {
        Get-EthGso | Should -Be 'on'
        $holder = Start-TestScript 'Hold-Port.ps1' @('-Port', 'netmap:eth0', '-ReadyFile', $ready, '-DisableOffloads') -Namespace $A
        Wait-File $ready
        Get-EthGso | Should -Be 'off'
        $pwshPid = (& pgrep -f "Hold-Port.ps1 -Port netmap:eth0 -ReadyFile $ready") | Select-Object -First 1
        & kill -9 $pwshPid
        $holder.WaitForExit(10000) | Out-Null
        Get-EthGso | Should -Be 'off'      # nobody was there to turn them back on
        $script = "Import-Module '$ModulePath'; `$null = Open-NetmapPort netmap:eth0 -WarningVariable w -WarningAction SilentlyContinue; " +
            "Close-NetmapPort -All; `$w | Where-Object { `$_ -like '*left off*' } | ForEach-Object { 'WARN:' + `$_ }"
        $out = & ip netns exec $A $Pwsh -NoProfile -Command $script
        $out | Should -BeLike 'WARN:Offloads *gso* of eth0 were left off by a port whose process was killed*'
        Get-EthGso | Should -Be 'on'
        Get-ChildItem /run/netmapps -Filter 'offloads-*' -ErrorAction Ignore | Where-Object { (Get-Content $_.FullName -Raw) } | Should -BeNullOrEmpty
    }

    It 'keeps offloads off until the last of two -DisableOffloads ports closes' {
        # The first port turns them off; a second one (another process) opens; the first closes.
        $hold = Join-Path $PSScriptRoot 'Scripts/Hold-Port.ps1'
        $script = "Import-Module '$ModulePath'; `$env:NETMAPPS_MODULE = '$ModulePath'; " +
            "`$null = Open-NetmapPort netmap:eth0-0 -DisableOffloads -WarningAction SilentlyContinue; " +
            "`$h = Start-Process '$Pwsh' -ArgumentList '-NoProfile', '-File', '$hold', '-Port', 'netmap:eth0-1', '-ReadyFile', '$ready', '-DisableOffloads' -PassThru; " +
            "`$deadline = (Get-Date).AddSeconds(60); while (-not (Test-Path '$ready') -and (Get-Date) -lt `$deadline) { Start-Sleep -Milliseconds 50 }; " +
            "Close-NetmapPort -All; " +
            "'FIRSTCLOSED:' + ((ethtool -k eth0 | Select-String '^generic-segmentation-offload:') -replace '.*: ',''); " +
            "`$h.Kill(); `$h.WaitForExit()"
        $out = & ip netns exec $A $Pwsh -NoProfile -Command $script
        $out | Should -Be 'FIRSTCLOSED:off'   # the second port still wants them off
        $null = & ip netns exec $A $Pwsh -NoProfile -Command "Import-Module '$ModulePath'; `$null = Open-NetmapPort netmap:eth0 -WarningAction SilentlyContinue; Close-NetmapPort -All"
        Get-EthGso | Should -Be 'on'              # the second port was killed: the next open turned them back on
    }

    It 'reports a ring out of range and a missing interface' {
        $script = "Import-Module '$ModulePath'; Open-NetmapPort netmap:eth0-2 -ErrorAction Continue 2>&1 | ForEach-Object { `$_.FullyQualifiedErrorId + '|' + `$_.Exception.Message }"
        $out = & ip netns exec $A $Pwsh -NoProfile -Command $script
        "$out" | Should -BeLike 'InvalidPortRequest,*|*ring 2 is out of range*2 RX and 2 TX queues*'
    }
}
