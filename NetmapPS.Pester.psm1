# Pester assertions for packets, loaded with NetmapPS (a nested module). Pester's operators can only be
# registered from PowerShell (Add-ShouldOperator), and only once Pester is loaded: when it is already,
# they are registered now; otherwise the first time a command named Should is looked up.
#
#   $port | Should -HaveReceivedPacket -Filter 'icmp' -Within 2       # a port: receives for up to 2 s
#   $packets | Should -HaveReceivedPacket -Where { $_.Udp.DstPort -eq 53 } -Count 3
#   $packets | Should -Not -HaveReceivedPacket -Filter 'tcp port 23'
#   $received | Should -MatchCapture $expected -IgnoreOrder           # packets or a capture file

# Packets from what Should was given: packet objects as they are, capture files read, ports received
# from for Within seconds (stopping early once StopAfter packets passed Test, when StopAfter is set).
# Returns the packets and whether any came from a port.
function Get-ShouldPacket($ActualValue, [double] $Within, [scriptblock] $Test, [int] $StopAfter) {
    $packets = [Collections.Generic.List[object]]::new()
    $ports = [Collections.Generic.List[object]]::new()
    foreach ($item in @($ActualValue)) {
        if ($null -eq $item) { continue }
        $base = if ($item -is [psobject]) { $item.psobject.BaseObject } else { $item }
        if ($base -is [Netmap.Native.Ports.NetmapPort]) { $ports.Add($base) }
        elseif ($base -is [string] -and (Test-Path -LiteralPath $base -PathType Leaf)) { Import-NetmapCapture -Path $base | ForEach-Object { $packets.Add($_) } }
        elseif ($base -is [string]) { $ports.Add($base) }
        elseif ($item.PSObject.Properties['Data'] -and $item.Data -is [byte[]]) { $packets.Add($item) }
        else { throw "Should got a $($base.GetType().Name); give it packets, a capture file or an open port." }
    }
    if ($ports.Count) {
        $first = if ($StopAfter -gt 0) { $StopAfter } else { [int]::MaxValue }
        $null = Receive-NetmapPacket -Port $ports.ToArray() -Duration $Within | ForEach-Object {
            $packets.Add($_)
            if (-not $Test -or (& $Test $_)) { $_ }
        } | Select-Object -First $first
    }
    [pscustomobject]@{ Packets = $packets.ToArray(); FromPorts = $ports.Count -gt 0 }
}

# 'ARP 2, UDP 3' and a short table of the first frames, for failure messages.
function Format-PacketSummary([object[]] $Packets, [int] $Rows = 10) {
    if ($Packets.Count -eq 0) { return 'No frame arrived.' }
    $byProtocol = ($Packets | Group-Object Protocol | Sort-Object Count -Descending | ForEach-Object { "$($_.Name) $($_.Count)" }) -join ', '
    $table = $Packets | Select-Object -First $Rows | Format-Table @{ n = '#'; e = { [array]::IndexOf($Packets, $_) + 1 } }, Source, Destination, Protocol, Length, Info -AutoSize |
        Out-String -Width 150
    $more = if ($Packets.Count -gt $Rows) { "(first $Rows of $($Packets.Count) shown)" } else { '' }
    "$($Packets.Count) frame(s) arrived: $byProtocol.`n$($table.TrimEnd())`n$more".TrimEnd()
}

function Format-Because([string] $Because) { if ($Because) { " because $($Because -replace '^because\s+')," } else { '' } }

# -Filter as a test of one packet, compiled for the packet's link type (captures may hold several;
# frames without one are Ethernet). A bad expression stops here.
function New-PacketFilter([string] $Filter) {
    if (-not $Filter) { return $null }
    $compiled = @{ 1 = [Netmap.Native.Filters.PacketFilter]::Compile($Filter, 1) }
    {
        param($p)
        $type = if ($null -ne $p.LinkType) { [int] $p.LinkType } else { 1 }
        if (-not $compiled.ContainsKey($type)) { $compiled[$type] = [Netmap.Native.Filters.PacketFilter]::Compile($Filter, $type) }
        $compiled[$type].Matches([byte[]] $p.Data)
    }.GetNewClosure()
}

