using System.Management.Automation;
using System.Reflection;
using Netmap.Native.Ports;

namespace NetmapPS.Completion;

/// <summary>
/// Registers the argument completers when the module is imported, with Register-ArgumentCompleter
/// in the importing runspace. Which parameters get which completer follows from the cmdlets
/// themselves, so a new cmdlet with a parameter that takes ports, or a -Ring or -Filter parameter, is
/// covered without changes here.
/// </summary>
public sealed class CompleterRegistration : IModuleAssemblyInitializer
{
    /// <summary>Port names to open: the -Name of these cmdlets.</summary>
    private static readonly string[] NewPortNames = ["Open-NetmapPort", "Get-NetmapPortName"];

    /// <summary>Names of open ports: the -Name of these cmdlets.</summary>
    private static readonly string[] OpenPortNames = ["Close-NetmapPort", "Get-NetmapPort"];

    /// <summary>Registers every completer; a host without Register-ArgumentCompleter just goes without.</summary>
    public void OnImport()
    {
        try
        {
            using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            foreach (var (completer, commands, parameter) in Registrations())
            {
                var script = ScriptBlock.Create(
                    $"param($c, $p, $w, $a, $f) [{completer.FullName}]::new().CompleteArgument($c, $p, $w, $a, $f)");
                ps.AddCommand("Register-ArgumentCompleter")
                  .AddParameter("CommandName", commands).AddParameter("ParameterName", parameter).AddParameter("ScriptBlock", script)
                  .AddStatement();
            }
            ps.Invoke();
        }
        catch (Exception e) when (e is RuntimeException or InvalidOperationException or PSNotSupportedException)
        {
            // Completion is a convenience: a restricted or hostless runspace still gets the cmdlets.
        }
    }

    /// <summary>Which completer serves which parameter of which cmdlets.</summary>
    internal static IEnumerable<(Type Completer, string[] Commands, string Parameter)> Registrations()
    {
        var parameters = Cmdlets().SelectMany(c => c.Type.GetProperties()
            .Where(p => p.GetCustomAttributes<ParameterAttribute>().Any())
            .Select(p => (Command: c.Name, Property: p))).ToList();
        string[] With(Func<PropertyInfo, bool> match, string name) =>
            parameters.Where(p => p.Property.Name == name && match(p.Property)).Select(p => p.Command).Distinct().ToArray();

        yield return (typeof(PortNameCompleter), NewPortNames, "Name");
        yield return (typeof(OpenPortCompleter), OpenPortNames, "Name");
        // Every parameter that takes ports (-Port, -From, -To...) takes the names of open ports.
        foreach (string name in parameters.Where(p => ElementType(p.Property) == typeof(NetmapPort)).Select(p => p.Property.Name).Distinct())
            yield return (typeof(OpenPortCompleter), With(p => ElementType(p) == typeof(NetmapPort), name), name);
        yield return (typeof(RingCompleter), With(p => ElementType(p) == typeof(uint), "Ring"), "Ring");
        yield return (typeof(FilterCompleter), With(p => p.PropertyType == typeof(string), "Filter"), "Filter");
    }

    private static IEnumerable<(string Name, Type Type)> Cmdlets() =>
        typeof(CompleterRegistration).Assembly.GetTypes()
            .Select(t => (Type: t, Attribute: t.GetCustomAttribute<CmdletAttribute>()))
            .Where(t => t.Attribute is not null)
            .Select(t => ($"{t.Attribute!.VerbName}-{t.Attribute.NounName}", t.Type));

    /// <summary>T for T, T?, T[].</summary>
    private static Type ElementType(PropertyInfo property)
    {
        var type = property.PropertyType;
        if (type.IsArray) type = type.GetElementType()!;
        return Nullable.GetUnderlyingType(type) ?? type;
    }
}
