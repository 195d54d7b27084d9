# Receive-NetmapPacket -Count N | Measure-Object over a pipe fed by a sender thread, against a
# trivial compiled cmdlet that writes N ready packet objects to the same Measure-Object. Prints JSON.
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
$tx, $rx = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
$frame = New-NetmapPacket -Length 60
$sender = [powershell]::Create().AddScript({ param($module, $frame, $tx, $n) Import-Module $module; $frame | Send-NetmapPacket -Port $tx -Count $n -Timeout 60 }).
    AddArgument($ModulePath).AddArgument($frame).AddArgument($tx).AddArgument($Count)
$null = Measure-Command { Write-ReadyPacket -Count 1000 | Measure-Object }   # warm up both paths
$async = $sender.BeginInvoke()
$receive = Measure-Command { $got = (Receive-NetmapPacket -Port $rx -Count $Count -Timeout 30 | Measure-Object).Count }
$sender.EndInvoke($async) | Out-Null
$emit = Measure-Command { Write-ReadyPacket -Count $Count | Measure-Object }
Close-NetmapPort -All
@{ Received = $got; ReceivePerSecond = $got / $receive.TotalSeconds; EmitterPerSecond = $Count / $emit.TotalSeconds } | ConvertTo-Json -Compress
