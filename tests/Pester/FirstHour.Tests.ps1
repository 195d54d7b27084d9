BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # A little-endian pcapng: a section header, one Interface Description Block with the given
    # options (code, value pairs) and one Enhanced Packet Block holding a 60-byte frame at time 0.
    function New-PcapNgBytes([object[]] $Options) {
        $out = [IO.MemoryStream]::new()
        $w = [IO.BinaryWriter]::new($out)
        $w.Write([uint32]0x0A0D0D0A); $w.Write([uint32]28); $w.Write([uint32]0x1A2B3C4D)
        $w.Write([uint16]1); $w.Write([uint16]0); $w.Write([int64]-1); $w.Write([uint32]28)
        $opts = [IO.MemoryStream]::new()
        $ow = [IO.BinaryWriter]::new($opts)
        for ($i = 0; $i -lt $Options.Count; $i += 2) {
            [byte[]] $value = $Options[$i + 1]
            $ow.Write([uint16]$Options[$i]); $ow.Write([uint16]$value.Length); $ow.Write($value)
            $ow.Write([byte[]]::new((4 - $value.Length % 4) % 4))
        }
        $ow.Write([uint32]0)
        $length = 20 + $opts.Length
        $w.Write([uint32]1); $w.Write([uint32]$length); $w.Write([uint16]1); $w.Write([uint16]0); $w.Write([uint32]0)
        $w.Write($opts.ToArray()); $w.Write([uint32]$length)
        $frame = [byte[]]::new(60); $frame[12] = 0x88; $frame[13] = 0xb5
        $w.Write([uint32]6); $w.Write([uint32]92); $w.Write([uint32]0); $w.Write([uint32]0); $w.Write([uint32]0)
        $w.Write([uint32]60); $w.Write([uint32]60); $w.Write($frame); $w.Write([uint32]92)
        $w.Flush()
        $out.ToArray()
    }
}

