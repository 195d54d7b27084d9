# A network-namespace lab for NetmapPS: a veth named eth0 in its own namespace, with a peer that
# sends real traffic. Used by the Pester lab tests and by the demo. Needs root and iproute2; it
# never touches the host's own interfaces.

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
    $lab | Add-Member PeerMac (& ip netns exec $lab.B cat /sys/class/net/peer0/address).Trim()
    & ip -n $lab.A neigh add $lab.PeerAddress lladdr $lab.PeerMac dev eth0 nud permanent
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

# Starts a background bash in namespace B that sends, every Interval seconds for Count rounds, a DNS
# query (ids from 0x1000 up) to port 53 of eth0 and a datagram to port 5353, from CPU Cpu when it
# is given (with XPS, CPU n transmits on queue n, which lands on RX ring n of eth0). Returns the process.
function Start-PeerTraffic($Lab, [int] $Count = 50, [double] $Interval = 0.2, [int] $Cpu = -1) {
    $rounds = foreach ($i in 1..$Count) {
        "printf '$(Get-DnsQueryPrintf (0x1000 + $i) "host$i.example.test")' > /dev/udp/$($Lab.Address)/53; echo -n other > /dev/udp/$($Lab.Address)/5353; sleep $Interval"
    }
    $arguments = @('netns', 'exec', $Lab.B) + $(if ($Cpu -ge 0) { 'taskset', '-c', "$Cpu" }) + @('bash', '-c', ($rounds -join '; '))
    Start-NativeProcess ip $arguments
}

# Starts a program with each argument passed as it is (Start-Process would split those with spaces).
function Start-NativeProcess([string] $File, [string[]] $Arguments) {
    $info = [Diagnostics.ProcessStartInfo]::new($File)
    foreach ($a in $Arguments) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $process = [Diagnostics.Process]::Start($info)
    $null = $process.StandardOutput.ReadToEndAsync(), $process.StandardError.ReadToEndAsync()
    $process
}

# Starts tcpdump in namespace Namespace writing to File, and returns once it is listening.
function Start-Tcpdump([string] $Namespace, [string] $Interface, [string] $File, [string] $Filter) {
    $info = [Diagnostics.ProcessStartInfo]::new('ip')
    foreach ($a in 'netns', 'exec', $Namespace, 'tcpdump', '--immediate-mode', '-i', $Interface, '-nn', '-U', '-w', $File, $Filter) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardError = $true
    $info.RedirectStandardOutput = $true
    $process = [Diagnostics.Process]::Start($info)
    $null = $process.StandardOutput.ReadToEndAsync()
    $line = $process.StandardError.ReadLineAsync()
    if (-not $line.Wait(15000) -or $line.Result -notmatch 'listening') { $process.Kill(); throw "tcpdump did not start: $($line.Result)" }
    $null = $process.StandardError.ReadToEndAsync()
    $process
}

# Stops a tcpdump started by Start-Tcpdump, letting it write out what it captured.
function Stop-Tcpdump($Process) {
    Start-Sleep -Milliseconds 300
    & kill -INT $Process.Id
    $null = $Process.WaitForExit(10000)
}

Export-ModuleMember -Function New-NetmapLab, Remove-NetmapLab, Invoke-Peer, Get-DnsQueryPrintf, Start-PeerTraffic, Start-NativeProcess, Start-Tcpdump, Stop-Tcpdump
