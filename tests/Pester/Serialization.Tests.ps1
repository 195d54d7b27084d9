# Objects that survive serialization: Export-Clixml/Import-Clixml, Start-Job (and remoting, which
# serializes the same way; Remoting.Tests.ps1 runs it over ssh).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $name = New-TestName 'ser'
    $tx, $rx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
    New-NetmapPacket -DestinationPort 53 -Payload 'query' -VlanId 7 | Send-NetmapPacket -Port $tx
    $packet = Receive-NetmapPacket -Port $rx -Count 1 -Timeout 2
    $file = Join-Path $TestDrive 'objects.xml'
    $fields = 'Number', 'Timestamp', 'TimestampNanoseconds', 'Port', 'Ring', 'Slot', 'Length', 'OriginalLength', 'Source', 'Destination', 'Protocol', 'Info'
}
AfterAll { Close-NetmapPort -All }

Describe 'Packets through Export-Clixml and Import-Clixml' {
    BeforeAll {
        $packet | Export-Clixml $file
        $copy = Import-Clixml $file
    }

    It 'come back as packets with every useful field' {
        $copy | Should -BeOfType Netmap.Native.Packets.NetmapPacket
        foreach ($f in $fields) { $copy.$f | Should -Be $packet.$f -Because "$f survives" }
        [Convert]::ToHexString($copy.Data) | Should -Be ([Convert]::ToHexString($packet.Data))
        $copy.Protocol | Should -Be 'DNS'
    }

    It 'answer dotted names, layers and the table view like the original' {
        @($copy | Where Udp.DstPort -eq 53).Count | Should -Be 1
        $copy.Vlan.VlanIdentifier | Should -Be 7
        ($copy | Format-Table | Out-String) | Should -Match 'Protocol[\s\S]+DNS'
    }

    It 'keep the layers out of the file: the bytes are enough' {
        $xml = Get-Content $file -Raw
        $xml | Should -Match '<BA N="Data">'
        $xml | Should -Not -Match 'N="Parsed"'
        (Get-Item $file).Length | Should -BeLessThan 3000
    }

    It 'keep their fields where NetmapPS is not loaded' {
        $script = "Import-Clixml '$file' | ForEach-Object { `$_.PSTypeNames[0]; `$_.Port; `$_.Protocol; `$_.Info; `$_.Data.Length; `$_.Timestamp.ToUniversalTime().Ticks }"
        $out = & $Pwsh -NoProfile -NonInteractive -Command $script
        $out | Should -Be 'Deserialized.Netmap.Native.Packets.NetmapPacket', $packet.Port, 'DNS', $packet.Info, "$($packet.Length)", "$($packet.Timestamp.ToUniversalTime().Ticks)"
    }

    It 'show their main fields in a list without a view' {
        $text = $copy | Format-List | Out-String
        foreach ($f in 'Number', 'Port', 'Source', 'Destination', 'Protocol', 'Info') { $text | Should -Match "(?m)^$f\s+:" }
        $text | Should -Not -Match '(?m)^Parsed\s+:'
    }
}

Describe 'Rings, slots and ports through Export-Clixml and Import-Clixml' {
    It 'rebuilds rings, which Get-NetmapSlot takes while the port is open' {
        $ring = Get-NetmapRing $rx -Direction RX
        $ring | Export-Clixml $file
        $copy = Import-Clixml $file
        $copy | Should -BeOfType Netmap.Native.Ports.RingInfo
        foreach ($f in 'Port', 'Kind', 'Direction', 'Index', 'Slots', 'Head', 'Cur', 'Tail', 'Space', 'BufferSize', 'Flags') { $copy.$f | Should -Be $ring.$f }
        (Get-Content $file -Raw) | Should -Not -Match 'N="PortObject"'
        @($copy | Get-NetmapSlot -Index 0, 1).Count | Should -Be 2
    }

    It 'rebuilds slots' {
        $slot = Get-NetmapRing $tx -Direction TX | Get-NetmapSlot -Index 0
        $slot | Export-Clixml $file
        $copy = Import-Clixml $file
        $copy | Should -BeOfType Netmap.Native.Ports.SlotInfo
        $copy | Should -Be $slot  # a record: equal when every field is
    }

    It 'keeps the useful fields of a port, which comes back as a property bag with a table view' {
        $tx | Export-Clixml $file
        $copy = Import-Clixml $file
        $copy.PSTypeNames[0] | Should -Be 'Deserialized.Netmap.Native.Ports.NetmapPort'
        foreach ($f in 'Name', 'Mode', 'Mechanism', 'MemoryId', 'Region', 'RegionSize', 'TxSlots', 'BufferSize', 'IsOpen') { $copy.$f.ToString() | Should -Be $tx.$f.ToString() -Because "$f survives" }
        $copy.Description | Should -Be $tx.Spec.Description
        "$($copy.RxRings)" | Should -Be '0'
        $table = $copy | Format-Table | Out-String -Width 200
        $table | Should -Match 'MemId'
        $table | Should -Match ([regex]::Escape($tx.Name.Substring(0, 15)))  # the column is 20 wide
    }
}

Describe 'Packets from a background job' {
    It 'come back typed, tagged with PSComputerName, and export to one interface per host and port' {
        $job = Start-Job -ArgumentList $ModulePath, (New-TestName 'job') {
            param($module, $pipe)
            Import-Module $module
            $a, $b = Open-NetmapPort "netmap:$pipe{1", "netmap:$pipe}1"
            1..3 | ForEach-Object { New-NetmapPacket -DestinationPort (52 + $_ % 2) } | Send-NetmapPacket -Port $a
            Receive-NetmapPacket -Port $b -Count 3 -Timeout 5
        }
        $packets = @($job | Wait-Job -Timeout 60 | Receive-Job)
        $job | Remove-Job -Force
        $packets.Count | Should -Be 3
        foreach ($p in $packets) {
            $p | Should -BeOfType Netmap.Native.Packets.NetmapPacket
            $p.PSComputerName | Should -Be 'localhost'
        }
        @($packets | Where Udp.DstPort -eq 53).Count | Should -Be 2
        $pcap = Join-Path $TestDrive 'job.pcapng'
        $packets | Export-NetmapCapture $pcap
        (Import-NetmapCapture $pcap).Port | Select-Object -Unique | Should -Be "localhost:$($packets[0].Port)"
    }
}
