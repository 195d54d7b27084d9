# Builds and runs the BenchmarkDotNet micro benchmarks (bench/Netmap.Micro), in process, and returns
# one object per benchmark (Type, Method, NsPerOp, BytesPerOp) read from BenchmarkDotNet's JSON
# export in out/bench/micro/results. -Job Short for a full run, Dry for a quick one.
# libnetmap (the port-name reference) is built from netmap's source where the lab VM has it
# ($env:NETMAP_LAB or /opt/lab, netmap-src/libnetmap); elsewhere those rows run without it.
param([Parameter(Mandatory)] [string] $Out, [ValidateSet('Short', 'Dry')] [string] $Job = 'Short')
$ErrorActionPreference = 'Stop'
$bin = Join-Path $Out 'micro-bin'
$artifacts = Join-Path $Out 'micro'
& dotnet build (Join-Path $PSScriptRoot 'Netmap.Micro/Netmap.Micro.csproj') -c Release -o $bin --nologo -v quiet | Out-Null
if ($LASTEXITCODE) { throw 'Building bench/Netmap.Micro failed.' }

$source = Join-Path ($env:NETMAP_LAB ?? '/opt/lab') 'netmap-src'
$libnetmap = Join-Path $Out 'libnetmap-reference.so'
Remove-Item $libnetmap -ErrorAction Ignore
if (Test-Path (Join-Path $source 'libnetmap/nmport.c')) {
    & gcc -O2 -fPIC -shared -I (Join-Path $source 'sys') -I (Join-Path $source 'libnetmap') (Get-ChildItem (Join-Path $source 'libnetmap/*.c')).FullName -lpthread -o $libnetmap
    if ($LASTEXITCODE) { throw "Building libnetmap from $source failed." }
}

Remove-Item $artifacts -Recurse -ErrorAction Ignore
$env:NETMAPPS_LIBNETMAP = (Test-Path $libnetmap) ? $libnetmap : $null
try { & dotnet (Join-Path $bin 'Netmap.Micro.dll') --job $Job --inProcess --artifacts $artifacts --filter '*' *> (Join-Path $Out 'micro.log') }
finally { $env:NETMAPPS_LIBNETMAP = $null }
if ($LASTEXITCODE) { throw "The micro benchmarks failed; see $(Join-Path $Out 'micro.log')." }

foreach ($file in Get-ChildItem (Join-Path $artifacts 'results/*-report-full.json')) {
    foreach ($b in (Get-Content $file -Raw | ConvertFrom-Json).Benchmarks) {
        [pscustomobject]@{ Type = $b.Type; Method = $b.Method; NsPerOp = [double]$b.Statistics.Mean; BytesPerOp = [double]$b.Memory.BytesAllocatedPerOperation }
    }
}
