BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

Describe 'Get-NetmapPortName' {
    It 'parses <Name>' -ForEach @(
        @{ Name = 'netmap:eth0'; RequestName = 'eth0'; Mode = 'AllNic'; RingId = 0; Flags = 'None'; Pipe = 'None' }
        @{ Name = 'netmap:eth0-1'; RequestName = 'eth0'; Mode = 'OneNic'; RingId = 1; Flags = 'None'; Pipe = 'None' }
        @{ Name = 'netmap:eth0-1/T'; RequestName = 'eth0'; Mode = 'OneNic'; RingId = 1; Flags = 'TxRingsOnly'; Pipe = 'None' }
        @{ Name = 'netmap:eth0^'; RequestName = 'eth0'; Mode = 'Host'; RingId = 0; Flags = 'None'; Pipe = 'None' }
        @{ Name = 'netmap:eth0^3'; RequestName = 'eth0'; Mode = 'OneHost'; RingId = 3; Flags = 'None'; Pipe = 'None' }
        @{ Name = 'netmap:eth0*'; RequestName = 'eth0'; Mode = 'NicAndHost'; RingId = 0; Flags = 'None'; Pipe = 'None' }
        @{ Name = 'netmap:eth0/rz'; RequestName = 'eth0'; Mode = 'AllNic'; RingId = 0; Flags = 'MonitorRx, ZeroCopyMonitor'; Pipe = 'None' }
        @{ Name = 'netmap:p{1'; RequestName = 'p{1'; Mode = 'AllNic'; RingId = 0; Flags = 'None'; Pipe = 'Master' }
        @{ Name = 'netmap:p}1'; RequestName = 'p}1'; Mode = 'AllNic'; RingId = 0; Flags = 'None'; Pipe = 'Slave' }
        @{ Name = 'vale0:a/x'; RequestName = 'vale0:a'; Mode = 'AllNic'; RingId = 0; Flags = 'Exclusive'; Pipe = 'None' }
    ) {
        $spec = Get-NetmapPortName $Name
        $spec.RequestName | Should -BeExactly $RequestName
        "$($spec.Mode)" | Should -Be $Mode
        $spec.RingId | Should -Be $RingId
        "$($spec.Flags)" | Should -Be $Flags
        "$($spec.Pipe)" | Should -Be $Pipe
        (Get-NetmapPortName $spec.ToString()).ToString() | Should -BeExactly $spec.ToString()
    }

    It 'reads the options of a name' {
        $spec = Get-NetmapPortName 'netmap:eth0@2@conf:rings=4,host-rings=1,slots=512'
        $spec.MemoryId | Should -Be 2
        $spec.Config.TxRings | Should -Be 4
        $spec.Config.RxRings | Should -Be 4
        $spec.Config.HostTxRings | Should -Be 1
        $spec.Config.RxSlots | Should -Be 512
    }

    It 'says in words what a name asks for' {
        (Get-NetmapPortName 'netmap:eth0-1/T').Description | Should -Be 'NIC ring pair 1 of eth0, TX rings only'
    }

    It 'rejects <Name> with an error at offset <Offset>' -ForEach @(
        @{ Name = 'eth0'; Offset = 0; Fragment = "did you mean 'netmap:eth0'" }
        @{ Name = 'netmap:'; Offset = 7; Fragment = 'expected a port name' }
        @{ Name = 'netmap:eth0-x'; Offset = 12; Fragment = "expected a ring number after '-', found 'x'" }
        @{ Name = 'netmap:eth0-4095'; Offset = 12; Fragment = 'ring number from 0 to 4094' }
        @{ Name = 'netmap:eth0/q'; Offset = 12; Fragment = 'expected a flag letter' }
        @{ Name = 'netmap:p{' + ('a' * 62); Offset = 70; Fragment = 'too long' }
        @{ Name = 'netmap:' + ('a' * 16); Offset = 22; Fragment = 'at most 15 characters' }
        @{ Name = 'netmap:p{'; Offset = 9; Fragment = 'expected a pipe id' }
        @{ Name = 'netmap:eth0@conf:rings=2,rings=3'; Offset = 25; Fragment = "duplicate key 'rings'" }
        @{ Name = 'netmap:eth0@conf:bogus=1'; Offset = 17; Fragment = "found 'bogus'" }
    ) {
        Get-NetmapPortName $Name -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidPortName,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Position | Should -Be $Offset
        $err[0].Exception.Message | Should -BeLike "Invalid port name '*' at offset $Offset*"
        $err[0].Exception.Message | Should -BeLike "*$Fragment*"
    }

    It 'takes names from the pipeline and goes on after a bad one' {
        $specs = 'netmap:a', 'bad', 'vale0:b' | Get-NetmapPortName -ErrorVariable err -ErrorAction SilentlyContinue
        $specs.RequestName | Should -Be 'a', 'vale0:b'
        $err | Should -HaveCount 1
    }
}

Describe 'Open-NetmapPort errors' {
    It 'reports a malformed name as InvalidPortName' {
        Open-NetmapPort 'netmap:p{' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidPortName,*'
    }

    It 'reports a missing interface as PortNotFound and names the fix' {
        Open-NetmapPort 'netmap:nosuchif9' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PortNotFound,*'
        $err[0].Exception.Message | Should -BeLike "*no interface 'nosuchif9'*"
    }

    It 'reports a ring index out of range as InvalidPortRequest' {
        $name = New-TestName 'r'
        Open-NetmapPort "netmap:$name{1-3" -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidPortRequest,*'
        $err[0].Exception.Message | Should -BeLike '*ring 3 is out of range*'
        Get-NetmapPort | Should -BeNullOrEmpty
        Test-Path (Get-RegionPath "pipe-$name") | Should -BeFalse
    }
}
