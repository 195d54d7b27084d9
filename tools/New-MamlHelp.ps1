<#
.SYNOPSIS
    Writes the MAML help (en-US/NetmapPS.dll-Help.xml) of NetmapPS from the markdown in docs/help.
.DESCRIPTION
    The words come from docs/help/<Cmdlet>.md (see tools/HelpMarkdown.psm1 for the layout); the
    syntax, parameter types, positions, pipeline input and aliases come from the cmdlets themselves,
    so they cannot drift. An exported cmdlet or parameter without markdown gets a warning here and
    fails tests/Pester/Help.Tests.ps1. build.ps1 Build runs this in a child pwsh.
.EXAMPLE
    pwsh -NoProfile -File tools/New-MamlHelp.ps1 -ModulePath out/NetmapPS/NetmapPS.psd1 -MarkdownPath docs/help -OutputPath out/NetmapPS/en-US/NetmapPS.dll-Help.xml
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $MarkdownPath,
    [Parameter(Mandatory)] [string] $OutputPath
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'HelpMarkdown.psm1') -Force
$module = Import-Module $ModulePath -Force -PassThru

$ns = @{
    maml = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
}
$settings = [Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [Text.UTF8Encoding]::new($false) }
New-Item -ItemType Directory -Force (Split-Path $OutputPath) | Out-Null
$w = [Xml.XmlWriter]::Create($OutputPath, $settings)

function Start-El([string] $Prefix, [string] $Name, [hashtable] $Attributes = @{}) {
    $w.WriteStartElement($Prefix, $Name, $ns[$Prefix])
    foreach ($k in $Attributes.Keys | Sort-Object) { $w.WriteAttributeString($k, [string]$Attributes[$k]) }
}
function End-El { $w.WriteEndElement() }
function Write-El([string] $Prefix, [string] $Name, [string] $Text, [hashtable] $Attributes = @{}) {
    Start-El $Prefix $Name $Attributes; $w.WriteString($Text); End-El
}
function Write-Para([string[]] $Paragraphs, [string] $Prefix = 'maml', [string] $Name = 'description') {
    Start-El $Prefix $Name
    foreach ($p in $Paragraphs) { Write-El maml para $p }
    End-El
}

# The attributes of a parameter in one parameter set, or merged over all its sets.
function Get-ParameterFact($Parameter, [string] $SetName) {
    $sets = @($Parameter.ParameterSets.GetEnumerator() | Where-Object { -not $SetName -or $_.Key -eq $SetName -or $_.Key -eq '__AllParameterSets' })
    $first = $sets[0].Value
    $pipeline = @(if ($sets.Value.ValueFromPipelineByPropertyName -contains $true) { 'ByPropertyName' }
                  if ($sets.Value.ValueFromPipeline -contains $true) { 'ByValue' })
    $type = $Parameter.ParameterType
    $element = if ($type.IsArray) { $type.GetElementType() } else { [Nullable]::GetUnderlyingType($type) ?? $type }
    @{
        required = "$(@($sets.Value.IsMandatory) -notcontains $false)".ToLowerInvariant()
        position = if ($first.Position -ge 0) { "$($first.Position)" } else { 'named' }
        pipelineInput = if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }
        globbing = "$([bool]($Parameter.Attributes | Where-Object { $_ -is [Management.Automation.SupportsWildcardsAttribute] }))".ToLowerInvariant()
        aliases = if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }
        variableLength = "$($type.IsArray)".ToLowerInvariant()
        Type = Get-HelpTypeName $type
        EnumValues = if ($element.IsEnum) { [Enum]::GetNames($element) } else { @() }
        IsSwitch = $type -eq [switch]
    }
}

