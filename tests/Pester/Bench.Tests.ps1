BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

Describe 'The benchmark harness' -Tag 'Bench' {
    It 'runs every scenario in quick mode and prints a figure and a reference for each' {
        $output = & $Pwsh -NoProfile -File (Join-Path $PSScriptRoot '../../bench/Bench.ps1') -Quick -ModulePath $ModulePath 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0
        foreach ($row in 'Pipe, 60 B', 'Pipe, 60 B: Send-NetmapPacket -Count N', 'VALE, 60 B, 1 sender to 1 port', 'VALE, 60 B, 1 sender to 7 port', "Filter 'udp dst port 53'", 'Receive loop + filter', 'Forward 60 B', 'Forward 1500 B', 'Receive-NetmapPacket -Count N', 'Generator with ranges vs fixed frame') {
            $output | Should -Match ([regex]::Escape($row) + '.*?\d[\d,]*\s')
        }
        $output | Should -Match '0 B allocated per packet'
        foreach ($row in 'Flooded veth, 60 B: frames dropped', 'Resident memory, 100 open ports', 'PacketTransmitter.Send', 'Send-NetmapPacket -Count N',
                         'Micro: PacketFilter.Matches', 'Micro: PortNameParser.Parse', 'Micro: ring walk', 'Fuzz x1', 'Generator -Rate 1 Mpps') {
            $output | Should -Match ([regex]::Escape($row) + '.*?\d')
        }
    }
}
