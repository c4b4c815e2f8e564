using Capture.Recorder.Interop;

namespace Capture.Recorder.Probes;

/// <summary>Which BPF program goes on which function of each TLS library.</summary>
internal static class TlsProbePlan
{
    public sealed record Hook(string Function, string Program, bool ReturnProbe, bool Optional);

    public static IReadOnlyList<Hook> For(TlsLibrary library) => library switch
    {
        TlsLibrary.OpenSsl =>
        [
            new("SSL_write", "uprobe_tls_write", false, false), new("SSL_write", "uretprobe_tls_write", true, false),
            new("SSL_read", "uprobe_tls_read", false, false), new("SSL_read", "uretprobe_tls_read", true, false),
            // OpenSSL 1.1.1 and later only.
            new("SSL_write_ex", "uprobe_tls_write_ex", false, true), new("SSL_write_ex", "uretprobe_tls_write_ex", true, true),
            new("SSL_read_ex", "uprobe_tls_read_ex", false, true), new("SSL_read_ex", "uretprobe_tls_read_ex", true, true),
            new("SSL_set_fd", "uprobe_ssl_set_fd", false, true),
        ],
        TlsLibrary.GnuTls =>
        [
            new("gnutls_record_send", "uprobe_tls_write", false, false), new("gnutls_record_send", "uretprobe_tls_write", true, false),
            new("gnutls_record_recv", "uprobe_tls_read", false, false), new("gnutls_record_recv", "uretprobe_tls_read", true, false),
        ],
        // NSPR's I/O entry points: the application calls them on its SSL socket and NSS's SSL
        // layer does the socket I/O inside (the layers below are called through method tables,
        // not these exports). They also serve files and pipes: the kernel side attributes NSS
        // calls only by a socket touched during the call, never by thread.
        TlsLibrary.Nss =>
        [
            new("PR_Write", "uprobe_tls_write", false, false), new("PR_Write", "uretprobe_tls_write", true, false),
            new("PR_Send", "uprobe_tls_write", false, false), new("PR_Send", "uretprobe_tls_write", true, false),
            new("PR_Read", "uprobe_tls_read", false, false), new("PR_Read", "uretprobe_tls_read", true, false),
            new("PR_Recv", "uprobe_tls_read", false, false), new("PR_Recv", "uretprobe_tls_read", true, false),
        ],
        _ => [],
    };
}
