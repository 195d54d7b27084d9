# One error model: the engine (Netmap.Native) reports facts and a typed remedy, and never names a
# cmdlet or a parameter; the module words each remedy, and its own messages, in one resource file
# (src/NetmapPS/Strings.resx) and puts the wording in the ErrorRecord.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $commands = Get-Command -Module NetmapPS -CommandType Cmdlet

    # Every string literal compiled into the engine (the #US heap: plain strings and the literal parts
    # of interpolated ones), read from the assembly the module loaded.
    function Get-AssemblyStrings([Reflection.Assembly] $Assembly) {
        $stream = [IO.File]::OpenRead($Assembly.Location)
        try {
            $pe = [Reflection.PortableExecutable.PEReader]::new($stream)
            $reader = [Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
            $handle = [Reflection.Metadata.Ecma335.MetadataTokens]::UserStringHandle(1)
            while (-not $handle.IsNil) {
                $reader.GetUserString($handle)
                $handle = [Reflection.Metadata.Ecma335.MetadataReaderExtensions]::GetNextHandle($reader, $handle)
            }
        }
        finally { $stream.Dispose() }
    }
}
AfterAll { Close-NetmapPort -All }

Describe 'Engine messages' {
    BeforeAll {
        $engine = [Netmap.Native.NetmapException].Assembly
        $engineStrings = @(Get-AssemblyStrings $engine)
        $common = [Management.Automation.PSCmdlet]::CommonParameters + [Management.Automation.PSCmdlet]::OptionalCommonParameters
        $parameters = $commands.Parameters.Values | Where-Object Name -notin $common | ForEach-Object { $_.Name; $_.Aliases } | Sort-Object -Unique
        $cmdletPattern = ($commands.Name | ForEach-Object { [regex]::Escape($_) }) -join '|'
        # A parameter as a user types it: -Name, not part of a word (ethtool -N, '-N' in port names, 02-00).
        $parameterPattern = '(?<![\w-])-(' + (($parameters | ForEach-Object { [regex]::Escape($_) }) -join '|') + ')(?![\w-])'
    }

    It 'are read from the engine assembly' {
        $engineStrings.Count | Should -BeGreaterThan 300
        $engineStrings | Where-Object { $_ -like '*is closed; open it again*' } | Should -Not -BeNullOrEmpty -Because 'the scan must see the messages it checks'
    }

    It 'name no cmdlet' {
        $named = $engineStrings | Where-Object { $_ -cmatch $cmdletPattern }
        $named | Should -BeNullOrEmpty -Because "the engine says what to do in netmap terms and reports a NetmapRemedy for the module to word: $($named -join ' / ')"
    }

    It 'name no parameter of a cmdlet' {
        $parameters.Count | Should -BeGreaterThan 40
        $named = $engineStrings | Where-Object { $_ -cmatch $parameterPattern }
        $named | Should -BeNullOrEmpty -Because "a parameter belongs to the module's words (Strings.resx): $($named -join ' / ')"
    }
}

Describe 'The resource file' {
    BeforeAll {
        $strings = $commands[0].ImplementingType.Assembly.GetType('NetmapPS.Strings', $true)
        $resources = $strings.GetProperty('ResourceManager', [Reflection.BindingFlags]'Static, NonPublic, Public').GetValue($null)
    }

    It 'words every remedy the engine can report' {
        foreach ($remedy in [enum]::GetNames([Netmap.Native.NetmapRemedy]) | Where-Object { $_ -ne 'None' }) {
            $resources.GetString("Remedy_$remedy") | Should -Not -BeNullOrEmpty -Because "NetmapRemedy.$remedy needs Remedy_$remedy in src/NetmapPS/Strings.resx"
        }
    }

    It 'holds only words the module uses' {
        $src = Join-Path $PSScriptRoot '../../src/NetmapPS'
        $code = (Get-ChildItem $src -Filter *.cs -Recurse | Where-Object FullName -notmatch '[\\/](bin|obj)[\\/]' | Get-Content -Raw) -join "`n"
        $names = ([xml](Get-Content (Join-Path $src 'Strings.resx') -Raw)).root.data.name
        $names.Count | Should -BeGreaterThan 20
        foreach ($name in $names) {
            if ($name -like 'Remedy_*') { [enum]::GetNames([Netmap.Native.NetmapRemedy]) | Should -Contain $name.Substring(7) }
            else { $code | Should -Match "Strings\.$name\b" -Because "'$name' in Strings.resx is used nowhere" }
        }
    }
}

