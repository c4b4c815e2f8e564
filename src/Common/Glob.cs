using System.Text.RegularExpressions;

namespace Capture.Common;

/// <summary>
/// The one glob of Capture's patterns (record --allow/--deny, analyze --where): `*` any run of octets, a line feed
/// included (an HTTP/2 :path may carry one), `?` exactly one, everything else literal, anchored at both ends.
/// Compiled into each program that takes patterns (a linked source file: the Analyzer needs no Recorder code).
/// </summary>
internal static class Glob
{
    /// <summary>Non-backtracking: the text matched comes from the traffic, and a pattern of several '*' run by
    /// backtracking against a long path held the recorder's writer for seconds and analyze for minutes; this engine
    /// takes time linear in the text.</summary>
    public static Regex ToRegex(string pattern, bool ignoreCase = true) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$",
            (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None)
            | RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.NonBacktracking);
}
