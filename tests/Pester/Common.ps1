# Dot-sourced by every test file: loads the module under test and the helpers the tests share.
$script:ModulePath = if ($env:NETMAPPS_MODULE) { $env:NETMAPPS_MODULE } else { Join-Path $PSScriptRoot '../../out/NetmapPS/NetmapPS.psd1' }
Import-Module $ModulePath -Force
$script:Pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
$script:ShmDir = if ($env:NETMAPPS_SHM_DIR) { $env:NETMAPPS_SHM_DIR } else { '/dev/shm' }
$script:Uid = (& id -u)

# A name no other test uses: pipe and switch names must be unique per run.
function New-TestName([string] $Stem) { $Stem + [guid]::NewGuid().ToString('N').Substring(0, 10) }

# The region file of a pipe ('pipe-NAME-ID') or a switch ('vale-SWITCH').
function Get-RegionPath([string] $Region) { Join-Path $ShmDir "netmapps-$Uid-$Region" }

# An Ethernet frame from Source to Destination (MACs as 'aa:bb:...'), EtherType 0x88B5, with a text payload.
function New-TestFrame([string] $Destination = 'ff:ff:ff:ff:ff:ff', [string] $Source = '02:00:00:00:00:01', [string] $Text = 'test') {
    $mac = { param($m) [byte[]]($m -split ':' | ForEach-Object { [Convert]::ToByte($_, 16) }) }
    , [byte[]]((& $mac $Destination) + (& $mac $Source) + [byte[]](0x88, 0xb5) + [Text.Encoding]::ASCII.GetBytes($Text.PadRight(46)))
}

# Starts a child pwsh running a script from Scripts/ with the given arguments (inside a network
# namespace when one is named); returns the process.
function Start-TestScript([string] $Script, [string[]] $Arguments, [string] $Namespace) {
    $command = @($Pwsh, '-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot "Scripts/$Script")) + $Arguments
    if ($Namespace) { $command = @('ip', 'netns', 'exec', $Namespace) + $command }
    $info = [Diagnostics.ProcessStartInfo]::new($command[0])
    foreach ($a in $command[1..($command.Count - 1)]) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.Environment['NETMAPPS_MODULE'] = $ModulePath
    $process = [Diagnostics.Process]::Start($info)
    # Read both streams as they come, so that a chatty child never blocks on a full pipe.
    $process | Add-Member -NotePropertyName Output -NotePropertyValue $process.StandardOutput.ReadToEndAsync()
    $process | Add-Member -NotePropertyName Errors -NotePropertyValue $process.StandardError.ReadToEndAsync()
    $process
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

# Builds a lab: namespace A holds 'eth0' (a veth with 2 queues, 10.99.0.1/24), namespace B holds
# its peer 'peer0' (10.99.0.2/24) with a static neighbour entry for eth0, since ARP goes to the port
# while it is open, as with the kernel module. XPS sends what CPU n transmits on queue n of peer0,
# which veth delivers to RX queue n of eth0.
function New-NetmapLab {
    $id = [guid]::NewGuid().ToString('N').Substring(0, 6)
    $lab = [pscustomobject]@{ A = "nmps-a-$id"; B = "nmps-b-$id"; Address = '10.99.0.1'; PeerAddress = '10.99.0.2'; Mac = '' }
    $steps = @(
        "netns add $($lab.A)", "netns add $($lab.B)",
        "netns exec $($lab.A) ip link add eth0 numtxqueues 2 numrxqueues 2 type veth peer name peer0 netns $($lab.B) numtxqueues 2 numrxqueues 2",
        "-n $($lab.A) addr add $($lab.Address)/24 dev eth0", "-n $($lab.A) link set eth0 up", "-n $($lab.A) link set lo up",
        "-n $($lab.B) addr add $($lab.PeerAddress)/24 dev peer0", "-n $($lab.B) link set peer0 up", "-n $($lab.B) link set lo up")
    foreach ($step in $steps) {
        & ip @($step -split ' ')
        if ($LASTEXITCODE) { Remove-NetmapLab $lab; throw "ip $step failed" }
    }
    $lab.Mac = (& ip netns exec $lab.A cat /sys/class/net/eth0/address).Trim()
    & ip -n $lab.B neigh add $lab.Address lladdr $lab.Mac dev peer0 nud permanent
    & ip netns exec $lab.B sh -c 'echo 1 > /sys/class/net/peer0/queues/tx-0/xps_cpus; echo 2 > /sys/class/net/peer0/queues/tx-1/xps_cpus' 2>$null
    $lab
}

function Remove-NetmapLab($Lab) {
    & ip netns del $Lab.A 2>$null
    & ip netns del $Lab.B 2>$null
}

# Runs a bash command in namespace B (the peer), pinned to a CPU when one is given.
function Invoke-Peer($Lab, [string] $Command, [int] $Cpu = -1) {
    $prefix = if ($Cpu -ge 0) { @('taskset', '-c', "$Cpu") } else { @() }
    & ip netns exec $Lab.B @prefix bash -c $Command
}

# A DNS query for NAME (type A) with the given id, as printf escapes for bash.
function Get-DnsQueryPrintf([int] $Id, [string] $Name = 'example.test') {
    $bytes = [Collections.Generic.List[byte]]::new()
    $bytes.AddRange([byte[]](((($Id -shr 8) -band 0xff), ($Id -band 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0)))
    foreach ($label in $Name.Split('.')) { $bytes.Add([byte]$label.Length); $bytes.AddRange([Text.Encoding]::ASCII.GetBytes($label)) }
    $bytes.AddRange([byte[]](0, 0, 1, 0, 1))
    -join ($bytes | ForEach-Object { '\x{0:x2}' -f $_ })
}
