# vale-ctl -a / -h without the kernel module (issue 17, item 7): Add-NetmapValePort attaches a veth
# end (eth0 in namespace A, its peer peer0 in namespace B) to an emulated VALE switch; a VALE port of
# the switch in this process (p1) then reaches the wire, and with -HostStack namespace A's own stack.
# Every interface is a veth in namespaces these tests create; the attaching pwsh runs inside A.
BeforeDiscovery {
    $CanBuildLab = (& id -u) -eq '0' -and [bool](Get-Command ip -ErrorAction Ignore) -and [bool](Get-Command ping -ErrorAction Ignore) -and
        [bool](Get-Command python3 -ErrorAction Ignore) -and -not (Test-Path /dev/netmap)
}
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $MacP1 = '02:00:00:00:0b:01'; $IpP1 = '10.97.0.9'

    # Namespaces A and B joined by a veth pair: eth0 (10.97.0.1) in A, peer0 (10.97.0.2) in B.
    function New-AttachLab {
        $id = [guid]::NewGuid().ToString('N').Substring(0, 6)
        $lab = @{ A = "nmps-vaa-$id"; B = "nmps-vab-$id"; Switch = 'vale' + (New-TestName 'a').Substring(0, 8) }
        foreach ($step in "netns add $($lab.A)", "netns add $($lab.B)", "-n $($lab.A) link add eth0 type veth peer name peer0 netns $($lab.B)",
                          "-n $($lab.A) addr add 10.97.0.1/24 dev eth0", "-n $($lab.A) link set eth0 up", "-n $($lab.A) link set lo up",
                          "-n $($lab.B) addr add 10.97.0.2/24 dev peer0", "-n $($lab.B) link set peer0 up") {
            & ip @($step -split ' ')
            if ($LASTEXITCODE) { throw "ip $step failed" }
        }
        $lab.MacA = (& ip -n $lab.A -j link show eth0 | ConvertFrom-Json).address
        $lab.MacB = (& ip -n $lab.B -j link show peer0 | ConvertFrom-Json).address
        # Both stacks know p1's address, so they send to it without asking (ARP) first.
        & ip -n $lab.A neigh replace $IpP1 lladdr $MacP1 dev eth0
        & ip -n $lab.B neigh replace $IpP1 lladdr $MacP1 dev peer0
        $lab
    }

    # Ends what a Describe set up: its ports, the attaching child ($Child, when there is one), the signal files, the namespaces.
    function Remove-AttachLab($Lab, $Child) {
        Close-NetmapPort -All
        if ($Child -and -not $Child.HasExited) { $Child.Kill($true) }
        if ($Lab.Ready) { Remove-Item $Lab.Ready, $Lab.Stop -ErrorAction Ignore }
        & ip netns del $Lab.A 2>$null
        & ip netns del $Lab.B 2>$null
    }

    # The child pwsh in namespace A that attaches eth0 (Scripts/Vale-Attach.ps1), once it is attached.
    function Start-Attach($Lab, [switch] $HostStack) {
        $Lab.Ready = Join-Path ([IO.Path]::GetTempPath()) "nmps-vale-attach-$PID-$($Lab.Switch).ready"
        $Lab.Stop = Join-Path ([IO.Path]::GetTempPath()) "nmps-vale-attach-$PID-$($Lab.Switch).stop"
        $arguments = @('-Switch', $Lab.Switch, '-ReadyFile', $Lab.Ready, '-StopFile', $Lab.Stop) + @(if ($HostStack) { '-HostStack' })
        $child = Start-TestScript 'Vale-Attach.ps1' $arguments -Namespace $Lab.A
        try { Wait-File $Lab.Ready 60 }
        catch { throw "The attaching pwsh did not get ready: $($child.Errors.Result) $($child.Output.Result)" }
        $child
    }

    # A UDP socket in a namespace that waits (5 s at most) for one datagram; its output: "text from-address".
    function Start-UdpListener([string] $Namespace, [string] $Address, [int] $Port) {
        $listener = Start-Program ip @('netns', 'exec', $Namespace, 'python3', '-c', @"
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('$Address', $Port)); s.settimeout(5)
data, peer = s.recvfrom(2048); print(data.decode().strip(), peer[0])
"@)
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while (-not (& ip netns exec $Namespace ss -Huln "sport = :$Port") -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        $listener
    }

    function Send-Udp([string] $Namespace, [string] $To, [int] $Port, [string] $Text) {
        & ip netns exec $Namespace python3 -c "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'$Text', ('$To', $Port))"
    }

    # A UDP frame from p1 to a MAC and address of the lab.
    function Send-FromP1($Port, [string] $ToMac, [string] $ToAddress, [int] $ToPort, [string] $Text) {
        New-NetmapPacket -SourceMac $MacP1 -DestinationMac $ToMac -SourceAddress $IpP1 -DestinationAddress $ToAddress -SourcePort 4000 -DestinationPort $ToPort `
            -Payload ([Text.Encoding]::ASCII.GetBytes($Text)) | Send-NetmapPacket -Port $Port
    }

    # The UDP datagrams to ToPort that p1 receives within 3 s, as their payload text.
    function Receive-AtP1($Port, [int] $ToPort) {
        @(Receive-NetmapPacket -Port $Port -Timeout 3 | Where-Object { $_.Udp.DstPort -eq $ToPort } |
            ForEach-Object { [Text.Encoding]::ASCII.GetString($_.Udp.PayloadData) })
    }

    # The error record of a command that fails (null when it does not).
    function Get-Failure([scriptblock] $Command) { try { $null = & $Command; $null } catch { $_ } }

    function Get-Ports([string] $Switch) { @(Get-NetmapValeSwitch $Switch -Mode Emulated -ErrorAction Ignore | ForEach-Object Ports) }
    # ping's summary line: 'N packets transmitted, M received, ...'.
    function Get-PingSummary([string] $Namespace, [string] $To, [int] $Count = 3) {
        "$(& ip netns exec $Namespace ping -c $Count -i 0.2 -W 1 $To | Select-String 'packets transmitted')"
    }
}

Describe 'An interface attached to an emulated VALE switch' -Tag 'Lab' -Skip:(-not $CanBuildLab) {
    BeforeAll {
        $lab = New-AttachLab
        $child = Start-Attach $lab
        $p1 = Open-NetmapPort "$($lab.Switch):p1"
    }
    AfterAll { Remove-AttachLab $lab $child }

    It 'lists the interface as an attached port of the switch, with the process that bridges it' {
        $port = Get-Ports $lab.Switch | Where-Object Name -eq 'eth0'
        $port.AttachedInterface | Should -Be 'eth0'
        $port.InUse | Should -BeTrue
        $port.Pid | Should -Be $child.Id
        (Get-Ports $lab.Switch | Where-Object Name -eq 'p1').AttachedInterface | Should -BeNullOrEmpty
    }

    It 'carries a frame from a VALE port to the wire (the peer stack receives it)' {
        $listener = Start-UdpListener $lab.B 10.97.0.2 9000
        Send-FromP1 $p1 $lab.MacB 10.97.0.2 9000 'from vale to the wire'
        $listener.WaitForExit(8000) | Out-Null
        $listener.Output.Result.Trim() | Should -Be "from vale to the wire $IpP1"
    }

    It 'carries a frame from the wire to a VALE port' {
        $null = Receive-AtP1 $p1 9001   # nothing left over from before
        Send-Udp $lab.B $IpP1 9001 'from the wire'
        Receive-AtP1 $p1 9001 | Should -Be 'from the wire'
    }

    It 'shows in the MAC table the peer learnt on the interface and p1 on its own port' {
        $table = (Get-NetmapValeSwitch $lab.Switch -Mode Emulated).MacTable
        ($table | Where-Object Mac -eq $lab.MacB).Port | Should -Be 'eth0'
        ($table | Where-Object Mac -eq $MacP1).Port | Should -Be 'p1'
    }

    It "takes the interface from its host stack while attached, as netmap does (no ping reaches A's stack)" {
        Get-PingSummary $lab.B 10.97.0.1 | Should -Match ' 0 received'
    }

    It 'refuses a second attach of the interface, naming the process that has it' {
        $out = & ip netns exec $lab.A $Pwsh -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; try { Add-NetmapValePort -Switch $($lab.Switch) -Interface eth0 -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `"`$_`" }" 2>&1
        "$out" | Should -BeLike "PortBusy,NetmapPS.AddNetmapValePortCommand*already attached to '$($lab.Switch)'*process $($child.Id)*Remove-NetmapValePort*"
    }

    It 'refuses to detach an interface that is not attached, naming the one that is' {
        $failure = Get-Failure { Remove-NetmapValePort -Switch $lab.Switch -Interface eth9 -ErrorAction Stop }
        $failure.FullyQualifiedErrorId | Should -Be 'PortNotFound,NetmapPS.RemoveNetmapValePortCommand'
        "$failure" | Should -BeLike "*'eth9' is not attached*attached there: eth0 (by process $($child.Id))*Get-NetmapValeSwitch lists*"
    }

    It 'detaches nothing with -WhatIf' {
        Remove-NetmapValePort -Switch $lab.Switch -Interface eth0 -WhatIf
        (Get-Ports $lab.Switch | Where-Object Name -eq 'eth0').InUse | Should -BeTrue
    }

    It 'detaches at the request of another process: the bridge ends and the stack has its interface back' {
        Remove-NetmapValePort -Switch $lab.Switch -Interface eth0
        Get-Ports $lab.Switch | Where-Object Name -eq 'eth0' | Should -BeNullOrEmpty
        "$(& ip -n $lab.A link show eth0)" | Should -Not -Match 'xdp'   # the steering program is gone once the detach returns
        # B's ARP for A went unanswered while attached: start it afresh, or its last failing probe may take the first ping with it.
        & ip -n $lab.B neigh del 10.97.0.1 dev peer0 2>$null
        Get-PingSummary $lab.B 10.97.0.1 | Should -Match ' 3 received'
        $child.HasExited | Should -BeFalse   # the process goes on: only its bridge ended
    }
}

