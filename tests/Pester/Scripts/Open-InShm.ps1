# Opens each port name (several separated by '|') with NETMAPPS_SHM_DIR set to ShmDir and writes one JSON line per name: the
# error id and message, or "opened". Used by Storage.Tests.ps1 to open ports in a child process, where
# a SIGBUS would show as the exit code instead of ending the test run.
param([string] $ShmDir, [string] $Name)
$env:NETMAPPS_SHM_DIR = $ShmDir
Import-Module $env:NETMAPPS_MODULE
foreach ($n in $Name -split '\|') {
    $port = Open-NetmapPort $n -ErrorVariable failed -ErrorAction SilentlyContinue
    if ($port) {
        , [byte[]]::new(60) | Send-NetmapPacket -Port $port -Count 100   # fits the smallest pipe the tests open (TX and RX ring of 64 slots)
        Close-NetmapPort $port
    }
    [pscustomobject]@{ Name = $n; Id = "$($failed[0].FullyQualifiedErrorId)"; Message = "$($failed[0])"; Opened = [bool]$port } | ConvertTo-Json -Compress
}
