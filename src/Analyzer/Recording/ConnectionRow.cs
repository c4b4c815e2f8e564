namespace Capture.Analyzer.Recording;

/// <summary>One row of the connections table (see docs/schema.md); Dapper fills it by column name.</summary>
internal sealed record ConnectionRow
{
    public long Id { get; init; }
    public long Pid { get; init; }
    public long Tid { get; init; }
    public string Comm { get; init; } = "";
    public long Fd { get; init; }
    public string Role { get; init; } = "unknown";
    public string Opened_By { get; init; } = "";
    public long Family { get; init; }
    public string Local_Addr { get; init; } = "";
    public long Local_Port { get; init; }
    public string Remote_Addr { get; init; } = "";
    public long Remote_Port { get; init; }
    public long Mid_Stream { get; init; }
    public long Opened_Ns { get; init; }
    public long? Closed_Ns { get; init; }
    public string? Tls_Library { get; init; }
    public string? Tls_Attribution { get; init; }
    /// <summary>The kernel's byte counts of each direction, as of the connection's last event (its close, when seen).</summary>
    public long? Bytes_Sent { get; init; }
    public long? Bytes_Received { get; init; }

    /// <summary>Plaintext from a TLS library was captured: analyze that stream, not the encrypted one.</summary>
    public bool Tls => Tls_Library is not null && !BeforeHandshake;

    /// <summary>This row stands for what a TLS connection said on its socket before its handshake: plaintext HTTP/1 (a
    /// CONNECT to a proxy), analyzed from the socket bytes up to the tunnel. Not a column.</summary>
    public bool BeforeHandshake { get; init; }

    /// <summary>How many bytes a closed plaintext connection's direction (0 sent, 1 received) held, as the kernel counted
    /// them when it closed: the recorder may have lost the last of them. Not for a TLS connection, whose socket carried
    /// ciphertext the recorder never stored, nor one whose totals or close the recording lacks.</summary>
    public (long Bytes, long ClosedNs)? TotalAtClose(int direction) =>
        Tls_Library is null && (direction == 0 ? Bytes_Sent : Bytes_Received) is { } bytes && Closed_Ns is { } closed ? (bytes, closed) : null;

    public string Remote => Endpoint(Remote_Addr, Remote_Port);
    public string Local => Endpoint(Local_Addr, Local_Port);

    /// <summary>An IPv6 address in brackets (RFC 3986 §3.2.2). By its text, not the family: a dual-stack socket (family 6)
    /// with an IPv4 peer is stored with that peer's IPv4 address, which takes no brackets.</summary>
    private static string Endpoint(string address, long port) => address.Contains(':') ? $"[{address}]:{port}" : $"{address}:{port}";
}