function Write-Parameter($Parameter, $Doc, [string] $SetName, [switch] $InSyntax) {
    $f = Get-ParameterFact $Parameter $SetName
    Start-El command parameter @{ required = $f.required; variableLength = $f.variableLength; globbing = $f.globbing; pipelineInput = $f.pipelineInput; position = $f.position; aliases = $f.aliases }
    Write-El maml name $Parameter.Name
    Write-Para @($Doc.Description)
    if ($f.EnumValues.Count) {
        Start-El command parameterValueGroup
        foreach ($v in $f.EnumValues) { Write-El command parameterValue $v @{ required = 'false'; variableLength = 'false' } }
        End-El
    }
    if (-not ($InSyntax -and $f.IsSwitch)) { Write-El command parameterValue $f.Type @{ required = "$(-not $f.IsSwitch)".ToLowerInvariant(); variableLength = $f.variableLength } }
    Start-El dev type; Write-El maml name $f.Type; Write-El maml uri ''; End-El
    $default = if ($Doc.Yaml.Contains('Default value')) { $Doc.Yaml['Default value'] } elseif ($f.IsSwitch) { 'False' } else { 'None' }
    Write-El dev defaultValue $default
    End-El
}

$w.WriteStartDocument()
$w.WriteStartElement('helpItems', 'http://msh')
$w.WriteAttributeString('schema', 'maml')
foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $file = Join-Path $MarkdownPath "$($command.Name).md"
    if (-not (Test-Path $file)) { Write-Warning "$($command.Name) has no help: $file is missing (tools/New-HelpMarkdown.ps1 writes a skeleton)."; continue }
    $doc = ConvertFrom-HelpMarkdown $file
    $none = @{ Description = @(); Yaml = @{} }
    $docOf = { param($p) if ($doc.Parameters.Contains($p.Name)) { $doc.Parameters[$p.Name] } else { Write-Warning "$($command.Name) -$($p.Name) has no help in $file."; $none } }
    $parameters = @(Get-DocumentedParameter $command)

    Start-El command command
    foreach ($p in 'maml', 'command', 'dev') { $w.WriteAttributeString('xmlns', $p, $null, $ns[$p]) }
    Start-El command details
    Write-El command name $command.Name
    Write-El command verb $command.Verb
    Write-El command noun $command.Noun
    Write-Para @($doc.Synopsis)
    End-El
    Write-Para $doc.Description

    Start-El command syntax
    foreach ($set in $command.ParameterSets) {
        Start-El command syntaxItem
        Write-El maml name $command.Name
        $inSet = $set.Parameters | Where-Object { $_.Name -notin [Management.Automation.Cmdlet]::CommonParameters } |
            Sort-Object { if ($_.Position -ge 0) { $_.Position } else { [int]::MaxValue } }, { -not $_.IsMandatory }
        foreach ($sp in $inSet) { Write-Parameter $command.Parameters[$sp.Name] (& $docOf $command.Parameters[$sp.Name] 6>$null 3>$null) $set.Name -InSyntax }
        End-El
    }
    End-El

    Start-El command parameters
    foreach ($p in $parameters) { Write-Parameter $p (& $docOf $p) '' }
    End-El

    Start-El command inputTypes
    foreach ($i in $doc.Inputs) { Start-El command inputType; Start-El dev type; Write-El maml name $i.Type; End-El; Write-Para $i.Description; End-El }
    End-El
    Start-El command returnValues
    foreach ($o in $doc.Outputs) { Start-El command returnValue; Start-El dev type; Write-El maml name $o.Type; End-El; Write-Para $o.Description; End-El }
    End-El

    # Error ids go with the notes: Get-Help -Full shows notes, and has no section for errors.
    $notes = @($doc.Notes)
    if ($doc.Errors.Count) { if ($notes.Count) { $notes += '' }; $notes += 'ErrorRecord ids (FullyQualifiedErrorId starts with the id):'; $notes += $doc.Errors | ForEach-Object { "- $($_.Id): $($_.Description)" } }
    Start-El maml alertSet
    Write-El maml title ''
    foreach ($n in $notes) { Start-El maml alert; Write-El maml para $n; End-El }
    End-El

    Start-El command examples
    $i = 0
    foreach ($e in $doc.Examples) {
        $i++
        Start-El command example
        Write-El maml title "-------------------------- $($e.Title) --------------------------"
        Write-El dev code $e.Code
        Write-Para @($e.Remarks) dev remarks
        End-El
    }
    End-El

    Start-El command relatedLinks
    foreach ($l in $doc.Links) { Start-El maml navigationLink; Write-El maml linkText $l.Text; Write-El maml uri $l.Uri; End-El }
    End-El
    End-El
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Dispose()
Write-Verbose "Wrote $OutputPath"
