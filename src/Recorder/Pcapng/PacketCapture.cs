using System.Runtime.InteropServices;
using Capture.Pcapng;
using Capture.Recorder.Capture;
using Capture.Recorder.Interop;
using static Capture.Recorder.Interop.PacketSocket;

namespace Capture.Recorder.Pcapng;

/// <summary>The real packets: one AF_PACKET socket on every interface with a TPACKET_V3 receive
/// ring mapped into our memory (the kernel fills blocks of packets; we read them without a
/// syscall per packet) and <see cref="TcpSocketFilter"/> in the kernel. Each interface gets its
/// own Interface Description block the first time it carries a packet, all with link type SLL2,
/// built from the socket address the kernel gives each packet.</summary>
internal sealed unsafe class PacketCapture : IDisposable
{
    private const uint BlockSize = 1 << 20, BlockCount = 8, FrameSize = 1 << 11, RetireBlockTimeoutMs = 50;

    private readonly LivePcapng _output;
    private readonly int _fd;
    private readonly nint _ring;
    private readonly uint _loopbackIndex;
    private readonly Dictionary<int, int> _interfaces = [];
    private readonly Thread _thread;
    private volatile bool _stop;

    public long Packets;
    public long KernelDrops;

    private PacketCapture(LivePcapng output, int fd, nint ring, uint loopbackIndex)
    {
        _output = output;
        _fd = fd;
        _ring = ring;
        _loopbackIndex = loopbackIndex;
        _thread = new Thread(Run) { IsBackground = true, Name = "packet ring" };
        _thread.Start();
    }

    public static PacketCapture Start(LivePcapng output, ushort? port, uint snapLength, bool keepPayload)
    {
        // Protocol 0: no packet arrives before the filter and the ring are in place; bind starts them.
        int fd = Socket(AfPacket, SockDgram, 0);
        if (fd < 0) throw Failure("open an AF_PACKET socket");
        nint ring = 0;
        try
        {
            uint loopback = IfNameToIndex("lo");
            var program = TcpSocketFilter.Build(port, snapLength, loopback);
            fixed (SockFilter* filter = program)
            {
                var fprog = new SockFprog { Length = (ushort)program.Length, Filter = filter };
                if (SetSockOpt(fd, SolSocket, SoAttachFilter, &fprog, (uint)sizeof(SockFprog)) != 0) throw Failure("attach the TCP socket filter");
            }
            int version = TpacketV3;
            if (SetSockOpt(fd, SolPacket, PacketVersion, &version, sizeof(int)) != 0) throw Failure("select TPACKET_V3");
            var request = new TpacketReq3
            {
                BlockSize = BlockSize, BlockCount = BlockCount, FrameSize = FrameSize, FrameCount = BlockSize / FrameSize * BlockCount,
                RetireBlockTimeoutMs = RetireBlockTimeoutMs, // a block that is not full is handed over after this long
            };
            if (SetSockOpt(fd, SolPacket, PacketRxRing, &request, (uint)sizeof(TpacketReq3)) != 0) throw Failure("create the packet ring");
            ring = Mmap(0, BlockSize * BlockCount, ProtRead | ProtWrite, MapShared | MapLocked, fd, 0);
            if (ring == -1) throw Failure("map the packet ring");
            var all = new SockaddrLl { Family = AfPacket, Protocol = (ushort)System.Net.IPAddress.HostToNetworkOrder((short)EthPAll) };
            if (Bind(fd, &all, (uint)sizeof(SockaddrLl)) != 0) throw Failure("bind the packet socket to every interface");
            return new PacketCapture(output, fd, ring, loopback) { KeepPayload = keepPayload };
        }
        catch
        {
            if (ring != 0 && ring != -1) Munmap(ring, BlockSize * BlockCount);
            Close(fd);
            throw;
        }
    }

    private static RecorderSetupException Failure(string what) =>
        new($"--pcapng: cannot {what}: {Libc.ErrorText(Marshal.GetLastPInvokeError())}");

    private void Run()
    {
        uint block = 0;
        var pollFd = new PollFd { Fd = _fd, Events = PollIn };
        while (true)
        {
            var desc = (BlockDescriptor*)(_ring + (nint)(block * BlockSize));
            if ((Volatile.Read(ref desc->BlockStatus) & TpStatusUser) == 0)
            {
                if (_stop) return; // every block the kernel handed over has been read
                Poll(&pollFd, 1, 100);
                continue;
            }
            ReadBlock(desc);
            Volatile.Write(ref desc->BlockStatus, TpStatusKernel); // hand the block back
            block = (block + 1) % BlockCount;
        }
    }

    private void ReadBlock(BlockDescriptor* desc)
    {
        byte* packet = (byte*)desc + desc->OffsetToFirstPacket;
        for (uint i = 0; i < desc->PacketCount; i++)
        {
            var header = (Tpacket3Header*)packet;
            var address = (SockaddrLl*)(packet + SockaddrLlOffset);
            Write(header, address, new ReadOnlySpan<byte>(packet + header->Net, (int)header->SnapLength));
            packet += header->NextOffset;
        }
    }

    /// <summary>False while redacting: a plaintext packet's payload would carry the secrets the db no longer holds,
    /// so only its IP and TCP headers are kept (timing, flags, sequence numbers), its length as it was; a TLS
    /// connection's packets keep their payload (ciphertext; <see cref="TlsFlows"/>).</summary>
    public bool KeepPayload { get; init; } = true;

    private readonly TlsFlows _tlsFlows = new();

    private void Write(Tpacket3Header* header, SockaddrLl* address, ReadOnlySpan<byte> network)
    {
        if (!KeepPayload) network = _tlsFlows.Redact(network);
        var frame = new byte[Sll2Header.Length + network.Length];
        Sll2Header.Write(frame, (ushort)System.Net.IPAddress.NetworkToHostOrder((short)address->Protocol), address->InterfaceIndex,
            address->HardwareType, address->PacketType, new ReadOnlySpan<byte>(address->Address, address->AddressLength));
        network.CopyTo(frame.AsSpan(Sll2Header.Length));
        // On loopback only the arriving copy is kept: it was both sent and received here.
        var direction = address->InterfaceIndex == _loopbackIndex ? PacketDirection.Unknown
            : address->PacketType == PacketOutgoing ? PacketDirection.Outbound : PacketDirection.Inbound;
        long ts = header->Sec * 1_000_000_000L + header->Nsec;
        if (!_interfaces.TryGetValue(address->InterfaceIndex, out int id))
        {
            var name = InterfaceName(address->InterfaceIndex);
            _interfaces[address->InterfaceIndex] = id = _output.Output.AddInterface(PcapngFormat.LinkTypeLinuxSll2, LivePcapng.InterfaceSnapLength,
                name, $"{name}: real packets (TCP of recorded connections), captured by Capture through an AF_PACKET ring");
        }
        _output.Output.AddReal(id, ts, frame, Sll2Header.Length + (int)header->Length, direction, TcpFlowKey.FromPacket(network));
        Packets++;
    }

    public void Dispose()
    {
        if (_stop) return;
        Thread.Sleep(2 * (int)RetireBlockTimeoutMs); // the kernel hands over the last, partly filled block
        _stop = true;
        _thread.Join();
        var stats = stackalloc uint[3]; // struct tpacket_stats_v3: packets, drops, freeze_q_cnt
        uint length = 12;
        if (GetSockOpt(_fd, SolPacket, PacketStatistics, stats, ref length) == 0) KernelDrops += stats[1];
        Munmap(_ring, BlockSize * BlockCount);
        Close(_fd);
    }
}
