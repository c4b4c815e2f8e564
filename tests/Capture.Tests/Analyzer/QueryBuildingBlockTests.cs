using System.IO.Compression;
using System.Text;
using Capture.Analyzer.Output;
using Capture.Analyzer.Query;

namespace Capture.Tests.Analyzer;

/// <summary>The pieces the questions are built from: path templates, percentiles, body decoding.</summary>
public sealed class QueryBuildingBlockTests
{
    [Theory]
    [InlineData("/users/123", "/users/{id}")]
    [InlineData("/users/123/orders/9?page=2", "/users/{id}/orders/{id}")]
    [InlineData("/items/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "/items/{uuid}")]
    [InlineData("/blobs/a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", "/blobs/{hex}")]
    [InlineData("/s/AbCdEfGh1234567890XyZ", "/s/{token}")]
    [InlineData("/static/app.js", "/static/app.js")]
    [InlineData("/v2/users", "/v2/users")]
    [InlineData("/", "/")]
    [InlineData("?q=1", "/")]
    [InlineData(null, "-")]
    public void Path_templates_collapse_identifiers_and_keep_names(string? path, string expected) =>
        Assert.Equal(expected, PathTemplate.Of(path));

    [Theory]
    [InlineData("/users/789.json", "/users/{id}.json")]
    [InlineData("/users/789.JSON", "/users/{id}.JSON")]
    [InlineData("/avatars/3f2504e0-4f89-11d3-9a0c-0305e82c3301.png", "/avatars/{uuid}.png")]
    [InlineData("/packs/a94a8fe5ccb19ba61c4c0873d391e987982fbbd3.tar.gz", "/packs/{hex}.tar.gz")]
    [InlineData("/api/1.5/items", "/api/1.5/items")]
    [InlineData("/files/report.pdf", "/files/report.pdf")]
    public void An_identifier_with_a_file_extension_collapses_and_keeps_its_extension(string path, string expected) =>
        Assert.Equal(expected, PathTemplate.Of(path));

    [Theory]
    [InlineData("/static/app.3f9a2c.js", "/static/app.{hex}.js")]
    [InlineData("/static/vendor.8d7e1b.js", "/static/vendor.{hex}.js")]
    [InlineData("/static/app.3f9a2c1b8e7d6f5a4b3c.js", "/static/app.{hex}.js")]
    [InlineData("/assets/app.d3adb33f.css", "/assets/app.{hex}.css")]
    [InlineData("/static/js/main.3f9a2c1b.chunk.js", "/static/js/main.{hex}.chunk.js")]
    [InlineData("/_next/static/chunks/main-3f9a2c1b8e7d6f5a.js", "/_next/static/chunks/main-{hex}.js")]
    [InlineData("/img/logo.png", "/img/logo.png")]
    [InlineData("/img/logo-2x-retina-version1.png", "/img/logo-2x-retina-version1.png")]
    [InlineData("/img/hero_banner_summer2024.webp", "/img/hero_banner_summer2024.webp")]
    [InlineData("/fonts/roboto-v30-latin-regular.woff2", "/fonts/roboto-v30-latin-regular.woff2")]
    [InlineData("/icons/icon-192.png", "/icons/icon-192.png")]
    [InlineData("/js/jquery-3.6.0.min.js", "/js/jquery-3.6.0.min.js")]
    public void A_static_file_keeps_its_name_and_extension_and_only_a_content_hash_in_it_collapses(string path, string expected) =>
        Assert.Equal(expected, PathTemplate.Of(path));

    [Theory]
    [InlineData("/t/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", "/t/{token}")]
    [InlineData("/uploads/AbCdEfGh1234567890XyZ.png", "/uploads/{token}.png")]
    public void A_token_that_is_no_file_name_or_is_a_whole_file_name_still_collapses(string path, string expected) =>
        Assert.Equal(expected, PathTemplate.Of(path));

    [Fact]
    public void A_segment_ending_in_a_line_feed_is_neither_an_identifier_nor_a_file_name_that_loses_it()
    {
        // An HTTP/2 :path may carry any octet: "/users/123\n" is not the endpoint of "/users/123", and its row must show it.
        string[] kept = ["/users/123\n", "/static/app.js\n", "/items/3f2504e0-4f89-11d3-9a0c-0305e82c3301\n/a", "/blobs/a94a8fe5ccb19ba61c4c0873d391e987982fbbd3\n"];
        Assert.Equal(kept, kept.Select(PathTemplate.Of));
    }

    [Fact]
    public void A_trailing_slash_is_an_endpoint_of_its_own()
    {
        // RFC 9110 §4.2.3 does not equate them, and where both are seen one is most often the other's redirect (a 301 or
        // 308 from a framework that adds or strips the slash): grouped, its quick answers would blend into the other's latency.
        Assert.Equal("/users/", PathTemplate.Of("/users/"));
        Assert.Equal("/users/{id}/", PathTemplate.Of("/users/42/"));
        Assert.NotEqual(PathTemplate.Of("/users"), PathTemplate.Of("/users/"));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(DurationHistogram.ExactUpTo)]
    [InlineData(50_000)]
    public void Percentiles_are_exact_for_small_groups_and_within_one_percent_for_large_ones(int count)
    {
        var random = new Random(count);
        var values = Enumerable.Range(0, count).Select(_ => Math.Exp(random.NextDouble() * 10) / 100).ToList();
        var histogram = new DurationHistogram();
        values.ForEach(histogram.Add);
        values.Sort();
        foreach (var q in new[] { 0.5, 0.9, 0.99, 1.0 })
        {
            double exact = values[(int)Math.Ceiling(q * count) - 1];
            if (count <= DurationHistogram.ExactUpTo) Assert.Equal(exact, histogram.Percentile(q));
            else Assert.InRange(histogram.Percentile(q), exact, exact * 1.0101);
        }
        Assert.Equal(values[^1], histogram.MaxMs);
        Assert.Equal(count, histogram.Count);
    }

    private const string Csv = "id,total\n1,10.00\n2,12.50\n";

    public static TheoryData<string, byte[]> EncodedBodies() => new()
    {
        { "gzip", Compress(s => new GZipStream(s, CompressionLevel.Optimal, true)) },
        { "deflate", Compress(s => new ZLibStream(s, CompressionLevel.Optimal, true)) },
        { "br", Compress(s => new BrotliStream(s, CompressionLevel.Optimal, true)) },
    };

    [Theory]
    [MemberData(nameof(EncodedBodies))]
    public void Bodies_are_shown_with_their_content_coding_undone(string coding, byte[] body)
    {
        var decoded = BodyDisplay.Decode(body, coding);
        Assert.Equal(Csv, Encoding.UTF8.GetString(decoded.Bytes));
        Assert.Equal(coding, decoded.Coding);
        Assert.Null(decoded.CodingProblem);
    }

    [Fact]
    public void Raw_deflate_without_the_zlib_wrapper_is_decoded_too()
    {
        var decoded = BodyDisplay.Decode(Compress(s => new DeflateStream(s, CompressionLevel.Optimal, true)), "deflate");
        Assert.Equal(Csv, Encoding.UTF8.GetString(decoded.Bytes));
    }

    [Fact]
    public void A_body_cut_short_by_the_capture_decodes_as_far_as_it_goes()
    {
        var text = string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i}\n"));
        var gzip = Compress(s => new GZipStream(s, CompressionLevel.Fastest, true), text);
        var decoded = BodyDisplay.Decode(gzip[..(gzip.Length / 2)], "gzip", cutShort: true);
        Assert.StartsWith("line 0\nline 1\n", Encoding.UTF8.GetString(decoded.Bytes));
        Assert.Equal("decoded up to where the captured bytes end", decoded.CodingProblem);
    }

    [Fact]
    public void Binary_bodies_are_a_hex_dump_and_unknown_codings_are_named()
    {
        var output = new StringWriter();
        BodyDisplay.Write(output, [0x00, 0x01, 0x41, 0xFF], endsEarly: false, "  ");
        Assert.Equal("  0000  00 01 41 ff " + new string(' ', 36) + "..A.\n", output.ToString());
        Assert.Equal("content coding 'zstd' is not decoded", BodyDisplay.Decode([1, 2, 3], "zstd").CodingProblem);
        var notGzip = BodyDisplay.Decode([1, 2, 3], "gzip");
        Assert.Equal("not valid gzip, shown as sent", notGzip.CodingProblem);
        Assert.Equal([1, 2, 3], notGzip.Bytes);
        Assert.Null(notGzip.Coding);
    }

    [Fact]
    public void A_whole_body_that_stops_being_valid_gzip_says_so_and_does_not_blame_the_capture()
    {
        var text = string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i}\n"));
        var gzip = Compress(s => new GZipStream(s, CompressionLevel.Fastest, true), text);
        var damaged = gzip.ToArray();
        damaged[gzip.Length / 2] ^= 0xFF; // an invalid code in the middle, past the first 16 KiB of text

        var decoded = BodyDisplay.Decode(damaged, "gzip");
        Assert.StartsWith("line 0\nline 1\n", Encoding.UTF8.GetString(decoded.Bytes));
        Assert.Equal("decoded up to where it stops being valid gzip", decoded.CodingProblem);
    }

    private static byte[] Compress(Func<Stream, Stream> encoder, string text = Csv)
    {
        var output = new MemoryStream();
        using (var stream = encoder(output)) stream.Write(Encoding.UTF8.GetBytes(text));
        return output.ToArray();
    }
}
