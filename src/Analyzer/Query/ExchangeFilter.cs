using System.Globalization;
using System.Text.RegularExpressions;
using Capture.Analyzer.Exchanges;
using Capture.Common;

namespace Capture.Analyzer.Query;

/// <summary>
/// `--where` conditions, all of which an exchange must meet. Each is FIELD OP VALUE with OP one of
/// = != &gt; &gt;= &lt; &lt;=; `=` and `!=` take comma-separated alternatives and, for text fields, globs
/// (`*`, `?`). Fields: status, method, host, path, pid, comm, side, protocol, tls, duration (ms, or us/ms/s/m), since,
/// until (RFC 3339, or HH:MM:SS[.fff] in UTC or with an offset, held against each exchange's UTC time of day), connection, flag.
/// </summary>
internal sealed partial class ExchangeFilter
{
    private static readonly string[] Operators = ["!=", ">=", "<=", "=", ">", "<"];
    private readonly List<Func<Exchange, bool>> _conditions = [];

    public static readonly ExchangeFilter None = new();
    public bool IsEmpty => _conditions.Count == 0;
    /// <summary>A since= or until= bound was given: an export cuts each connection to its matching exchanges.</summary>
    public bool HasTimeWindow { get; private set; }

    public bool Matches(Exchange e)
    {
        foreach (var condition in _conditions)
            if (!condition(e)) return false;
        return true;
    }

    /// <summary>Parses the conditions; a bad one throws <see cref="FilterException"/> naming it.</summary>
    public static ExchangeFilter Parse(IEnumerable<string> conditions)
    {
        var filter = new ExchangeFilter();
        foreach (var text in conditions)
            foreach (var part in text.Split(" and ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                filter.Add(part);
        return filter;
    }

    private void Add(string condition)
    {
        var (field, op, value) = Split(condition);
        if (field is "since" or "until")
        {
            var within = TimeBound(op, value, condition, after: field == "since");
            HasTimeWindow = true;
            _conditions.Add(e => within(e.Timestamp));
        }
        else _conditions.Add(Build(field, op, value, condition));
    }

    /// <summary>The field is the leading name and the operator what follows it: the value comes from the traffic and
    /// may hold '=', '!=' or '>=' itself (path=/items?price>=10).</summary>
    private static (string Field, string Op, string Value) Split(string condition)
    {
        int end = 0;
        while (end < condition.Length && (char.IsAsciiLetter(condition[end]) || condition[end] == '_')) end++;
        string field = condition[..end].ToLowerInvariant();
        string rest = condition[end..].TrimStart();
        foreach (var op in Operators)
        {
            if (field.Length == 0 || !rest.StartsWith(op, StringComparison.Ordinal)) continue;
            string value = rest[op.Length..].Trim();
            // host= alone is a question of its own: the exchanges whose request named no host (HostNamedNone).
            if (value.Length == 0 && !(field == "host" && (op is "=" or "!=")))
                throw new FilterException($"--where {condition}: no value after '{op}'");
            return (field, op, value);
        }
        throw new FilterException($"--where {condition}: expected FIELD=VALUE, FIELD!=VALUE, FIELD>VALUE, ... (fields: {Fields})");
    }

    private const string Fields = "status, method, host, path, pid, comm, side, protocol, tls, duration, since, until, connection, flag";

    private static Func<Exchange, bool> Build(string field, string op, string value, string condition) => field switch
    {
        "status" => Number(op, value, condition, e => e.Status, NumberRange.Status),
        "pid" => Number(op, value, condition, e => e.Pid, NumberRange.Pid),
        "connection" => value.Contains(':') ? Connection(op, value, condition) : Number(op, value, condition, e => e.ConnectionId, NumberRange.Connection),
        "duration" => Number(op, value, condition, e => e.DurationMs, NumberRange.Duration, Milliseconds, "is not a duration (ms, or with a unit: 250us, 100ms, 1.5s)"),
        "method" => Text(op, value, condition, e => e.Method, ignoreCase: true),
        "host" => Host(op, value, condition),
        "path" => Text(op, value, condition, e => e.Path, ignoreCase: false),
        "comm" => Text(op, value, condition, e => e.Comm, ignoreCase: false),
        "side" => Choice(op, value, condition, e => e.Side, "client", "server"),
        "protocol" => Text(op, value, condition, e => e.Protocol, ignoreCase: true),
        "tls" => Choice(op, value, condition, e => e.Tls ? "true" : "false", "true", "false"),
        "flag" => Flag(op, value, condition),
        _ => throw new FilterException($"--where {condition}: unknown field '{field}' (fields: {Fields})"),
    };

    private static Func<Exchange, bool> Number(string op, string value, string condition, Func<Exchange, double?> get, NumberRange range,
        Func<string, double?>? parse = null, string notOne = "is not a number")
    {
        parse ??= PlainNumber;
        var alternatives = value.Split(',').Select(v => v.Trim()).Select(v =>
            parse(v) is not { } n ? throw new FilterException($"--where {condition}: '{v}' {notOne}")
            : range.Refuses(n) is { } why ? throw new FilterException($"--where {condition}: '{v}' {why}")
            : n).ToArray();
        if (op is not ("=" or "!=") && alternatives.Length > 1) throw new FilterException($"--where {condition}: only = and != take several values");
        double first = alternatives[0];
        return op switch
        {
            "=" => e => get(e) is { } x && alternatives.Contains(x),
            "!=" => e => get(e) is not { } x || !alternatives.Contains(x),
            ">" => e => get(e) > first,
            ">=" => e => get(e) >= first,
            "<" => e => get(e) < first,
            _ => e => get(e) <= first,
        };
    }

    /// <summary>connection=N:ID names connection ID of the Nth recording given, as HAR and --by connection label it (a
    /// bare ID matches that id in every recording); one recording is the first.</summary>
    private static Func<Exchange, bool> Connection(string op, string value, string condition)
    {
        if (op is not ("=" or "!=")) throw new FilterException($"--where {condition}: a recording's connection (N:ID) takes = or !=");
        var wanted = value.Split(',').Select(v => v.Trim().Split(':') is [var n, var id] &&
                int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out int recording) && recording > 0 &&
                long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out long connection)
            ? (Recording: recording, Id: connection)
            : throw new FilterException($"--where {condition}: '{v}' is not a connection (ID, or N:ID for the Nth recording)")).ToArray();
        bool want = op == "=";
        return e => wanted.Any(w => w.Id == e.ConnectionId && w.Recording == Math.Max(e.RecordingNumber, 1)) == want;
    }

