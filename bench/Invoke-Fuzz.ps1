<#
.SYNOPSIS
    The fuzz tests of the unit test suite (trait Category=Fuzz: the port-name parser, the capture-file
    reader, the BPF checker and runner against libpcap's bpf_filter) with Scale times their inputs.
    Prints one JSON object: tests, failures, seconds, and the names of the tests that failed.
#>
param([int] $Scale = 50)
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot
$results = Join-Path $root 'out/bench/fuzz'
Remove-Item $results -Recurse -ErrorAction Ignore
$env:NETMAPPS_FUZZ_SCALE = "$Scale"
$clock = [Diagnostics.Stopwatch]::StartNew()
& dotnet test (Join-Path $root 'tests/Netmap.Native.Tests/Netmap.Native.Tests.csproj') -c Release --nologo -v quiet `
    --filter 'Category=Fuzz' --logger 'trx;LogFileName=fuzz.trx' --results-directory $results | Out-Null
$seconds = $clock.Elapsed.TotalSeconds
$trx = Join-Path $results 'fuzz.trx'
if (-not (Test-Path $trx)) { throw 'The fuzz tests produced no results (build failure?).' }
$run = ([xml](Get-Content $trx -Raw)).TestRun
$failed = @($run.Results.UnitTestResult | Where-Object outcome -ne 'Passed' | ForEach-Object testName)
[pscustomobject]@{ Scale = $Scale; Tests = [int]$run.ResultSummary.Counters.total; Failed = $failed.Count; FailedTests = $failed; Seconds = $seconds } |
    ConvertTo-Json -Compress
