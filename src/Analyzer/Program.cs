using System.CommandLine;
using Capture.Analyzer.Cli;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

return AnalyzeCommand.Run(args, Console.Out, Console.Error);
