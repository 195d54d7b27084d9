# Capture fan-out over PowerShell remoting, for real: an OpenSSH server on loopback (127.0.0.1 and
# 127.0.0.2 stand for two hosts) with the pwsh subsystem and a key made for the test. Needs root
# (sshd's privilege separation) and Debian's openssh-server.
BeforeDiscovery {
    $sshd = '/usr/sbin/sshd'
    $canRun = $IsLinux -and (Test-Path $sshd) -and ((& id -u) -eq '0') -and (Get-Command ssh-keygen -ErrorAction Ignore)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # A free TCP port on loopback.
    function Get-FreePort {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop(); $port
    }
    function Test-Listening([string] $Address, [int] $Port) {
        $client = [Net.Sockets.TcpClient]::new()
        try { $client.Connect($Address, $Port); $true } catch { $false } finally { $client.Dispose() }
    }
}

Describe 'Capture on several hosts through Invoke-Command over SSH' -Tag 'Remoting' -Skip:(-not $canRun) {
    BeforeAll {
        $dir = Join-Path $TestDrive 'ssh'
        New-Item -ItemType Directory $dir | Out-Null
        & ssh-keygen -q -t ed25519 -N '' -f (Join-Path $dir 'host') -C netmapps-test-host
        & ssh-keygen -q -t ed25519 -N '' -f (Join-Path $dir 'client') -C netmapps-test-client
        Copy-Item (Join-Path $dir 'client.pub') (Join-Path $dir 'authorized_keys')
        $port = Get-FreePort
        $config = Join-Path $dir 'sshd_config'
        @"
Port $port
ListenAddress 127.0.0.1
ListenAddress 127.0.0.2
HostKey $dir/host
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
Subsystem powershell $Pwsh -sshs -NoLogo -NoProfile
"@ | Set-Content $config
        # sshd wants its privilege separation directory (the Debian service creates it at boot).
        if (-not (Test-Path /run/sshd)) { New-Item -ItemType Directory /run/sshd | Out-Null }
        $info = [Diagnostics.ProcessStartInfo]::new('/usr/sbin/sshd')
        foreach ($a in '-D', '-e', '-f', $config) { $info.ArgumentList.Add($a) }
        $info.RedirectStandardError = $true
        $server = [Diagnostics.Process]::Start($info)
        $serverLog = $server.StandardError.ReadToEndAsync()
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        while (-not ((Test-Listening 127.0.0.1 $port) -and (Test-Listening 127.0.0.2 $port))) {
            if ($server.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw "sshd did not start: $($serverLog.Result)" }
            Start-Sleep -Milliseconds 100
        }
        $remote = @{
            HostName    = '127.0.0.1', '127.0.0.2'
            UserName    = (& id -un)
            Port        = $port
            KeyFilePath = Join-Path $dir 'client'
            Options     = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' }
        }
        # Each host opens a pipe of its own, sends 3 DNS queries among other traffic, and captures.
        $packets = @(Invoke-Command @remote -ArgumentList $ModulePath, (New-TestName 'r').Substring(0, 7) -ScriptBlock {   # with the PID at most 15 characters (IFNAMSIZ)
                param($module, $stem)
                Import-Module $module
                $a, $b = Open-NetmapPort "netmap:$stem$PID{1", "netmap:$stem$PID}1"
                @(1..3 | ForEach-Object { New-NetmapPacket -DestinationPort 53 -Payload "q$_" }) +
                    @(New-NetmapPacket -Protocol Tcp -DestinationPort 80) + @(New-NetmapPacket -Protocol Arp) | Send-NetmapPacket -Port $a
                Receive-NetmapPacket -Port $b -Count 100 -Timeout 1 | Where Udp.DstPort -eq 53
            })
    }
    AfterAll {
        if ($server -and -not $server.HasExited) { $server.Kill($true); $server.WaitForExit(5000) | Out-Null }
    }

    It 'returns the packets each host captured, tagged by PSComputerName' {
        $packets.Count | Should -Be 6
        ($packets | Group-Object PSComputerName | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Count)" }) | Should -Be '127.0.0.1=3', '127.0.0.2=3'
        @($packets.Port | Select-Object -Unique).Count | Should -Be 2
    }

    It 'returns packets: the packet table, the layers, and the packet type on demand' {
        $packets[0].PSTypeNames[0] | Should -Be 'Deserialized.Netmap.Native.Packets.NetmapPacket'
        $table = $packets | Format-Table | Out-String -Width 200
        $table | Should -Match 'No\.\s+Time\s+Source\s+Destination\s+Protocol\s+Length\s+Info'
        @($packets | Where-Object { $_.Udp.DstPort -eq 53 }).Count | Should -Be 6
        @($packets | Where Udp.DstPort -eq 53).Count | Should -Be 6   # the dotted names of the layer declaration
        foreach ($layer in [Netmap.Native.Packets.PacketLayers]::All) { $packets[0].PSObject.Properties[$layer.Name] | Should -Not -BeNullOrEmpty -Because "copies have the $($layer.Name) layer" }
        $typed = [Netmap.Native.Packets.NetmapPacket[]]$packets
        $typed.Protocol | Select-Object -Unique | Should -Be 'DNS'
        ($typed | ForEach-Object { [Text.Encoding]::ASCII.GetString($_.Udp.PayloadData) } | Sort-Object -Unique) | Should -Be 'q1', 'q2', 'q3'
        ($typed | ForEach-Object { [PSObject]::AsPSObject($_).PSComputerName } | Sort-Object -Unique) | Should -Be '127.0.0.1', '127.0.0.2'
    }

    It 'merges them with Export-NetmapCapture into one pcapng with one interface per host' {
        $file = Join-Path $TestDrive 'fanout.pcapng'
        $packets | Export-NetmapCapture $file
        $back = Import-NetmapCapture $file
        $back.Count | Should -Be 6
        $interfaces = $back | Group-Object Port | Sort-Object Name
        $interfaces.Name | ForEach-Object { $_ -replace ':netmap:.*' } | Should -Be '127.0.0.1', '127.0.0.2'
        $interfaces | ForEach-Object Count | Should -Be 3, 3
        if (Get-Command tshark -ErrorAction Ignore) {
            $names = & tshark -r $file -T fields -e frame.interface_name 2>$null
            @($names | Sort-Object -Unique).Count | Should -Be 2
        }
    }
}