    /// <summary>A finite number: "NaN" and "Infinity", which .NET would parse, compare with nothing a user means.</summary>
    private static double? PlainNumber(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) ? n : null;

    /// <summary>Longer suffixes first: "ms" is not "m" then "s".</summary>
    private static readonly (string Suffix, double Ms)[] DurationUnits = [("us", 0.001), ("µs", 0.001), ("ms", 1), ("s", 1000), ("m", 60_000)];

    /// <summary>A duration in ms: a bare number is ms (README), a unit scales it ("1.5s" is 1500, not 1.5).</summary>
    private static double? Milliseconds(string text)
    {
        foreach (var (suffix, ms) in DurationUnits)
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                return PlainNumber(text[..^suffix.Length].TrimEnd()) * ms;
        return PlainNumber(text);
    }

    private static Func<Exchange, bool> Text(string op, string value, string condition, Func<Exchange, string?> get, bool ignoreCase)
    {
        if (op is not ("=" or "!=")) throw new FilterException($"--where {condition}: text fields take = or !=");
        var patterns = value.Split(',').Select(v => Glob.ToRegex(v, ignoreCase)).ToArray();
        bool want = op == "=";
        return e => (get(e) is { } x && patterns.Any(p => p.IsMatch(x))) == want;
    }

    /// <summary>host= matches the Host as sent, or as `--stats` and `--by host` group it (<see cref="NormalizedHost"/>), so that
    /// a row's host picks out all of its exchanges: host=shop.test matches "Shop.Test:80" over http; host=*:80 still
    /// matches "shop.test:80".</summary>
    private static Func<Exchange, bool> Host(string op, string value, string condition)
    {
        if (value.Length == 0) return HostNamedNone(op == "=");
        var asSent = Text(op, value, condition, e => e.Host, ignoreCase: true);
        var normalized = Text(op, value, condition, NormalizedHost.Of, ignoreCase: true);
        return op == "=" ? e => asSent(e) || normalized(e) : e => asSent(e) && normalized(e);
    }

