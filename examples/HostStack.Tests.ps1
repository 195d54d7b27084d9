# Tests through the host rings: host a's own network stack talks to host b while NetmapPS sits between
# the stack and the wire. With only the host rings open, what the stack sends lands on the host RX
# ring and never reaches b; with a bridge (NIC rings <-> host rings), the stack reaches b again and
# NetmapPS counts every frame it passed.
BeforeDiscovery {
    # A lab needs root and iproute2.
    $CanRun = (& id -u) -eq '0' -and [bool](Get-Command ip -ErrorAction Ignore)
}

Describe 'The host stack of host a, through the host rings' -Tag 'Lab', 'Example' -Skip:(-not $CanRun) {
    BeforeAll {
        Import-Module NetmapPS
        # Offloads off: the frames the stack hands to the host rings are whole, with their checksums.
        $lab = New-NetmapLab -DisableOffloads -Name hoststack
        $target = "$($lab['b']['eth0'].Address)"
        # Host a's stack opens a TCP connection to port 9 of b (nothing listens there: b answers with a
        # reset, 'Connection refused', when the SYN reaches it; no answer means 'timeout').
        $connect = "timeout 2 bash -c 'echo > /dev/tcp/$target/9' 2>&1 | grep -q refused && echo refused || echo timeout"
    }
    AfterAll { Remove-NetmapLab $lab }

    It 'reaches b on its own: the probe works' {
        Invoke-NetmapLabCommand -Lab $lab -Host a -FilePath bash -ArgumentList '-c', $connect | Should -Be 'refused'
    }

    It 'puts what the stack sends on the host RX ring, and not on the wire, while the host rings are open' {
        $out = Invoke-NetmapLabCommand -Lab $lab -Host a {
            $hostRings = Open-NetmapPort 'netmap:eth0^' -WarningAction SilentlyContinue
            bash -c $using:connect
            Receive-NetmapPacket -Port $hostRings -Duration 0.5
        }
        $out | Where-Object { $_ -is [string] } | Should -Be 'timeout'
        $out | Where-Object Data | Should -HaveReceivedPacket -AtLeast 1 -Filter "tcp dst port 9 and dst host $target and tcp[tcpflags] & tcp-syn != 0"
    }

    It 'lets the stack reach b through a bridge between the NIC rings and the host rings, counting what it forwards' {
        $out = Invoke-NetmapLabCommand -Lab $lab -Host a {
            $null = Open-NetmapPort 'netmap:eth0', 'netmap:eth0^' -WarningAction SilentlyContinue
            $bridge = Invoke-NetmapForward 'netmap:eth0' 'netmap:eth0^' -Bidirectional -AsJob
            Start-Sleep -Milliseconds 500
            bash -c $using:connect
            Stop-Job $bridge
            Receive-Job $bridge | Select-Object From, To, Forwarded
        }
        $out | Where-Object { $_ -is [string] } | Should -Be 'refused'
        $reports = $out | Where-Object Forwarded
        ($reports | Where-Object From -eq 'netmap:eth0^').Forwarded | Should -BeGreaterOrEqual 1    # the SYN, out
        ($reports | Where-Object From -eq 'netmap:eth0').Forwarded | Should -BeGreaterOrEqual 1     # the reset, in
    }
}
