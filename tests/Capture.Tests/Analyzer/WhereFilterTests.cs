using Capture.Analyzer.Exchanges;
using Capture.Analyzer.Query;

namespace Capture.Tests.Analyzer;

/// <summary>`--where FIELD OP VALUE` read as README's "analyze: questions and filters" describes it, whatever the value holds.</summary>
public sealed class WhereFilterTests
{
    [Theory]
    [InlineData("path=/items?price>=10", "/items?price>=10", true)]
    [InlineData("path=/a!=b", "/a!=b", true)]
    [InlineData("path=/a<=b*", "/a<=b/c", true)]
    [InlineData("path!=/a>=b", "/a>=b", false)]
    [InlineData("path != /a=b", "/a=c", true)]
    public void The_operator_is_the_one_after_the_field_name_not_one_inside_the_value(string condition, string path, bool matches) =>
        Assert.Equal(matches, ExchangeFilter.Parse([condition]).Matches(Exchange(path: path)));

    [Theory]
    [InlineData("duration>1s", 1500, true)]
    [InlineData("duration>1s", 999, false)]
    [InlineData("duration>=1.5s", 1500, true)]
    [InlineData("duration<250us", 0.2, true)]
    [InlineData("duration>100ms", 150, true)]
    [InlineData("duration>100", 150, true)]
    [InlineData("duration>2m", 90_000, false)]
    public void A_duration_with_a_unit_is_read_in_that_unit_and_a_bare_number_in_ms(string condition, double durationMs, bool matches) =>
        Assert.Equal(matches, ExchangeFilter.Parse([condition]).Matches(Exchange(durationMs: durationMs)));

    [Fact]
    public void A_duration_in_an_unknown_unit_is_refused()
    {
        var refused = Assert.Throws<FilterException>(() => ExchangeFilter.Parse(["duration>3h"]));
        Assert.Equal("--where duration>3h: '3h' is not a duration (ms, or with a unit: 250us, 100ms, 1.5s)", refused.Message);
    }

    [Theory]
    [InlineData("flag=gap,truncated", new[] { "truncated" }, true)]
    [InlineData("flag=gap,truncated", new[] { "incomplete" }, false)]
    [InlineData("flag!=gap,truncated", new[] { "gap" }, false)]
    [InlineData("flag!=gap,truncated", new[] { "reset" }, true)]
    [InlineData("flag=*request", new[] { "no_request" }, true)]
    [InlineData("flag=TRUNC*", new[] { "gap", "truncated" }, true)]
    [InlineData("flag=?ap", new[] { "gap" }, true)]
    [InlineData("flag=*", new string[0], false)]
    [InlineData("flag!=*", new string[0], true)]
    public void Flag_takes_comma_separated_alternatives_as_the_text_fields_do(string condition, string[] flags, bool matches) =>
        Assert.Equal(matches, ExchangeFilter.Parse([condition]).Matches(Exchange(flags: flags)));

    [Fact]
    public void A_flag_condition_with_an_order_is_refused_in_one_line() =>
        Assert.Equal("--where flag>=gap: flag takes = or !=", Assert.Throws<FilterException>(() => ExchangeFilter.Parse(["flag>=gap"])).Message);

    [Fact]
    public void A_flag_that_names_no_flag_is_refused_rather_than_matching_nothing()
    {
        var refused = Assert.Throws<FilterException>(() => ExchangeFilter.Parse(["flag=gpa"]));
        Assert.StartsWith("--where flag=gpa: 'gpa' is no flag (truncated, gap, incomplete,", refused.Message);
    }

    [Theory]
    [InlineData("since=03:00:00-01:00", "04:30:00", true)]
    [InlineData("since=03:00:00-01:00", "03:30:00", false)]
    [InlineData("until=05:00+02:00", "02:59:59", true)]
    [InlineData("until=05:00+02:00", "03:00:01", false)]
    [InlineData("since=03:00:00Z", "03:00:00", true)]
    [InlineData("since=23:30-02:00", "02:00:00", true)]
    [InlineData("until=2026-01-02T04:00:00-01:00", "05:00:00", true)]
    public void A_time_of_day_with_an_offset_is_that_time_in_utc_not_a_time_on_the_day_analyze_runs(string condition, string utcTime, bool matches) =>
        Assert.Equal(matches, ExchangeFilter.Parse([condition]).Matches(Exchange(at: DateTimeOffset.Parse($"2026-01-02T{utcTime}Z"))));

    [Theory]
    [InlineData("since=10:00:00-25:00")]
    [InlineData("since=10:00:00+05:60")]
    [InlineData("until=10:00+99:99")]
    public void A_time_of_day_with_an_offset_no_clock_has_is_refused_not_read_as_another_time(string condition)
    {
        // RFC 3339's time-offset: hours 00-23, minutes 00-59. 10:00:00-25:00 was read, a day dropped, as 11:00:00 UTC.
        var refused = Assert.Throws<FilterException>(() => ExchangeFilter.Parse([condition]));
        Assert.EndsWith("is not a time (2026-11-22T10:00:00Z, or 10:00:00 UTC)", refused.Message);
    }

