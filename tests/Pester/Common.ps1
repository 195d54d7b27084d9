# Dot-sourced by every test file: loads the module under test and the helpers the tests share.
$script:ModulePath = if ($env:NETMAPPS_MODULE) { $env:NETMAPPS_MODULE } else { Join-Path $PSScriptRoot '../../out/NetmapPS/NetmapPS.psd1' }
Import-Module $ModulePath -Force
$script:Pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
$script:ShmDir = if ($env:NETMAPPS_SHM_DIR) { $env:NETMAPPS_SHM_DIR } else { '/dev/shm' }
$script:Uid = (& id -u)

# A name no other test uses: pipe and switch names must be unique per run.
function New-TestName([string] $Stem) { $Stem + [guid]::NewGuid().ToString('N').Substring(0, 10) }

# The region file of the pipes of a parent ('pipe-NAME') or of a switch ('vale-SWITCH'), in the user's private directory.
function Get-RegionPath([string] $Region, [string] $User = $Uid) { Join-Path $ShmDir "netmapps-$User/$Region" }

# An Ethernet frame from Source to Destination (MACs as 'aa:bb:...'), EtherType 0x88B5, with a text payload.
function New-TestFrame([string] $Destination = 'ff:ff:ff:ff:ff:ff', [string] $Source = '02:00:00:00:00:01', [string] $Text = 'test') {
    $mac = { param($m) [byte[]]($m -split ':' | ForEach-Object { [Convert]::ToByte($_, 16) }) }
    , [byte[]]((& $mac $Destination) + (& $mac $Source) + [byte[]](0x88, 0xb5) + [Text.Encoding]::ASCII.GetBytes($Text.PadRight(46)))
}

# Starts a program with each argument passed as it is, NETMAPPS_MODULE set, and its output
# collected as it comes (so that a chatty child never blocks on a full pipe); returns the process.
function Start-Program([string] $File, [string[]] $Arguments) {
    $info = [Diagnostics.ProcessStartInfo]::new($File)
    foreach ($a in $Arguments) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.Environment['NETMAPPS_MODULE'] = $ModulePath
    $process = [Diagnostics.Process]::Start($info)
    $process | Add-Member -NotePropertyName Output -NotePropertyValue $process.StandardOutput.ReadToEndAsync()
    $process | Add-Member -NotePropertyName Errors -NotePropertyValue $process.StandardError.ReadToEndAsync()
    $process
}

# Starts a child pwsh running a script from Scripts/ with the given arguments (inside a network
# namespace when one is named); returns the process.
function Start-TestScript([string] $Script, [string[]] $Arguments, [string] $Namespace) {
    $command = @($Pwsh, '-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot "Scripts/$Script")) + $Arguments
    if ($Namespace) { $command = @('ip', 'netns', 'exec', $Namespace) + $command }
    Start-Program $command[0] $command[1..($command.Count - 1)]
}

# Waits for a child started by Start-TestScript; kills it after TimeoutSeconds. Returns its output.
function Wait-TestScript($Process, [int] $TimeoutSeconds = 120) {
    if (-not $Process.WaitForExit($TimeoutSeconds * 1000)) {
        $Process.Kill($true)
        throw "The child pwsh $($Process.Id) did not finish within $TimeoutSeconds s. Its errors: $($Process.Errors.Result)"
    }
    if ($Process.ExitCode -ne 0) { throw "The child pwsh exited with $($Process.ExitCode): $($Process.Errors.Result) $($Process.Output.Result)" }
    $Process.Output.Result
}

# Waits until a file exists (a child's 'ready' signal).
function Wait-File([string] $Path, [int] $TimeoutSeconds = 60) {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (Test-Path $Path)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out waiting for $Path" }
        Start-Sleep -Milliseconds 50
    }
}

# The namespace lab (New-NetmapLab, Remove-NetmapLab, Invoke-Peer, Get-DnsQueryPrintf).
Import-Module (Join-Path $PSScriptRoot '../../tools/NetmapLab.psm1') -Force
