using System.Text.RegularExpressions;
using Capture.Common;

namespace Capture.Recorder.Redaction;

/// <summary>
/// --allow and --deny, an HTTP firewall's lists decided at capture time: a pattern is a glob (`*` any run of
/// characters, `?` one, case-insensitive, as in analyze --where) over `host/path` — the first Host header as sent,
/// port included (or the target's own authority: absolute-form, CONNECT), then the request target's path without
/// its query — optionally preceded by a method and a space ("POST */login"). An exchange is kept when it matches
/// no --deny and, if any --allow is given, some --allow.
/// </summary>
internal sealed class ExchangePolicy
{
    private readonly (string? Method, Regex Target)[] _allow;
    private readonly (string? Method, Regex Target)[] _deny;

    public ExchangePolicy(IReadOnlyList<string> allow, IReadOnlyList<string> deny)
    {
        Allow = allow;
        Deny = deny;
        _allow = allow.Select(Parse).ToArray();
        _deny = deny.Select(Parse).ToArray();
    }

    public IReadOnlyList<string> Allow { get; }
    public IReadOnlyList<string> Deny { get; }

    public bool IsEmpty => _allow.Length == 0 && _deny.Length == 0;

    /// <summary>Patterns are matched against the path as the server will resolve it (<see cref="RequestPath"/>); a --deny
    /// also against the path as sent, so that a pattern written for either form keeps the exchange out. A query or
    /// fragment after the path is not matched.</summary>
    public bool Keeps(string method, string host, string path)
    {
        int query = path.AsSpan().IndexOfAny('?', '#');
        if (query >= 0) path = path[..query];
        string resolved = host + RequestPath.Normalize(path), sent = host + path;
        bool Matches((string? Method, Regex Target) p, string target) =>
            (p.Method is null || p.Method.Equals(method, StringComparison.OrdinalIgnoreCase)) && p.Target.IsMatch(target);
        return !_deny.Any(p => Matches(p, resolved) || Matches(p, sent)) && (_allow.Length == 0 || _allow.Any(p => Matches(p, resolved)));
    }

    private static (string?, Regex) Parse(string pattern)
    {
        int space = pattern.IndexOf(' ');
        string? method = space > 0 ? pattern[..space] : null;
        string glob = space > 0 ? pattern[(space + 1)..] : pattern;
        return (method, Glob.ToRegex(glob));
    }
}
