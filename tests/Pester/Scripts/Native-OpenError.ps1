# Opens PortName and prints the error it gets as JSON (Id, Message as PowerShell shows it); prints 'opened' when it opens.
param([string] $PortName)
Import-Module $env:NETMAPPS_MODULE
try {
    $null = Open-NetmapPort $PortName -ErrorAction Stop
    'opened'
}
catch {
    @{ Id = $_.FullyQualifiedErrorId; Message = "$_" } | ConvertTo-Json -Compress
}
