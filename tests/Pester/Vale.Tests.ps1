BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

Describe 'A VALE switch with three ports' {
    BeforeAll {
        $switch = 'vale' + (New-TestName 's')
        $a, $b, $c = Open-NetmapPort "${switch}:a", "${switch}:b", "${switch}:c"
        $macA = '02:00:00:00:00:0a'; $macB = '02:00:00:00:00:0b'; $macC = '02:00:00:00:00:0c'
        function Receive-All($Port) { @(Receive-NetmapPacket -Port $Port -Timeout 0.3) }
    }
    AfterAll { Close-NetmapPort -All }

    It 'floods a broadcast to every other port' {
        , (New-TestFrame -Source $macA -Text 'hello all') | Send-NetmapPacket -Port $a
        (Receive-All $b) | Should -HaveCount 1
        (Receive-All $c) | Should -HaveCount 1
        (Receive-All $a) | Should -HaveCount 0
    }

    It 'forwards to the port a MAC was learned on, and only there' {
        , (New-TestFrame -Destination $macA -Source $macB -Text 'to a') | Send-NetmapPacket -Port $b
        $got = Receive-All $a
        $got | Should -HaveCount 1
        [Text.Encoding]::ASCII.GetString($got[0].Data, 14, 4) | Should -Be 'to a'
        (Receive-All $c) | Should -HaveCount 0
        (Receive-All $b) | Should -HaveCount 0
    }

    It 'floods a frame to an unknown destination' {
        , (New-TestFrame -Destination '02:00:00:00:99:99' -Source $macC) | Send-NetmapPacket -Port $c
        (Receive-All $a) | Should -HaveCount 1
        (Receive-All $b) | Should -HaveCount 1
    }

    It 'has learned every sender' {
        , (New-TestFrame -Destination $macC -Source $macA) | Send-NetmapPacket -Port $a
        (Receive-All $c) | Should -HaveCount 1
        (Receive-All $b) | Should -HaveCount 0
    }

    It 'shows every port on the switch in one memory region' {
        ($a, $b, $c).MemoryId | Select-Object -Unique | Should -HaveCount 1
        $a.Spec.SwitchName | Should -Be $switch
    }
}
