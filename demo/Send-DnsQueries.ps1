<#
.SYNOPSIS
    Sends well-formed DNS queries (type A for host<N>.example.test, ids from FirstId up), each with a
    datagram to OtherPort (40000: no dissector, so tshark sees plain UDP data; 5353 would be read as mDNS) after it, from a UDP socket. Run in the peer's lab host:
        Invoke-NetmapLabCommand -Lab $lab -Host b -ScriptBlock (Get-Command ./demo/Send-DnsQueries.ps1).ScriptBlock -ArgumentList 10.99.0.1
.NOTES
    One Send per query, so each query is one datagram (bash's printf > /dev/udp split them at 0x0a).
#>
param([string] $To, [int] $Count = 50, [double] $Interval = 0.2, [int] $FirstId = 0x1001, [int] $OtherPort = 40000)
$socket = [Net.Sockets.UdpClient]::new()
$dns = [Net.IPEndPoint]::new([Net.IPAddress]::Parse($To), 53)
$other = [Net.IPEndPoint]::new([Net.IPAddress]::Parse($To), [Math]::Max($OtherPort, 1))
try {
    for ($i = 1; $i -le $Count; $i++) {
        $id = ($FirstId + $i - 1) -band 0xffff
        # Header: id, flags 0x0100 (standard query, recursion desired), one question; then QNAME, QTYPE A, QCLASS IN.
        $query = [Collections.Generic.List[byte]]::new([byte[]](($id -shr 8), ($id -band 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0))
        foreach ($label in "host$i.example.test".Split('.')) { $query.Add($label.Length); $query.AddRange([Text.Encoding]::ASCII.GetBytes($label)) }
        $query.AddRange([byte[]](0, 0, 1, 0, 1))
        $null = $socket.Send($query.ToArray(), $query.Count, $dns)
        if ($OtherPort -gt 0) { $null = $socket.Send([Text.Encoding]::ASCII.GetBytes('other'), 5, $other) }
        if ($Interval -gt 0) { Start-Sleep -Milliseconds ([int]($Interval * 1000)) }
    }
}
finally { $socket.Dispose() }
"$Count queries sent to $To"
