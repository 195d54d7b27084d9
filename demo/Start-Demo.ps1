<#
.SYNOPSIS
    A short tour of NetmapPS on the embedded (emulated) backend.
.DESCRIPTION
    As root: builds a lab (New-NetmapLab: a veth named eth0 in host a, whose peer in host b sends
    DNS queries and other traffic) and runs the three lines NetmapPS is for inside host a. Then, or without root: a netmap
    pipe, packets moving through it, and the ring pointers before and after.
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/NetmapPS/NetmapPS.psd1'),
    # Also records what the peer sends (tcpdump on its interface) in this pcap file.
    [string] $CaptureFile
)

$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
Import-Module $ModulePath

if ((& id -u) -eq '0' -and (Get-Command ip -ErrorAction Ignore)) {
    Write-Host '== A veth named eth0 in a lab host, its peer sending DNS queries and other UDP' -ForegroundColor Cyan
    # Two queues, so that netmap:eth0-1 names one of them; static neighbours, as the port takes ARP from the stack.
    $lab = New-NetmapLab -Queues 2 -Name demo
    try {
        if ($CaptureFile) {
            $capture = Invoke-NetmapLabCommand -Lab $lab -Host b -AsJob -FilePath tcpdump -ArgumentList '--immediate-mode', '-i', 'eth0', '-nn', '-U', '-w', $CaptureFile, 'udp'
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while (-not (Test-Path $CaptureFile) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        }
        # With two CPUs, the peer sends from CPU 1, so XPS puts the traffic on queue 1: ring 1 of eth0.
        $twoCpus = [Environment]::ProcessorCount -ge 2
        $sender = (Get-Command (Join-Path $PSScriptRoot 'Send-DnsQueries.ps1')).ScriptBlock
        $pin = if ($twoCpus) { @{ Cpu = 1 } } else { @{} }
        $traffic = Invoke-NetmapLabCommand -Lab $lab -Host b -AsJob -ScriptBlock $sender -ArgumentList "$($lab['a']['eth0'].Address)", 100, 0.1 @pin
        & ip netns exec $lab['a'].Namespace ([IO.Path]::Combine($PSHOME, 'pwsh')) -NoProfile -File (Join-Path $PSScriptRoot 'Show-UsedByLines.ps1') `
            -ModulePath $ModulePath -PortName ($twoCpus ? 'netmap:eth0-1' : 'netmap:eth0')
        if ($LASTEXITCODE) { throw "The lab part of the demo failed ($LASTEXITCODE)." }
    }
    finally {
        # Ends what still runs in the lab hosts (the sender, tcpdump, which writes out its capture) and removes them.
        Remove-NetmapLab $lab
        Get-Job | Where-Object PSJobTypeName -eq NetmapLabCommand | Remove-Job -Force
    }
    Write-Host "`n== Software ports: a netmap pipe" -ForegroundColor Cyan
}

function New-DemoFrame([int] $Number) {
    # Ethernet: broadcast destination, a locally administered source, EtherType 0x88B5 (local experimental).
    $header = [byte[]](0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x88, 0xb5)
    , [byte[]]($header + [Text.Encoding]::ASCII.GetBytes(('NetmapPS demo frame {0:D4}' -f $Number)))
}

Write-Host "`n> Open-NetmapPort 'netmap:demo{1', 'netmap:demo}1'" -ForegroundColor Green
Open-NetmapPort 'netmap:demo{1', 'netmap:demo}1' | Format-Table

Write-Host "> 1..100 | ForEach-Object { New-DemoFrame `$_ } | Send-NetmapPacket -Port 'netmap:demo{1'" -ForegroundColor Green
1..100 | ForEach-Object { New-DemoFrame $_ } | Send-NetmapPacket -Port 'netmap:demo{1'

Write-Host '> Get-NetmapRing | Format-Table     # the master''s TX head moved by 100: txsync handed them over; the slave''s RX tail moves at its next sync' -ForegroundColor Green
Get-NetmapRing | Format-Table

Write-Host "> Receive-NetmapPacket -Port 'netmap:demo}1' -Count 100 | Select-Object -Last 3" -ForegroundColor Green
$received = Receive-NetmapPacket -Port 'netmap:demo}1' -Count 100
$received | Select-Object -Last 3 | Format-Table
Write-Host ("Received {0} packets; the last says '{1}'." -f $received.Count, [Text.Encoding]::ASCII.GetString($received[-1].Data, 14, $received[-1].Length - 14))

Write-Host '> Get-NetmapRing | Format-Table     # head moved: the slots went back to the pipe' -ForegroundColor Green
Get-NetmapRing | Format-Table

Write-Host '> Close-NetmapPort -All' -ForegroundColor Green
Close-NetmapPort -All
