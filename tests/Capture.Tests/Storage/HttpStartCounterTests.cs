using System.Text;
using Capture.Recorder.Storage;
using Capture.Tests.Http2;

namespace Capture.Tests.Storage;

/// <summary>The summary's "HTTP messages seen" counts the chunks a program writes that begin an HTTP/1 message or an
/// HTTP/2 HEADERS frame: an HTTP/2-only recording does not say 0.</summary>
public sealed class HttpStartCounterTests
{
    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 1)]
    [InlineData("{\"a\": 1}", 0)]
    [InlineData("", 0)]
    public void An_http1_message_start_counts_once_and_a_body_not_at_all(string chunk, int count) =>
        Assert.Equal(count, HttpStartCounter.Count(Encoding.ASCII.GetBytes(chunk)));

    [Fact]
    public void An_http2_headers_frame_counts_and_data_settings_and_preface_do_not()
    {
        Assert.Equal(1, HttpStartCounter.Count(Frames.Headers(1, new HpackBlock().Indexed(2))));
        Assert.Equal(0, HttpStartCounter.Count(Frames.Data(1, "hello")));
        Assert.Equal(0, HttpStartCounter.Count(Frames.Settings()));
        Assert.Equal(0, HttpStartCounter.Count(Frames.Preface));
    }
}
