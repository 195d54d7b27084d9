namespace Netmap.Native.Tests;

/// <summary>
/// How many times more inputs the fuzz tests (trait Category=Fuzz) try than their fixed count:
/// NETMAPPS_FUZZ_SCALE, 1 in the test suite; bench/Bench.ps1 runs them with a larger scale.
/// </summary>
internal static class Fuzz
{
    public static int Scale =>
        int.TryParse(Environment.GetEnvironmentVariable("NETMAPPS_FUZZ_SCALE"), out int scale) && scale > 0 ? scale : 1;
}
