# Closes every port while a forwarding job, a send and a receive (in other runspaces) run on them.
# Prints, as JSON, how each ended and which region files are left. A crash here fails the test.
param([string] $Name)
$ErrorActionPreference = 'Stop'
Import-Module $env:NETMAPPS_MODULE
$aIn, $aOut, $bIn, $bOut = Open-NetmapPort "netmap:$Name{1", "netmap:$Name}1", "netmap:${Name}b{1", "netmap:${Name}b}1"
$job = Invoke-NetmapForward -From $aOut -To $bIn -AsJob
function Start-Running([string] $Script, $Port) {
    $state = [initialsessionstate]::CreateDefault()
    $state.ImportPSModule($env:NETMAPPS_MODULE)
    $ps = [powershell]::Create($state).AddScript($Script).AddArgument($Port)
    $ps | Add-Member -NotePropertyName Async -NotePropertyValue $ps.BeginInvoke() -PassThru
}
$send = Start-Running '$f = [byte[]](,0xff * 6 + (2, 0, 0, 0, 0, 1) + (0x88, 0xb5) + ,0 * 46); , $f | Send-NetmapPacket -Port $args[0] -Count 100000000 -Rate 20000' $aIn
$receive = Start-Running 'Receive-NetmapPacket -Port $args[0] | Out-Null' $bOut
Start-Sleep -Seconds 1
Close-NetmapPort -All
$ended = $send.Async.AsyncWaitHandle.WaitOne(5000) -and $receive.Async.AsyncWaitHandle.WaitOne(5000) -and ($job | Wait-Job -Timeout 5)
[ordered]@{
    Ended = [bool]$ended
    Job = "$($job.State)"
    JobError = "$($job.ChildJobs.Error + $job.Error | Select-Object -First 1 -ExpandProperty FullyQualifiedErrorId)"
    Send = "$($send.Streams.Error[0].FullyQualifiedErrorId)"
    Receive = "$($receive.Streams.Error[0].FullyQualifiedErrorId)"
    Regions = @(Get-ChildItem (Split-Path $aIn.Region) -Filter "$(Split-Path $aIn.Region -Leaf)*" | ForEach-Object Name)
} | ConvertTo-Json