Describe 'Every object the module emits survives Format-List *, Select-Object *, ConvertTo-Json and Export-Clixml' {
    BeforeAll {
        $name = New-TestName 'fo'
        $switch = New-TestName 'fs' | ForEach-Object Substring 0 9
        $emitted = [Collections.Generic.List[object]]::new()
        function Add-Emitted { process { $emitted.Add($_) } }

        $master, $slave = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $master | Add-Emitted
        Open-NetmapPort "vale$($switch):a" | Add-Emitted
        Get-NetmapPort | Add-Emitted
        Get-NetmapRing $master | Add-Emitted
        Get-NetmapRing $master | Select-Object -First 1 | Get-NetmapSlot -Index 0 | Add-Emitted
        Get-NetmapPortName "netmap:$name{1" | Add-Emitted
        Get-NetmapSystem | Add-Emitted
        Get-NetmapValeSwitch "vale$switch" -Mode Emulated | Add-Emitted
        $packet = New-NetmapPacket -Protocol Udp -DestinationPort 53 -Payload 'x'
        $packet | Add-Emitted
        1..3 | ForEach-Object { , $packet.Data } | Send-NetmapPacket $master -Summary | Add-Emitted
        Receive-NetmapPacket $slave -Count 1 -Timeout 5 | Add-Emitted
        Receive-NetmapPacket $slave -Count 1 -Timeout 5 -Raw | ForEach-Object { , $_ } | Add-Emitted
        $file = Join-Path $TestDrive 'walk.pcapng'
        $packet | Export-NetmapCapture $file -PassThru | Add-Emitted
        Import-NetmapCapture $file | Add-Emitted
        Import-NetmapCapture $file | Send-NetmapPacket $master -Replay -Summary | Add-Emitted
        Receive-NetmapPacket $slave -Count 1 -Timeout 5 | Out-Null
        Measure-NetmapTraffic $slave -Duration 0.3 -Interval 0.1 | Add-Emitted
        $other, $otherSlave = Open-NetmapPort "netmap:$($name)x{1", "netmap:$($name)x}1"
        Invoke-NetmapForward -From $slave -To $other -Duration 0.2 | Add-Emitted
        Invoke-NetmapForward -From $slave -To $other -Duration 0.2 -Delay 1ms -Loss 0.1 | Add-Emitted   # a LinkReport
        $job = Invoke-NetmapForward -From $slave -To $other -Duration 0.2 -AsJob
        $job | Wait-Job -Timeout 30 | Add-Emitted
        Invoke-NetmapLoadBalance -From $slave -To $other -Duration 0.2 | Add-Emitted
        Measure-NetmapLatency $other -ReturnPort $otherSlave -Count 5 | Add-Emitted
        # Types only the kernel module produces: built here with their constructors, so their properties are walked too.
        [Netmap.Native.Ports.KernelPortInfo]::new('vale0:a', 4096, 1, 1, 1, 0, 0, 1024, 1024) | Add-Emitted
        [Netmap.Native.Ports.MemoryPool]::new(1, 'if', 100, 1024, 'test') | Add-Emitted
        [Netmap.Native.Ports.ValePortInfo]::new('vale0', 'eth0', 1, 'Native') | Add-Emitted
        Close-NetmapPort -All
        $master | Add-Emitted   # a closed port is still an object the user holds
        # A lab needs root (network namespaces); without it the lab's type is left out of the coverage check below.
        $canLab = (& id -u) -eq '0'
        if ($canLab) {
            $lab = New-NetmapLab -Name fh
            $lab | Add-Emitted
            $lab.Hosts | Add-Emitted
            Invoke-NetmapLabCommand -Lab $lab -Host b -FilePath hostname | Add-Emitted
        }
    }
    AfterAll { Close-NetmapPort -All; Get-Job | Remove-Job -Force; if ($lab) { Remove-NetmapLab $lab } }

    It 'covers the output type of every exported cmdlet' {
        $declared = (Get-Command -Module NetmapPS).OutputType.Type | Sort-Object FullName -Unique
        $declared | Should -Not -BeNullOrEmpty
        foreach ($type in $declared | Where-Object { $canLab -or $_.Namespace -ne 'Netmap.Native.Lab' }) {
            @($emitted | Where-Object { $_ -is $type }).Count | Should -BeGreaterThan 0 -Because "$($type.FullName) is an output type of a cmdlet"
        }
    }

    It 'formats, selects, serializes and exports <_> without an error' -ForEach @('Format-List', 'Select-Object', 'ConvertTo-Json', 'Export-Clixml') {
        $how = $_
        foreach ($object in $emitted) {
            $kind = $object.GetType().FullName
            {
                switch ($how) {
                    'Format-List' { $object | Format-List * | Out-String | Out-Null }
                    'Select-Object' { $object | Select-Object * | Out-String | Out-Null }
                    'ConvertTo-Json' { ConvertTo-Json -InputObject $object -Depth 3 -WarningAction Ignore | Out-Null }
                    'Export-Clixml' { Export-Clixml -InputObject $object -Path (Join-Path $TestDrive 'walk.xml') -Depth 3 }
                }
            } | Should -Not -Throw -Because "$how on a $kind"
        }
    }

    It 'formats, selects, serializes and exports packets of truncated and damaged frames without an error' {
        $random = [Random]::new(16)
        $templates = @(
            (New-NetmapPacket -Protocol Udp -DestinationPort 53 -Payload 'abcdefghijklmnop').Data, (New-NetmapPacket -Protocol Tcp -Payload 'x').Data,
            (New-NetmapPacket -Protocol Icmp).Data, (New-NetmapPacket -Protocol Arp).Data, (New-NetmapPacket -Protocol Udp -VlanId 5).Data,
            (New-NetmapPacket -Protocol Udp -SourceAddress fd00::1 -DestinationAddress fd00::2 -DestinationPort 53).Data)
        for ($i = 0; $i -lt 300; $i++) {
            $template = $templates[$i % $templates.Count]
            $bytes = [byte[]]::new($random.Next(0, $template.Length + 1))
            [Array]::Copy($template, $bytes, $bytes.Length)
            if ($bytes.Length -gt 14 -and $i % 3 -eq 0) { for ($k = 0; $k -lt 4; $k++) { $bytes[$random.Next(14, $bytes.Length)] = [byte]$random.Next(256) } }
            $packet = [Netmap.Native.Packets.NetmapPacket]::new($bytes, [datetime]::Now, 'fuzz', 0, 0, $bytes.Length, 0)
            $what = "a $($bytes.Length)-byte frame cut from $($template.Length) bytes ($([Convert]::ToHexString($bytes)))"
            { $packet | Format-List * | Out-String | Out-Null } | Should -Not -Throw -Because $what
            { $packet | Select-Object * | Out-String | Out-Null } | Should -Not -Throw -Because $what
            { ConvertTo-Json -InputObject $packet -Depth 3 -WarningAction Ignore | Out-Null } | Should -Not -Throw -Because $what
            { Export-Clixml -InputObject $packet -Path (Join-Path $TestDrive 'fuzz.xml') -Depth 3 } | Should -Not -Throw -Because $what
        }
    }

    It 'keeps the shape and last counters of a closed port, without touching its unmapped memory' {
        $master.IsOpen | Should -BeFalse
        $master.TxRingCount | Should -Be 1   # read once at open, from private memory
        $master.TransmitErrors | Should -Be 0
        $master.MemoryId | Should -Be $slave.MemoryId
    }
}

