# Bytes the process allocates (GC.GetTotalAllocatedBytes) while "$frame | Send-NetmapPacket -Count N"
# runs, against the same command with -Count 1 (its fixed cost), each the least of three runs after
# a warm-up. The port is a VALE port alone on its switch: what it sends goes nowhere, so the ring
# never fills and nothing else runs in the process. Prints JSON.
param([string] $ModulePath, [long] $Count)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$port = Open-NetmapPort ('vale{0}:a' -f [guid]::NewGuid().ToString('N').Substring(0, 8))
$frame = New-NetmapPacket -Length 60
function Measure-Allocation([long] $N) {
    $least = [long]::MaxValue
    foreach ($i in 1..3) {
        $before = [GC]::GetTotalAllocatedBytes($true)
        $frame | Send-NetmapPacket -Port $port -Count $N
        $least = [Math]::Min($least, [GC]::GetTotalAllocatedBytes($true) - $before)
    }
    $least
}
try {
    $null = Measure-Allocation 10000   # warm-up
    $one = Measure-Allocation 1
    $many = Measure-Allocation $Count
}
finally { Close-NetmapPort -All }
@{ Count = $Count; Bytes = $many; BytesForOne = $one; PerPacket = $many / $Count; FixedPerPacket = $one / $Count; Marginal = ($many - $one) / ($Count - 1) } | ConvertTo-Json -Compress
