using System.Text.RegularExpressions;

namespace Capture.Analyzer.Query;

/// <summary>
/// Collapses the parts of a path that identify one resource, so that `/users/123` and `/users/456` are
/// one endpoint, `/users/{id}`. The query string is dropped. A segment becomes {id} when it is a number,
/// {uuid} for a UUID, {hex} for 16+ hex digits, {token} for a 20+ character mix of letters and digits. An identifier
/// with a file extension keeps it: `/users/7.json` is `/users/{id}.json`.
/// </summary>
internal static partial class PathTemplate
{
    public static string Of(string? path)
    {
        if (string.IsNullOrEmpty(path)) return "-";
        int query = path.IndexOfAny(['?', '#']);
        if (query >= 0) path = path[..query];
        if (path.Length == 0) return "/";
        var segments = path.Split('/');
        for (int i = 0; i < segments.Length; i++) segments[i] = Segment(segments[i]);
        return string.Join('/', segments);
    }

    private static string Segment(string s)
    {
        if (FileName().Match(s) is { Success: true } file && Identifier(file.Groups["stem"].Value) is { } stem)
            return stem + file.Groups["extension"].Value;
        return Identifier(s) ?? s;
    }

    /// <summary>The placeholder for a segment that identifies one resource, or null for a name.</summary>
    private static string? Identifier(string s)
    {
        if (s.Length == 0) return null;
        if (Number().IsMatch(s)) return "{id}";
        if (Uuid().IsMatch(s)) return "{uuid}";
        if (s.Length >= 16 && Hex().IsMatch(s)) return "{hex}";
        if (s.Length >= 20 && Token().IsMatch(s) && s.Any(char.IsDigit) && s.Any(char.IsLetter)) return "{token}";
        return null;
    }

    /// <summary>A stem and one or more extensions that start with a letter (`.json`, `.tar.gz`; not the `.5` of `1.5`).</summary>
    [GeneratedRegex(@"^(?<stem>[^.]+)(?<extension>(\.[A-Za-z][A-Za-z0-9]{0,7})+)$")] private static partial Regex FileName();

    [GeneratedRegex(@"^-?\d+$")] private static partial Regex Number();
    [GeneratedRegex(@"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")] private static partial Regex Uuid();
    [GeneratedRegex(@"^[0-9a-fA-F]+$")] private static partial Regex Hex();
    [GeneratedRegex(@"^[A-Za-z0-9_\-=.]+$")] private static partial Regex Token();
}
