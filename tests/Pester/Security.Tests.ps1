BeforeDiscovery {
    # A second user and a network namespace: root, useradd/userdel, setpriv and ip are needed.
    $CanAddUser = (& id -u) -eq '0' -and @(Get-Command useradd, userdel, setpriv, ip -ErrorAction Ignore).Count -eq 4
}
BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

Describe 'Port names are checked before they reach a lookup, a path or a command' {
    BeforeAll {
        # Region files go one level down, so that a name escaping with '..' would show in $top.
        $top = Join-Path ([IO.Path]::GetTempPath()) (New-TestName 'nmps-names-')
        $saved = $env:NETMAPPS_SHM_DIR
        $env:NETMAPPS_SHM_DIR = (New-Item -ItemType Directory (Join-Path $top 'regions')).FullName
    }
    AfterAll {
        Close-NetmapPort -All
        $env:NETMAPPS_SHM_DIR = $saved
        Remove-Item $top -Recurse -Force -ErrorAction Ignore
    }

    It 'refuses <Name> as InvalidPortName (<Fragment>), in either mode, and creates no file' -ForEach @(
        @{ Name = 'netmap:eth0;reboot'; Fragment = "found ';'" }
        @{ Name = 'netmap:$(reboot){1'; Fragment = "found '$'" }
        @{ Name = 'netmap:../x'; Fragment = "does not start with '.'" }
        @{ Name = 'netmap:..{1'; Fragment = "does not start with '.'" }
        @{ Name = 'vale../x:p'; Fragment = "after the VALE switch name 'vale', found '.'" }
        @{ Name = 'vale0:..'; Fragment = "does not start with '.'" }
        @{ Name = 'netmap:' + ('a' * 300); Fragment = 'at most 15 characters' }
        @{ Name = 'netmap:' + ('a' * 16) + '{1'; Fragment = 'at most 15 characters' }
        @{ Name = 'vale' + ('a' * 12) + ':p'; Fragment = 'at most 15 characters for the VALE switch name' }
        @{ Name = 'netmap:a/b{1'; Fragment = 'expected a flag letter' }
        @{ Name = "netmap:a`0b{1"; Fragment = 'other than NUL' }
        @{ Name = "netmap:a`nb{1"; Fragment = 'control character U+000A' }
        @{ Name = "vale0:a`e[2J"; Fragment = 'control character U+001B' }
        @{ Name = 'netmap:a b{1'; Fragment = "found ' '" }
    ) {
        foreach ($mode in 'Emulated', 'Native') {
            Open-NetmapPort $Name -Mode $mode -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'InvalidPortName,NetmapPS.OpenNetmapPortCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].Exception.Message | Should -BeLike "Invalid port name '*' at offset *$Fragment*"
            $err[0].Exception.Message | Should -Not -Match '[\x00-\x1f]'
        }
        Get-NetmapPort | Should -BeNullOrEmpty
        Get-ChildItem $top -Recurse -Force -File | Should -BeNullOrEmpty
    }

    It 'looks a valid interface name up, and says PortNotFound when there is none (what the names above never reach)' {
        Open-NetmapPort netmap:nosuchif0 -Mode Emulated -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'PortNotFound,NetmapPS.OpenNetmapPortCommand'
    }
}