Describe 'Ordinary commands that used to throw raw exceptions' {
    AfterEach { Close-NetmapPort -All }

    It "refuses '<_>' (a memory region the emulated port does not live in) with an ErrorRecord" -ForEach @('netmap:mm{1@2', 'vale5:a@2') {
        $name = $_ -replace 'mm|vale5', { $_.Value + (New-TestName '') }
        $port = Open-NetmapPort $name -ErrorVariable err -ErrorAction SilentlyContinue
        $port | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidPortRequest,*'
        $err[0].Exception | Should -BeOfType Netmap.Native.NetmapException
        $err[0].Exception.Message | Should -BeLike "*Leave '@2' out*"
    }

    It 'refuses -SequenceOffset -2 at parameter binding (<_>)' -ForEach @('Send-NetmapPacket', 'Measure-NetmapTraffic') {
        $name = New-TestName 'sq'
        $port = Open-NetmapPort "netmap:$name{1"
        $command = $_
        $e = { if ($command -eq 'Send-NetmapPacket') { , [byte[]]::new(60) | Send-NetmapPacket $port -Sequence -SequenceOffset -2 }
               else { Measure-NetmapTraffic $port -Sequence -SequenceOffset -2 -Duration 0.1 } } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*'
    }

    It 'imports a pcapng with a negative if_tsoffset and exports it with one ErrorRecord per packet it cannot hold' {
        $in = Join-Path $TestDrive 'tsoffset.pcapng'
        [IO.File]::WriteAllBytes($in, (New-PcapNgBytes @(14, [BitConverter]::GetBytes([int64]-2000000000))))
        $packets = Import-NetmapCapture $in
        $packets | Should -HaveCount 1
        $packets[0].Timestamp.Year | Should -BeLessThan 1970
        $out = Join-Path $TestDrive 'tsoffset-out.pcapng'
        $packets | Export-NetmapCapture $out -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PacketNotWritable,*'
        $err[0].Exception.Message | Should -BeLike '*before 1970*'
        @(Import-NetmapCapture $out).Count | Should -Be 0   # a valid, empty capture
    }

    It 'imports a pcapng whose if_name is 65,000 bytes of invalid UTF-8 and exports it with the name cut to fit' {
        $in = Join-Path $TestDrive 'longname.pcapng'
        [IO.File]::WriteAllBytes($in, (New-PcapNgBytes @(2, ([byte[]]::new(65000) | ForEach-Object { [byte]0xff }))))
        $packets = Import-NetmapCapture $in
        $packets | Should -HaveCount 1
        $out = Join-Path $TestDrive 'longname-out.pcapng'
        { $packets | Export-NetmapCapture $out -ErrorAction Stop } | Should -Not -Throw
        $back = Import-NetmapCapture $out
        $back | Should -HaveCount 1
        [Text.Encoding]::UTF8.GetByteCount($back[0].Port) | Should -BeLessOrEqual 65532
        $back[0].Port | Should -Be $packets[0].Port.Substring(0, $back[0].Port.Length)
        if (Get-Command tshark -ErrorAction Ignore) { @(& tshark -r $out 2>$null).Count | Should -Be 1 }
    }

    It 'lists the switches without hanging on a FIFO under the region prefix' -Skip:(-not (Get-Command mkfifo -ErrorAction Ignore)) {
        $fifo = Get-RegionPath "vale-$(New-TestName 'ff')"
        & mkfifo $fifo
        try {
            $child = Start-Program $Pwsh @('-NoProfile', '-NonInteractive', '-Command',
                "Import-Module '$ModulePath'; @(Get-NetmapValeSwitch -Mode Emulated).Count; 'done'")
            $finished = $child.WaitForExit(30000)
            if (-not $finished) { $child.Kill($true) }
            $finished | Should -BeTrue -Because 'opening a FIFO read-only blocks until a writer comes'
            $child.Output.Result | Should -Match 'done'
        }
        finally { Remove-Item $fifo -ErrorAction Ignore }
    }
}

