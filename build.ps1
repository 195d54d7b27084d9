<#
.SYNOPSIS
    Builds, tests and demonstrates NetmapPS.
.DESCRIPTION
    Build : lays the module out in out/NetmapPS (Import-Module takes that folder).
    Test  : Build, then the C# unit tests, then the Pester tests; ends with "N passed, N failed".
    Demo  : Build, then a short tour on the embedded (emulated) backend.
    Bench : Build, then bench/Bench.ps1 (-Quick: small counts, to check the harness). A full run also
            has the real-module rows, pkt-gen against NetmapPS in the lab VM (a few minutes), where
            the lab VM is present, and says so where it is not.
    Soak  : Build, then bench/Soak.ps1: 10 minutes of sequenced traffic through a pipe and a VALE
            switch; fails on a frame lost without being counted or on growing memory (bench/SOAK.md).
    NativeLab : Build, then tests/Pester/Native.Tests.ps1 against the real netmap kernel module in a
            VM that has it ($env:NETMAP_VM, default ../shared/lab/netmap-vm, a script outside this
            repository): one boot as netmap loads by default, one with admode=1 for the test that needs
            it. Without such a VM, load netmap (docs/native.md) and run
            './build.ps1 Test -TestPath tests/Pester/Native.Tests.ps1' as root.
    Clean : removes out/ and the bin/obj folders.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 Demo
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'UnitTest', 'Pester', 'Demo', 'Bench', 'Soak', 'Clean', 'NativeLab')]
    [string[]] $Task = 'Build',
    [string] $Configuration = 'Release',
    # Pester tags to leave out (for example Lab).
    [string[]] $ExcludeTag = @(),
    # Pester test files to run (default: all of tests/Pester and examples).
    [string[]] $TestPath = @(),
    # Pester tags to run (default: every tag).
    [string[]] $Tag = @(),
    # Pester without building first (the lab VM cannot run NuGet; NativeLab builds on the host).
    [switch] $NoBuild,
    # Bench: small counts, only to check that the harness works.
    [switch] $Quick,
    # Bench: the rows of the real netmap module in the lab VM run in full runs anyway (kept for old command lines).
    [switch] $Native
)

$ErrorActionPreference = 'Stop'
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleDir = Join-Path $Out 'NetmapPS'
$PesterVersion = '5.7.1'
# The pwsh that runs this script (under "dotnet pwsh" the process itself is dotnet).
$Pwsh = Join-Path $PSHOME ($IsWindows ? "pwsh.exe" : "pwsh")
$script:Totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }

