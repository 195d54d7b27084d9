BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

Describe 'Packet objects, filters and capture files' {
    BeforeAll {
        $name = New-TestName 'pk'
        $tx, $rx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        # A mix: 4 DNS queries among other UDP, TCP, ICMP (one VLAN-tagged), IPv6 and ARP.
        $mix = @(
            New-NetmapPacket -DestinationPort 53 -Payload 'q1'
            New-NetmapPacket -DestinationPort 5353
            New-NetmapPacket -Protocol Tcp -DestinationPort 80 -TcpFlags SYN
            New-NetmapPacket -DestinationPort 53 -Payload 'q2' -SourceAddress 10.0.0.9
            New-NetmapPacket -Protocol Icmp -VlanId 20
            New-NetmapPacket -Protocol Tcp -DestinationPort 443 -TcpFlags ACK -Length 200
            New-NetmapPacket -SourceAddress fe80::1 -DestinationAddress fe80::2 -DestinationPort 53 -Payload 'q3'
            New-NetmapPacket -Protocol Arp
            New-NetmapPacket -DestinationPort 53 -Payload 'q4'
        )
        function Send-Mix { $mix | Send-NetmapPacket -Port $tx }
    }
    AfterAll { Close-NetmapPort -All }

    It 'answers the literal line: Receive-NetmapPacket | Where Udp.DstPort -eq 53' {
        Send-Mix
        $dns = Receive-NetmapPacket -Timeout 0.5 | Where Udp.DstPort -eq 53
        $dns | Should -HaveCount 4
        $dns.Protocol | Select-Object -Unique | Should -Be 'DNS'
    }

    It 'answers other dotted names, script blocks, and the tcpdump aliases' {
        Send-Mix
        $all = Receive-NetmapPacket -Port $rx -Timeout 0.5
        $all | Should -HaveCount 9
        @($all | Where Tcp.Flags).Count | Should -Be 2
        @($all | Where Ip.Src -eq 10.0.0.9).Count | Should -Be 1
        @($all | Where Vlan.VlanIdentifier -eq 20).Count | Should -Be 1
        @($all | Where { $_.Udp.DestinationPort -eq 53 }).Count | Should -Be 4
        @($all | Where { $_.Tcp.DstPort -eq 443 }).Count | Should -Be 1
        @($all | Where Arp).Count | Should -Be 1
        @($all | Where Ipv6).Count | Should -Be 1
        ($all | Group-Object Protocol | Sort-Object Name).Name | Should -Be 'ARP', 'DNS', 'ICMP', 'TCP', 'UDP'
        ($all | Sort-Object Length -Descending | Select-Object -First 1).Length | Should -Be 200
        $all[0].Number | Should -Be 1
        $all[8].Number | Should -Be 9
    }

    It 'reads DNS: Where { $_.Dns.Questions.Name -like ''*.example.com'' }, Info as tshark, malformed messages say so' {
        # a query for www.example.com, a response whose answer name is a compression pointer, and a pointer loop
        $header = { param($id, $flags, $qd, $an) [byte[]](($id -shr 8), ($id -band 255), ($flags -shr 8), ($flags -band 255), 0, $qd, 0, $an, 0, 0, 0, 0) }
        $question = [byte[]](3, 119, 119, 119, 7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0, 0, 1, 0, 1)
        $query = (& $header 0x1234 0x0100 1 0) + $question
        $response = (& $header 0x1234 0x8180 1 1) + $question + [byte[]](0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, 216, 34)
        $loop = (& $header 7 0x0100 1 0) + [byte[]](0xc0, 12, 0, 1, 0, 1)
        $query, $response, $loop | ForEach-Object { New-NetmapPacket -DestinationPort 53 -Payload $_ } | Send-NetmapPacket -Port $tx
        $all = @(Receive-NetmapPacket -Port $rx -Timeout 0.5)
        $all | Should -HaveCount 3
        @($all | Where { $_.Dns.Questions.Name -like '*.example.com' }).Count | Should -Be 2
        $all[0].Info | Should -Be 'Standard query 0x1234 A www.example.com'
        $all[1].Info | Should -Be 'Standard query response 0x1234 A www.example.com A 93.184.216.34'
        $all[1].Dns.Answers[0].Name | Should -Be 'www.example.com'
        $all[1].Dns.Answers[0].Ttl | Should -Be 3600
        $all[2].Dns.Malformed | Should -Match 'loop'
        "$($all[2].Dns)" | Should -Match 'Malformed'
    }

    It 'keeps the link type of an imported capture: layers from the IP header on for raw IP, the filter compiled for it, and the same link type written back' {
        $raw = Join-Path $TestDrive 'raw.pcapng'
        $writer = [Netmap.Native.Capture.CaptureWriter]::Create($raw)
        try {
            $face = $writer.AddInterface('tun0', 101) # LINKTYPE_RAW: frames start at the IP header
            foreach ($port in 53, 80) {
                $ip = [byte[]](New-NetmapPacket -DestinationPort $port -Payload 'x').Data[14..41]
                $writer.Write($face, 1700000000000000000, $ip, $ip.Length)
            }
        }
        finally { $writer.Dispose() }
        $all = @(Import-NetmapCapture $raw)
        $all | Should -HaveCount 2
        $all[0].LinkType | Should -Be 101
        $all[0].Ethernet | Should -BeNullOrEmpty
        $all[0].Udp.DstPort | Should -Be 53
        $all[1].Protocol | Should -Be 'UDP'
        $all[1].Source | Should -Be '10.0.0.2'
        @(Import-NetmapCapture $raw -Filter 'udp dst port 53').Count | Should -Be 1
        $out = Join-Path $TestDrive 'raw-out.pcapng'
        $all | Export-NetmapCapture $out
        & tshark -r $out -T fields -e frame.encap_type -e udp.dstport 2>$null | Should -Be "7`t53", "7`t80" # WTAP_ENCAP_RAW_IP
    }

    It 'runs a pcap filter on the ring bytes and copies only the matches' {
        Send-Mix
        $dns = Receive-NetmapPacket -Port $rx -Timeout 0.5 -Filter 'udp dst port 53' -Verbose 4>&1
        $verbose = $dns | Where-Object { $_ -is [Management.Automation.VerboseRecord] }
        @($dns | Where-Object { $_ -isnot [Management.Automation.VerboseRecord] }).Count | Should -Be 4
        "$verbose" | Should -BeLike '*seen 9, matched 4, emitted 4*'
        Send-Mix
        @(Receive-NetmapPacket -Port $rx -Timeout 0.5 -Filter 'vlan and icmp').Count | Should -Be 1
        Send-Mix
        @(Receive-NetmapPacket -Port $rx -Timeout 0.5 -Filter 'tcp[tcpflags] & tcp-syn != 0').Count | Should -Be 1
        # Rejected frames went back to the pipe: the ring is empty now.
        Receive-NetmapPacket -Port $rx -Timeout 0.2 | Should -BeNullOrEmpty
    }

    It "gives libpcap's own message for a bad filter" {
        { Receive-NetmapPacket -Port $rx -Timeout 0.1 -Filter 'udp dst prot 53' -ErrorAction Stop } |
            Should -Throw "*Invalid filter 'udp dst prot 53': unknown host 'prot'*"
    }

    It 'writes pcapng that tshark reads with the same packets and fields, and reads it back' {
        $file = Join-Path ([IO.Path]::GetTempPath()) "$name.pcapng"
        Send-Mix
        $got = Receive-NetmapPacket -Port $rx -Timeout 0.5 | Export-NetmapCapture $file -PassThru
        $got | Should -HaveCount 9
        $lines = & tshark -r $file -T fields -e frame.len -e udp.dstport -e frame.interface_name 2>&1 | Where-Object { $_ -notmatch 'Running as user' }
        $lines | Should -HaveCount 9
        @($lines | Where-Object { ($_ -split "`t")[1] -eq '53' }).Count | Should -Be 4
        ($lines[0] -split "`t")[2] | Should -Be $rx.Name
        $back = Import-NetmapCapture $file
        $back | Should -HaveCount 9
        $back[5].Data | Should -Be $got[5].Data
        $back[0].TimestampNanoseconds | Should -Be $got[0].TimestampNanoseconds
        @(Import-NetmapCapture $file -Filter 'udp dst port 53').Count | Should -Be 4
        Remove-Item $file
    }

    It 'writes classic pcap by extension' {
        $file = Join-Path ([IO.Path]::GetTempPath()) "$name.pcap"
        $mix | Export-NetmapCapture $file
        (& tcpdump -nn -r $file 2>$null) | Should -HaveCount 9
        Remove-Item $file
    }

    It 'reads the packets before the damage of a truncated file, then says where it is' {
        $file = Join-Path ([IO.Path]::GetTempPath()) "$name-cut.pcapng"
        $mix | Export-NetmapCapture $file
        $bytes = [IO.File]::ReadAllBytes($file)
        [IO.File]::WriteAllBytes($file, $bytes[0..($bytes.Length - 30)])
        $back = Import-NetmapCapture $file -ErrorVariable err -ErrorAction SilentlyContinue
        $back | Should -HaveCount 8
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CaptureFileCorrupt,*'
        $err[0].Exception.Message | Should -Match 'offset \d+'
        Remove-Item $file
    }

    It 'shows the slots of a ring with Get-NetmapSlot' {
        $mix[0..2] | Send-NetmapPacket -Port $tx
        $rx.RxSync()
        $slots = Get-NetmapRing $rx -Direction RX | Get-NetmapSlot -UserOwned
        $slots | Should -HaveCount 3
        $slots[0].Length | Should -Be $mix[0].Length
        $slots[0].Bytes | Should -Be ([Convert]::ToHexString($mix[0].Data, 0, 16).ToLower())
        $slots[0].Owner | Should -Be 'user'
        Receive-NetmapPacket -Port $rx -Count 3 -Timeout 1 | Should -HaveCount 3
    }

    It 'emits raw byte arrays with -Raw' {
        , $mix[0] | Send-NetmapPacket -Port $tx
        $raw = Receive-NetmapPacket -Port $rx -Count 1 -Timeout 1 -Raw
        $raw.GetType() | Should -Be ([byte[]])
        $raw | Should -Be $mix[0].Data
    }
}
