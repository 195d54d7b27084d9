# netmap's bridge between an interface and its host stack, on a veth pair with its default offloads:
# the peer sends TCP with partial checksums (TX checksum offload), which the emulated adapter must
# complete before the host stack gets them (issue 16, item 2).
BeforeDiscovery {
    $CanBuildLab = (& id -u) -eq '0' -and [bool](Get-Command ip -ErrorAction Ignore) -and [bool](Get-Command ping -ErrorAction Ignore) -and
        [bool](Get-Command python3 -ErrorAction Ignore) -and [bool](Get-Command ethtool -ErrorAction Ignore)
}
BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

Describe 'The bridge between NIC rings and host rings on a veth with default offloads' -Tag 'Lab' -Skip:(-not $CanBuildLab) {
    BeforeAll {
        $id = [guid]::NewGuid().ToString('N').Substring(0, 6)
        $A = "nmps-bra-$id"; $B = "nmps-brb-$id"
        foreach ($step in "netns add $A", "netns add $B", "-n $A link add eth0 type veth peer name peer0 netns $B",
                          "-n $A addr add 10.98.0.1/24 dev eth0", "-n $A link set eth0 up", "-n $A link set lo up",
                          "-n $B addr add 10.98.0.2/24 dev peer0", "-n $B link set peer0 up") {
            & ip @($step -split ' ')
            if ($LASTEXITCODE) { throw "ip $step failed" }
        }
        $ready = Join-Path ([IO.Path]::GetTempPath()) "nmps-bridge-$PID.ready"
        $bridge = Start-TestScript 'Lab-Bridge.ps1' @('-Seconds', '12', '-ReadyFile', $ready) -Namespace $A
        Wait-File $ready
    }
    AfterAll {
        if ($bridge -and -not $bridge.HasExited) { $bridge.Kill($true) }
        Remove-Item $ready -ErrorAction Ignore
        & ip netns del $A 2>$null
        & ip netns del $B 2>$null
    }

    It 'leaves TX checksum offload on at the peer, as a veth has it by default' {
        (& ip netns exec $B ethtool -k peer0 | Select-String '^tx-checksumming:').Line | Should -Match ': on'
    }

    It 'answers 10 pings of 10 through the bridge' {
        $summary = & ip netns exec $B ping -c 10 -i 0.2 -W 2 10.98.0.1 | Select-String 'packets transmitted'
        "$summary" | Should -Match '10 packets transmitted, 10 received'
    }

    It 'carries a TCP connection through the bridge (partial checksums completed)' {
        $server = Start-Program ip @('netns', 'exec', $A, 'python3', '-c', @'
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("10.98.0.1", 7000)); s.listen(1); s.settimeout(8)
c, _ = s.accept(); c.settimeout(5); c.sendall(c.recv(100).upper() * 200); c.close()
'@)
        Start-Sleep -Milliseconds 500
        $reply = & ip netns exec $B python3 -c @'
import socket
s = socket.create_connection(("10.98.0.1", 7000), timeout=5); s.sendall(b"hello through the bridge")
data = b""
while True:
    part = s.recv(65536)
    if not part: break
    data += part
print(len(data), data[:24].decode())
'@ 2>&1
        $server.WaitForExit(10000) | Out-Null
        "$reply" | Should -Be "$(24 * 200) HELLO THROUGH THE BRIDGE"
    }

    It 'forwards both ways without a transmit error' {
        $result = Wait-TestScript $bridge 60 | ConvertFrom-Json
        $result.Forwarded | Should -HaveCount 2
        $result.Forwarded | ForEach-Object { $_ | Should -BeGreaterThan 10 }
        $result.TransmitErrors | Should -Be 0
    }
}