Describe 'Results that say what happened' {
    AfterEach { Close-NetmapPort -All }

    It 'refuses a frame shorter than an Ethernet header on a VALE port before sending it' {
        $switch = 'vale' + (New-TestName 'sh').Substring(0, 9)
        $a, $b = Open-NetmapPort "$($switch):a", "$($switch):b"
        , [byte[]](1..5) | Send-NetmapPacket $a -Count 60 -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].Exception.Message | Should -BeLike '*5 bytes is shorter than the 14 bytes*not sent*'
        $a.TransmitErrors | Should -Be 0
        Get-NetmapRing $a -Direction TX | ForEach-Object Head | Should -Be 0
    }

    It 'refuses a frame larger than a buffer before sending it' {
        $name = New-TestName 'lg'
        $a = Open-NetmapPort "netmap:$name{1"
        , [byte[]]::new(3000) | Send-NetmapPacket $a -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].Exception.Message | Should -BeLike '*3000 bytes does not fit a 2048-byte buffer*'
        $a.TransmitErrors | Should -Be 0
    }

    It 'takes a byte array piped without the leading comma as one frame' {
        $name = New-TestName 'bc'
        $a, $b = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $frame = New-TestFrame -Text 'no comma'
        $frame | Send-NetmapPacket $a -ErrorVariable err
        $err | Should -HaveCount 0
        $got = Receive-NetmapPacket $b -Count 2 -Timeout 1
        $got | Should -HaveCount 1
        $got[0].Data | Should -Be $frame
    }

    It 'says "already open in this session" when the same name is opened again, not "another process"' {
        $name = New-TestName 'tw'
        $first = Open-NetmapPort "netmap:$name{1"
        Open-NetmapPort "netmap:$name{1" -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PortBusy,*'
        $err[0].Exception.Message | Should -BeLike "*'netmap:$name{1', which is already open in this session: use that port*"
        $err[0].Exception.Message | Should -Not -BeLike "*process $PID*"
        @(Get-NetmapPort).Count | Should -Be 1
        $first.IsOpen | Should -BeTrue
    }

    It 'says "already open in this session" when another name asks for the rings a session port holds' {
        $name = New-TestName 'ov'
        $null = Open-NetmapPort "netmap:$name{1@conf:rings=2"
        Open-NetmapPort "netmap:$name{1" -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PortBusy,*'
        $err[0].Exception.Message | Should -BeLike "*'netmap:$name{1@conf:rings=2', which is already open in this session*"
        $err[0].Exception.Message | Should -Not -BeLike "*process $PID*"
    }

    It 'finds a port opened with @ options by its short name' {
        $name = New-TestName 'sn'
        $port = Open-NetmapPort "netmap:$name{1@conf:rings=2"
        (Get-NetmapPort "netmap:$name{1").Name | Should -Be $port.Name
        @(Get-NetmapRing "netmap:$name{1").Count | Should -Be 4
        Close-NetmapPort "netmap:$name{1"
        $port.IsOpen | Should -BeFalse
    }

    It 'shows which rings the port holds in Get-NetmapRing' {
        $name = New-TestName 'hd'
        $port = Open-NetmapPort "netmap:$name{1-1@conf:rings=2"
        $rings = Get-NetmapRing $port
        $rings | Should -HaveCount 4
        ($rings | Where-Object Held | ForEach-Object { "$($_.Direction)$($_.Index)" }) | Should -Be 'TX1', 'RX1'
        ($rings | Format-Table | Out-String) | Should -Match 'Held'
    }
}