# Runs a program (first argument) with the rest as its arguments; throws when it fails.
function Invoke-Tool {
    $file, $arguments = $args
    & $file @arguments
    if ($LASTEXITCODE -ne 0) { throw "'$file $($arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Invoke-Build {
    Write-Host '== Build' -ForegroundColor Cyan
    Invoke-Tool dotnet publish (Join-Path $Root 'src/NetmapPS/NetmapPS.csproj') -c $Configuration -o $ModuleDir --nologo -v quiet
    Copy-Item (Join-Path $Root 'NetmapPS.psd1'), (Join-Path $Root 'NetmapPS.Format.ps1xml'), (Join-Path $Root 'NetmapPS.Types.ps1xml'), (Join-Path $Root 'NetmapPS.Pester.psm1') $ModuleDir -Force
    # Serialization settings and the views of deserialized objects.
    Copy-Item (Join-Path $Root 'NetmapPS.Serialization.ps1xml'), (Join-Path $Root 'NetmapPS.Deserialized.Format.ps1xml') $ModuleDir -Force
    # The layers' type data and views, written from their one declaration (Netmap.Native.Packets.PacketLayers).
    Invoke-Tool $Pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tools/New-LayerTypeData.ps1') `
        -AssemblyPath (Join-Path $ModuleDir 'Netmap.Native.dll') -OutputPath $ModuleDir
    if (Test-Path (Join-Path $Root 'en-US')) { Copy-Item (Join-Path $Root 'en-US') $ModuleDir -Recurse -Force }
    # Cmdlet help: MAML from docs/help/*.md, in a child pwsh (the build process does not load the module).
    Invoke-Tool $Pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tools/New-MamlHelp.ps1') -ModulePath (Join-Path $ModuleDir 'NetmapPS.psd1') `
        -MarkdownPath (Join-Path $Root 'docs/help') -OutputPath (Join-Path $ModuleDir 'en-US/NetmapPS.dll-Help.xml')
    Remove-Item (Join-Path $ModuleDir '*.pdb'), (Join-Path $ModuleDir '*.deps.json') -ErrorAction Ignore
    Write-Host "Module laid out in $ModuleDir"
}

function Invoke-UnitTest {
    Write-Host '== C# unit tests' -ForegroundColor Cyan
    $results = Join-Path $Out 'test-results'
    Remove-Item $results -Recurse -ErrorAction Ignore
    & dotnet test (Join-Path $Root 'tests/Netmap.Native.Tests/Netmap.Native.Tests.csproj') -c $Configuration --nologo `
        --logger 'trx;LogFileName=unit.trx' --logger 'console;verbosity=minimal' --results-directory $results
    $trx = Join-Path $results 'unit.trx'
    if (-not (Test-Path $trx)) { $script:Totals.Failed++; Write-Warning 'The unit tests produced no results (build failure?).'; return }
    $counters = ([xml](Get-Content $trx -Raw)).TestRun.ResultSummary.Counters
    $script:Totals.Passed += [int]$counters.passed
    $script:Totals.Failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
    $script:Totals.Skipped += [int]$counters.notExecuted
}

function Get-PesterModule {
    $nugetRoot = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
    $manifest = Join-Path $nugetRoot "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $manifest)) { Invoke-Tool dotnet restore (Join-Path $Root 'build/Tools.csproj') --nologo -v quiet }
    $manifest
}

function Invoke-PesterTests {
    Write-Host '== Pester tests' -ForegroundColor Cyan
    $pester = Get-PesterModule
    $env:NETMAPPS_MODULE = Join-Path $ModuleDir 'NetmapPS.psd1'
    $summary = Join-Path $Out 'pester-summary.json'
    $exclude = ($ExcludeTag | ForEach-Object { "'$_'" }) -join ','
    $include = ($Tag | ForEach-Object { "'$_'" }) -join ','
    $paths = ($(if ($TestPath) { $TestPath | Resolve-Path } else { (Join-Path $Root 'tests/Pester'), (Join-Path $Root 'examples') }) | ForEach-Object { "'$_'" }) -join ','
    # The examples import the module by name, as a user does.
    $env:PSModulePath = $Out + [IO.Path]::PathSeparator + $env:PSModulePath
    # A child process, so that the module and the ports the tests open die with it.
    $script = @"
Import-Module '$pester' -MinimumVersion $PesterVersion
`$c = New-PesterConfiguration
`$c.Run.Path = @($paths)
`$c.Run.PassThru = `$true
`$c.Output.Verbosity = 'Detailed'
`$c.Filter.ExcludeTag = @($exclude)
if (@($include).Count) { `$c.Filter.Tag = @($include) }
`$r = Invoke-Pester -Configuration `$c
@{ Passed = `$r.PassedCount; Failed = `$r.FailedCount + `$r.FailedBlocksCount + `$r.FailedContainersCount; Skipped = `$r.SkippedCount + `$r.NotRunCount } |
    ConvertTo-Json | Set-Content '$summary'
"@
    & $Pwsh -NoProfile -Command $script
    if (-not (Test-Path $summary)) { $script:Totals.Failed++; Write-Warning 'Pester produced no results.'; return }
    $r = Get-Content $summary -Raw | ConvertFrom-Json
    Remove-Item $summary
    $script:Totals.Passed += $r.Passed; $script:Totals.Failed += $r.Failed; $script:Totals.Skipped += $r.Skipped
}