Describe 'An interface and its host stack attached to an emulated VALE switch (-HostStack)' -Tag 'Lab' -Skip:(-not $CanBuildLab) {
    BeforeAll {
        $lab = New-AttachLab
        $child = Start-Attach $lab -HostStack
        $p1 = Open-NetmapPort "$($lab.Switch):p1"
    }
    AfterAll { Remove-AttachLab $lab $child }

    It "lists the host stack as a port of its own, 'eth0^'" {
        (Get-Ports $lab.Switch | Where-Object AttachedInterface).Name | Sort-Object | Should -Be @('eth0', 'eth0^')
    }

    It "bridges the wire and A's stack through the switch (ping answered), learning each side on its port" {
        Get-PingSummary $lab.B 10.97.0.1 5 | Should -Match ' 5 received'
        $table = (Get-NetmapValeSwitch $lab.Switch -Mode Emulated).MacTable
        ($table | Where-Object Mac -eq $lab.MacB).Port | Should -Be 'eth0'
        ($table | Where-Object Mac -eq $lab.MacA).Port | Should -Be 'eth0^'
    }

    It "carries what A's own stack sends to a VALE port, through the host rings" {
        $null = Receive-AtP1 $p1 9002
        Send-Udp $lab.A $IpP1 9002 'from the host stack'
        Receive-AtP1 $p1 9002 | Should -Be 'from the host stack'
    }

    It "carries a frame from a VALE port to A's own stack" {
        $listener = Start-UdpListener $lab.A 10.97.0.1 9003
        Send-FromP1 $p1 $lab.MacA 10.97.0.1 9003 'from vale to the stack'
        $listener.WaitForExit(8000) | Out-Null
        $listener.Output.Result.Trim() | Should -Be "from vale to the stack $IpP1"
    }

    It 'detaches both ports when the attaching process removes it, and the veth works directly again' {
        New-Item $lab.Stop -ItemType File | Out-Null
        $result = Wait-TestScript $child 60 | ConvertFrom-Json
        $result.AttachedBefore | Should -Be 2
        $result.AttachedAfter | Should -Be 0
        Get-Ports $lab.Switch | Where-Object AttachedInterface | Should -BeNullOrEmpty
        Get-PingSummary $lab.B 10.97.0.1 | Should -Match ' 3 received'
    }
}