function Test-PacketMatch($Packet, $Filter, [scriptblock] $Where) {
    if ($Filter -and -not (& $Filter $Packet)) { return $false }
    if ($Where -and -not @($Packet | Where-Object -FilterScript $Where).Count) { return $false }
    $true
}

# Should -HaveReceivedPacket: at least one (or -AtLeast N, or exactly -Count N) of the packets (or of
# what the port receives within -Within seconds) match -Filter (pcap syntax) and -Where (a script block).
function Should-HaveReceivedPacket($ActualValue, [switch] $Negate, [string] $Filter, [scriptblock] $Where, $Count, $AtLeast, $Within, [string] $Because) {
    if ($null -ne $Count -and $null -ne $AtLeast) { throw 'Give -Count (exactly) or -AtLeast, not both.' }
    $compiled = New-PacketFilter $Filter
    $seconds = if ($null -eq $Within) { 1 } elseif ($Within -is [timespan]) { $Within.TotalSeconds } else { [double] $Within }
    $test = { param($p) Test-PacketMatch $p $compiled $Where }
    # Stop receiving early only when more packets cannot change the outcome.
    $stopAfter = if ($null -eq $Count -and -not $Negate) { if ($null -ne $AtLeast) { [int] $AtLeast } else { 1 } } else { 0 }
    $got = Get-ShouldPacket $ActualValue $seconds $test $stopAfter
    $packets = $got.Packets
    $matched = @($packets | Where-Object { & $test $_ }).Count
    $expected = if ($null -ne $Count) { "exactly $Count" } elseif ($null -ne $AtLeast) { "at least $AtLeast" } else { 'at least 1' }
    $ok = if ($null -ne $Count) { $matched -eq [int] $Count } elseif ($null -ne $AtLeast) { $matched -ge [int] $AtLeast } else { $matched -ge 1 }
    if ($Negate) { $ok = -not $ok }
    $what = @(if ($Filter) { "filter '$Filter'" }; if ($Where) { "Where { $($Where.ToString().Trim()) }" }) -join ' and '
    $what = if ($what) { " matching $what" } else { '' }
    $window = if ($got.FromPorts) { " within $seconds s" } else { '' }
    [pscustomobject]@{
        Succeeded      = $ok
        FailureMessage = if (-not $ok) {
            "Expected $(if (-not $Negate) { $expected } elseif ($null -ne $Count -or $null -ne $AtLeast) { "anything but $expected" } else { 'no' }) packet(s)$what$window,$(Format-Because $Because) but $matched matched. $(Format-PacketSummary $packets)"
        }
    }
}

