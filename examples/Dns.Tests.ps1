# Tests a DNS server: dnsmasq in host b serves the zone lab.test; host a sends DNS queries that
# NetmapPS builds, through a netmap port on its eth0, and checks each answer field by field (tshark
# reads the answers NetmapPS received).
BeforeDiscovery {
    # A lab needs root and iproute2; this example also needs dnsmasq (Debian: dnsmasq-base) and tshark.
    $CanRun = (& id -u) -eq '0' -and @(Get-Command ip, dnsmasq, tshark -ErrorAction Ignore).Count -eq 3
}

Describe 'The DNS server of host b' -Tag 'Lab', 'Example' -Skip:(-not $CanRun) {
    BeforeAll {
        Import-Module NetmapPS
        $lab = New-NetmapLab -DisableOffloads -Name dns
        $a = $lab['a']['eth0']
        $b = $lab['b']['eth0']

        # The server: only what is given here (no /etc files, no upstream), answering on b's address.
        $server = Invoke-NetmapLabCommand -Lab $lab -Host b -AsJob -FilePath dnsmasq -ArgumentList @(
            '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--pid-file=',
            '--bind-interfaces', "--listen-address=$($b.Address)", '--log-queries', '--log-facility=-',
            '--local=/lab.test/', '--address=/www.lab.test/192.0.2.80', '--txt-record=info.lab.test,hello from b', '--local-ttl=300')
        while (-not (Invoke-NetmapLabCommand -Lab $lab -Host b -FilePath ss -ArgumentList '-Hlun', 'sport = :53')) {
            if ($server.State -ne 'Running') { throw "dnsmasq did not start: $($server | Receive-Job 2>&1)" }
            Start-Sleep -Milliseconds 100
        }

        # A DNS query: header (id, recursion desired, one question), then the name, the type and class IN.
        function New-DnsQuery([int] $Id, [string] $Name, [int] $Type = 1) {
            $bytes = [Collections.Generic.List[byte]]::new([byte[]](($Id -shr 8), ($Id -band 0xff), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0))
            foreach ($label in $Name.Split('.')) { $bytes.Add($label.Length); $bytes.AddRange([Text.Encoding]::ASCII.GetBytes($label)) }
            $bytes.AddRange([byte[]](0, 0, $Type, 0, 1))
            , $bytes.ToArray()
        }
        $queries = @(
            @{ Id = 0x1001; Name = 'www.lab.test'; Type = 1 }       # A
            @{ Id = 0x1002; Name = 'missing.lab.test'; Type = 1 }   # not in the zone
            @{ Id = 0x1003; Name = 'info.lab.test'; Type = 16 }     # TXT
        )
        $frames = foreach ($q in $queries) {
            New-NetmapPacket -SourceMac $a.Mac -DestinationMac $b.Mac -SourceAddress $a.Address -DestinationAddress $b.Address `
                -SourcePort (40000 + $q.Id - 0x1000) -DestinationPort 53 -Payload (New-DnsQuery @q)
        }
        $answers = Invoke-NetmapLabCommand -Lab $lab -Host a {
            $port = Open-NetmapPort netmap:eth0 -WarningAction SilentlyContinue
            $using:frames | Send-NetmapPacket -Port $port
            Receive-NetmapPacket -Port $port -Duration 1
        }

        # The answers' DNS fields as tshark reads them, one object per answer, by query id.
        $pcap = Join-Path ([IO.Path]::GetTempPath()) "$($lab.Name).pcap"
        $answers | Export-NetmapCapture -Path $pcap
        $fields = 'udp.dstport', 'dns.id', 'dns.flags.response', 'dns.flags.rcode', 'dns.qry.name', 'dns.count.answers', 'dns.a', 'dns.resp.ttl', 'dns.txt'
        $dns = & tshark -r $pcap -Y dns -T fields -E header=y -E separator=/t @($fields | ForEach-Object { '-e', $_ }) 2>$null |
            ConvertFrom-Csv -Delimiter "`t" | Group-Object { [Convert]::ToInt32($_.'dns.id', 16) } -AsHashTable
    }
    AfterAll {
        Remove-NetmapLab $lab          # also ends dnsmasq
        Remove-Job $server -Force
        Remove-Item $pcap -ErrorAction Ignore
    }

    It 'answers each query once, from port 53 to the port that asked' {
        $answers | Should -HaveReceivedPacket -Count 3 -Filter "udp src port 53 and src host $($b.Address)"
        foreach ($port in 40001..40003) { $answers | Should -HaveReceivedPacket -Count 1 -Filter "udp src port 53 and dst port $port" }
    }

    It 'answers www.lab.test with its A record, its id and a TTL of 300' {
        $r = $dns[0x1001]
        $r.'dns.flags.response' | Should -BeIn 'True', '1'
        $r.'dns.flags.rcode' | Should -Be '0'
        $r.'dns.qry.name' | Should -Be 'www.lab.test'
        $r.'dns.count.answers' | Should -Be '1'
        $r.'dns.a' | Should -Be '192.0.2.80'
        $r.'dns.resp.ttl' | Should -Be '300'
        $r.'udp.dstport' | Should -Be '40001'
    }

    It 'says a name the zone does not have does not exist (NXDOMAIN)' {
        $r = $dns[0x1002]
        $r.'dns.flags.rcode' | Should -Be '3'
        $r.'dns.qry.name' | Should -Be 'missing.lab.test'
        $r.'dns.count.answers' | Should -Be '0'
    }

    It 'answers info.lab.test with its TXT record' {
        $r = $dns[0x1003]
        $r.'dns.flags.rcode' | Should -Be '0'
        $r.'dns.txt' | Should -Be 'hello from b'
    }

    It 'agrees with the summary NetmapPS shows for each answer' {
        # The summary starts like tshark's Info column: the id, the type and the name asked.
        $info = ($answers | Where-Object { $_.Udp.SourcePort -eq 53 } | Sort-Object { $_.Udp.DestinationPort }).Info
        $info[0] | Should -BeLike 'Standard query response 0x1001 A www.lab.test*'
        $info[1] | Should -BeLike 'Standard query response 0x1002 *A missing.lab.test*'
        $info[2] | Should -BeLike 'Standard query response 0x1003 TXT info.lab.test*'
    }
}
