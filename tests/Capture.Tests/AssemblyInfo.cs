// The programs under test run on Linux only (BPF, /proc, libbpf).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