Describe 'A killed attaching process' -Tag 'Lab' -Skip:(-not $CanBuildLab) {
    BeforeAll {
        $lab = New-AttachLab
        $child = Start-Attach $lab -HostStack
        $p1 = Open-NetmapPort "$($lab.Switch):p1"
    }
    AfterAll { Remove-AttachLab $lab $child }

    It 'had the interface attached, with an XDP program and a TAP for the host rings' {
        @(Get-Ports $lab.Switch | Where-Object { $_.AttachedInterface -and $_.InUse }) | Should -HaveCount 2
        "$(& ip -n $lab.A link show eth0)" | Should -Match 'xdp'
        "$(& ip -n $lab.A -o link show)" | Should -Match ' nmh\d+x'
    }

    It 'leaves nothing behind when killed: interface back on the stack, switch ports freed' {
        $child.Kill($true)
        $child.WaitForExit(10000) | Out-Null
        Start-Sleep -Milliseconds 500   # the kernel closes the dead process's descriptors: XDP link, sockets, TAP
        "$(& ip -n $lab.A link show eth0)" | Should -Not -Match 'xdp'
        "$(& ip -n $lab.A -o link show)" | Should -Not -Match ' nmh\d+x'
        Get-PingSummary $lab.B 10.97.0.1 | Should -Match ' 3 received'
        @(Get-Ports $lab.Switch | Where-Object { $_.AttachedInterface -and $_.InUse }) | Should -HaveCount 0
        # The next open of the switch frees the dead process's ports, as it does any holder's.
        $p2 = Open-NetmapPort "$($lab.Switch):p2"
        (Get-Ports $lab.Switch).Name | Sort-Object | Should -Be @('p1', 'p2')
    }
}

