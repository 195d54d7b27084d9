BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

# Export-NetmapCapture -MaxFileSize -MaxFiles -RotateSeconds -SnapLength against tcpdump -C -W -G -s:
# every file is read by tcpdump -r and tshark -r; frame i carries UDP source port 1000 + i.
Describe 'Long captures in rotating files' {
    BeforeAll {
        $dir = Join-Path ([IO.Path]::GetTempPath()) (New-TestName 'rot')
        $null = New-Item -ItemType Directory $dir
        # 3000 frames, 60 to 1459 bytes, UDP and TCP, source port 1000 + i.
        $frames = foreach ($i in 0..2999) {
            New-NetmapPacket -Protocol ($i % 3 ? 'Udp' : 'Tcp') -SourcePort (1000 + $i) -Length (60 + ($i * 37) % 1400)
        }
        # The source ports tshark reads from a file, in order; tshark must read it without error.
        function Get-TsharkPorts([string] $Path) {
            $ports = @(& tshark -r $Path -T fields -e tcp.srcport -e udp.srcport 2>$null | ForEach-Object { [int]($_.Trim()) })
            $LASTEXITCODE | Should -Be 0 -Because "tshark reads $Path"
            $ports
        }
        function Get-TcpdumpCount([string] $Path) {
            $lines = @(& tcpdump -nqr $Path -# 2>$null)   # -#: each packet's line starts with its number
            $LASTEXITCODE | Should -Be 0 -Because "tcpdump reads $Path"
            @($lines -match '^\s*\d+\s').Count
        }
    }
    AfterAll { Remove-Item $dir -Recurse -Force -ErrorAction Ignore }

    It 'a ring of <Files> <Format> files holds exactly the newest frames, in order, each file within -MaxFileSize' -ForEach @(
        @{ Format = 'pcapng'; Files = 4 }, @{ Format = 'pcap'; Files = 11 }
    ) {
        $base = Join-Path $dir "ring$Files.$Format"
        $frames | Export-NetmapCapture $base -MaxFileSize 64KB -MaxFiles $Files
        $names = @(Get-ChildItem "$base*" | Sort-Object Name).Name
        $width = "$($Files - 1)".Length
        $names | Should -Be (0..($Files - 1) | ForEach-Object { "ring$Files.$Format" + "$_".PadLeft($width, '0') }) -Because 'tcpdump -C -W names the ring NAME0..NAME(W-1), zero-padded'
        $perFile = @{}
        foreach ($name in $names) {
            $path = Join-Path $dir $name
            (Get-Item $path).Length | Should -BeLessOrEqual 64KB
            $ports = @(Get-TsharkPorts $path)
            $ports.Count | Should -BeGreaterThan 0
            Get-TcpdumpCount $path | Should -Be $ports.Count
            $perFile[$name] = $ports
        }
        # The file with the last frame is the current one; the oldest is the one after it.
        $current = $names.IndexOf(@($names | Where-Object { $perFile[$_][-1] -eq 3999 })[0])
        $kept = foreach ($k in 1..$Files) { $perFile[$names[($current + $k) % $Files]] }
        $kept[-1] | Should -Be 3999
        $kept | Should -Be ($kept[0]..3999)
        $kept.Count | Should -BeLessThan 3000 -Because 'the ring wrapped'
        # A file is closed only when the next frame (at most 1459 bytes and its record header) would not fit.
        foreach ($k in 1..($Files - 1)) {
            (Get-Item (Join-Path $dir $names[($current + $k) % $Files])).Length | Should -BeGreaterThan (64KB - 1500)
        }
    }

    It '-MaxFileSize alone numbers the files NAME, NAME1, NAME2 ... and loses no frame' {
        $base = Join-Path $dir 'long.pcapng'
        $frames | Export-NetmapCapture $base -MaxFileSize 500KB
        $names = @(Get-ChildItem "$base*" | Sort-Object { $_.Name.Length }, Name).Name
        $names.Count | Should -BeGreaterThan 3
        $names[0..2] | Should -Be 'long.pcapng', 'long.pcapng1', 'long.pcapng2'
        $all = foreach ($name in $names) { Get-TsharkPorts (Join-Path $dir $name) }
        $all | Should -Be (1000..3999)
    }

    It '-SnapLength cuts frames as editcap -s does, keeping frame.len' {
        $full = Join-Path $dir 'full.pcapng'; $ours = Join-Path $dir 'snap.pcapng'; $theirs = Join-Path $dir 'editcap.pcapng'
        $frames | Export-NetmapCapture $full
        $frames | Export-NetmapCapture $ours -SnapLength 128
        & editcap -s 128 $full $theirs
        $LASTEXITCODE | Should -Be 0
        $fields = { param($Path) @(& tshark -r $Path -T fields -e frame.cap_len -e frame.len -e data.data -e tcp.srcport -e udp.srcport 2>$null) }
        $got = & $fields $ours
        $got.Count | Should -Be 3000
        $got | Should -Be (& $fields $theirs)
        @($got | Where-Object { $_ -match '^128\t(\d+)' -and [int]$Matches[1] -gt 128 }).Count | Should -BeGreaterThan 2000 -Because 'most frames are longer than 128 bytes and are cut'
    }

    It '-RotateSeconds opens a new file as a frame arrives after the interval; strftime fields name the files' {
        $base = Join-Path $dir 'slow-%H%M%S.pcap'
        0..24 | ForEach-Object { Start-Sleep -Milliseconds 120; $frames[$_] } | Export-NetmapCapture $base -RotateSeconds 1
        $files = @(Get-ChildItem (Join-Path $dir 'slow-*.pcap') | Sort-Object Name)
        $files.Count | Should -BeIn 2, 3, 4 -Because '25 frames 120 ms apart span about 3 s'
        $files.Name | ForEach-Object { $_ | Should -Match '^slow-\d{6}\.pcap$' }
        $all = foreach ($f in $files) {
            $ports = @(Get-TsharkPorts $f.FullName)
            Get-TcpdumpCount $f.FullName | Should -Be $ports.Count
            $ports
        }
        $all | Should -Be (1000..1024)
    }

    It '-MaxFiles alone is refused as tcpdump refuses -W without -C or -G' {
        { $frames[0] | Export-NetmapCapture (Join-Path $dir 'w.pcap') -MaxFiles 3 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidRotation,NetmapPS.ExportNetmapCaptureCommand'
        Join-Path $dir 'w.pcap*' | Should -Not -Exist
    }

    It 'a child pwsh stopped with SIGINT leaves every file of its ring valid, the current one included' {
        $base = Join-Path $dir 'int.pcapng'
        $script = "Import-Module '$ModulePath'; 0..100000 | ForEach-Object { Start-Sleep -Milliseconds 2; New-NetmapPacket -SourcePort (1000 + `$_) -Length 1000 } | Export-NetmapCapture '$base' -MaxFileSize 32KB -MaxFiles 3"
        Set-Content (Join-Path $dir 'child.ps1') $script
        $child = Start-Program $Pwsh @('-NoProfile', '-NonInteractive', '-File', (Join-Path $dir 'child.ps1'))
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (Test-Path "${base}0") -or ((Get-Item "${base}0").Length -eq 0) -or -not (Test-Path "${base}2")) {
                if ($child.HasExited) { throw "The child ended: $($child.Errors.Result)" }
                if ([DateTime]::UtcNow -gt $deadline) { throw 'The third file never opened.' }
                Start-Sleep -Milliseconds 50
            }
            Start-Sleep -Milliseconds 1500   # about one more file: the ring wraps
            & kill -INT $child.Id
            $child.WaitForExit(10000) | Should -BeTrue -Because 'SIGINT stops a non-interactive pwsh as Ctrl+C does'
            $all = foreach ($k in 0..2) { Get-TsharkPorts "$base$k" }
            $sorted = $all | Sort-Object
            $sorted | Should -Be ($sorted[0]..$sorted[-1]) -Because 'the ring holds the newest frames, none lost between files'
            $all.Count | Should -BeGreaterThan 40
        }
        finally { if (-not $child.HasExited) { $child.Kill($true) } }
    }
}
