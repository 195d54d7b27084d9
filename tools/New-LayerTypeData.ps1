<#
.SYNOPSIS
    Writes the type data and the views of packet layers from their one declaration,
    Netmap.Native.Packets.PacketLayers (build.ps1 runs it into the module folder).
.DESCRIPTION
    NetmapPS.Layers.Types.ps1xml: the layers of a packet copy that stayed a property bag (what
    Invoke-Command returns), as properties of Deserialized.Netmap.Native.Packets.NetmapPacket: one per
    layer (Udp) and one per declared field (Udp.DstPort), so that Where Udp.DstPort -eq 53 works on it.
    NetmapPS.Layers.Format.ps1xml: a table view per layer class with the declared fields.
#>
param(
    [Parameter(Mandatory)] [string] $AssemblyPath,
    [Parameter(Mandatory)] [string] $OutputPath
)
$ErrorActionPreference = 'Stop'
Add-Type -Path $AssemblyPath
$layers = [Netmap.Native.Packets.PacketLayers]::All
$note = '<!-- Written by tools/New-LayerTypeData.ps1 from Netmap.Native.Packets.PacketLayers at build time: edit the declaration, not this file. -->'
function Escape([string] $text) { [Security.SecurityElement]::Escape($text) }

# A property of the copy: the rebuilt packet's layer, or a field of it by its dotted name.
function Member([string] $name) {
    "      <ScriptProperty><Name>$(Escape $name)</Name><GetScriptBlock>[NetmapPS.Serialization.DeserializedPacket]::Value(`$this, '$(Escape $name)')</GetScriptBlock></ScriptProperty>"
}
$members = foreach ($layer in $layers) {
    Member $layer.Name
    foreach ($field in $layer.Fields) { Member "$($layer.Name).$field" }
}
@"
<?xml version="1.0" encoding="utf-8"?>
$note
<Types>
  <Type>
    <Name>Deserialized.Netmap.Native.Packets.NetmapPacket</Name>
    <Members>
$($members -join "`n")
    </Members>
  </Type>
</Types>
"@ | Set-Content (Join-Path $OutputPath 'NetmapPS.Layers.Types.ps1xml') -Encoding utf8NoBOM

$views = foreach ($layer in $layers | Where-Object { $_.Fields.Count }) {
    $headers = $layer.Fields | ForEach-Object { "          <TableColumnHeader><Label>$(Escape $_)</Label></TableColumnHeader>" }
    $items = $layer.Fields | ForEach-Object { "          <TableColumnItem><PropertyName>$(Escape $_)</PropertyName></TableColumnItem>" }
    @"
    <View>
      <Name>$(Escape $layer.LayerType.Name)</Name>
      <ViewSelectedBy><TypeName>$(Escape $layer.LayerType.FullName)</TypeName></ViewSelectedBy>
      <TableControl>
        <TableHeaders>
$($headers -join "`n")
        </TableHeaders>
        <TableRowEntries><TableRowEntry><TableColumnItems>
$($items -join "`n")
        </TableColumnItems></TableRowEntry></TableRowEntries>
      </TableControl>
    </View>
"@
}
@"
<?xml version="1.0" encoding="utf-8"?>
$note
<Configuration>
  <ViewDefinitions>
$($views -join "`n")
  </ViewDefinitions>
</Configuration>
"@ | Set-Content (Join-Path $OutputPath 'NetmapPS.Layers.Format.ps1xml') -Encoding utf8NoBOM
