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
        $squat, $link = (New-TestName 'sq'), (New-TestName 'ln')
        $victim = Join-Path $dir 'victim'
        Set-Content $victim 'root data'
        $squatBase = Join-Path ([IO.Path]::GetTempPath()) (New-TestName 'nmps-sq-')   # a shm directory of its own, writable by all as /dev/shm
        $null = New-Item -ItemType Directory $squatBase
        & chmod 1777 $squatBase

        $arguments = @('netns', 'exec', $ns, 'setpriv', "--reuid=$userUid", "--regid=$userUid", '--init-groups', 'env', "HOME=/home/$user",
            (Join-Path $dir 'pwsh/pwsh'), '-NoProfile', '-NonInteractive', '-File', (Join-Path $dir 'Security-User.ps1'),
            '-RootPipe', $name, '-RootSwitch', $switch, '-RootRegion', $master.Region,
            '-Squat', (Get-RegionPath "pipe-$squat"), '-Link', (Get-RegionPath "pipe-$link"), '-Victim', $victim, '-SquatBase', $squatBase)
        $r = Wait-TestScript (Start-Program 'ip' $arguments) | ConvertFrom-Json
        $text = { param($Packet) [Text.Encoding]::ASCII.GetString($Packet.Data, 14, $Packet.Data.Length - 14).Trim() }
    }
    AfterAll {
        Close-NetmapPort -All
        Remove-Item (Get-RegionPath "pipe-$squat"), (Get-RegionPath "pipe-$link") -Force -ErrorAction Ignore
        if ($userUid) { Remove-Item (Join-Path $ShmDir "netmapps-$userUid") -Recurse -Force -ErrorAction Ignore }
        Remove-Item $squatBase -Recurse -Force -ErrorAction Ignore
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
        (& stat -c '%a %u' (Split-Path $master.Region)) | Should -Be '700 0'
        $r.OwnDirMode | Should -Be "700 $userUid"
    }

    It 'sends and receives through its own pipe and switch and writes and reads a capture file' {
        $r.OwnPipeReceived | Should -Be (1..5 | ForEach-Object { "user $_" })
        $r.OwnSwitchReceived | Should -Be 'user vale'
        $r.CaptureRead | Should -Be $r.OwnPipeReceived
    }

    It "cannot reach root's pipe or switch, nor learn their names: the same names open its own, and root's region file is closed to it" {
        $r.SameNameRegion | Should -Be (Get-RegionPath "pipe-$name" $userUid)
        $r.SameNameSwitchRegion | Should -Be (Get-RegionPath "vale-$switch" $userUid)
        $r.SameNameWarning | Should -BeNullOrEmpty     # root's directory is private: not even the names show
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
        Get-ChildItem (Join-Path $ShmDir "netmapps-$userUid") | Should -BeNullOrEmpty   # the user's went when it closed its ports
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

    It 'is told which capability attaching an interface to an emulated VALE switch needs, before anything is made' {
        $r.ValeAttach.Id | Should -Be 'PermissionDenied,NetmapPS.AddNetmapValePortCommand'
        $r.ValeAttach.Message | Should -BeLike '*was refused*This needs CAP_BPF*run as root, or grant the capabilities*'
    }

    It "cannot put a file or a link where root's region files go, nor list them" {
        foreach ($outcome in $r.PlantInRootDir, $r.LinkInRootDir, $r.ListRootDir) { $outcome.Id | Should -Match 'AccessException|UnauthorizedAccess' }
        Test-Path (Get-RegionPath "pipe-$squat") | Should -BeFalse
        Test-Path (Get-RegionPath "pipe-$link") | Should -BeFalse
        Get-Content $victim | Should -Be 'root data'
        (Open-NetmapPort "netmap:$squat{1").Region | Should -Be (Get-RegionPath "pipe-$squat")
    }

    It "cannot block root by taking the name of its private directory first: root moves it aside, says so, and opens" {
        $shm = $env:NETMAPPS_SHM_DIR
        $env:NETMAPPS_SHM_DIR = $squatBase
        try {
            $port = Open-NetmapPort "netmap:sq{1" -WarningVariable w -WarningAction SilentlyContinue
        }
        finally { $env:NETMAPPS_SHM_DIR = $shm }
        "$w" | Should -BeLike "*was a directory of uid $userUid*moved to*"
        $port.Region | Should -Be (Join-Path $squatBase 'netmapps-0/pipe-sq')
        (& stat -c '%a %u' (Join-Path $squatBase 'netmapps-0')) | Should -Be '700 0'
        $aside = @(Get-ChildItem $squatBase -Directory -Filter 'netmapps-0.squatted-*')
        $aside | Should -HaveCount 1
        Get-Content (Join-Path $aside[0] 'pipe-x') | Should -Be 'not a region'    # the user's file is left as it was
        Close-NetmapPort $port
    }
}
