# The help of every exported cmdlet (generated from docs/help/*.md into en-US/NetmapPS.dll-Help.xml)
# and the about_ topics. Fails when a cmdlet or parameter has no help, or the help drifts from the code.
BeforeDiscovery {
    $modulePath = if ($env:NETMAPPS_MODULE) { $env:NETMAPPS_MODULE } else { Join-Path $PSScriptRoot '../../out/NetmapPS/NetmapPS.psd1' }
    $cmdlets = @(Import-Module $modulePath -Force -PassThru).ExportedCmdlets.Keys | Sort-Object | ForEach-Object { @{ Name = $_ } }
    $abouts = 'about_NetmapPS', 'about_NetmapPS_PortNames', 'about_NetmapPS_EmulatedMode', 'about_NetmapPS_Lab', 'about_NetmapPS_LabTests' | ForEach-Object { @{ Topic = $_ } }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module (Join-Path $PSScriptRoot '../../tools/HelpMarkdown.psm1') -Force
    $script:Root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $script:Sources = Get-ChildItem (Join-Path $Root 'src/NetmapPS') -Filter *.cs -Recurse | Where-Object FullName -notmatch '[\\/](bin|obj)[\\/]'
    # Every id the module can put in an ErrorRecord: the constants of ErrorId (src/NetmapPS/ErrorRecords.cs).
    $script:KnownIds = @(Select-String -Path (Join-Path $Root 'src/NetmapPS/ErrorRecords.cs') -Pattern 'const string (\w+) = nameof' | ForEach-Object { $_.Matches[0].Groups[1].Value }) |
        Sort-Object -Unique
}

Describe 'Help of <Name>' -ForEach $cmdlets {
    BeforeAll {
        $command = Get-Command $Name
        $help = Get-Help $Name -Full
        $markdown = Join-Path $Root "docs/help/$Name.md"
        $doc = if (Test-Path $markdown) { ConvertFrom-HelpMarkdown $markdown }
        $parameters = @(Get-DocumentedParameter $command)
    }

    It 'has a markdown source' { $markdown | Should -Exist }

    It 'has a synopsis and a description of its own' {
        # Without MAML, Get-Help makes a synopsis from the syntax and has no description.
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "$Name *"
        $help.Synopsis | Should -Not -Match 'TODO'
        ($help.description.Text -join ' ') | Should -Match '\w{3,}'
        ($help.description.Text -join ' ') | Should -Not -Match 'TODO'
    }

    It 'describes every parameter but the common ones' {
        $parameters | Should -Not -BeNullOrEmpty
        foreach ($p in $parameters) {
            $entry = $help.parameters.parameter | Where-Object name -eq $p.Name
            $entry | Should -Not -BeNullOrEmpty -Because "-$($p.Name) needs help"
            ($entry.description.Text -join ' ') | Should -Match '\w{3,}' -Because "-$($p.Name) needs a description"
            ($entry.description.Text -join ' ') | Should -Not -Match 'TODO' -Because "-$($p.Name) needs a description"
        }
    }

    It 'documents only parameters the cmdlet has, with their true types' {
        foreach ($name in $doc.Parameters.Keys) {
            $command.Parameters.Keys | Should -Contain $name -Because "docs/help/$Name.md documents -$name"
            $doc.Parameters[$name].Yaml['Type'] | Should -Be (Get-HelpTypeName $command.Parameters[$name].ParameterType) -Because "-$name has that type"
        }
    }

    It 'has at least two examples, each with code and remarks' {
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        foreach ($e in $help.examples.example) {
            $e.code | Should -Not -BeNullOrEmpty
            $e.code | Should -Not -Match 'TODO'
            ($e.remarks.Text -join ' ') | Should -Match '\w{3,}'
        }
    }

    It 'names its inputs and outputs' {
        @($help.inputTypes.inputType).Count | Should -BeGreaterOrEqual 1
        @($help.returnValues.returnValue).Count | Should -BeGreaterOrEqual 1
        foreach ($t in @($help.inputTypes.inputType) + @($help.returnValues.returnValue)) { $t.type.name | Should -Not -Match 'TODO' }
    }

    It 'shows synopsis, syntax, description, parameters and examples in Get-Help -Full' {
        $text = Get-Help $Name -Full | Out-String -Width 200
        foreach ($heading in 'SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES') { $text | Should -Match "(?m)^$heading" }
        $text | Should -Match '(?m)^\s+-+ Example 1'
        $text | Should -BeLike "*$($doc.Synopsis.Substring(0, [Math]::Min(40, $doc.Synopsis.Length)))*"
        foreach ($p in $parameters) { $text | Should -Match "(?m)^\s+-$($p.Name)\b" }
    }

    It 'lists the ErrorRecord ids it writes, and only ids that exist' {
        $source = $Sources | Select-String -Pattern "\[Cmdlet\(\w+\.$($command.Verb), `"$($command.Noun)`"" -List
        $source | Should -Not -BeNullOrEmpty -Because 'the cmdlet class is found by its [Cmdlet] attribute'
        $written = @(Select-String -Path $source.Path -Pattern 'ErrorId\.(\w+)' -AllMatches | ForEach-Object { $_.Matches | ForEach-Object { $_.Groups[1].Value } } | Sort-Object -Unique)
        $listed = @($doc.Errors.Id)
        foreach ($id in $written) { $listed | Should -Contain $id -Because "$($source.Filename) writes $id" }
        if ((Get-Content $source.Path -Raw) -match 'ErrorRecords\.From') { $listed.Count | Should -BeGreaterThan $written.Count -Because 'it writes ids mapped from engine errors too' }
        foreach ($id in $listed) { $KnownIds | Should -Contain $id -Because "$id is listed in docs/help/$Name.md" }
        ($help.alertSet.alert.Text -join "`n") | Should -Match 'ErrorRecord ids'
    }
}

Describe 'The examples' {
    It 'include the three lines of real use' {
        $code = (Get-Command -Module NetmapPS -CommandType Cmdlet | ForEach-Object { (Get-Help $_.Name).examples.example.code }) -join "`n"
        foreach ($line in 'Open-NetmapPort netmap:eth0-1', 'Get-NetmapRing | Format-Table', 'Receive-NetmapPacket | Where Udp.DstPort -eq 53') {
            $code -split "`n" | ForEach-Object Trim | Should -Contain $line
        }
    }
}

Describe 'about topic <Topic>' -ForEach $abouts {
    It 'ships in en-US and Get-Help shows it' {
        Join-Path (Split-Path $ModulePath) "en-US/$Topic.help.txt" | Should -Exist
        $text = Get-Help $Topic | Out-String
        $text | Should -Match "(?m)^\s*$Topic\s*$"
        $text | Should -Match 'SHORT DESCRIPTION'
        $text.Length | Should -BeGreaterThan 2000
    }

}

Describe 'about_NetmapPS' {
    It 'names every ErrorRecord id the module writes' {
        $text = Get-Content (Join-Path (Split-Path $ModulePath) 'en-US/about_NetmapPS.help.txt') -Raw
        $KnownIds.Count | Should -BeGreaterThan 10
        foreach ($id in $KnownIds) { $text | Should -Match "\b$id\b" -Because "$id is an ErrorRecord id of the module" }
    }
}
