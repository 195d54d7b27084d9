# Receive-NetmapPacket -Count N | Measure-Object over a pipe fed by a sender in another process (as a
# capture is fed from outside), against a trivial compiled cmdlet that writes N ready packet objects to
# the same Measure-Object. Both are warmed up (the JIT tiers up) and run five times, alternating; the
# best round of each counts. Prints JSON.
param([string] $ModulePath, [long] $Count)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
Add-Type -ReferencedAssemblies ([Netmap.Native.Packets.NetmapPacket].Assembly.Location), ([psobject].Assembly.Location) -TypeDefinition @'
using System.Management.Automation;
using Netmap.Native.Packets;
[Cmdlet("Write", "ReadyPacket")]
public sealed class WriteReadyPacketCommand : Cmdlet
{
    [Parameter] public long Count { get; set; }
    protected override void EndProcessing()
    {
        var packet = new NetmapPacket(new byte[60], System.DateTime.UtcNow, "ready", 0, 0);
        for (long i = 0; i < Count; i++) WriteObject(packet);
    }
}
'@ -IgnoreWarnings -WarningAction SilentlyContinue -PassThru | ForEach-Object { Import-Module $_.Assembly }
$name = 'bpl' + [guid]::NewGuid().ToString('N').Substring(0, 8)
$rx = Open-NetmapPort "netmap:$name}1"
# The sender sends until this end closes (it then stops with PipePeerGone).
$sender = Start-Process (Join-Path $PSHOME 'pwsh') -PassThru -ArgumentList '-NoProfile', '-NonInteractive', '-Command',
    "Import-Module '$ModulePath'; `$tx = Open-NetmapPort 'netmap:$name{1'; New-NetmapPacket -Length 60 | Send-NetmapPacket -Port `$tx -Count ([long]::MaxValue) -ErrorAction SilentlyContinue"
try {
    $warm = [Math]::Min($Count, 50000)
    $null = Receive-NetmapPacket -Port $rx -Count $warm -Timeout 30 | Measure-Object
    $null = Write-ReadyPacket -Count $warm | Measure-Object
    $receive = $emit = [double]::MaxValue
    foreach ($round in 1..5) {
        $t = Measure-Command { $got = (Receive-NetmapPacket -Port $rx -Count $Count -Timeout 30 | Measure-Object).Count }
        if ($got -ne $Count) { throw "Received $got of $Count frames." }
        $receive = [Math]::Min($receive, $t.TotalSeconds)
        $emit = [Math]::Min($emit, (Measure-Command { Write-ReadyPacket -Count $Count | Measure-Object }).TotalSeconds)
    }
}
finally {
    Close-NetmapPort -All
    if (-not $sender.WaitForExit(10000)) { $sender.Kill() }
}
@{ Received = $got; ReceivePerSecond = $Count / $receive; EmitterPerSecond = $Count / $emit } | ConvertTo-Json -Compress
