<#
.SYNOPSIS
    Writes a skeleton docs/help/<Cmdlet>.md for each exported cmdlet that has none, and lists the
    parameters that existing files leave out.
.DESCRIPTION
    The skeleton has every section and every parameter, with the types and attributes of the cmdlet;
    the words (synopsis, description, examples, parameter descriptions, inputs, outputs, error ids)
    are to be written by hand. Run it after adding a cmdlet or a parameter; Help.Tests.ps1 fails
    until the help is complete.
.EXAMPLE
    ./build.ps1 Build; pwsh -NoProfile -File tools/New-HelpMarkdown.ps1
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/NetmapPS/NetmapPS.psd1'),
    [string] $MarkdownPath = (Join-Path $PSScriptRoot '../docs/help')
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'HelpMarkdown.psm1') -Force
$module = Import-Module $ModulePath -Force -PassThru

function Format-ParameterSection($Parameter) {
    $set = $Parameter.ParameterSets.Values | Select-Object -First 1
    $pipeline = @(if ($Parameter.ParameterSets.Values.ValueFromPipelineByPropertyName -contains $true) { 'ByPropertyName' }
                  if ($Parameter.ParameterSets.Values.ValueFromPipeline -contains $true) { 'ByValue' })
    @"
### -$($Parameter.Name)
TODO: what -$($Parameter.Name) does.

``````yaml
Type: $(Get-HelpTypeName $Parameter.ParameterType)
Required: $($Parameter.ParameterSets.Values.IsMandatory -notcontains $false)
Position: $(if ($set.Position -ge 0) { $set.Position } else { 'Named' })
Default value: None
Accept pipeline input: $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' })
Accept wildcard characters: $([bool]($Parameter.Attributes | Where-Object { $_ -is [Management.Automation.SupportsWildcardsAttribute] }))
``````

"@
}

foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet) {
    $file = Join-Path $MarkdownPath "$($command.Name).md"
    $parameters = @(Get-DocumentedParameter $command)
    if (Test-Path $file) {
        $doc = ConvertFrom-HelpMarkdown $file
        foreach ($p in $parameters | Where-Object { -not $doc.Parameters.Contains($_.Name) }) {
            Write-Warning "$file has no section for -$($p.Name); add this to its PARAMETERS:`n$(Format-ParameterSection $p)"
        }
        continue
    }
    $text = @"
# $($command.Name)

## SYNOPSIS
TODO: one sentence.

## DESCRIPTION
TODO: what it does, and how.

## EXAMPLES

### Example 1: TODO
``````powershell
TODO
``````

TODO: what it shows.

### Example 2: TODO
``````powershell
TODO
``````

TODO: what it shows.

## PARAMETERS

$(($parameters | ForEach-Object { Format-ParameterSection $_ }) -join "`n")
## INPUTS

### TODO: type
TODO

## OUTPUTS

### TODO: type
TODO

## ERRORS
- ``TODO``: when.

## NOTES

## RELATED LINKS
- about_NetmapPS
"@
    Set-Content -LiteralPath $file -Value $text
    Write-Host "Wrote $file"
}
