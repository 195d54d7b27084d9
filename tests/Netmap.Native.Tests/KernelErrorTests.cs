using Netmap.Native.Kernel;
using Xunit;

namespace Netmap.Native.Tests;

/// <summary>Each errno the kernel gives becomes the error kind and the advice a user can act on.</summary>
public class KernelErrorTests
{
    [Theory]
    [InlineData(16, KernelOperation.Register, NetmapError.Busy, "in use")]                               // EBUSY
    [InlineData(16, KernelOperation.ValeDeleteInterface, NetmapError.Busy, "still in use")]
    [InlineData(22, KernelOperation.Register, NetmapError.InvalidRequest, "ring or mode does not fit")]  // EINVAL
    [InlineData(22, KernelOperation.ValeList, NetmapError.InvalidRequest, "start with 'vale'")]
    [InlineData(22, KernelOperation.ValeDeleteInterface, NetmapError.InvalidRequest, "not a persistent VALE port")]
    [InlineData(6, KernelOperation.Register, NetmapError.NotFound, "no such interface")]                 // ENXIO
    [InlineData(2, KernelOperation.Register, NetmapError.NotFound, "no such interface")]                 // ENOENT
    [InlineData(2, KernelOperation.ValeList, NetmapError.NotFound, "no VALE switch")]
    [InlineData(2, KernelOperation.ValeDetach, NetmapError.NotFound, "not attached")]
    [InlineData(2, KernelOperation.OpenDevice, NetmapError.NotFound, "module is not loaded")]
    [InlineData(12, KernelOperation.Register, NetmapError.NoMemory, "pools are exhausted")]              // ENOMEM
    [InlineData(1, KernelOperation.Register, NetmapError.PermissionDenied, "root or CAP_NET_ADMIN")]     // EPERM
    [InlineData(13, KernelOperation.OpenDevice, NetmapError.PermissionDenied, "root")]                   // EACCES
    [InlineData(13, KernelOperation.OpenDevice, NetmapError.PermissionDenied, "emulated mode")]
    [InlineData(19, KernelOperation.Register, NetmapError.NotSupported, "emulated mode")]               // ENODEV
    [InlineData(95, KernelOperation.Register, NetmapError.NotSupported, "emulated mode")]               // EOPNOTSUPP
    [InlineData(17, KernelOperation.ValeNewInterface, NetmapError.InvalidRequest, "exists already")]     // EEXIST
    [InlineData(25, KernelOperation.Register, NetmapError.NotSupported, "older than API 14")]            // ENOTTY
    [InlineData(6, KernelOperation.Sync, NetmapError.NotFound, "no longer registered")]
    [InlineData(71, KernelOperation.Register, NetmapError.SystemCall, "NETMAP_REQ_REGISTER failed")]     // EPROTO: no advice
    public void ErrnoBecomesActionableMessage(int errno, KernelOperation operation, NetmapError error, string phrase)
    {
        var e = KernelErrors.Map(errno, operation, "netmap:eth0");
        Assert.Equal(error, e.Error);
        Assert.Equal(errno, e.Errno);
        Assert.Contains(phrase, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("netmap:eth0", e.Message);
        Assert.Contains($"errno {errno}", e.Message.Replace("(errno", "errno"));
    }

    [Theory]
    [InlineData(2, KernelOperation.OpenDevice, NetmapRemedy.UseEmulatedMode)]
    [InlineData(13, KernelOperation.OpenDevice, NetmapRemedy.UseEmulatedMode)]
    [InlineData(19, KernelOperation.Register, NetmapRemedy.UseEmulatedMode)]
    [InlineData(16, KernelOperation.Register, NetmapRemedy.DetachFromSwitch)]
    [InlineData(16, KernelOperation.ValeDeleteInterface, NetmapRemedy.DetachFromSwitch)]
    [InlineData(22, KernelOperation.Register, NetmapRemedy.ShowPortRings)]
    [InlineData(22, KernelOperation.ValeDeleteInterface, NetmapRemedy.CreatePersistentPort)]
    [InlineData(2, KernelOperation.ValeList, NetmapRemedy.ListValeSwitches)]
    [InlineData(17, KernelOperation.ValeNewInterface, NetmapRemedy.ListValeSwitches)]
    [InlineData(6, KernelOperation.Sync, NetmapRemedy.ReopenPort)]
    [InlineData(71, KernelOperation.Register, NetmapRemedy.None)]
    public void FixThatIsAModuleActionIsARemedy(int errno, KernelOperation operation, NetmapRemedy remedy)
    {
        var e = KernelErrors.Map(errno, operation, "netmap:eth0");
        Assert.Equal(remedy, e.Remedy);
        Assert.Equal("netmap:eth0", e.Subject);
        Assert.False(string.IsNullOrEmpty(e.Operation));
    }

    [Fact]
    public void DetailIsAppended()
    {
        var e = KernelErrors.Map(12, KernelOperation.Register, "vale0:a", "The global allocator has 100 buffers of 2048 B.");
        Assert.EndsWith("The global allocator has 100 buffers of 2048 B.", e.Message);
    }

    [Fact]
    public void ApiMismatchNamesTheVersion()
    {
        var e = KernelErrors.ApiMismatch("netmap:eth0", 22);
        Assert.Equal(NetmapError.NotSupported, e.Error);
        Assert.Contains("API version 14", e.Message);
        Assert.Equal(22, e.Errno);
    }

    [Fact]
    public void PoolDescriptionComesFromTheModuleParameters()
    {
        var dir = Directory.CreateTempSubdirectory("nmps-params-").FullName;
        string saved = ModuleParameters.Directory;
        try
        {
            File.WriteAllText(Path.Combine(dir, "if_num"), "100\n");
            File.WriteAllText(Path.Combine(dir, "if_size"), "1024\n");
            File.WriteAllText(Path.Combine(dir, "if_curr_num"), "0\n");
            File.WriteAllText(Path.Combine(dir, "ring_curr_num"), "200\n");
            File.WriteAllText(Path.Combine(dir, "ring_curr_size"), "36864\n");
            File.WriteAllText(Path.Combine(dir, "buf_curr_num"), "163840\n");
            File.WriteAllText(Path.Combine(dir, "buf_curr_size"), "2048\n");
            ModuleParameters.Directory = dir;
            var pools = ModuleParameters.GlobalPools();
            Assert.Equal(new[] { "Interfaces", "Rings", "Buffers" }, pools.Select(p => p.Pool));
            Assert.Equal(100u, pools[0].Objects);                     // not allocated yet: the requested figures
            Assert.Contains("requested", pools[0].Source);
            Assert.Equal(163840ul * 2048, pools[2].Bytes);
            Assert.Equal($"The global allocator has 100 interfaces of 1024 B, 200 rings of 36864 B, 163840 buffers of 2048 B ({dir}).",
                ModuleParameters.DescribeGlobalPools());
        }
        finally
        {
            ModuleParameters.Directory = saved;
            Directory.Delete(dir, recursive: true);
        }
    }
}
