namespace Capture.Recorder.Redaction;

/// <summary>
/// One direction of a CONNECT tunnel (RFC 9110 §9.3.6): from the end of the CONNECT request, and of its 2xx response,
/// the bytes are another connection's, so they are read as a connection's first bytes are. Tunnelled TLS is then
/// simply not HTTP; tunnelled plaintext HTTP is redacted like any.
/// </summary>
internal sealed class TunnelStart(IHeldBytes held, ConnectionContext connection, int direction) : DirectionScanner(held)
{
    private bool _lost;

    public override int Feed(ReadOnlySpan<byte> data, long pos, bool callStart)
    {
        Successor = connection.StartDirection(Held, direction, atStart: !_lost, data);
        return 0;
    }

    public override long HoldFrom => NothingHeld;

    public override void Lost(long bytes) => _lost = true;

    public override void GiveUpHolding() { }
}
