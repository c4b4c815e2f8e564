namespace Capture.Analyzer.Query;

/// <summary>
/// The values a numeric `--where` field can hold. A value outside them (pid=99999999999999999999, a pasted id, a digit too
/// many) is refused in one line naming the range: matched as given, it would answer "no exchanges", which reads as if the
/// recording held none, not as a mistake in the question.
/// </summary>
internal sealed record NumberRange(double Min, double Max, bool Whole, string Meaning)
{
    /// <summary>RFC 9110 §15: a status code is three digits; the HTTP/1 parser reads 100 to 999, the ones a server can send.</summary>
    public static readonly NumberRange Status = new(100, 999, Whole: true, "a status code is 100 to 999");

    /// <summary>Linux's PID_MAX_LIMIT (2^22): no kernel hands out a larger pid, in any pid namespace.</summary>
    public static readonly NumberRange Pid = new(1, 4_194_304, Whole: true, "a pid is 1 to 4194304");

    /// <summary>connections.id is a SQLite rowid: a positive 64-bit integer.</summary>
    public static readonly NumberRange Connection = new(1, long.MaxValue, Whole: true, "a connection id is 1 to 9223372036854775807");

    /// <summary>No upper bound: a long-lived stream can run for days.</summary>
    public static readonly NumberRange Duration = new(0, double.MaxValue, Whole: false, "a duration is not negative");

    /// <summary>Why <paramref name="value"/> is none this field can hold (to follow the value as the user wrote it), or null.</summary>
    public string? Refuses(double value) =>
        value < Min || value > Max ? $"is out of range: {Meaning}"
        : Whole && value != Math.Floor(value) ? $"is not a whole number: {Meaning}"
        : null;
}
