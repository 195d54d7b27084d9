# One packet model: the layers are declared once (Netmap.Native.Packets.PacketLayers), and what
# PowerShell shows of them is made from that list. This walks the declaration on real packets (sent
# through a pipe): every declared layer and field answers its dotted name, survives Export-Clixml and
# Import-Clixml and the deserialization remote sessions do, and has a view. A layer class left out of
# the declaration fails PacketLayersTests (C#).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $layers = [Netmap.Native.Packets.PacketLayers]::All
    $name = New-TestName 'pm'
    $tx, $rx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
    # A DNS response for www.example.com (Questions and Answers), in a VLAN tag.
    $question = [byte[]](3, 119, 119, 119, 7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0, 0, 1, 0, 1)
    $response = [byte[]](0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0) + $question + [byte[]](0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, 216, 34)
    @(
        New-NetmapPacket -SourcePort 53 -DestinationPort 40000 -Payload $response -VlanId 7
        New-NetmapPacket -Protocol Tcp -DestinationPort 80 -TcpFlags SYN
        New-NetmapPacket -Protocol Icmp
        New-NetmapPacket -Protocol Arp
        New-NetmapPacket -SourceAddress fd00::1 -DestinationAddress fd00::2 -DestinationPort 53 -Payload 'q'
    ) | Send-NetmapPacket -Port $tx
    $samples = @(Receive-NetmapPacket -Port $rx -Count 5 -Timeout 2)

    # A value as text, lists item by item, so that copies compare with the original.
    function Show($value) { if ($null -eq $value) { '<null>' } else { (@($value) | ForEach-Object { "$_" }) -join ', ' } }
    # The first sample that has the layer (for a list such as Vlans, at least one).
    function Get-Sample($layer) { $samples | Where-Object { $value = $layer.Of($_); $null -ne $value -and @($value).Count -gt 0 } | Select-Object -First 1 }
    # A packet copy made as remote sessions make it: deserialized on a thread without a runspace, with
    # PowerShell's built-in type data only, so it stays a property bag (Deserialized.*NetmapPacket).
    Add-Type -TypeDefinition @'
public static class RemoteStyle
{
    public static object Deserialize(string xml) =>
        System.Threading.Tasks.Task.Run(() => System.Management.Automation.PSSerializer.Deserialize(xml)).Result;
}
'@
}
AfterAll { Close-NetmapPort -All }