Describe 'The cmdlets'' words' {
    BeforeAll {
        # Every call that puts text before the user, with its arguments (balanced parentheses; a string
        # literal with an unbalanced parenthesis in it would cut a call short).
        $balanced = '\((?>[^()]+|\((?<d>)|\)(?<-d>))*(?(d)(?!))\)'
        $sink = "\b(?<sink>WriteWarning|WriteVerbose|WriteDebug|WriteInformation|ShouldProcess|ShouldContinue|new\s+ProgressRecord|new\s+ErrorRecord|new\s+ErrorDetails|ErrorRecords\.Create)\s*(?<args>$balanced)" +
            '|\.(?<sink>StatusDescription|CurrentOperation|RecommendedAction)\s*=\s*(?<args>[^;]+);'
        # The values that fill a template's placeholders, and data joined for a list, are not wording.
        $values = "\b(Words\.(Format|Of)|string\.Join)\s*$balanced"
        # Inline text that stays, each with why (text the module relays verbatim from elsewhere passes
        # anyway: it reaches the sink as a variable, never as a literal).
        $allowed = @(
            @{ File = 'ErrorRecords.cs'; Text = 'is not in the ErrorRecord id map'; Why = 'an id missing from the map is a bug in the module, for its developers, not wording for users' }
            @{ File = 'InvokeNetmapLabCommandCommand.cs'; Text = 'new[] { "PSHOST" }'; Why = 'relays host output of the command in the lab verbatim, with the tag PowerShell gives Write-Host' }
        )
        # The calls in $Code whose text is a literal with a word in it or an interpolated string, rather
        # than a Strings template (Strings.resx) filled by Words.Format.
        function Find-InlineWords([string] $File, [string] $Code) {
            foreach ($call in [regex]::Matches($Code, $sink)) {
                $arguments = [regex]::Replace($call.Groups['args'].Value, $values, 'value')
                $literals = [regex]::Matches($arguments, '"(?:[^"\\]|\\.)*"') | Where-Object Value -match '[A-Za-z]'
                if ($arguments -match '\$@?"' -or $literals) {
                    $text = $call.Value -replace '\s+', ' '
                    if (-not ($allowed | Where-Object { $_.File -eq $File -and $text.Contains($_.Text) })) { "${File}: $text" }
                }
            }
        }
        $sources = Get-ChildItem (Join-Path $PSScriptRoot '../../src/NetmapPS') -Filter *.cs -Recurse | Where-Object FullName -notmatch '[\\/](bin|obj)[\\/]'
        $code = @{}
        foreach ($file in $sources) { $code[$file.Name] = Get-Content $file.FullName -Raw }
    }

    It 'the scan tells a template from inline text' {
        Find-InlineWords 'X.cs' 'WriteVerbose($"Closed ''{port.Name}''.");' | Should -HaveCount 1
        Find-InlineWords 'X.cs' 'if (ShouldProcess(lab.Name, "Remove lab"))' | Should -HaveCount 1
        Find-InlineWords 'X.cs' 'var p = new ProgressRecord(1, "Receive-NetmapPacket", Strings.ReceiveProgress);' | Should -HaveCount 1
        Find-InlineWords 'X.cs' 'p.StatusDescription = $"{n} packets";' | Should -HaveCount 1
        Find-InlineWords 'X.cs' 'WriteError(ErrorRecords.Create(new ArgumentException("bad"), ErrorId.NotAFrame, x));' | Should -HaveCount 1
        Find-InlineWords 'X.cs' 'WriteVerbose(Words.Format(Strings.ClosedPort, port.Name ?? "none")); WriteWarning(text);' | Should -BeNullOrEmpty
        Find-InlineWords 'X.cs' 'ShouldProcess(string.Join(", ", links), Strings.LabCreateAction)' | Should -BeNullOrEmpty
    }

    It 'come from Strings.resx: no cmdlet writes a literal or interpolated text to the user' {
        $calls = foreach ($name in $code.Keys) { [regex]::Matches($code[$name], $sink) }
        @($calls).Count | Should -BeGreaterThan 60 -Because 'the scan must see the calls it checks'
        $inline = foreach ($name in $code.Keys) { Find-InlineWords $name $code[$name] }
        $inline | Should -BeNullOrEmpty -Because "user-visible text belongs in src/NetmapPS/Strings.resx, used through Words.Format(Strings.X, ...): $($inline -join ' / ')"
    }

    It 'allow inline text only where it is still written, for the reason given' {
        foreach ($entry in $allowed) {
            $code[$entry.File] | Should -Match ([regex]::Escape($entry.Text)) -Because "the allow-list entry '$($entry.Text)' ($($entry.Why)) is stale"
            $entry.Why | Should -Not -BeNullOrEmpty
        }
    }
}

Describe 'A real failure' {
    It 'keeps the facts in the exception and shows the fix in cmdlet words' {
        $name = "netmap:$(New-TestName 'cl'){1"
        $port = Open-NetmapPort $name
        Close-NetmapPort $port
        $err = $null
        Get-NetmapRing $port -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PortClosed,*'
        $err[0].Exception.Remedy | Should -Be 'ReopenPort'
        $err[0].Exception.Message | Should -Not -Match 'Open-NetmapPort'
        $err[0].ErrorDetails.RecommendedAction | Should -Be "Open-NetmapPort '$name' opens it again."
        "$($err[0])" | Should -Be "The port '$name' is closed; open it again. Open-NetmapPort '$name' opens it again."
    }

    It 'keeps a message without a remedy as the engine wrote it' {
        $err = $null
        Open-NetmapPort 'netmap:' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].ErrorDetails | Should -BeNullOrEmpty
        "$($err[0])" | Should -Be $err[0].Exception.Message
    }
}
