# Runs inside the lab's namespace A, where 'eth0' is a veth whose peer sends DNS queries and other
# traffic: the three lines NetmapPS is for, as a user types them.
param([string] $ModulePath, [string] $PortName = 'netmap:eth0-1')
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

Write-Host "`n> Open-NetmapPort $PortName" -ForegroundColor Green
Open-NetmapPort $PortName | Format-List Name, Mode, Mechanism, TxRings, RxRings, MemoryId

Write-Host '> Get-NetmapRing | Format-Table' -ForegroundColor Green
Get-NetmapRing | Format-Table

Write-Host '> Receive-NetmapPacket | Where Udp.DstPort -eq 53     # (| Select-Object -First 5 so that the demo ends)' -ForegroundColor Green
Receive-NetmapPacket | Where Udp.DstPort -eq 53 | Select-Object -First 5 | Format-Table | Out-String -Width 160

Write-Host '> Get-NetmapRing | Format-Table     # head and tail moved on the RX ring' -ForegroundColor Green
Get-NetmapRing | Format-Table
Close-NetmapPort -All
