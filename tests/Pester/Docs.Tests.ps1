# The documents agree with the code: the README's cmdlet table lists the exported cmdlets, the
# PowerShell lines of the README parse, and every repository path the documents name exists.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $Root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $Readme = Get-Content (Join-Path $Root 'README.md')
}

Describe 'README and about topics against the code' {
    It "lists exactly the exported cmdlets in the README's cmdlet table" {
        $start = [array]::IndexOf($Readme, '## Cmdlets')
        $start | Should -BeGreaterThan 0
        $rows = $Readme[($start + 1)..($Readme.Count - 1)] | Where-Object { $_.StartsWith('| `') }
        $listed = $rows | ForEach-Object { (($_ -split '\|')[1] | Select-String '`([A-Z][a-z]+-Netmap\w+)`' -AllMatches).Matches.ForEach({ $_.Groups[1].Value }) }
        $exported = (Get-Command -Module NetmapPS -CommandType Cmdlet).Name
        @($listed | Sort-Object) | Should -Be @($exported | Sort-Object)
    }

    It 'quotes every pipe name in the README (a bare { starts a script block)' {
        $bare = $Readme | Select-String "(?<!['""])\bnetmap:\w+[{}]\d"
        $bare | Should -BeNullOrEmpty -Because "these lines name a pipe without quotes: $($bare.Line -join ' / ')"
    }

    It 'parses every PowerShell line of the README' {
        $inBlock = $false
        $lines = foreach ($line in $Readme) {
            if ($line -match '^```') { $inBlock = $line -eq '```powershell'; continue }
            if ($inBlock) { $line }
            elseif ($line -match '^PS> (.+)') { $Matches[1] }
        }
        $errors = $null
        $null = [Management.Automation.Language.Parser]::ParseInput(($lines -join "`n"), [ref]$null, [ref]$errors)
        $errors | Should -BeNullOrEmpty
    }

    It 'names only repository paths that exist (README, docs, about topics, build.ps1, the Native tests)' {
        $files = @('README.md', 'build.ps1', 'tests/Pester/Native.Tests.ps1') + (Get-ChildItem (Join-Path $Root 'docs') -Filter *.md).FullName +
            (Get-ChildItem (Join-Path $Root 'en-US') -Filter *.txt).FullName
        $missing = foreach ($file in $files) {
            $text = Get-Content (Join-Path $Root $file) -Raw -ErrorAction Ignore
            if (-not $text) { $text = Get-Content $file -Raw }
            foreach ($m in [regex]::Matches($text, '(?<![\w./-])((?:docs|tests|tools|src|bench|demo|en-US)/[\w./-]*\w)')) {
                $path = $m.Groups[1].Value
                if ($path -match '[*]' -or $path -like 'en-US/NetmapPS.dll-Help.xml') { continue }   # patterns, and what the build writes
                if (-not (Test-Path (Join-Path $Root $path))) { "$path (in $(Split-Path $file -Leaf))" }
            }
        }
        $missing | Should -BeNullOrEmpty
    }

    It "gives in about_NetmapPS_Lab the README's lab lines" {
        $start = [array]::IndexOf($Readme, '## A lab by hand')
        $start | Should -BeGreaterThan 0
        $about = (Get-Content (Join-Path $Root 'en-US/about_NetmapPS_Lab.help.txt')).Trim()
        $inBlock = $false
        foreach ($line in $Readme[($start + 1)..($Readme.Count - 1)]) {
            if ($line -match '^## ') { break }
            if ($line -match '^```') { $inBlock = $line -in '```sh', '```powershell'; continue }
            if ($inBlock -and $line -match '^(ip |Import-Module|Open-|Get-|Receive-)') { $about | Should -Contain $line.Trim() }
        }
    }

    It 'says in the emulated-mode topic that Native is implemented and that pipe and VALE monitors are emulated' {
        $topic = Get-Content (Join-Path $Root 'en-US/about_NetmapPS_EmulatedMode.help.txt') -Raw
        $topic | Should -Not -Match 'not implemented\s+yet'
        $topic | Should -Not -Match 'Not emulated:[^.]*monitors of pipes'
        # what the topic says is emulated, the code does
        $name = New-TestName 'dm'
        $null = Open-NetmapPort "netmap:$name{1" -Mode Emulated
        try { (Open-NetmapPort "netmap:$name{1/r" -Mode Emulated).Mechanism | Should -BeLike 'monitor of*' }
        finally { Close-NetmapPort -All }
    }
}
