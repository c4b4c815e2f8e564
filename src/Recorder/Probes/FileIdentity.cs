namespace Capture.Recorder.Probes;

/// <summary>A file's device and inode: what a uprobe really belongs to (paths, hard links and
/// the /proc/PID/root views of containers can all name the same file).</summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode)
{
    public static FileIdentity? Of(string path)
    {
        try
        {
            return Stat(path, out var identity) == 0 ? identity : null;
        }
        catch (Exception) { return null; }
    }

    public static bool Same(string a, string b) => Of(a) is { } x && Of(b) is { } y && x == y;

    private static unsafe int Stat(string path, out FileIdentity result)
    {
        // struct stat on x86_64/arm64 glibc begins with st_dev, st_ino (both 8 bytes); 256 bytes covers it.
        byte* buffer = stackalloc byte[256];
        int rc = NativeStat(path, buffer);
        result = rc == 0 ? new FileIdentity(*(ulong*)buffer, *(ulong*)(buffer + 8)) : default;
        return rc;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "stat", CharSet = System.Runtime.InteropServices.CharSet.Ansi)]
    private static extern unsafe int NativeStat(string path, byte* buffer);
}
