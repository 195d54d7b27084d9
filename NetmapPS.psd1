@{
    RootModule           = 'NetmapPS.dll'
    # Pester's Should -HaveReceivedPacket and -MatchCapture (registered once Pester is loaded).
    NestedModules        = @('NetmapPS.Pester.psm1')
    ModuleVersion        = '0.1.0'
    GUID                 = '6a1f2c3e-9d4b-4f0e-8a51-2b7c9e0d4a17'
    Author               = 'NetmapPS developers'
    CompanyName          = 'NetmapPS'
    Copyright            = '(c) NetmapPS developers. BSD-2-Clause.'
    Description          = 'Interactive administration of netmap ports, packet capture and injection from PowerShell.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    RequiredAssemblies   = @('Netmap.Native.dll', 'PacketDotNet.dll', 'NetmapPS.dll')
    # NetmapPS.Layers.*.ps1xml are written by build.ps1 from the layer declaration (tools/New-LayerTypeData.ps1).
    TypesToProcess       = @('NetmapPS.Types.ps1xml', 'NetmapPS.Serialization.ps1xml', 'NetmapPS.Layers.Types.ps1xml')
    FormatsToProcess     = @('NetmapPS.Format.ps1xml', 'NetmapPS.Deserialized.Format.ps1xml', 'NetmapPS.Layers.Format.ps1xml')
    CmdletsToExport      = @(
        'Open-NetmapPort', 'Close-NetmapPort', 'Get-NetmapPort', 'Get-NetmapRing',
        'Get-NetmapPortName', 'Get-NetmapSlot', 'Send-NetmapPacket', 'Receive-NetmapPacket',
        'Export-NetmapCapture', 'Import-NetmapCapture', 'New-NetmapPacket',
        'Measure-NetmapTraffic', 'Measure-NetmapLatency', 'Invoke-NetmapForward', 'Invoke-NetmapLoadBalance',
        'Get-NetmapSystem', 'Get-NetmapPortInfo', 'Get-NetmapValeSwitch', 'Add-NetmapValePort', 'Remove-NetmapValePort',
        'New-NetmapLab', 'Remove-NetmapLab', 'Invoke-NetmapLabCommand'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('netmap', 'network', 'packet', 'capture', 'pcap', 'Linux')
            ProjectUri = 'https://github.com/netmapps/NetmapPS'
        }
    }
}
