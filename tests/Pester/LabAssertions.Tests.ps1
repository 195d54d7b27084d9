# Should -HaveReceivedPacket and Should -MatchCapture, on packets, capture files and a netmap pipe
# (no root needed): they pass when they should, fail when they should, and say on failure what arrived.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Packets = @(
        New-NetmapPacket -DestinationPort 7053 -Payload 'q1'
        New-NetmapPacket -DestinationPort 7053 -Payload 'q2'
        New-NetmapPacket -Protocol Tcp -DestinationPort 22
        New-NetmapPacket -Protocol Icmp
    )
    # The message of the assertion's failure, or '' when it passed.
    function Get-Failure([scriptblock] $Assertion) { try { & $Assertion; '' } catch { $_.Exception.Message } }
}

Describe 'Should -HaveReceivedPacket on packets' {
    It 'passes for a pcap filter, a Where block, -Count and -AtLeast that match' {
        $Packets | Should -HaveReceivedPacket -Filter 'udp dst port 7053'
        $Packets | Should -HaveReceivedPacket -Filter 'udp dst port 7053' -Count 2
        $Packets | Should -HaveReceivedPacket -Where { $_.Tcp.DestinationPort -eq 22 } -Count 1
        $Packets | Should -HaveReceivedPacket -Filter 'ip' -AtLeast 3
        $Packets | Should -HaveReceivedPacket 'icmp'
        $Packets | Should -Not -HaveReceivedPacket -Filter 'tcp port 23'
    }

    It 'fails with the count that matched and a table, by protocol, of what did arrive' {
        $message = Get-Failure { $Packets | Should -HaveReceivedPacket -Filter 'udp dst port 7053' -Count 3 -Because 'three queries were sent' }
        $message | Should -BeLike "Expected exactly 3 packet(s) matching filter 'udp dst port 7053', because three queries were sent, but 2 matched. 4 frame(s) arrived: *"
        $message | Should -Match 'UDP 2|DNS 2'
        $message | Should -Match 'TCP 1'
        $message | Should -Match 'ICMP 1'
        $message | Should -Match '(?m)^3\s+10\.0\.0\.2\s+10\.0\.0\.1\s+TCP\s+60\s'
        Get-Failure { $Packets | Should -Not -HaveReceivedPacket -Filter 'tcp' } | Should -BeLike "Expected no packet(s) matching filter 'tcp', but 1 matched.*"
        Get-Failure { $Packets | Should -HaveReceivedPacket -Where { $_.Length -gt 100 } } | Should -BeLike 'Expected at least 1 packet(s) matching Where { $_.Length -gt 100 }, but 0 matched.*'
        Get-Failure { @() | Should -HaveReceivedPacket } | Should -BeLike '*but 0 matched. No frame arrived.'
    }

    It 'reads a capture file given by path' {
        $pcap = Join-Path ([IO.Path]::GetTempPath()) "nmps-should-$PID.pcap"
        try {
            $Packets | Export-NetmapCapture -Path $pcap
            $pcap | Should -HaveReceivedPacket -Filter 'udp' -Count 2
        }
        finally { Remove-Item $pcap -ErrorAction Ignore }
    }

    It 'refuses -Count with -AtLeast, and a bad filter, with what is wrong' {
        Get-Failure { $Packets | Should -HaveReceivedPacket -Count 1 -AtLeast 1 } | Should -BeLike '*-Count*-AtLeast*not both*'
        Get-Failure { $Packets | Should -HaveReceivedPacket -Filter 'udp prot 53' } | Should -Not -BeNullOrEmpty
    }
}

Describe 'Should -HaveReceivedPacket on a port' {
    BeforeAll {
        $pipe = New-TestName 'sh'
        $null = Open-NetmapPort "netmap:$pipe{1", "netmap:$pipe}1"
    }
    AfterAll { Close-NetmapPort -All }

    It 'receives until enough matched (early), or for -Within seconds' {
        $Packets | Send-NetmapPacket -Port "netmap:$pipe{1"
        $watch = [Diagnostics.Stopwatch]::StartNew()
        "netmap:$pipe}1" | Should -HaveReceivedPacket -Filter 'udp dst port 7053' -AtLeast 2 -Within 10
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5      # stopped at the second match, not after 10 s
        $watch.Restart()
        $message = Get-Failure { "netmap:$pipe}1" | Should -HaveReceivedPacket -Filter 'udp' -Within 1 }
        $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.9
        # The two frames left after the early stop arrived: they are listed.
        $message | Should -BeLike "Expected at least 1 packet(s) matching filter 'udp' within 1 s, but 0 matched. 2 frame(s) arrived: *"
    }

    It 'takes the port object as well as its name, and -Within as a TimeSpan' {
        $port = Get-NetmapPort "netmap:$pipe}1"
        New-NetmapPacket -Protocol Icmp | Send-NetmapPacket -Port "netmap:$pipe{1"
        $port | Should -HaveReceivedPacket -Filter 'icmp' -Count 1 -Within ([timespan]::FromSeconds(0.5))
    }
}

Describe 'Should -MatchCapture' {
    It 'passes for the same frames, in order or with -IgnoreOrder, and with -Filter on both sides' {
        $Packets | Should -MatchCapture $Packets
        $Packets | Should -MatchCapture ($Packets[3], $Packets[0], $Packets[2], $Packets[1]) -IgnoreOrder
        $Packets | Should -MatchCapture $Packets[0..1] -Filter 'udp'
        $Packets | Should -Not -MatchCapture $Packets[0..2]
    }

    It 'says which frame differs and from which byte, or which frames are missing or extra' {
        $other = New-NetmapPacket -DestinationPort 7054 -Payload 'q1'
        Get-Failure { $Packets | Should -MatchCapture ($Packets[0], $other, $Packets[2], $Packets[3]) } |
            Should -BeLike 'Expected 4 frame(s) matching the capture, but got 4: frame 2 differs from byte 37 on: expected *→ 7054*, got *→ 7053*'
        Get-Failure { $Packets[0..2] | Should -MatchCapture $Packets } | Should -BeLike '*but got 3: frame 4 is missing: expected *ICMP*'
        $message = Get-Failure { $Packets | Should -MatchCapture ($other, $Packets[0], $Packets[1], $Packets[2]) -IgnoreOrder }
        $message | Should -BeLike '*1 expected frame(s) missing, 1 unexpected.*'
        $message | Should -Match '(?s)Missing:.*→ 7054.*Unexpected:.*ICMP'
    }
}

Describe 'Registration' {
    It 'works when Pester is imported after NetmapPS, as a user types it' {
        $pester = (Get-Module Pester).Path -replace 'psm1$', 'psd1'
        $script = "Import-Module '$ModulePath'; Import-Module '$pester'; " +
            "New-NetmapPacket | Should -HaveReceivedPacket -Filter udp; " +
            "try { New-NetmapPacket | Should -HaveReceivedPacket -Filter tcp } catch { 'FAILED:' + `$_.Exception.Message }"
        $out = & $Pwsh -NoProfile -NonInteractive -Command $script 2>&1
        "$out" | Should -BeLike "FAILED:Expected at least 1 packet(s) matching filter 'tcp', but 0 matched. 1 frame(s) arrived: UDP 1.*"
    }
}