Describe 'Add-NetmapValePort and Remove-NetmapValePort errors in emulated mode' -Skip:(Test-Path /dev/netmap) {
    It 'refuses an interface that does not exist, saying how to find one' {
        $failure = Get-Failure { Add-NetmapValePort -Switch vale0 -Interface nmpsnosuch0 -ErrorAction Stop }
        $failure.FullyQualifiedErrorId | Should -Be 'PortNotFound,NetmapPS.AddNetmapValePortCommand'
        $failure.Exception.Message | Should -BeLike "*no interface 'nmpsnosuch0'*ip link*"
    }

    It 'refuses a switch name without vale' {
        $failure = Get-Failure { Add-NetmapValePort -Switch sw0 -Interface nmpsnosuch0 -ErrorAction Stop }
        $failure.FullyQualifiedErrorId | Should -Be 'InvalidPortRequest,NetmapPS.AddNetmapValePortCommand'
        $failure.Exception.Message | Should -BeLike "*'sw0' is not a VALE switch name*vale0*"
    }

    It 'attaches nothing with -WhatIf (the missing interface is not even looked for)' {
        $switch = 'vale' + (New-TestName 'w').Substring(0, 8)
        { Add-NetmapValePort -Switch $switch -Interface nmpsnosuch0 -WhatIf -ErrorAction Stop } | Should -Not -Throw
        Get-NetmapValeSwitch $switch -Mode Emulated -ErrorAction Ignore | Should -BeNullOrEmpty
    }

    It 'says a persistent port needs the kernel module' {
        $failure = Get-Failure { Add-NetmapValePort -Persistent -Name nmpsp0 -ErrorAction Stop }
        $failure.FullyQualifiedErrorId | Should -Be 'NotSupported,NetmapPS.AddNetmapValePortCommand'
        $failure.Exception.Message | Should -BeLike "*needs the netmap kernel module*open 'vale0:nmpsp0'*"
    }
}
