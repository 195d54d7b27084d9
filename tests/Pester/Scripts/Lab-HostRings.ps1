# Inside namespace A: opens the host rings of eth0 ('netmap:eth0^'), has the stack send a datagram to
# the peer (it should land on the host RX ring, not on the wire), injects a datagram for a local
# socket through the host TX ring (the stack should deliver it), closes, and has the stack send again
# (now it should reach the wire). Prints the counts as JSON.
param([string] $PeerAddress, [string] $Address)
$ErrorActionPreference = 'Stop'
Import-Module $env:NETMAPPS_MODULE
$port = Open-NetmapPort 'netmap:eth0^' -WarningAction SilentlyContinue
$tapWhileOpen = @(& ip -o link show | Select-String 'nmh').Count
& bash -c "echo -n fromstack > /dev/udp/$PeerAddress/7777"
$hostRx = @(Receive-NetmapPacket -Port $port -Timeout 1 | Where Udp.DstPort -eq 7777).Count

$socket = [Net.Sockets.UdpClient]::new([Net.IPEndPoint]::new([Net.IPAddress]::Parse($Address), 6000))
$socket.Client.ReceiveTimeout = 2000
$mac = (Get-Content /sys/class/net/eth0/address).Trim()
New-NetmapPacket -SourceMac 02:00:00:00:00:99 -DestinationMac $mac -SourceAddress $PeerAddress -DestinationAddress $Address `
    -DestinationPort 6000 -Payload 'injected' | Send-NetmapPacket -Port $port -HostRing
$from = [Net.IPEndPoint]::new([Net.IPAddress]::Any, 0)
$injected = try { [Text.Encoding]::ASCII.GetString($socket.Receive([ref] $from)) } catch { '' }

Close-NetmapPort -All
Start-Sleep -Milliseconds 200   # the kernel unregisters the TAP device after its descriptor closes
$tapAfterClose = @(& ip -o link show | Select-String 'nmh').Count
& bash -c "echo -n afterclose > /dev/udp/$PeerAddress/7777"
[pscustomobject]@{ Mechanism = $port.Mechanism; HostRx = $hostRx; Injected = $injected; TapWhileOpen = $tapWhileOpen; TapAfterClose = $tapAfterClose } | ConvertTo-Json -Compress
