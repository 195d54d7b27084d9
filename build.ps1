<#
.SYNOPSIS
    Builds, tests and demonstrates NetmapPS.
.DESCRIPTION
    Build : lays the module out in out/NetmapPS (Import-Module takes that folder).
    Test  : Build, then the C# unit tests, then the Pester tests; ends with "N passed, N failed".
    Demo  : Build, then a short tour on the embedded (emulated) backend.
    Bench : Build, then bench/Bench.ps1 (-Quick: small counts, to check the harness).
    Clean : removes out/ and the bin/obj folders.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 Demo
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'UnitTest', 'Pester', 'Demo', 'Bench', 'Clean')]
    [string[]] $Task = 'Build',
    [string] $Configuration = 'Release',
    # Pester tags to leave out (for example Lab).
    [string[]] $ExcludeTag = @(),
    # Pester test files to run (default: all of tests/Pester).
    [string[]] $TestPath = @(),
    # Bench: small counts, only to check that the harness works.
    [switch] $Quick
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
    Copy-Item (Join-Path $Root 'NetmapPS.psd1'), (Join-Path $Root 'NetmapPS.Format.ps1xml'), (Join-Path $Root 'NetmapPS.Types.ps1xml') $ModuleDir -Force
    # Serialization settings and the views of deserialized objects.
    Copy-Item (Join-Path $Root 'NetmapPS.Serialization.ps1xml'), (Join-Path $Root 'NetmapPS.Deserialized.Format.ps1xml') $ModuleDir -Force
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
    $paths = ($(if ($TestPath) { $TestPath | Resolve-Path } else { Join-Path $Root 'tests/Pester' }) | ForEach-Object { "'$_'" }) -join ','
    # A child process, so that the module and the ports the tests open die with it.
    $script = @"
Import-Module '$pester' -MinimumVersion $PesterVersion
`$c = New-PesterConfiguration
`$c.Run.Path = @($paths)
`$c.Run.PassThru = `$true
`$c.Output.Verbosity = 'Detailed'
`$c.Filter.ExcludeTag = @($exclude)
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
        'Pester' { Invoke-Build; Invoke-PesterTests; Write-Totals }
        'Test' { Invoke-Build; Invoke-UnitTest; Invoke-PesterTests; Write-Totals }
        'Demo' { Invoke-Build; & $Pwsh -NoProfile -File (Join-Path $Root 'demo/Start-Demo.ps1') -ModulePath (Join-Path $ModuleDir 'NetmapPS.psd1'); if ($LASTEXITCODE) { exit $LASTEXITCODE } }
        'Bench' { Invoke-Build; & $Pwsh -NoProfile -File (Join-Path $Root 'bench/Bench.ps1') -ModulePath (Join-Path $ModuleDir 'NetmapPS.psd1') -Quick:$Quick; if ($LASTEXITCODE) { exit $LASTEXITCODE } }
        'Clean' { Remove-Item $Out -Recurse -ErrorAction Ignore; Get-ChildItem $Root -Include bin, obj -Recurse -Directory | Remove-Item -Recurse -Force }
    }
}
