using System.Text.Json;
using Capture.Tests.Support;

namespace Capture.Tests.Faults;

/// <summary>
/// The BPF programs, maps and links a process holds, read from its file descriptors (/proc/PID/fdinfo names
/// each one's id), and a check with bpftool that none of them is still in the kernel. Other recorders may
/// run on the same host, so objects are told apart by id, never by name.
/// </summary>
internal sealed record KernelObjects(IReadOnlySet<int> Programs, IReadOnlySet<int> Maps, IReadOnlySet<int> Links)
{
    public int Count => Programs.Count + Maps.Count + Links.Count;

    public static KernelObjects HeldBy(int pid)
    {
        HashSet<int> programs = [], maps = [], links = [];
        foreach (var fdinfo in Directory.EnumerateFiles($"/proc/{pid}/fdinfo"))
        {
            string[] lines;
            try { lines = File.ReadAllLines(fdinfo); } catch (IOException) { continue; }
            foreach (var line in lines)
            {
                var parts = line.Split(':', 2, StringSplitOptions.TrimEntries);
                if (parts.Length != 2 || !int.TryParse(parts[1], out int id)) continue;
                switch (parts[0])
                {
                    case "prog_id": programs.Add(id); break;
                    case "map_id": maps.Add(id); break;
                    case "link_id": links.Add(id); break;
                }
            }
        }
        return new KernelObjects(programs, maps, links);
    }

    /// <summary>Which of these objects the kernel has right now.</summary>
    public List<string> StillLoadedNow() =>
        [.. Present("prog", Programs).Select(id => $"program {id}"), .. Present("map", Maps).Select(id => $"map {id}"),
         .. Present("link", Links).Select(id => $"link {id}")];

    /// <summary>Which of these objects the kernel still has; freeing is deferred a little after the last fd closes, so it waits up to 10 s.</summary>
    public string StillLoaded()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var left = string.Join(", ", StillLoadedNow());
            if (left.Length == 0 || DateTime.UtcNow > deadline) return left;
            Thread.Sleep(200);
        }
    }

    private static IEnumerable<int> Present(string kind, IReadOnlySet<int> ids)
    {
        var result = ProcessRunner.Run("bpftool", [kind, "show", "-j"]);
        Assert.True(result.ExitCode == 0, $"bpftool {kind} show failed: {result.Stderr}");
        using var doc = JsonDocument.Parse(result.Stdout);
        return doc.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetInt32()).Where(ids.Contains).ToList();
    }

    /// <summary>Asserts that the recorder held some objects while it ran and that every one is gone now.</summary>
    public void AssertAllReleased(string after)
    {
        Assert.True(Programs.Count > 0 && Maps.Count > 0, $"the recorder held no BPF objects while recording ({this})");
        var left = StillLoaded();
        Assert.True(left.Length == 0, $"after {after}, still in the kernel: {left}");
    }
}
