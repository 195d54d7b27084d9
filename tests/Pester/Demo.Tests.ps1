# The demo as a user runs it: its lab part shows only well-formed traffic. tshark reads what the
# peer sent (the demo's -CaptureFile) and must find no malformed frame and no expert warning.
BeforeDiscovery {
    $CanBuildLab = (& id -u) -eq '0' -and [bool](Get-Command ip -ErrorAction Ignore) -and [bool](Get-Command tshark -ErrorAction Ignore)
}
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # Frames tshark marks malformed, or with an expert note of warning or error severity: one line each.
    function Get-TsharkComplaint([string] $Path) {
        @(& tshark -r $Path -Y '_ws.malformed or _ws.expert.severity >= "warning"' 2>$null)
    }
}

Describe 'The demo' -Tag 'Lab' -Skip:(-not $CanBuildLab) {
    It 'shows DNS rows that are all well-formed queries, and sends nothing tshark finds malformed' {
        $pcap = Join-Path ([IO.Path]::GetTempPath()) "nmps-demo-$PID.pcap"
        try {
            $demo = Start-Program $Pwsh @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot '../../demo/Start-Demo.ps1'), '-ModulePath', $ModulePath, '-CaptureFile', $pcap)
            if (-not $demo.WaitForExit(120000)) { $demo.Kill($true); throw "The demo did not end within 120 s: $($demo.Output.Result)" }
            $output = $demo.Output.Result
            $demo.ExitCode | Should -Be 0 -Because $demo.Errors.Result
            $rows = @($output -split "`n" | Where-Object { $_ -match '^\s*\d+ .*\sDNS\s' })
            $rows.Count | Should -Be 5
            foreach ($row in $rows) {
                $row -match 'DNS\s+(?<length>\d+) Standard query 0x10[0-9a-f]{2} A host(?<n>\d+)\.example\.test\s*$' | Should -BeTrue -Because $row
                # 78 bytes for host1 to host9 (the name's length sets it): each further digit adds one
                [int]$Matches.length | Should -Be (77 + $Matches.n.Length) -Because $row
            }
            $output | Should -Not -Match 'truncated|Malformed'

            $dns = @(& tshark -r $pcap -Y 'udp.dstport == 53' -T fields -e dns.flags.response -e dns.count.queries -e dns.qry.name 2>$null)
            $dns.Count | Should -BeGreaterOrEqual 5
            $dns | ForEach-Object { $_ | Should -Match '^(False|0)\t1\thost\d+\.example\.test$' }
            Get-TsharkComplaint $pcap | Should -BeNullOrEmpty
        }
        finally { Remove-Item $pcap -ErrorAction Ignore }
    }

    It 'has a check that finds a DNS query cut in two, as printf > /dev/udp sent them' {
        # The control for the check above: the first half of a query split at a 0x0a byte.
        $pcap = Join-Path ([IO.Path]::GetTempPath()) "nmps-demo-cut-$PID.pcap"
        try {
            New-NetmapPacket -SourceAddress 10.99.0.2 -DestinationAddress 10.99.0.1 -DestinationPort 53 -Payload ([byte[]](0x10, 0x0a)) |
                Export-NetmapCapture -Path $pcap
            Get-TsharkComplaint $pcap | Should -Not -BeNullOrEmpty
        }
        finally { Remove-Item $pcap -ErrorAction Ignore }
    }
}