Describe 'A receive that shows nothing says, with -Verbose, what arrived' {
    AfterEach { Close-NetmapPort -All }

    It 'counts the frames that arrived by kind when a Where-Object lets none through' {
        $name = New-TestName 'vb'
        $a, $b = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $arp = [byte[]]::new(60); 0..5 | ForEach-Object { $arp[$_] = 0xff }; $arp[12] = 8; $arp[13] = 6
        1..3 | ForEach-Object { , $arp } | Send-NetmapPacket $a
        $verbose = Receive-NetmapPacket $b -Duration 3.5 -Verbose 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] -or $_.Udp.DstPort -eq 53 }
        "$verbose" | Should -Match '3 frames arrived in the last 3 s \(3 ARP\); 3 went down the pipeline'
    }

    It 'says how many passed -Filter' {
        $name = New-TestName 'vf'
        $a, $b = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $arp = [byte[]]::new(60); $arp[12] = 8; $arp[13] = 6
        , $arp | Send-NetmapPacket $a
        , (New-NetmapPacket -Protocol Udp -DestinationPort 5353).Data | Send-NetmapPacket $a
        $verbose = Receive-NetmapPacket $b -Duration 3.5 -Filter 'udp dst port 53' -Verbose 4>&1
        "$verbose" | Should -Match "2 frames arrived in the last 3 s \((1 ARP, 1 IPv4 UDP|1 IPv4 UDP, 1 ARP)\), 0 passed -Filter 'udp dst port 53'; 0 went down the pipeline"
    }
}

Describe 'One ErrorRecord id map' {
    BeforeAll {
        $src = Join-Path $PSScriptRoot '../../src/NetmapPS'
        $map = Get-Content (Join-Path $src 'ErrorRecords.cs') -Raw
        $sources = Get-ChildItem $src -Filter *.cs -Recurse | Where-Object FullName -notmatch '[\\/](bin|obj)[\\/]'
    }

    It 'makes every ErrorRecord in ErrorRecords, from an ErrorId' {
        $elsewhere = $sources | Where-Object Name -ne 'ErrorRecords.cs' | Select-String 'new ErrorRecord\(|ErrorCategory\.'
        $elsewhere | Should -BeNullOrEmpty -Because "these lines make an ErrorRecord or pick a category outside the map: $($elsewhere -join ' / ')"
    }

    It 'gives every ErrorId a category, and every id the cmdlets use is an ErrorId' {
        $ids = [regex]::Matches($map, 'const string (\w+) = nameof') | ForEach-Object { $_.Groups[1].Value }
        $ids.Count | Should -BeGreaterThan 20
        foreach ($id in $ids) { $map | Should -Match "\[ErrorId\.$id\] = ErrorCategory\.\w+" }
        $used = $sources | Select-String 'ErrorId\.(\w+)' -AllMatches | ForEach-Object { $_.Matches | ForEach-Object { $_.Groups[1].Value } } | Sort-Object -Unique
        foreach ($id in $used) { $ids | Should -Contain $id }
    }

    It 'writes the category the map gives (an engine error and a module error)' {
        $err = $null
        Get-NetmapPort 'nothing-open-here' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PortNotOpen,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Open-NetmapPort 'netmap:' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidPortName,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}
