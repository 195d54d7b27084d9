# Inside namespace A: opens a monitor (netmap:eth0/rt), lets the peer send from CPU 0 and CPU 1
# (queues 0 and 1) to a UDP socket that stays bound on eth0, has the stack send one datagram out,
# and prints what the monitor saw and what the socket received, as JSON.
param([string] $Namespace, [string] $Address, [string] $PeerAddress)
$ErrorActionPreference = 'Stop'
Import-Module $env:NETMAPPS_MODULE
$socket = [Net.Sockets.UdpClient]::new([Net.IPEndPoint]::new([Net.IPAddress]::Parse($Address), 7000))
$socket.Client.ReceiveTimeout = 300
$port = Open-NetmapPort 'netmap:eth0/rt'
foreach ($cpu in 0, 1) {
    & ip netns exec $Namespace taskset -c $cpu bash -c "for i in 1 2 3; do echo -n q$cpu > /dev/udp/$Address/7000; done"
}
& bash -c "echo -n out > /dev/udp/$PeerAddress/7002"
$seen = Receive-NetmapPacket -Port $port -Timeout 1 | Where Udp | ForEach-Object {
    [pscustomobject]@{ Ring = $_.Ring; Port = $_.Udp.DstPort; Text = [Text.Encoding]::ASCII.GetString($_.Udp.PayloadData) }
}
$socketGot = 0
$from = [Net.IPEndPoint]::new([Net.IPAddress]::Any, 0)
while ($true) { try { $null = $socket.Receive([ref] $from); $socketGot++ } catch { break } }
Close-NetmapPort -All
[pscustomobject]@{ Mechanism = $port.Mechanism; TxRings = $port.TxRings.Count; Seen = @($seen); SocketGot = $socketGot } | ConvertTo-Json -Depth 3 -Compress
