# The module manifest, and a publish/install round trip through a local PSResourceGet repository.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $ModuleDir = Split-Path $ModulePath
    $manifest = Import-PowerShellDataFile $ModulePath
}

Describe 'The manifest' {
    It 'passes Test-ModuleManifest' {
        $info = Test-ModuleManifest $ModulePath -ErrorAction Stop
        $info.Name | Should -Be 'NetmapPS'
        $info.Version | Should -Be ([version]$manifest.ModuleVersion)
    }

    It 'exports by name exactly the cmdlets the assembly defines' {
        $manifest.CmdletsToExport | Should -Not -BeNullOrEmpty
        $manifest.CmdletsToExport | Should -Not -Match '\*'
        $defined = [NetmapPS.Completion.CompleterRegistration].Assembly.GetTypes() |
            ForEach-Object { [Attribute]::GetCustomAttribute($_, [Management.Automation.CmdletAttribute]) } |
            Where-Object { $_ } | ForEach-Object { "$($_.VerbName)-$($_.NounName)" }
        $manifest.CmdletsToExport | Sort-Object | Should -Be ($defined | Sort-Object)
        (Get-Command -Module NetmapPS).Name | Sort-Object | Should -Be ($defined | Sort-Object)
        foreach ($key in 'FunctionsToExport', 'AliasesToExport', 'VariablesToExport') { @($manifest[$key]).Count | Should -Be 0 -Because "$key is explicit" }
    }

    It 'declares PowerShell 7.4 Core, tags and a project URI' {
        $manifest.CompatiblePSEditions | Should -Be 'Core'
        $manifest.PowerShellVersion | Should -Be '7.4'
        $manifest.PrivateData.PSData.Tags | Should -Contain 'netmap'
        $manifest.PrivateData.PSData.ProjectUri | Should -Match '^https://'
    }

    It 'lists every format and type file it ships, and ships every file it lists' {
        $listed = @($manifest.FormatsToProcess) + @($manifest.TypesToProcess)
        foreach ($f in $listed) { Join-Path $ModuleDir $f | Should -Exist }
        (Get-ChildItem $ModuleDir -Filter *.ps1xml).Name | Sort-Object | Should -Be ($listed | Sort-Object)
        foreach ($f in $manifest.FormatsToProcess) { ([xml](Get-Content (Join-Path $ModuleDir $f) -Raw)).Configuration.ViewDefinitions.View | Should -Not -BeNullOrEmpty }
    }

    It 'ships the help: the MAML and the about topics' {
        Join-Path $ModuleDir 'en-US/NetmapPS.dll-Help.xml' | Should -Exist
        (Get-ChildItem (Join-Path $ModuleDir 'en-US') -Filter 'about_*.help.txt').Count | Should -BeGreaterOrEqual 3
    }
}

Describe 'Publish-PSResource to a local repository, then Install-PSResource' {
    It 'installs a module that imports by name, with its help, and moves packets' {
        $home_ = Join-Path $TestDrive 'home'
        $repo = Join-Path $TestDrive 'repo'
        New-Item -ItemType Directory $home_, $repo | Out-Null
        $pipe = New-TestName 'pub'
        # A child pwsh with a home of its own: the repository registration and the CurrentUser
        # module folder live under $HOME, so nothing of the user's is touched.
        $publish = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name NetmapPSTest -Uri '$repo' -Trusted
Publish-PSResource -Path '$ModuleDir' -Repository NetmapPSTest
Install-PSResource -Name NetmapPS -Repository NetmapPSTest -Scope CurrentUser -TrustRepository
"@
        $use = @"
`$ErrorActionPreference = 'Stop'
`$out = Import-Module NetmapPS *>&1
"imported:`$(@(`$out).Count)"
"base:`$((Get-Module NetmapPS).ModuleBase)"
"cmdlets:`$((Get-Command -Module NetmapPS).Count)"
"help:`$((Get-Help Open-NetmapPort).Synopsis)"
"about:`$(@(Get-Help about_NetmapPS_PortNames).Count)"
`$a, `$b = Open-NetmapPort 'netmap:$pipe{1', 'netmap:$pipe}1'
New-NetmapPacket -DestinationPort 53 -Payload 'query' | Send-NetmapPacket -Port `$a
"received:`$((Receive-NetmapPacket -Port `$b -Count 1 -Timeout 5).Protocol)"
"@
        # [NullString]::Value removes a variable ($null would set it to ''); the child starts in $TestDrive.
        $env = @{ HOME = $home_; XDG_DATA_HOME = [NullString]::Value; XDG_CONFIG_HOME = [NullString]::Value; XDG_CACHE_HOME = [NullString]::Value; PSModulePath = [NullString]::Value }
        $saved = @{}
        foreach ($k in $env.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $env[$k]) }
        Push-Location $TestDrive
        try {
            $log = & $Pwsh -NoProfile -NonInteractive -Command $publish 2>&1
            $LASTEXITCODE | Should -Be 0 -Because "publishing and installing worked: $log"
            Get-ChildItem $repo -Filter 'NetmapPS.*.nupkg' | Should -Not -BeNullOrEmpty
            $lines = & $Pwsh -NoProfile -NonInteractive -Command $use 2>&1
            $LASTEXITCODE | Should -Be 0 -Because "the installed module works: $lines"
        }
        finally {
            Pop-Location
            foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $(if ($null -eq $saved[$k]) { [NullString]::Value } else { $saved[$k] })) }
        }
        $lines | Should -Contain 'imported:0'
        $lines | Should -Contain "base:$(Join-Path $home_ ".local/share/powershell/Modules/NetmapPS/$($manifest.ModuleVersion)")"
        $lines | Should -Contain "cmdlets:$($manifest.CmdletsToExport.Count)"
        $lines | Should -Contain "help:$((Get-Help Open-NetmapPort).Synopsis)"
        $lines | Should -Contain 'about:1'
        $lines | Should -Contain 'received:DNS'
    }
}
