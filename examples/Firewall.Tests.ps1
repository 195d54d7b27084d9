# Tests an nftables firewall with crafted frames: host b runs the rule set, host a sends TCP, UDP and
# ICMP probes through a netmap port on its eth0 and receives whatever b answers. What the rules allow
# is answered by b's stack (a SYN-ACK, an ICMP port unreachable, an echo reply); what they drop is not.
BeforeDiscovery {
    # A lab needs root and iproute2; this example also needs nft (Debian: nftables).
    $CanRun = (& id -u) -eq '0' -and @(Get-Command ip, nft -ErrorAction Ignore).Count -eq 2
}

Describe 'The firewall of host b' -Tag 'Lab', 'Example' -Skip:(-not $CanRun) {
    BeforeAll {
        Import-Module NetmapPS
        # Offloads off: b's answers then carry complete checksums, as on a wire.
        $lab = New-NetmapLab -DisableOffloads -Name firewall
        $a = $lab['a']['eth0']
        $b = $lab['b']['eth0']

        $rules = Join-Path ([IO.Path]::GetTempPath()) "$($lab.Name).nft"
        Set-Content $rules @'
table inet filter {
    chain input {
        type filter hook input priority 0; policy drop;
        ct state established,related accept
        tcp dport 22 accept
        udp dport 53 accept
        icmp type echo-request accept
    }
}
'@
        Invoke-NetmapLabCommand -Lab $lab -Host b -FilePath nft -ArgumentList '-f', $rules
        # Something listening on TCP port 22 of b, so that an allowed SYN gets a SYN-ACK.
        $server = Invoke-NetmapLabCommand -Lab $lab -Host b -AsJob {
            $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Any, 22)
            $listener.Start()
            Start-Sleep -Seconds 300
        }
        while (-not (Invoke-NetmapLabCommand -Lab $lab -Host b -FilePath ss -ArgumentList '-Hltn', 'sport = :22')) { Start-Sleep -Milliseconds 100 }

        # Host a sends the probes through netmap:eth0 and returns what arrived in the next second.
        # Each probe has its own source port, so that each answer says which probe it is for.
        $probe = @{ SourceMac = $a.Mac; DestinationMac = $b.Mac; SourceAddress = "$($a.Address)"; DestinationAddress = "$($b.Address)" }
        $answers = Invoke-NetmapLabCommand -Lab $lab -Host a {
            # The port takes eth0 off a's stack, and says so in a warning: expected here.
            $port = Open-NetmapPort netmap:eth0 -WarningAction SilentlyContinue
            New-NetmapPacket @using:probe -Protocol Tcp -TcpFlags SYN -SourcePort 40022 -DestinationPort 22 | Send-NetmapPacket -Port $port
            New-NetmapPacket @using:probe -Protocol Tcp -TcpFlags SYN -SourcePort 40023 -DestinationPort 23 | Send-NetmapPacket -Port $port
            New-NetmapPacket @using:probe -Protocol Udp -SourcePort 40053 -DestinationPort 53 | Send-NetmapPacket -Port $port
            New-NetmapPacket @using:probe -Protocol Udp -SourcePort 40161 -DestinationPort 161 | Send-NetmapPacket -Port $port
            New-NetmapPacket @using:probe -Protocol Icmp | Send-NetmapPacket -Port $port
            Receive-NetmapPacket -Port $port -Duration 1
        }
    }
    AfterAll {
        Remove-NetmapLab $lab          # also ends the listener in host b
        Remove-Job $server -Force
        Remove-Item $rules -ErrorAction Ignore
    }

    It 'lets a SYN to TCP port 22 through: the server answers with a SYN-ACK' {
        # At least one: b sends the SYN-ACK again after a second without the ACK.
        $answers | Should -HaveReceivedPacket -AtLeast 1 -Filter 'tcp src port 22 and dst port 40022 and tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)'
    }

    It 'drops a SYN to TCP port 23: no answer, not even a reset' {
        $answers | Should -Not -HaveReceivedPacket -Filter 'tcp dst port 40023'
    }

    It 'lets a datagram to UDP port 53 through: with no server there, the stack answers port unreachable' {
        $answers | Should -HaveReceivedPacket -Count 1 -Filter 'icmp[icmptype] == icmp-unreach and icmp[icmpcode] == 3' -Where { $_.Source -eq "$($b.Address)" }
    }

    It 'drops a datagram to UDP port 161' {
        # An ICMP error quotes the datagram it is about: its UDP source port is at offset 28 of the ICMP message.
        $answers | Should -Not -HaveReceivedPacket -Filter 'icmp and icmp[28:2] == 40161'
    }

    It 'answers an echo request' {
        $answers | Should -HaveReceivedPacket -Count 1 -Filter "icmp[icmptype] == icmp-echoreply and src host $($b.Address)"
    }

    It 'answered nothing else' {
        $answers | Should -Not -HaveReceivedPacket -Filter "src host $($b.Address) and not (tcp src port 22 and dst port 40022) and not icmp"
        $answers | Should -HaveReceivedPacket -Count 2 -Filter "icmp and src host $($b.Address)"
    }

    It 'is what kept port 23 silent: without the rule set, b answers the same SYN with a reset' {
        Invoke-NetmapLabCommand -Lab $lab -Host b -FilePath nft -ArgumentList 'flush', 'ruleset'
        $withoutRules = Invoke-NetmapLabCommand -Lab $lab -Host a {
            $port = Open-NetmapPort netmap:eth0 -WarningAction SilentlyContinue
            New-NetmapPacket @using:probe -Protocol Tcp -TcpFlags SYN -SourcePort 40023 -DestinationPort 23 | Send-NetmapPacket -Port $port
            Receive-NetmapPacket -Port $port -Duration 1
        }
        $withoutRules | Should -HaveReceivedPacket -Count 1 -Filter 'tcp src port 23 and dst port 40023 and tcp[tcpflags] & tcp-rst != 0'
    }
}
