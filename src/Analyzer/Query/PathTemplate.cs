using System.Text.RegularExpressions;

namespace Capture.Analyzer.Query;

/// <summary>
/// Collapses the parts of a path that identify one resource, so that `/users/123` and `/users/456` are
/// one endpoint, `/users/{id}`. The query string is dropped. A segment becomes {id} when it is a number,
/// {uuid} for a UUID, {hex} for 16+ hex digits, {token} for a 20+ character mix of letters and digits.
/// <para>
/// A file name (a segment ending in an extension) is not taken whole for a {token}: it keeps its words and extension. It
/// collapses whole only when it is one identifier (`/users/7.json` is `/users/{id}.json`), and otherwise only the content
/// hashes among its parts (between dots, dashes and underscores) do, so that the builds of one bundle are one row,
/// `/static/app.3f9a2c.js` → `/static/app.{hex}.js`, while other files stay apart (`vendor.{hex}.js`,
/// `logo-2x-retina-version1.png`, `icon-192.png`): taken whole, a long name would pass for a {token} and lump every script,
/// image or font of a folder into one misleading row.
/// </para>
/// <para>
/// A trailing slash stays: `/users/` and `/users` are two endpoints. RFC 9110 §4.2.3 does not equate them, and where both
/// are seen one is most often a redirect to the other (a 301 or 308 from a framework that adds or strips the slash), whose
/// quick answers would blend into the real responses' latency if they were one row.
/// </para>
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
        if (FileName().Match(s) is { Success: true } file)
            return Name(file.Groups["name"].Value) + file.Groups["extension"].Value;
        return Identifier(s) ?? s;
    }

    /// <summary>A file's name, collapsed whole if it is one identifier (a UUID's dashes are its own), else in its content hashes.</summary>
    private static string Name(string name) =>
        Uuid().IsMatch(name) || name.IndexOfAny(['.', '-', '_']) < 0
            ? Identifier(name) ?? ContentHash(name) ?? name
            : NamePart().Replace(name, part => ContentHash(part.Value) ?? part.Value);

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

    /// <summary>A bundler's content hash in a file name (webpack, Next.js and Rails write 6 to 64 hex digits): a word
    /// such as `cafe` or `v30`, or a number such as the `192` of `icon-192.png`, is not one, and stays.</summary>
    private static string? ContentHash(string part) =>
        part.Length >= 6 && Hex().IsMatch(part) && part.Any(char.IsAsciiDigit) && part.Any(char.IsAsciiLetter) ? "{hex}" : null;

    // Every pattern ends at \z, the end of the segment: $ also matches before a final line feed, which an HTTP/2 :path may
    // carry, and "123\n" would pass for an {id}, "app.js\n" lose its line feed and be counted as "app.js".

    /// <summary>A name and one extension that starts with a letter (`.json`, the `.gz` of `.tar.gz`; not the `.5` of `1.5`,
    /// nor a JWT's signature, which is longer).</summary>
    [GeneratedRegex(@"^(?<name>.+)(?<extension>\.[A-Za-z][A-Za-z0-9]{0,7})\z")] private static partial Regex FileName();

    [GeneratedRegex(@"[^.\-_]+")] private static partial Regex NamePart();
    [GeneratedRegex(@"^-?\d+\z")] private static partial Regex Number();
    [GeneratedRegex(@"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\z")] private static partial Regex Uuid();
    [GeneratedRegex(@"^[0-9a-fA-F]+\z")] private static partial Regex Hex();
    [GeneratedRegex(@"^[A-Za-z0-9_\-=.]+\z")] private static partial Regex Token();
}
