namespace Capture.Recorder.Redaction;

/// <summary>What the request direction tells the response direction of one HTTP/1 connection: a HEAD request's
/// response has no body whatever its Content-Length; a 2xx to CONNECT opens a tunnel; an h2c upgrade turns the
/// connection into HTTP/2. Every request line enters, whatever its method: one missing would pair each later
/// response with the request before its own.</summary>
internal sealed class Http1Pairing
{
    private readonly Queue<(RequestKind Kind, bool Denied)> _requests = new();

    public bool H2cRequested { get; set; }

    /// <summary>Bytes of the connection were lost outside a body: a whole request or response may have gone with them, so
    /// the kind dequeued for a response may be another request's. Taking a HEAD's answer for a GET's would skip the
    /// next response's head as body, so from then on response bodies are read line by line, never skipped. (Joining
    /// mid-way does not need this: events come in time order, and a response to a request sent before the capture
    /// began finds no request queued, unless the client pipelines.)</summary>
    public bool Uncertain { get; set; }

    public void RequestSent(RequestKind kind, bool denied)
    {
        if (_requests.Count < 1024) _requests.Enqueue((kind, denied));
    }

    /// <summary>The next response answers a request that --allow/--deny keeps out.</summary>
    public bool NextIsDenied => _requests.TryPeek(out var next) && next.Denied;

    /// <summary>A final response arrived: the kind of request it answers (<see cref="RequestKind.Other"/> when none is known).</summary>
    public RequestKind ResponseReceived() => _requests.TryDequeue(out var request) ? request.Kind : RequestKind.Other;
}
