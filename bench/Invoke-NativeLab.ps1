# The real-module rows: one boot of the lab VM (../shared/lab/netmap-vm, or $env:NETMAP_VM) runs
# bench/Measure-NativeLab.ps1 as root with netmap.ko loaded, on the module built on the host (the
# guest sees the host's files at the same paths). Returns its figures, or a string saying why it could not run.
param([Parameter(Mandatory)] [string] $ModulePath, [long] $Count = 1000000)
$ErrorActionPreference = 'Stop'
$vm = $env:NETMAP_VM ?? (Join-Path $PSScriptRoot '../../shared/lab/netmap-vm')
if (-not (Test-Path $vm)) { return "no lab VM at $vm (set NETMAP_VM; see ../shared/lab/README.md)" }
if ((& $vm info) -match 'not built') { return "the lab VM is not built ('$vm build <netmap tree>')" }
$pwsh = [IO.Path]::Combine($PSHOME, 'pwsh')
$script = Join-Path $PSScriptRoot 'Measure-NativeLab.ps1'
$env:NETMAP_VM_TIMEOUT = 2400   # 5 rounds and a warm-up of every scenario: about 15 minutes under the software CPU
$env:NETMAP_VM_VETH = 'native'   # netmap's patched veth driver: the native adapter for the veth rows
$lines = & $vm run "'$pwsh' -NoProfile -NonInteractive -File '$script' -ModulePath '$((Resolve-Path $ModulePath).Path)' -Count $Count" 2>&1 | ForEach-Object { "$_" }
$json = $lines | Where-Object { $_ -like '{*}' } | Select-Object -Last 1
if ($LASTEXITCODE -or -not $json) { throw "The lab VM run failed (exit $LASTEXITCODE):`n$($lines -join "`n")" }
$json | ConvertFrom-Json
