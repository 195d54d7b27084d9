# One party of Corruption.Tests.ps1: sends (Role Send) or counts (Role Measure) on a pipe end for
# Seconds, then prints one JSON line: how many frames, and the ids of the errors it got. Touches Ready
# once its port is open. A crash shows as the exit code; a hang as the test's timeout.
param([string] $Role, [string] $Name, [double] $Seconds, [string] $Ready)
Import-Module $env:NETMAPPS_MODULE
$errors = @()
$count = 0
try {
    $port = Open-NetmapPort $Name -ErrorAction Stop
    $null = New-Item -ItemType File $Ready
    if ($Role -eq 'Send') {
        $frame = [byte[]]::new(60); foreach ($i in 0..5) { $frame[$i] = 255 }
        $report = , $frame | Send-NetmapPacket -Port $port -Count 100000000 -Duration $Seconds -Timeout 2 -Summary -ErrorVariable +errors -ErrorAction SilentlyContinue
        $count = $report.Packets
    }
    else {
        $report = Measure-NetmapTraffic -Port $port -Duration $Seconds -TotalOnly -ErrorVariable +errors -ErrorAction SilentlyContinue
        $count = $report.Packets
    }
}
catch { $errors += $_ }
[pscustomobject]@{ Role = $Role; Count = [long]$count; Errors = @($errors | ForEach-Object { "$($_.FullyQualifiedErrorId)" } | Select-Object -Unique) } | ConvertTo-Json -Compress
