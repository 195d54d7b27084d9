# Region files on a file system that another user can fill, or where another user can plant a link.
BeforeDiscovery {
    $CanMount = (& id -u) -eq '0' -and @(Get-Command mount, umount, setpriv, sysctl -ErrorAction Ignore).Count -eq 4
}

BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

Describe 'Region files on a small tmpfs shared with another user' -Tag 'Security' -Skip:(-not $CanMount) {
    BeforeAll {
        $mount = Join-Path ([IO.Path]::GetTempPath()) (New-TestName 'nmps-tmpfs-')
        $null = New-Item -ItemType Directory $mount
        & mount -t tmpfs -o size=256m,mode=1777 tmpfs $mount
        if ($LASTEXITCODE) { throw "mount -t tmpfs failed" }
        # 'nobody' plays the other local user: it may write into the shared directory, as into /dev/shm.
        function Invoke-AsNobody { & setpriv --reuid=65534 --regid=65534 --clear-groups @args; if ($LASTEXITCODE) { throw "setpriv $args failed" } }
        function Open-InShm([string[]] $Name) {
            $p = Start-TestScript 'Open-InShm.ps1' @('-ShmDir', $mount, '-Name', ($Name -join '|'))
            @((Wait-TestScript $p) -split '\r?\n' | Where-Object { $_ -like '{*' } | ConvertFrom-Json)
        }
        $hardlinks = (& sysctl -n fs.protected_hardlinks)
    }
    AfterEach { Get-ChildItem $mount | Remove-Item -Recurse -Force }
    AfterAll {
        & sysctl -q -w "fs.protected_hardlinks=$hardlinks"
        & umount $mount
        Remove-Item $mount -Recurse -Force -ErrorAction Ignore
    }

    It 'gives a typed error at open, saying where, when another user filled the tmpfs, and leaves nothing behind' {
        # The region's memory is a System V segment; the file on the tmpfs only names it, but even that needs a page.
        Invoke-AsNobody fallocate -l 256m (Join-Path $mount 'filler')
        $name = New-TestName 'f'
        $r = Open-InShm "netmap:$name{1"     # the child exits 0: no SIGBUS
        $r[0].Opened | Should -BeFalse
        $r[0].Id | Should -Be 'NetmapMemoryExhausted,NetmapPS.OpenNetmapPortCommand'
        $r[0].Message | Should -Match "no room for the shared region file .* in $([regex]::Escape($mount))"
        # Nothing was left behind: no region file, no half-made one (only the private directory, empty).
        @(Get-ChildItem $mount -Name | Sort-Object) | Should -Be @('filler', "netmapps-$Uid")
        @(Get-ChildItem (Join-Path $mount "netmapps-$Uid")) | Should -BeNullOrEmpty
        Remove-Item (Join-Path $mount 'filler') -Force
        (Open-InShm "netmap:$name{1")[0].Opened | Should -BeTrue
        @(Get-ChildItem (Join-Path $mount "netmapps-$Uid")) | Should -BeNullOrEmpty
    }

    It 'gives a typed error at open, saying how much memory is needed, when the system refuses the shared memory' -Skip:(-not (Get-Command unshare -ErrorAction Ignore)) {
        # A System V limit of 16 MiB, in an IPC namespace of the child's own: the machine's limits are not touched.
        $name = New-TestName 'm'
        $child = Start-Program 'unshare' @('--ipc', '--', 'sh', '-c',
            "sysctl -q -w kernel.shmmax=16777216 && exec '$Pwsh' -NoProfile -NonInteractive -File '$(Join-Path $PSScriptRoot 'Scripts/Open-InShm.ps1')' -ShmDir '$mount' -Name 'netmap:$name{1|netmap:s$name{1@conf:rings=1,slots=64'")
        $r = @((Wait-TestScript $child) -split '\r?\n' | Where-Object { $_ -like '{*' } | ConvertFrom-Json)
        $r[0].Opened | Should -BeFalse
        $r[0].Id | Should -Be 'NetmapMemoryExhausted,NetmapPS.OpenNetmapPortCommand'
        $r[0].Message | Should -Match 'needs [\d.,]+ MiB of shared memory and the system refused'
        $r[1].Opened | Should -BeTrue -Because "a region that fits the limit opens ($($r[1].Message))"
        @(Get-ChildItem (Join-Path $mount "netmapps-$Uid")) | Should -BeNullOrEmpty
    }

    It 'keeps another user from linking a file at the name of a region (fs.protected_hardlinks=0), and never writes through a second link' {
        & sysctl -q -w fs.protected_hardlinks=0
        $victim = Join-Path $mount 'victim'
        Set-Content $victim 'root data'
        & chmod 600 $victim
        $name = New-TestName 'h'
        $null = Open-InShm "netmap:$(New-TestName 'd'){1"     # root's private directory now exists
        $private = Join-Path $mount "netmapps-$Uid"
        { Invoke-AsNobody ln $victim (Join-Path $private "pipe-$name") 2>$null } | Should -Throw   # 0700: not even a name goes in
        # A second name of a file made there all the same (a stray 'ln' of root's own) is refused, the file untouched.
        & ln $victim (Join-Path $private "pipe-$name")
        $r = Open-InShm "netmap:$name{1"
        $r[0].Opened | Should -BeFalse
        $r[0].Id | Should -Be 'PermissionDenied,NetmapPS.OpenNetmapPortCommand'
        $r[0].Message | Should -Match '2 hard links'
        Get-Content $victim | Should -Be 'root data'
        (Get-Item $victim).Length | Should -Be 10
    }
}
