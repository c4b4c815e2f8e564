using System.CommandLine;
using System.CommandLine.Parsing;

namespace Capture.Common;

/// <summary>
/// A command-line parse error as one line a user can act on. System.CommandLine names the .NET type it could not
/// convert a value to ("as expected type 'System.Nullable`1[System.UInt16]'"); for a number option this says what the
/// option takes instead. Other errors keep the library's own first line.
/// </summary>
internal static class ParseErrorText
{
    /// <param name="takes">What an option with a narrower range than its type takes ("a count from 1 to 1048576"), when
    /// known; null for the type's own range.</param>
    public static string Describe(ParseError error, Func<Option, string?>? takes = null)
    {
        var (option, token) = error.SymbolResult switch
        {
            OptionResult o => (o.Option, o.Tokens.FirstOrDefault()?.Value),
            ArgumentResult { Parent: OptionResult o } a => (o.Option, a.Tokens.FirstOrDefault()?.Value),
            _ => (null, null),
        };
        if (option is not null && token is not null && (takes?.Invoke(option) ?? WhatItTakes(option.ValueType)) is { } what)
            return $"{option.Name} takes {what}, not '{token}'";
        return error.Message.Split('\n')[0].TrimEnd();
    }

    /// <summary>With the range for every integer type: a value too large for it is a whole number all the same, and "takes a
    /// whole number, not '99999999999'" would refuse it for being what it is. Signed options say only their upper bound:
    /// those that take no negative value refuse one with their own message ("--slowest takes a positive count").</summary>
    private static string? WhatItTakes(Type valueType) => (Nullable.GetUnderlyingType(valueType) ?? valueType) switch
    {
        var t when t == typeof(int) => $"a whole number up to {int.MaxValue}",
        var t when t == typeof(long) => $"a whole number up to {long.MaxValue}",
        var t when t == typeof(uint) => $"a whole number from 0 to {uint.MaxValue}",
        var t when t == typeof(ushort) => $"a whole number from 0 to {ushort.MaxValue}",
        var t when t == typeof(double) => "a number",
        _ => null,
    };
}
