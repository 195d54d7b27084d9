# Resident memory (VmRSS) of this pwsh process with the module loaded: before any port, then with
# 1, 10 and 100 open ports, master ends of pipes, 16 per parent (a parent's region holds 16 pipes).
# Also the bytes of the region files those ports map and how much of the RSS is shared memory.
# Prints JSON; leaves nothing open.
param([string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
function Get-Status([string] $Field) { [GC]::Collect(); [long]((Select-String "^${Field}:\s+(\d+)" /proc/self/status).Matches[0].Groups[1].Value) * 1KB }
$stem = 'bm' + [guid]::NewGuid().ToString('N').Substring(0, 8)
$result = [ordered]@{ Before = Get-Status VmRSS; ShmemBefore = Get-Status RssShmem }
$open = 0
try {
    foreach ($n in 1, 10, 100) {
        for (; $open -lt $n; $open++) { $null = Open-NetmapPort ('netmap:{0}p{1}{{{2}' -f $stem, [Math]::Floor($open / 16), ($open % 16 + 1)) }
        $result["Ports$n"] = Get-Status VmRSS
    }
    $result.Shmem = Get-Status RssShmem
    $dir = if ($env:NETMAPPS_SHM_DIR) { $env:NETMAPPS_SHM_DIR } else { '/dev/shm' }
    $files = @(Get-ChildItem (Join-Path $dir "netmapps-$(& id -u)") -Filter "pipe-$stem*")
    $result.Regions = $files.Count
    $result.RegionBytes = ($files | Measure-Object Length -Sum).Sum
}
finally { Close-NetmapPort -All }
$result | ConvertTo-Json -Compress