    /// <summary>host= (empty): the request named no host, or an empty one (`Host:` with no value, as RFC 9112 §3.2 has a
    /// request with no authority send). Such an exchange's host is the server's address (docs/json.md), which host=ADDRESS
    /// matches along with the requests whose Host named that address; host= picks out the first alone.</summary>
    private static Func<Exchange, bool> HostNamedNone(bool want) => e => (e.NoHostSent || string.IsNullOrEmpty(e.Host)) == want;

    /// <summary>Any of the flags given (comma-separated globs, as for text fields); one that names no flag (a typo, "gpa") is
    /// refused rather than matching nothing.</summary>
    private static Func<Exchange, bool> Flag(string op, string value, string condition)
    {
        if (op is not ("=" or "!=")) throw new FilterException($"--where {condition}: flag takes = or !=");
        var patterns = value.Split(',').Select(v => v.Trim()).Select(v => (Text: v, Glob: Glob.ToRegex(v))).ToArray();
        foreach (var (text, glob) in patterns)
            if (!ExchangeFlags.All.Any(glob.IsMatch))
                throw new FilterException($"--where {condition}: '{text}' is no flag ({string.Join(", ", ExchangeFlags.All)})");
        bool want = op == "=";
        return e => e.Flags.Any(f => patterns.Any(p => p.Glob.IsMatch(f))) == want;
    }

    /// <summary>A field with a few values: any other (a typo, "sever") is refused rather than matching nothing.</summary>
    private static Func<Exchange, bool> Choice(string op, string value, string condition, Func<Exchange, string?> get, params string[] choices)
    {
        foreach (var v in value.Split(','))
            if (!choices.Contains(v, StringComparer.OrdinalIgnoreCase))
                throw new FilterException($"--where {condition}: '{v}' is not {string.Join(" or ", choices)}");
        return Text(op, value, condition, get, ignoreCase: true);
    }

    private static Func<DateTimeOffset, bool> TimeBound(string op, string value, string condition, bool after)
    {
        if (op != "=") throw new FilterException($"--where {condition}: use since=TIME or until=TIME");
        var bound = ParseTime(value) ?? throw new FilterException($"--where {condition}: '{value}' is not a time (2026-11-22T10:00:00Z, or 10:00:00 UTC)");
        return instant => Within(instant, bound, after);
    }

    private static bool Within(DateTimeOffset ts, TimeBoundValue bound, bool after)
    {
        int cmp = bound.TimeOfDayOnly ? ts.UtcDateTime.TimeOfDay.CompareTo(bound.TimeOfDay) : ts.CompareTo(bound.Instant);
        return after ? cmp >= 0 : cmp <= 0;
    }

    private sealed record TimeBoundValue(bool TimeOfDayOnly, TimeSpan TimeOfDay, DateTimeOffset Instant);

    /// <summary>A date and time (RFC 3339; without an offset, UTC), or a time of day: UTC, or with its own offset
    /// (10:00:00-05:00 is 15:00:00 UTC). A time of day is never read as a time on the day analyze runs.</summary>
    private static TimeBoundValue? ParseTime(string value)
    {
        if (StartsWithDate().IsMatch(value))
            return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
                ? new(false, default, instant) : null;
        var m = TimeOfDay().Match(value);
        if (!m.Success || !TimeSpan.TryParseExact(m.Groups["time"].Value, [@"hh\:mm\:ss", @"hh\:mm\:ss\.FFFFFFF", @"hh\:mm"],
                CultureInfo.InvariantCulture, out var time))
            return null;
        var offset = m.Groups["sign"].Success
            ? new TimeSpan(int.Parse(m.Groups["oh"].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups["om"].Value, CultureInfo.InvariantCulture), 0)
              * (m.Groups["sign"].Value == "-" ? -1 : 1)
            : TimeSpan.Zero;
        var utc = TimeSpan.FromTicks(((time - offset).Ticks % TimeSpan.TicksPerDay + TimeSpan.TicksPerDay) % TimeSpan.TicksPerDay);
        return new(true, utc, default);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}")]
    private static partial Regex StartsWithDate();

    /// <summary>RFC 3339's time-offset: hours 00-23 and minutes 00-59 (an offset of -25:00 is no clock's).</summary>
    [GeneratedRegex(@"^(?<time>[0-9:.]+)(?:Z|(?<sign>[+-])(?<oh>[01]\d|2[0-3]):?(?<om>[0-5]\d))?$", RegexOptions.IgnoreCase)]
    private static partial Regex TimeOfDay();
}

internal sealed class FilterException(string message) : Exception(message);
