# Reads the cmdlet help markdown of docs/help (one file per cmdlet) into objects, for
# New-MamlHelp.ps1 (which writes the MAML Get-Help reads) and for the help tests.
#
# Layout of a file (platyPS-like):
#   # Verb-Noun
#   ## SYNOPSIS / ## DESCRIPTION / ## EXAMPLES (### title, a ```powershell block, remarks)
#   ## PARAMETERS (### -Name, description, a ```yaml block: Type, Required, Position, Default value, ...)
#   ## INPUTS / ## OUTPUTS (### type name, description) / ## ERRORS (- `Id`: meaning)
#   ## NOTES / ## RELATED LINKS (- name, or - [text](uri))

Set-StrictMode -Version 3

# The blocks of markdown lines: paragraphs (blank lines separate them, list items stand alone, lines
# join with spaces) and fenced code blocks (kept line by line), each as @{ Language; Text }; a
# paragraph has Language $null.
function Read-Block([string[]] $Lines) {
    $blocks = [Collections.Generic.List[object]]::new()
    $current = [Collections.Generic.List[string]]::new()
    $fence = $null
    $flush = { if ($current.Count) { $blocks.Add(@{ Language = $null; Text = ($current -join ' ').Trim() }); $current.Clear() } }
    foreach ($line in $Lines) {
        if ($line -match '^```(\w*)') {
            if ($null -eq $fence) { & $flush; $fence = @{ Language = $Matches[1]; Lines = [Collections.Generic.List[string]]::new() } }
            else { $blocks.Add(@{ Language = $fence.Language; Text = ($fence.Lines -join "`n") }); $fence = $null }
            continue
        }
        if ($null -ne $fence) { $fence.Lines.Add($line); continue }
        if ($line -match '^\s*$') { & $flush; continue }
        if ($line -match '^\s*[-*] ') { & $flush }
        $current.Add($line.Trim())
    }
    & $flush
    , $blocks.ToArray()
}

# The texts of blocks, in order (code blocks as they are written).
function Get-Text([object[]] $Blocks) { , @($Blocks | ForEach-Object { $_.Text }) }

# Splits the lines of a section at its '### ' headings (code blocks kept whole): @{ Title; Lines }.
function Split-Subsection([string[]] $Lines) {
    $parts = [Collections.Generic.List[object]]::new()
    $fenced = $false
    foreach ($line in $Lines) {
        if ($line -match '^```') { $fenced = -not $fenced }
        if (-not $fenced -and $line -match '^### (.+)$') { $parts.Add(@{ Title = $Matches[1].Trim(); Lines = [Collections.Generic.List[string]]::new() }); continue }
        if ($parts.Count) { $parts[-1].Lines.Add($line) }
    }
    $parts.ToArray()
}

<#
.SYNOPSIS
    Reads one cmdlet help markdown file.
.OUTPUTS
    A hashtable: Name, Synopsis, Description (paragraphs), Examples (Title, Code, Remarks), Parameters
    (ordered: name -> Description, Yaml), Inputs and Outputs (Type, Description), Errors (Id, Description),
    Notes, Links (Text, Uri).
#>
function ConvertFrom-HelpMarkdown {
    param([Parameter(Mandatory)] [string] $Path)
    $sections = [ordered]@{}
    $name = $null
    $section = $null
    $fenced = $false
    foreach ($line in Get-Content -LiteralPath $Path) {
        if ($line -match '^```') { $fenced = -not $fenced }
        if (-not $fenced -and $line -match '^# (\S+)\s*$') { $name = $Matches[1]; continue }
        if (-not $fenced -and $line -match '^## (.+)$') { $section = $Matches[1].Trim().ToUpperInvariant(); $sections[$section] = [Collections.Generic.List[string]]::new(); continue }
        if ($section) { $sections[$section].Add($line) }
    }
    $get = { param($s) if ($sections.Contains($s)) { $sections[$s].ToArray() } else { @() } }

    $examples = foreach ($part in Split-Subsection (& $get 'EXAMPLES')) {
        $blocks = Read-Block $part.Lines
        $code = @($blocks | Where-Object { $_.Language -in 'powershell', 'ps' }) | Select-Object -First 1
        @{ Title = $part.Title; Code = $(if ($code) { $code.Text } else { '' }); Remarks = Get-Text @($blocks | Where-Object { $_ -ne $code }) }
    }
    $parameters = [ordered]@{}
    foreach ($part in Split-Subsection (& $get 'PARAMETERS')) {
        $blocks = Read-Block $part.Lines
        $yaml = [ordered]@{}
        foreach ($block in $blocks | Where-Object Language -eq 'yaml') {
            foreach ($l in $block.Text -split "`n") { if ($l -match '^([^:]+):\s*(.*)$') { $yaml[$Matches[1].Trim()] = $Matches[2].Trim() } }
        }
        $parameters[$part.Title.TrimStart('-')] = @{ Description = Get-Text @($blocks | Where-Object Language -ne 'yaml'); Yaml = $yaml }
    }
    $typed = { param($s) foreach ($part in Split-Subsection (& $get $s)) { @{ Type = $part.Title; Description = Get-Text (Read-Block $part.Lines) } } }
    $errors = foreach ($line in & $get 'ERRORS') {
        if ($line -match '^\s*[-*] `?(\w+)`?\s*[:—-]\s*(.*)$') { @{ Id = $Matches[1]; Description = $Matches[2].Trim() } }
    }
    $links = foreach ($line in & $get 'RELATED LINKS') {
        if ($line -match '^\s*[-*] \[([^\]]+)\]\(([^)]*)\)') { @{ Text = $Matches[1]; Uri = $Matches[2] } }
        elseif ($line -match '^\s*[-*] (.+)$') { @{ Text = $Matches[1].Trim(); Uri = '' } }
    }
    @{
        Name        = $name
        Synopsis    = (Get-Text (Read-Block (& $get 'SYNOPSIS'))) -join ' '
        Description = Get-Text (Read-Block (& $get 'DESCRIPTION'))
        Examples    = @($examples)
        Parameters  = $parameters
        Inputs      = @(& $typed 'INPUTS')
        Outputs     = @(& $typed 'OUTPUTS')
        Errors      = @($errors)
        Notes       = Get-Text (Read-Block (& $get 'NOTES'))
        Links       = @($links)
    }
}

<#
.SYNOPSIS
    The type name help shows for a parameter: String[], UInt32 (for UInt32?), SwitchParameter.
#>
function Get-HelpTypeName([Parameter(Mandatory)] [type] $Type) {
    $underlying = [Nullable]::GetUnderlyingType($Type)
    if ($underlying) { $Type = $underlying }
    $Type.Name
}

<#
.SYNOPSIS
    The parameters of a command that need help: all but the common parameters (WhatIf and Confirm need it).
#>
function Get-DocumentedParameter([Parameter(Mandatory)] [Management.Automation.CommandInfo] $Command) {
    $Command.Parameters.Values | Where-Object { $_.Name -notin [Management.Automation.Cmdlet]::CommonParameters }
}

Export-ModuleMember -Function ConvertFrom-HelpMarkdown, Get-HelpTypeName, Get-DocumentedParameter
