# Run as an unprivileged user by Security.Tests.ps1 (the module is next to this script, in a folder
# that user can read). Uses its own pipe, switch and capture file; tries root's pipe and switch, root's
# region file, and what needs capabilities. Tries to put Squat (a file) and Link (a symbolic link to
# Victim) where root's region files of those names would go, and makes a directory at the name of root's
# private directory under SquatBase (with a file in it). Prints what happened as JSON.
param([string] $RootPipe, [string] $RootSwitch, [string] $RootRegion, [string] $Squat, [string] $Link, [string] $Victim, [string] $SquatBase)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'NetmapPS/NetmapPS.psd1')

# What a command did: 'ok', or the id, category and message of the error it wrote or threw.
function Get-Outcome([scriptblock] $Command) {
    try { $null = & $Command; 'ok' }
    catch { [ordered]@{ Id = $_.FullyQualifiedErrorId; Category = "$($_.CategoryInfo.Category)"; Message = $_.Exception.Message } }
}
function Get-Mode([string] $Path) { (& stat -c '%a %u' $Path) }
$frame = { param($Text) , [byte[]]([byte[]](0xff) * 6 + [byte[]](2, 0, 0, 0, 0, 9) + [byte[]](0x88, 0xb5) + [Text.Encoding]::ASCII.GetBytes($Text.PadRight(46))) }
$text = { param($Packet) [Text.Encoding]::ASCII.GetString($Packet.Data, 14, $Packet.Data.Length - 14).Trim() }
$r = [ordered]@{ Uid = [int](& id -u); CapEff = ((Get-Content /proc/self/status) -match '^CapEff:')[0] -replace '\D', '' }

# (c) Its own pipe and switch work without privilege; so does a capture file.
$own = 'u' + [guid]::NewGuid().ToString('N').Substring(0, 10)
$m, $s = Open-NetmapPort "netmap:$own{1", "netmap:$own}1"
$r.OwnPipeMode = Get-Mode $m.Region
$r.OwnDirMode = Get-Mode (Split-Path $m.Region)
1..5 | ForEach-Object { & $frame "user $_" } | Send-NetmapPacket -Port $m
$got = @(Receive-NetmapPacket -Port $s -Count 5 -Timeout 5)
$r.OwnPipeReceived = @($got | ForEach-Object { & $text $_ })
$a, $b = Open-NetmapPort "vale$own`:a", "vale$own`:b"
$r.OwnSwitchMode = Get-Mode $a.Region
, (& $frame 'user vale') | Send-NetmapPacket -Port $a
$r.OwnSwitchReceived = @(Receive-NetmapPacket -Port $b -Count 1 -Timeout 5 | ForEach-Object { & $text $_ })
$capture = Join-Path $HOME 'own.pcapng'
$got | Export-NetmapCapture $capture
$r.CaptureRead = @(Import-NetmapCapture $capture | ForEach-Object { & $text $_ })

# (b) Root's names give this user its own pipe and switch (with a warning), never root's region.
$w = $null
$pm, $ps = Open-NetmapPort "netmap:$RootPipe{1", "netmap:$RootPipe}1" -WarningVariable w -WarningAction SilentlyContinue
$r.SameNameRegion = $pm.Region
$r.SameNameWarning = "$($w[0])"
, (& $frame 'user on root pipe name') | Send-NetmapPacket -Port $pm
$r.SameNamePipeReceived = @(Receive-NetmapPacket -Port $ps -Count 5 -Timeout 1 | ForEach-Object { & $text $_ })
$va = Open-NetmapPort "$RootSwitch`:c" -WarningVariable w -WarningAction SilentlyContinue
$r.SameNameSwitchRegion = $va.Region
, (& $frame 'user on root switch name') | Send-NetmapPacket -Port $va
$r.RootRegionRead = Get-Outcome { [IO.File]::OpenRead($RootRegion).Dispose() }
$r.RootRegionRemove = Get-Outcome { Remove-Item $RootRegion }

# (d) What needs capabilities fails with an error that names them.
$r.Xdp = Get-Outcome { Open-NetmapPort netmap:lo -ErrorAction Stop }
$r.PacketSocket = Get-Outcome { Open-NetmapPort netmap:lo/r -ErrorAction Stop }
$r.Tap = Get-Outcome { Open-NetmapPort 'netmap:lo^' -ErrorAction Stop }
$r.ValeAttach = Get-Outcome { Add-NetmapValePort vale0 lo -ErrorAction Stop }

# Files where root's region files of other names would go: root's directory is closed to it.
$r.PlantInRootDir = Get-Outcome { Set-Content $Squat 'not a region' }
$r.LinkInRootDir = Get-Outcome { New-Item -ItemType SymbolicLink -Path $Link -Target $Victim }
$r.ListRootDir = Get-Outcome { Get-ChildItem (Split-Path $RootRegion) -ErrorAction Stop }
# The name of root's private directory, taken first where it does not exist yet.
$null = New-Item -ItemType Directory (Join-Path $SquatBase 'netmapps-0')
Set-Content (Join-Path $SquatBase 'netmapps-0/pipe-x') 'not a region'
Close-NetmapPort -All
$r | ConvertTo-Json -Depth 4
