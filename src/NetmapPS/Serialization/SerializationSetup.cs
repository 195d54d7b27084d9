using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace NetmapPS.Serialization;

/// <summary>Remembers a runspace that imported NetmapPS, for <see cref="RehydratingConverter"/>.</summary>
public sealed class SerializationSetup : IModuleAssemblyInitializer
{
    /// <summary>Keeps the importing runspace unless an open one is remembered already.</summary>
    public void OnImport()
    {
        if (RehydratingConverter.Home?.RunspaceStateInfo.State != RunspaceState.Opened)
            RehydratingConverter.Home = Runspace.DefaultRunspace;
    }
}