Describe 'The layer declaration' {
    It 'has a sample packet for every declared layer' {
        $samples | Should -HaveCount 5
        foreach ($layer in $layers) { Get-Sample $layer | Should -Not -BeNullOrEmpty -Because "a sample frame must have the $($layer.Name) layer (add one above)" }
    }

    It 'answers every declared field by its dotted name, as Where does' {
        foreach ($layer in $layers) {
            $p = Get-Sample $layer
            $p.($layer.Name) | Should -Not -BeNullOrEmpty
            foreach ($field in $layer.Fields) {
                $dotted = "$($layer.Name).$field"
                $value = $p.($layer.Name).$field
                Show $p.$dotted | Should -Be (Show $value) -Because "$dotted on a $($p.Protocol) packet"
                if ($value -is [ValueType]) { @($samples | Where-Object $dotted -EQ $value) | Should -Contain $p -Because "Where $dotted -eq $value" }
            }
        }
    }

    It 'answers every field of every layer class by its dotted name, hidden from Format-List * and Select-Object *' {
        $ipv6 = $samples | Where-Object { $_.Ipv6 } | Select-Object -First 1
        $ipv4 = $samples | Where-Object { $_.Ipv4 } | Select-Object -First 1
        # Ip holds either class: its dotted names are those of both, null where the packet's class has none
        $ipv6.'Ip.FlowLabel' | Should -Be $ipv6.Ipv6.FlowLabel
        $ipv4.'Ip.FlowLabel' | Should -BeNullOrEmpty
        $ipv4.'Ip.Identification' | Should -Be $ipv4.Ipv4.Identification
        # fields the table views do not show answer too (Udp.Checksum is declared; Udp.PayloadData is not)
        "$($ipv6.'Udp.PayloadData')" | Should -Be "$($ipv6.Udp.PayloadData)"
        @($samples | Where Udp.SrcPort -eq 53) | Should -HaveCount 1
        # hidden: the packet's own properties only
        ($samples[0] | Format-List * | Out-String) | Should -Not -Match 'Udp\.'
        @($samples[0] | Select-Object * | Get-Member -MemberType Properties | Where-Object Name -Like '*.*') | Should -HaveCount 0
        @($samples[0] | Get-Member -Name 'Udp.DstPort' -Force) | Should -HaveCount 1
        { $samples[0].'Udp.DstPort' = 1 } | Should -Throw
    }

    It 'keeps every declared layer and field through Export-Clixml and Import-Clixml' {
        $file = Join-Path $TestDrive 'layers.xml'
        $samples | Export-Clixml $file
        $copies = @(Import-Clixml $file)
        $copies | Should -HaveCount $samples.Count
        foreach ($layer in $layers) {
            $i = [array]::IndexOf($samples, (Get-Sample $layer))
            $copies[$i] | Should -BeOfType Netmap.Native.Packets.NetmapPacket
            Show $copies[$i].($layer.Name) | Should -Be (Show $samples[$i].($layer.Name))
            foreach ($field in $layer.Fields) {
                $dotted = "$($layer.Name).$field"
                Show $copies[$i].$dotted | Should -Be (Show $samples[$i].$dotted) -Because "$dotted survives"
            }
        }
    }

    It 'gives copies from remote sessions every declared layer and field, with the dotted names Where takes' {
        foreach ($layer in $layers) {
            $p = Get-Sample $layer
            $copy = [RemoteStyle]::Deserialize([Management.Automation.PSSerializer]::Serialize($p))
            $copy.PSTypeNames[0] | Should -Be 'Deserialized.Netmap.Native.Packets.NetmapPacket'
            Show $copy.($layer.Name) | Should -Be (Show $p.($layer.Name)) -Because "$($layer.Name) of the copy"
            @($copy | Where-Object $layer.Name).Count | Should -Be 1 -Because "Where $($layer.Name)"
            foreach ($field in $layer.Fields) {
                $dotted = "$($layer.Name).$field"
                Show $copy.$dotted | Should -Be (Show $p.$dotted) -Because "$dotted of the copy"
                $value = $p.$dotted
                if ($value -is [ValueType]) { @($copy | Where-Object $dotted -EQ $value).Count | Should -Be 1 -Because "Where $dotted -eq $value on the copy" }
            }
        }
        # a list shows the packet's fields, as for a packet, not every layer and dotted name
        $list = $copy | Format-List | Out-String
        $list | Should -Match '(?m)^Info\s+:'
        $list | Should -Not -Match 'Udp\.DstPort'
    }

    It 'has a table view for every layer class, with the declared fields as columns' {
        foreach ($layer in $layers) {
            foreach ($item in @($layer.Of((Get-Sample $layer)))) {
                $declared = [Netmap.Native.Packets.PacketLayers]::ViewOf($item.GetType())
                $declared | Should -Not -BeNullOrEmpty -Because "$($item.GetType().Name), shown as $($layer.Name), needs a declaration with fields"
                $view = Get-FormatData -TypeName $item.GetType().FullName
                $view | Should -Not -BeNullOrEmpty -Because "$($item.GetType().Name) has a view"
                $view.FormatViewDefinition[0].Control.Headers.Label | Should -Be $declared.Fields
                $table = $item | Out-String -Width 400
                $table | Should -Match ('(?m)^\s*' + ($declared.Fields -join '\s+') + '\s*$') -Because 'the view is the default output'
            }
        }
    }
}

