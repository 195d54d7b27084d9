# Inside namespace A: counts the datagrams a UDP socket on eth0 receives while Sender runs, first
# with PortName open (they should go to the port), then after it is closed (back to the stack).
param([string] $PortName, [string] $Namespace, [string] $Address, [int] $UdpPort = 6000)
$ErrorActionPreference = 'Stop'
Import-Module $env:NETMAPPS_MODULE
$socket = [Net.Sockets.UdpClient]::new([Net.IPEndPoint]::new([Net.IPAddress]::Parse($Address), $UdpPort))
$socket.Client.ReceiveTimeout = 300
function Send-Three { & ip netns exec $Namespace bash -c "for i in 1 2 3; do echo -n x > /dev/udp/$Address/$UdpPort; done" }
function Measure-Socket {
    $n = 0
    $from = [Net.IPEndPoint]::new([Net.IPAddress]::Any, 0)
    while ($true) { try { $null = $socket.Receive([ref] $from); $n++ } catch { break } }
    $n
}
$port = Open-NetmapPort $PortName -WarningAction SilentlyContinue
Send-Three
$whileOpen = Measure-Socket
$toPort = @(Receive-NetmapPacket -Port $port -Timeout 0.5 | Where Udp.DstPort -eq $UdpPort).Count
Close-NetmapPort -All
Send-Three
$afterClose = Measure-Socket
[pscustomobject]@{ WhileOpen = $whileOpen; ToPort = $toPort; AfterClose = $afterClose } | ConvertTo-Json -Compress