Describe 'A second, unprivileged user' -Tag 'Lab', 'Security' -Skip:(-not $CanAddUser) {
    BeforeAll {
        # /root is 0700: the user runs a copy of this pwsh and of the module from a folder it can read.
        $user = New-TestName 'nmps'
        $dir = Join-Path ([IO.Path]::GetTempPath()) (New-TestName 'nmps-sec-')
        $ns = New-TestName 'nmps-sec'
        & useradd --create-home $user
        if ($LASTEXITCODE) { throw "useradd $user failed" }
        $userUid = [int](& id -u $user)
        $null = New-Item -ItemType Directory $dir
        Copy-Item $PSHOME (Join-Path $dir 'pwsh') -Recurse
        Copy-Item (Split-Path $ModulePath) (Join-Path $dir 'NetmapPS') -Recurse
        Copy-Item (Join-Path $PSScriptRoot 'Scripts/Security-User.ps1') $dir
        & chmod -R a+rX $dir
        & ip netns add $ns   # the user's 'netmap:lo' is the loopback of an empty namespace, never a host interface

        # Root's pipe and switch, held while the user runs; one frame waits in the pipe.
        $name = New-TestName 'sec'
        $switch = 'vale' + (New-TestName '')
        $master, $slave = Open-NetmapPort "netmap:$name{1", "netmap:$name}1"
        $a, $b = Open-NetmapPort "$switch`:a", "$switch`:b"
        , (New-TestFrame -Text 'root') | Send-NetmapPacket -Port $master
        $squat, $link, $plant = (New-TestName 'sq'), (New-TestName 'ln'), ('vale' + (New-TestName ''))
        $victim = Join-Path $dir 'victim'
        Set-Content $victim 'root data'

        $arguments = @('netns', 'exec', $ns, 'setpriv', "--reuid=$userUid", "--regid=$userUid", '--init-groups', 'env', "HOME=/home/$user",
            (Join-Path $dir 'pwsh/pwsh'), '-NoProfile', '-NonInteractive', '-File', (Join-Path $dir 'Security-User.ps1'),
            '-RootPipe', $name, '-RootSwitch', $switch, '-RootRegion', $master.Region,
            '-Squat', (Get-RegionPath "pipe-$squat"), '-Link', (Get-RegionPath "pipe-$link"), '-Victim', $victim, '-Plant', (Get-RegionPath "vale-$plant"))
        $r = Wait-TestScript (Start-Program 'ip' $arguments) | ConvertFrom-Json
        $text = { param($Packet) [Text.Encoding]::ASCII.GetString($Packet.Data, 14, $Packet.Data.Length - 14).Trim() }
    }
    AfterAll {
        Close-NetmapPort -All
        Remove-Item (Get-RegionPath "pipe-$squat"), (Get-RegionPath "pipe-$link"), (Get-RegionPath "vale-$plant") -Force -ErrorAction Ignore
        if ($userUid) { Get-ChildItem $ShmDir -Filter "netmapps-$userUid-*" | Remove-Item -Force }
        & ip netns del $ns 2>$null
        & userdel -r $user 2>$null
        Remove-Item $dir -Recurse -Force -ErrorAction Ignore
    }

    It 'runs without capabilities' {
        $r.Uid | Should -Be $userUid
        $r.CapEff | Should -Be '0000000000000000'
    }

    It 'finds the region files of each opener mode 0600 and owned by it' {
        (& stat -c '%a %u' $master.Region) | Should -Be '600 0'
        (& stat -c '%a %u' $a.Region) | Should -Be '600 0'
        $r.OwnPipeMode | Should -Be "600 $userUid"
        $r.OwnSwitchMode | Should -Be "600 $userUid"
    }

    It 'sends and receives through its own pipe and switch and writes and reads a capture file' {
        $r.OwnPipeReceived | Should -Be (1..5 | ForEach-Object { "user $_" })
        $r.OwnSwitchReceived | Should -Be 'user vale'
        $r.CaptureRead | Should -Be $r.OwnPipeReceived
    }

    It "cannot reach root's pipe or switch: the same names open its own, with a warning, and root's region file is closed to it" {
        $r.SameNameRegion | Should -Be (Join-Path $ShmDir "netmapps-$userUid-pipe-$name")
        $r.SameNameSwitchRegion | Should -Be (Join-Path $ShmDir "netmapps-$userUid-vale-$switch")
        $r.SameNameWarning | Should -BeLike "uid 0 also has a pipe parent '$name'*not connected to theirs*"
        $r.SameNamePipeReceived | Should -Be 'user on root pipe name'    # not root's waiting frame
        $r.RootRegionRead.Id | Should -BeLike 'UnauthorizedAccessException*'
        $r.RootRegionRemove | Should -Not -Be 'ok'
        Test-Path $master.Region | Should -BeTrue
    }

    It 'leaves root holding its ports, with nothing of the user in them' {
        $got = @(Receive-NetmapPacket -Port $slave -Timeout 1)
        $got | ForEach-Object { & $text $_ } | Should -Be 'root'
        , (New-TestFrame -Text 'root vale') | Send-NetmapPacket -Port $a
        @(Receive-NetmapPacket -Port $b -Timeout 1) | ForEach-Object { & $text $_ } | Should -Be 'root vale'
        Get-ChildItem $ShmDir -Filter "netmapps-$userUid-*" | Should -BeNullOrEmpty   # the user's went when it closed its ports
    }

    It 'is told which capability is missing when it opens an interface (<Key>)' -ForEach @(
        @{ Key = 'Xdp'; Capability = 'CAP_BPF' }
        @{ Key = 'PacketSocket'; Capability = 'CAP_NET_RAW' }
        @{ Key = 'Tap'; Capability = 'CAP_NET_ADMIN' }
    ) {
        $r.$Key.Id | Should -Be 'PermissionDenied,NetmapPS.OpenNetmapPortCommand'
        $r.$Key.Category | Should -Be 'PermissionDenied'
        $r.$Key.Message | Should -BeLike "*was refused*This needs $Capability*run as root, or grant the capabilities*"
        $r.$Key.Message | Should -Match "setcap \S+\+ep /\S+"   # names the file to grant them to
    }

    It 'is told that attaching to a kernel VALE switch needs the netmap kernel module' {
        $r.ValeAttach.Id | Should -Be 'NotSupported,NetmapPS.AddNetmapValePortCommand'
        $r.ValeAttach.Message | Should -BeLike '*needs the netmap kernel module*'
    }

    It "cannot take root's region names silently: a file it planted there makes root's open fail with PermissionDenied and what to do" {
        Open-NetmapPort "netmap:$squat{1" -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'PermissionDenied,NetmapPS.OpenNetmapPortCommand'
        $err[0].Exception.Message | Should -BeLike "*belongs to*Another user created it*rm '*$squat'*NETMAPPS_SHM_DIR*"
        Get-Content (Get-RegionPath "pipe-$squat") | Should -Be 'not a region'
    }

    It "cannot pass a region file it planted under root's names off as root's switch" {
        Test-Path (Get-RegionPath "vale-$plant") | Should -BeTrue
        (Get-NetmapValeSwitch).Name | Should -Not -Contain $plant
        (Get-NetmapSystem).EmulatedRegions | Should -Not -Contain (Get-RegionPath "vale-$plant")
        $offered = (TabExpansion2 'Open-NetmapPort val' 19).CompletionMatches.CompletionText
        $offered | Should -Contain "$switch`:"     # root's own switch is offered
        $offered | Should -Not -Contain "$plant`:"
    }

    It 'cannot make root write through a symbolic link it planted where a region file goes' {
        Open-NetmapPort "netmap:$link{1" -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'PermissionDenied,NetmapPS.OpenNetmapPortCommand'
        $err[0].Exception.Message | Should -BeLike "*'$(Get-RegionPath "pipe-$link")'*Another user created it*"   # EACCES or ELOOP: O_NOFOLLOW
        Get-Content $victim | Should -Be 'root data'
    }
}