# Should -MatchCapture: the same frames, byte for byte, as the expected packets or capture file, in
# the same order (or in any order with -IgnoreOrder); -Filter compares only the frames it matches.
function Should-MatchCapture($ActualValue, $ExpectedValue, [switch] $Negate, [switch] $IgnoreOrder, [string] $Filter, [string] $Because) {
    $compiled = New-PacketFilter $Filter
    $select = { param($v) @((Get-ShouldPacket $v 1 $null 0).Packets | Where-Object { -not $compiled -or (& $compiled $_) }) }
    $actual = & $select $ActualValue
    $expected = & $select $ExpectedValue
    $key = { param($p) [Convert]::ToHexString([byte[]] $p.Data) }
    $difference = $null
    if ($IgnoreOrder) {
        $missing = [Collections.Generic.List[object]]::new($expected)
        $extra = [Collections.Generic.List[object]]::new()
        foreach ($p in $actual) {
            $i = [array]::FindIndex($missing.ToArray(), [Predicate[object]] { param($e) (& $key $e) -eq (& $key $p) })
            if ($i -ge 0) { $missing.RemoveAt($i) } else { $extra.Add($p) }
        }
        if ($missing.Count -or $extra.Count) {
            $difference = "$($missing.Count) expected frame(s) missing, $($extra.Count) unexpected."
            if ($missing.Count) { $difference += "`nMissing: $(Format-PacketSummary $missing.ToArray() 5)" }
            if ($extra.Count) { $difference += "`nUnexpected: $(Format-PacketSummary $extra.ToArray() 5)" }
        }
    }
    else {
        for ($i = 0; $i -lt [Math]::Max($actual.Count, $expected.Count) -and -not $difference; $i++) {
            if ($i -ge $actual.Count) { $difference = "frame $($i + 1) is missing: expected $($expected[$i].Line)." }
            elseif ($i -ge $expected.Count) { $difference = "frame $($i + 1) is one too many: $($actual[$i].Line)." }
            else {
                $a = [byte[]] $actual[$i].Data; $e = [byte[]] $expected[$i].Data
                if ([Convert]::ToHexString($a) -ne [Convert]::ToHexString($e)) {
                    $at = 0; while ($at -lt [Math]::Min($a.Length, $e.Length) -and $a[$at] -eq $e[$at]) { $at++ }
                    $difference = "frame $($i + 1) differs from byte $at on: expected $($expected[$i].Line) ($($e.Length) bytes), got $($actual[$i].Line) ($($a.Length) bytes)."
                }
            }
        }
    }
    $ok = -not $difference
    if ($Negate) { $ok = -not $ok }
    [pscustomobject]@{
        Succeeded      = $ok
        FailureMessage = if (-not $ok) {
            if ($Negate) { "Expected the $($actual.Count) frame(s) not to match the capture,$(Format-Because $Because) but they do." }
            else { "Expected $($expected.Count) frame(s) matching the capture$(if ($IgnoreOrder) { ' in any order' }),$(Format-Because $Because) but got $($actual.Count): $difference" }
        }
    }
}

$script:Operators = @(
    @{ Name = 'HaveReceivedPacket'; Test = ${function:Should-HaveReceivedPacket} }
    @{ Name = 'MatchCapture'; Test = ${function:Should-MatchCapture} }
)

# Registers the operators when Pester 5 is loaded; true when they are (now or before: Pester takes
# an identical operator again silently).
function Register-NetmapShouldOperator {
    $pester = Get-Module Pester | Where-Object Version -ge '5.0' | Select-Object -First 1
    if (-not $pester) { return $false }
    foreach ($op in $script:Operators) {
        try { Pester\Add-ShouldOperator -Name $op.Name -Test $op.Test -SupportsArrayInput }
        catch { Write-Warning "Should -$($op.Name) is not available: $_" }
    }
    $true
}

$script:PreviousLookup = $null
$script:Hooked = $false
$script:Registering = $false
if (-not (Register-NetmapShouldOperator)) {
    # Pester comes later: register at the first lookup of Should (before its parameters are bound).
    $script:PreviousLookup = $ExecutionContext.InvokeCommand.PostCommandLookupAction
    $script:Hooked = $true
    $ExecutionContext.InvokeCommand.PostCommandLookupAction = {
        param($Name, $LookupArgs)
        if ($script:Hooked -and -not $script:Registering -and $Name -match '^(Pester\\)?Should$') {
            $script:Registering = $true
            try {
                if (Register-NetmapShouldOperator) {
                    $script:Hooked = $false
                    $ExecutionContext.InvokeCommand.PostCommandLookupAction = $script:PreviousLookup
                }
            }
            finally { $script:Registering = $false }
        }
        if ($script:PreviousLookup) { $script:PreviousLookup.Invoke($Name, $LookupArgs) }
    }
    $MyInvocation.MyCommand.ScriptBlock.Module.OnRemove = {
        if ($script:Hooked) { $ExecutionContext.InvokeCommand.PostCommandLookupAction = $script:PreviousLookup }
    }
}