# Runs the Native Pester file in the lab VM; adds the guest's "N passed, N failed" to the totals.
function Invoke-NativeLab {
    $vm = if ($env:NETMAP_VM) { $env:NETMAP_VM } else { Join-Path $Root '../shared/lab/netmap-vm' }
    if (-not (Test-Path $vm)) {
        throw ("NativeLab runs the Native tests in a VM that has the netmap kernel module, through a script ('SCRIPT run COMMAND') " +
            "that is not part of this repository, and there is none at $vm. Without such a VM: load netmap on a Linux machine " +
            "(docs/native.md, 'Checking your own kernel') and run './build.ps1 Test -TestPath tests/Pester/Native.Tests.ps1' there as root. " +
            "With one: set NETMAP_VM to its script.")
    }
    $null = Get-PesterModule   # restored on the host: NuGet cannot run in the guest
    $env:NETMAPPS_MODULE = Join-Path $ModuleDir 'NetmapPS.psd1'
    $env:NETMAP_VM_PASS_ENV = 'NETMAPPS_MODULE'
    if (-not $env:NETMAP_VM_TIMEOUT) { $env:NETMAP_VM_TIMEOUT = '1500' }
    $native = 'tests/Pester/Native.Tests.ps1'
    $runs = @(
        @{ Title = 'netmap as loaded by default'; Args = ''; Command = "dotnet pwsh -NoProfile -File ./build.ps1 Pester -NoBuild -TestPath $native" },
        @{ Title = 'netmap with admode=1 (native adapters only)'; Args = 'admode=1'; Command = "dotnet pwsh -NoProfile -File ./build.ps1 Pester -NoBuild -TestPath $native -Tag NativeAdmode" }
    )
    foreach ($run in $runs) {
        Write-Host "== Native tests in the lab VM: $($run.Title)" -ForegroundColor Cyan
        $env:NETMAP_VM_NETMAP_ARGS = if ($run.Args) { $run.Args } else { $null }
        Push-Location $Root
        try { & $vm run $run.Command | Tee-Object -Variable lines | Out-Host; $code = $LASTEXITCODE }
        finally { Pop-Location; Remove-Item Env:NETMAP_VM_NETMAP_ARGS -ErrorAction Ignore }
        $summary = @($lines | Select-String '^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$')[-1]
        if (-not $summary) { $script:Totals.Failed++; Write-Warning "The lab run ended with exit code $code and no totals."; continue }
        $script:Totals.Passed += [int]$summary.Matches[0].Groups[1].Value
        $script:Totals.Failed += [int]$summary.Matches[0].Groups[2].Value
        $script:Totals.Skipped += [int]('0' + $summary.Matches[0].Groups[3].Value)
    }
}

function Write-Totals {
    $line = "$($Totals.Passed) passed, $($Totals.Failed) failed"
    if ($Totals.Skipped) { $line += ", $($Totals.Skipped) skipped" }
    Write-Host $line
    if ($Totals.Failed -gt 0) { exit 1 }
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' { Invoke-Build }
        'UnitTest' { Invoke-Build; Invoke-UnitTest; Write-Totals }
        'Pester' { if (-not $NoBuild) { Invoke-Build }; Invoke-PesterTests; Write-Totals }
        'Test' { Invoke-Build; Invoke-UnitTest; Invoke-PesterTests; Write-Totals }
        'NativeLab' { Invoke-Build; Invoke-NativeLab; Write-Totals }
        'Demo' { Invoke-Build; & $Pwsh -NoProfile -File (Join-Path $Root 'demo/Start-Demo.ps1') -ModulePath (Join-Path $ModuleDir 'NetmapPS.psd1'); if ($LASTEXITCODE) { exit $LASTEXITCODE } }
        'Soak' { Invoke-Build; & $Pwsh -NoProfile -File (Join-Path $Root 'bench/Soak.ps1') -ModulePath (Join-Path $ModuleDir 'NetmapPS.psd1'); if ($LASTEXITCODE) { exit $LASTEXITCODE } }
        'Bench' { Invoke-Build; & $Pwsh -NoProfile -File (Join-Path $Root 'bench/Bench.ps1') -ModulePath (Join-Path $ModuleDir 'NetmapPS.psd1') -Quick:$Quick -Native:$Native; if ($LASTEXITCODE) { exit $LASTEXITCODE } }
        'Clean' { Remove-Item $Out -Recurse -ErrorAction Ignore; Get-ChildItem $Root -Include bin, obj -Recurse -Directory | Remove-Item -Recurse -Force }
    }
}