Describe 'The link type travels with every packet' {
    BeforeAll {
        # IPv4 frames (without their Ethernet header): UDP to port 53, UDP to 80, TCP to 53.
        $ipPackets = @(
            New-NetmapPacket -DestinationPort 53 -Payload 'query'
            New-NetmapPacket -DestinationPort 80 -Payload 'other'
            New-NetmapPacket -Protocol Tcp -DestinationPort 53
        ) | ForEach-Object { $d = $_.Data; , [byte[]]$d[14..(13 + ($d[16] * 256 + $d[17]))] }
        # Linux cooked (SLL) header: packet type 0 (to us), ARPHRD_ETHER, 6-byte address (padded to 8), EtherType IPv4.
        $sll = [byte[]](0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 8, 0)
        # A capture written by Wireshark's text2pcap (a hex dump in, the link type given with -l).
        function New-ToolCapture([string] $Path, [int] $LinkType, [string] $Format, [byte[][]] $Frames) {
            $dump = foreach ($f in $Frames) {
                for ($o = 0; $o -lt $f.Length; $o += 16) { '{0:x6} {1}' -f $o, (($f[$o..([Math]::Min($o + 15, $f.Length - 1))] | ForEach-Object { '{0:x2}' -f $_ }) -join ' ') }
            }
            $dump | Set-Content "$Path.txt"
            & text2pcap -q -F $Format -l $LinkType "$Path.txt" $Path 2>&1 | Out-Null
            $LASTEXITCODE | Should -Be 0 -Because 'text2pcap wrote the capture'
        }
        # What tshark reads from a capture, frame by frame.
        function Get-TsharkFields([string] $Path) {
            & tshark -r $Path -T fields -e frame.encap_type -e ip.dst -e udp.dstport -e tcp.dstport 2>$null
        }
    }

    It 'is the port''s own on packets from a port: Ethernet' {
        $rx.LinkType | Should -Be 1
        $samples.LinkType | Select-Object -Unique | Should -Be $rx.LinkType
    }

    It 'is read, filtered for and written back for link type <LinkType> (<Format>)' -ForEach @(
        @{ LinkType = 101; Format = 'pcap'; Header = @(); Encap = 7 }       # LINKTYPE_RAW (WTAP_ENCAP_RAW_IP)
        @{ LinkType = 113; Format = 'pcapng'; Header = 'sll'; Encap = 25 }  # LINKTYPE_LINUX_SLL (WTAP_ENCAP_SLL)
    ) {
        $file = Join-Path $TestDrive "tool-$LinkType.$Format"
        $frames = if ($Header) { $ipPackets | ForEach-Object { , [byte[]]($sll + $_) } } else { $ipPackets }
        New-ToolCapture $file $LinkType $Format $frames
        $original = @(Get-TsharkFields $file)
        $original | Should -HaveCount 3
        ($original[0] -split "`t")[0] | Should -Be $Encap

        $all = @(Import-NetmapCapture $file)
        $all | Should -HaveCount 3
        $all.LinkType | Select-Object -Unique | Should -Be $LinkType
        # the layers are read after the link header, and agree with tshark
        foreach ($i in 0..2) {
            $fields = $original[$i] -split "`t"
            "$($all[$i].Ip.Dst)" | Should -Be $fields[1]
            "$($all[$i].Udp.DstPort)" | Should -Be $fields[2]
            "$($all[$i].Tcp.DstPort)" | Should -Be $fields[3]
        }
        $all[0].Ethernet | Should -BeNullOrEmpty
        @($all | Where Udp.DstPort -eq 53).Count | Should -Be 1

        # the filter is compiled for the capture's link type (compiled for Ethernet it would match nothing here)
        $tcpdump = @(& tcpdump -nn -r $file 'udp dst port 53' 2>$null)
        $tcpdump | Should -HaveCount 1
        $matched = @(Import-NetmapCapture $file -Filter 'udp dst port 53')
        $matched | Should -HaveCount $tcpdump.Count
        $matched[0].Data | Should -Be $all[0].Data
        [Netmap.Native.Filters.PacketFilter]::Compile('udp dst port 53', 1).Matches($all[0].Data) | Should -BeFalse
        $all | Should -HaveReceivedPacket -Filter 'udp dst port 53' -Count 1

        # the link type survives Export-Clixml and is written back: tshark reads the same frames from both files
        $clixml = Join-Path $TestDrive "tool-$LinkType.xml"
        $all | Export-Clixml $clixml
        (Import-Clixml $clixml).LinkType | Select-Object -Unique | Should -Be $LinkType
        foreach ($extension in 'pcap', 'pcapng') {
            $out = Join-Path $TestDrive "back-$LinkType.$extension"
            Import-Clixml $clixml | Export-NetmapCapture $out
            Get-TsharkFields $out | Should -Be $original -Because "tshark reads the $extension written back as the original"
        }
    }

    It 'is refused by Send-NetmapPacket when it is not the port''s: a raw-IP packet is not sent as a frame' {
        $file = Join-Path $TestDrive 'send-raw.pcap'
        New-ToolCapture $file 101 'pcap' $ipPackets
        $raw = @(Import-NetmapCapture $file)
        $raw | Should -HaveCount 3
        $ethernet = New-NetmapPacket -DestinationPort 9
        $err = $null
        @($raw[0]; $ethernet; $raw[1]) | Send-NetmapPacket -Port $tx -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 2
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NotAFrame,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidType'
        $err[0].TargetObject | Should -Be $raw[0]
        "$($err[0])" | Should -BeLike "The packet is of link type 101, and '$($tx.Name)' takes Ethernet frames (link type 1)*Ethernet header*New-NetmapPacket*"
        # only the Ethernet frame went out
        $got = @(Receive-NetmapPacket -Port $rx -Timeout 0.3)
        $got | Should -HaveCount 1
        $got[0].Data | Should -Be $ethernet.Data
        # the same refusal for the packet as Export-Clixml keeps it (a property bag with Data and LinkType)
        $clixml = Join-Path $TestDrive 'send-raw.xml'
        $raw[2] | Export-Clixml $clixml
        $err = $null
        Import-Clixml $clixml | Send-NetmapPacket -Port $tx -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NotAFrame,*'
        Receive-NetmapPacket -Port $rx -Timeout 0.3 | Should -BeNullOrEmpty
    }
}
