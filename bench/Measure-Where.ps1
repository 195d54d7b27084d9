# The used-by line at PowerShell speed: Receive-NetmapPacket -Count N | Where Udp.DstPort -eq 53 | Measure-Object over a
# pipe fed with DNS queries by a sender in another process, against Where DstPort -eq 53 over N plain objects with a real
# DstPort property (written by a trivial compiled cmdlet) into the same Measure-Object. Both warmed up, five rounds
# alternating; prints the rate of each round of each (JSON), for the median of interleaved rounds.
param([string] $ModulePath, [long] $Count)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
Add-Type -TypeDefinition @'
using System.Management.Automation;
public sealed class PlainDns { public string Src { get; set; } = "10.0.0.2"; public int SrcPort { get; set; } = 12345; public int DstPort { get; set; } = 53; }
[Cmdlet("Write", "PlainDns")]
public sealed class WritePlainDnsCommand : Cmdlet
{
    [Parameter] public long Count { get; set; }
    protected override void EndProcessing()
    {
        var plain = new PlainDns();
        for (long i = 0; i < Count; i++) WriteObject(plain);
    }
}
'@ -IgnoreWarnings -WarningAction SilentlyContinue -PassThru | Select-Object -First 1 | ForEach-Object { Import-Module $_.Assembly }
$name = 'bwh' + [guid]::NewGuid().ToString('N').Substring(0, 8)
$rx = Open-NetmapPort "netmap:$name}1"
# A query for www.example.com, sent until this end closes.
$query = '0x12,0x34,1,0,0,1,0,0,0,0,0,0,3,119,119,119,7,101,120,97,109,112,108,101,3,99,111,109,0,0,1,0,1'
$sender = Start-Process (Join-Path $PSHOME 'pwsh') -PassThru -ArgumentList '-NoProfile', '-NonInteractive', '-Command',
    "Import-Module '$ModulePath'; `$tx = Open-NetmapPort 'netmap:$name{1'; New-NetmapPacket -DestinationPort 53 -Payload ([byte[]]($query)) | Send-NetmapPacket -Port `$tx -Count ([long]::MaxValue) -ErrorAction SilentlyContinue"
try {
    $warm = [Math]::Min($Count, 50000)
    $null = Receive-NetmapPacket -Port $rx -Count $warm -Timeout 30 | Where Udp.DstPort -eq 53 | Measure-Object
    $null = Write-PlainDns -Count $warm | Where DstPort -eq 53 | Measure-Object
    $ours = @(); $plain = @()
    foreach ($round in 1..5) {
        $t = Measure-Command { $got = (Receive-NetmapPacket -Port $rx -Count $Count -Timeout 30 | Where Udp.DstPort -eq 53 | Measure-Object).Count }
        if ($got -ne $Count) { throw "Where Udp.DstPort -eq 53 passed $got of $Count DNS frames." }
        $ours += $Count / $t.TotalSeconds
        $plain += $Count / (Measure-Command { Write-PlainDns -Count $Count | Where DstPort -eq 53 | Measure-Object }).TotalSeconds
    }
}
finally {
    Close-NetmapPort -All
    if (-not $sender.WaitForExit(10000)) { $sender.Kill() }
}
@{ Passed = $got; WherePerSecond = $ours; PlainPerSecond = $plain } | ConvertTo-Json -Compress
