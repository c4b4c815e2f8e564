using System.CommandLine;
using Capture.Analyzer.Cli;
using Capture.Analyzer.Output;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// On a terminal no format writes a control character from the traffic raw (see TerminalWriter); piped, CSV keeps them.
using var stdout = Console.IsOutputRedirected ? null : new TerminalWriter(Console.Out);
return AnalyzeCommand.Run(args, stdout ?? Console.Out, Console.Error);