    [Theory]
    [InlineData("connection=2:7", 2, 7, true)]
    [InlineData("connection=2:7", 1, 7, false)]
    [InlineData("connection=1:7,2:8", 2, 8, true)]
    [InlineData("connection!=2:7", 2, 7, false)]
    [InlineData("connection=1:7", 0, 7, true)]
    [InlineData("connection=7", 2, 7, true)]
    public void A_connection_is_named_in_one_recording_of_several_as_HAR_labels_it(string condition, int recording, long id, bool matches)
    {
        var exchange = Exchange(connection: id);
        exchange.RecordingNumber = recording;
        Assert.Equal(matches, ExchangeFilter.Parse([condition]).Matches(exchange));
    }

    [Theory]
    [InlineData("connection=2:x", "--where connection=2:x: '2:x' is not a connection (ID, or N:ID for the Nth recording)")]
    [InlineData("connection=0:7", "--where connection=0:7: '0:7' is not a connection (ID, or N:ID for the Nth recording)")]
    [InlineData("connection>2:7", "--where connection>2:7: a recording's connection (N:ID) takes = or !=")]
    public void A_recordings_connection_that_is_no_label_is_refused(string condition, string message) =>
        Assert.Equal(message, Assert.Throws<FilterException>(() => ExchangeFilter.Parse([condition])).Message);

    [Theory]
    [InlineData("host=shop.test", "SHOP.Test", false, true)]
    [InlineData("host=*.TEST", "shop.test", false, true)]
    [InlineData("host=shop.test", "shop.test:80", false, true)]
    [InlineData("host=shop.test", "Shop.Test:443", true, true)]
    [InlineData("host=shop.test", "shop.test:443", false, false)]
    [InlineData("host=shop.test", "shop.test:8080", false, false)]
    [InlineData("host=shop.test:80", "shop.test:80", false, true)]
    [InlineData("host=*:80", "shop.test:80", false, true)]
    [InlineData("host!=shop.test", "shop.test:80", false, false)]
    [InlineData("host!=shop.test", "shop.test:8080", false, true)]
    public void Host_matches_whatever_its_case_and_with_or_without_the_default_port_of_its_scheme(string condition, string host, bool tls, bool matches) =>
        Assert.Equal(matches, ExchangeFilter.Parse([condition]).Matches(Exchange(host: host, tls: tls)));

    [Theory]
    [InlineData("pid=99999999999999999999", "'99999999999999999999' is out of range: a pid is 1 to 4194304")]
    [InlineData("pid>4194305", "'4194305' is out of range: a pid is 1 to 4194304")]
    [InlineData("pid=0", "'0' is out of range: a pid is 1 to 4194304")]
    [InlineData("pid=12,99999999999", "'99999999999' is out of range: a pid is 1 to 4194304")]
    [InlineData("pid=1.5", "'1.5' is not a whole number: a pid is 1 to 4194304")]
    [InlineData("status=5000", "'5000' is out of range: a status code is 100 to 999")]
    [InlineData("status<99", "'99' is out of range: a status code is 100 to 999")]
    [InlineData("status=200.5", "'200.5' is not a whole number: a status code is 100 to 999")]
    [InlineData("connection=0", "'0' is out of range: a connection id is 1 to 9223372036854775807")]
    [InlineData("connection=99999999999999999999", "'99999999999999999999' is out of range: a connection id is 1 to 9223372036854775807")]
    [InlineData("duration>-5ms", "'-5ms' is out of range: a duration is not negative")]
    public void A_number_the_field_can_never_hold_is_refused_in_one_line_naming_the_range_not_answered_with_no_exchanges(string condition, string why) =>
        Assert.Equal($"--where {condition}: {why}", Assert.Throws<FilterException>(() => ExchangeFilter.Parse([condition])).Message);

    [Theory]
    [InlineData("pid=4194304")]
    [InlineData("status=100,999")]
    [InlineData("connection=9223372036854775807")]
    [InlineData("duration>=0")]
    public void The_ends_of_each_range_are_taken(string condition) => ExchangeFilter.Parse([condition]);

    [Theory]
    [InlineData("host=", true, "10.0.0.1:80", true)]
    [InlineData("host=", false, "", true)]
    [InlineData("host=", false, "shop.test", false)]
    [InlineData("host!=", true, "10.0.0.1:80", false)]
    [InlineData("host!=", false, "shop.test", true)]
    [InlineData("host=10.0.0.1:80", true, "10.0.0.1:80", true)]
    public void An_empty_host_picks_out_the_requests_that_named_no_host(string condition, bool noHostSent, string host, bool matches) =>
        Assert.Equal(matches, ExchangeFilter.Parse([condition]).Matches(Exchange(host: host) with { NoHostSent = noHostSent }));

    [Theory]
    [InlineData("path=")]
    [InlineData("host>")]
    public void Only_host_takes_an_empty_value(string condition) =>
        Assert.Throws<FilterException>(() => ExchangeFilter.Parse([condition]));

    private static Exchange Exchange(string path = "/", double durationMs = 1, string[]? flags = null, DateTimeOffset? at = null, long connection = 1,
        string host = "127.0.0.1:80", bool tls = false) => new()
    {
        ConnectionId = connection, Timestamp = at ?? DateTimeOffset.UnixEpoch, StartNs = 0, DurationMs = durationMs, Pid = 1, Comm = "curl", Side = "client",
        Protocol = "http/1.1", Flags = flags ?? [], Local = "127.0.0.1:50000", Remote = "127.0.0.1:80", Method = "GET", Path = path, Host = host, Tls = tls,
    };
}
