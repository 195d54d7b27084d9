using System.Reflection;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Running;
using Netmap.Micro;

// Usage: Netmap.Micro --job Short|Dry --artifacts DIR [other BenchmarkDotNet options]
// Runs in process (no generated project to build); the JSON exporter writes DIR/results/*-report-full.json.
// libnetmap, the reference of the port-name rows, is the library in NETMAPPS_LIBNETMAP (built by
// bench/Bench.ps1 from netmap's source where the lab has it); without it those rows are left out.
string? libnetmap = Environment.GetEnvironmentVariable("NETMAPPS_LIBNETMAP");
bool hasLibnetmap = !string.IsNullOrEmpty(libnetmap) && File.Exists(libnetmap);
NativeLibrary.SetDllImportResolver(Assembly.GetExecutingAssembly(), (name, _, _) =>
    name == Libnetmap.Name && hasLibnetmap ? NativeLibrary.Load(libnetmap!) : IntPtr.Zero);

var config = DefaultConfig.Instance
    .AddExporter(JsonExporter.Full)
    .WithOptions(ConfigOptions.DisableLogFile);
if (!hasLibnetmap)
    config = config.AddFilter(new SimpleFilter(b => !b.Descriptor.Categories.Contains(Libnetmap.Category)));
var summaries = BenchmarkSwitcher.FromAssembly(typeof(FilterBenchmarks).Assembly).Run(args, config);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
