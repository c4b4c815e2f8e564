using Capture.Analyzer.Output;

namespace Capture.Tests.Analyzer;

/// <summary>CSV cells hold text from the traffic (a Host header, an HTTP/2 :path or :method may be anything). RFC 4180
/// quoting keeps a comma, a quote or a line break inside its cell; a cell a spreadsheet would run as a formula starts
/// with a quote mark so that it is shown, not run.</summary>
public sealed class CsvOutputTests
{
    private static string Row(params string[] fields)
    {
        var output = new StringWriter { NewLine = "\n" };
        Csv.WriteRow(output, fields);
        return output.ToString();
    }

    [Fact]
    public void Commas_quotes_and_line_breaks_stay_inside_their_cell() =>
        Assert.Equal("\"a,b\",\"say \"\"hi\"\"\",\"line\r\nbreak\",plain\n", Row("a,b", "say \"hi\"", "line\r\nbreak", "plain"));

    [Fact]
    public void A_cell_a_spreadsheet_would_run_as_a_formula_is_shown_as_text()
    {
        Assert.Equal("'=1+2,'+cmd,'@SUM(A1),'-x,\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"\n",
            Row("=1+2", "+cmd", "@SUM(A1)", "-x", "=HYPERLINK(\"http://evil\",\"x\")"));
        Assert.Equal("'\tx\n", Row("\tx"));
    }

    [Fact]
    public void Numbers_keep_their_sign_and_a_lone_dash_stays_a_dash() => Assert.Equal("-1.5,+2,0,-\n", Row("-1.5", "+2", "0", "-"));

    [Fact]
    public void Infinity_and_NaN_with_a_sign_are_text_not_numbers() =>
        // .NET parses them; a spreadsheet runs "-Infinity" as a formula naming nothing and shows #NAME? for the Host sent.
        Assert.Equal("'-Infinity,'+Infinity,'-NaN\n", Row("-Infinity", "+Infinity", "-NaN"));
}
