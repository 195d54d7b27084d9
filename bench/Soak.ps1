<#
.SYNOPSIS
    Soak: sequenced 60-byte frames at full speed for Minutes, through a pipe and through a VALE switch
    (two processes each, both soaks at once). Checks that no frame goes missing without being counted
    (pipe: nothing lost, no gap; VALE: every frame sent was received or counted as dropped by the switch
    on a full RX ring, as netmap's VALE drops) and that resident memory stays flat. Prints a table and
    writes bench/SOAK.md.
.PARAMETER Minutes
    How long each soak runs (10 for the issue's soak; 1 to try the harness).
#>
param([double] $Minutes = 10, [string] $ModulePath = (Join-Path $PSScriptRoot '../out/NetmapPS/NetmapPS.psd1'), [switch] $NoRecord)
$ErrorActionPreference = 'Stop'
$pwsh = Join-Path $PSHOME 'pwsh'
$seconds = [int]($Minutes * 60)
$id = [guid]::NewGuid().ToString('N').Substring(0, 7)   # 'valesoak' + 7: a switch name fits IFNAMSIZ (15)

function Start-Child([string] $Script) {
    $info = [Diagnostics.ProcessStartInfo]::new($pwsh)
    foreach ($a in '-NoProfile', '-NonInteractive', '-Command', "Import-Module '$ModulePath'; $Script") { $info.ArgumentList.Add($a) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $p = [Diagnostics.Process]::Start($info)
    $p | Add-Member Output $p.StandardOutput.ReadToEndAsync()
    $p | Add-Member Errors $p.StandardError.ReadToEndAsync()
    $p
}

function Get-Rss([int] $ProcessId) {
    $line = Get-Content "/proc/$ProcessId/status" -ErrorAction Ignore | Select-String '^VmRSS:'
    if ($line) { [long](($line -replace '\D', '')) * 1KB } else { $null }
}

# Each soak: a sender for Minutes, and a receiver measuring sequence gaps until 5 s after the last
# frame (a pipe receiver ends as soon as its sender has closed: PipePeerGone).
$measure = "Measure-NetmapTraffic -Port `$p -Sequence -Timeout 5 -TotalOnly -ErrorAction SilentlyContinue | Select-Object Packets, Gaps, Reordered, @{ n = 'Dropped'; e = { `$p.Dropped } } | ConvertTo-Json -Compress"
$send = "New-NetmapPacket -Length 60 | Send-NetmapPacket -Port `$p -Duration $seconds -Sequence -Summary | ConvertTo-Json -Compress"
$soaks = @(
    @{ Name = 'pipe'; Receiver = "`$p = Open-NetmapPort 'netmap:soak$id}1'; $measure"; Sender = "`$p = Open-NetmapPort 'netmap:soak$id{1'; $send" }
    @{ Name = 'VALE switch'; Receiver = "`$p = Open-NetmapPort 'valesoak${id}:b'; $measure"; Sender = "`$p = Open-NetmapPort 'valesoak${id}:a'; $send" }
) | ForEach-Object { [pscustomobject]$_ }
foreach ($s in $soaks) {
    $s | Add-Member Rx (Start-Child $s.Receiver)
    Start-Sleep -Seconds 2           # the receiver is there before the first frame
    $s | Add-Member Tx (Start-Child $s.Sender)
    $s | Add-Member Samples ([Collections.Generic.List[object]]::new())
}

$clock = [Diagnostics.Stopwatch]::StartNew()
while ($soaks.Rx + $soaks.Tx | Where-Object { -not $_.HasExited }) {
    foreach ($s in $soaks) {
        $s.Samples.Add([pscustomobject]@{ Second = [int]$clock.Elapsed.TotalSeconds; Receiver = Get-Rss $s.Rx.Id; Sender = Get-Rss $s.Tx.Id })
    }
    if ($clock.Elapsed.TotalSeconds -gt $seconds + 120) { ($soaks.Rx + $soaks.Tx) | Where-Object { -not $_.HasExited } | ForEach-Object { $_.Kill($true) } }
    Start-Sleep -Seconds ([Math]::Min(10, [Math]::Max(1, $seconds / 30)))
}

$rows = foreach ($s in $soaks) {
    $total = $s.Rx.Output.Result | ConvertFrom-Json
    $sent = $s.Tx.Output.Result | ConvertFrom-Json
    if (-not $total -or -not $sent) { throw "The $($s.Name) soak wrote nothing: $($s.Rx.Errors.Result) $($s.Tx.Errors.Result)" }
    # Memory: from the first sample after a minute (or a fifth of the run) of warm-up to the last one of the sending time.
    $warm = @($s.Samples | Where-Object { $_.Second -ge [Math]::Min(60, $seconds / 5) -and $_.Second -le $seconds -and $_.Receiver -and $_.Sender })
    $first, $last = $warm[0], $warm[-1]
    $growth = [Math]::Max($last.Receiver - $first.Receiver, $last.Sender - $first.Sender)
    # Every frame sent arrived or was counted as dropped by the switch; a pipe drops nothing and has no gap.
    $accounted = $sent.Packets -eq $total.Packets + $total.Dropped -and ($s.Name -ne 'pipe' -or ($total.Gaps -eq 0 -and $total.Dropped -eq 0))
    [pscustomobject]@{
        Soak = $s.Name; Minutes = $Minutes; Sent = $sent.Packets; Received = $total.Packets; Mpps = [Math]::Round($total.Packets / $seconds / 1e6, 2)
        Gaps = $total.Gaps; Reordered = $total.Reordered; SwitchDrops = $total.Dropped
        'Rx RSS MiB' = '{0:N1} -> {1:N1}' -f ($first.Receiver / 1MB), ($last.Receiver / 1MB)
        'Tx RSS MiB' = '{0:N1} -> {1:N1}' -f ($first.Sender / 1MB), ($last.Sender / 1MB)
        Growth = '{0:N1} MiB' -f ($growth / 1MB)
        Verdict = if ($accounted -and $total.Reordered -eq 0 -and $total.Packets -gt 0 -and $growth -lt 16MB) { 'pass' } else { 'FAIL' }
    }
}
$rows | Format-Table -AutoSize | Out-String -Width 250
if (-not $NoRecord) {
    $md = @('# Soak results', '',
        "Run on $(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC, $([Environment]::ProcessorCount) CPUs, both soaks at once (bench/Soak.ps1 -Minutes $Minutes).",
        'Pass: every frame sent was received or counted as dropped by the VALE switch on a full RX ring (netmap VALE drops rather',
        'than blocks); a pipe blocks its sender instead, so it must drop nothing and show no gap; nothing reordered; resident memory',
        'grows by less than 16 MiB from the first sample after warm-up to the end of sending.', '',
        '| Soak | Minutes | Sent | Received | Mpps | Gaps | Reordered | Switch drops | Receiver RSS MiB | Sender RSS MiB | Growth | Verdict |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|')
    $md += $rows | ForEach-Object { "| $($_.Soak) | $($_.Minutes) | $('{0:N0}' -f $_.Sent) | $('{0:N0}' -f $_.Received) | $($_.Mpps) | $($_.Gaps) | $($_.Reordered) | $($_.SwitchDrops) | $($_.'Rx RSS MiB') | $($_.'Tx RSS MiB') | $($_.Growth) | $($_.Verdict) |" }
    $md | Set-Content (Join-Path $PSScriptRoot 'SOAK.md')
}
if ($rows.Verdict -contains 'FAIL') { exit 1 }
