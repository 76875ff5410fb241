using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ContactCenter.Sip.Media;

/// <summary>
/// Non-blocking batch reads of a UDP socket with Linux's <c>recvmmsg(2)</c>: every datagram waiting (up to
/// <see cref="Capacity"/>) and their sources in one system call, which returns at once when nothing waits. What
/// <see cref="Socket"/> offers instead costs three system calls per datagram read on a clock tick (a check, the read,
/// and a check that finds nothing). The buffers live on the pinned object heap for the reader's lifetime.
/// </summary>
internal sealed class LinuxDatagramBatch
{
    private const int MsgDontWait = 0x40;
    private const int EAgain = 11;
    private const int EIntr = 4;
    private const int EConnRefused = 111;
    private const int SlotSize = 2048;
    private const int NameSize = 128; // sizeof(struct sockaddr_storage)
    private readonly byte[] _data;
    private readonly byte[] _names;
    private readonly MessageHeader[] _headers;
    private readonly IoVector[] _vectors;

    /// <summary>Whether this platform has <c>recvmmsg</c> with the structure layout used here (64-bit Linux).</summary>
    public static bool Supported { get; } = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    public LinuxDatagramBatch(int capacity)
    {
        Capacity = capacity;
        _data = GC.AllocateArray<byte>(capacity * SlotSize, pinned: true);
        _names = GC.AllocateArray<byte>(capacity * NameSize, pinned: true);
        _vectors = GC.AllocateArray<IoVector>(capacity, pinned: true);
        _headers = GC.AllocateArray<MessageHeader>(capacity, pinned: true);
        for (var i = 0; i < capacity; i++)
        {
            _vectors[i] = new IoVector { Base = Marshal.UnsafeAddrOfPinnedArrayElement(_data, i * SlotSize), Length = SlotSize };
            _headers[i].Name = Marshal.UnsafeAddrOfPinnedArrayElement(_names, i * NameSize);
            _headers[i].Vectors = Marshal.UnsafeAddrOfPinnedArrayElement(_vectors, i);
            _headers[i].VectorCount = 1;
        }
    }

    /// <summary>The most datagrams one <see cref="Receive"/> returns.</summary>
    public int Capacity { get; }

    /// <summary>
    /// Reads what waits now without blocking: the count read (0 when nothing waits or the read was interrupted or
    /// answered an ICMP error), or -1 with <see cref="ErrorNumber"/> set when the socket cannot be read.
    /// </summary>
    public int Receive(Socket socket)
    {
        for (var i = 0; i < Capacity; i++)
        {
            _headers[i].NameLength = NameSize;
            _headers[i].Received = 0;
        }

        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var count = RecvMmsg((int)handle.DangerousGetHandle(), _headers, (uint)Capacity, MsgDontWait, IntPtr.Zero);
            if (count >= 0)
            {
                return count;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno is EAgain or EIntr or EConnRefused)
            {
                return 0;
            }

            ErrorNumber = errno;
            return -1;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>The <c>errno</c> of the last failed <see cref="Receive"/>.</summary>
    public int ErrorNumber { get; private set; }

    /// <summary>Datagram <paramref name="index"/> of the last <see cref="Receive"/>.</summary>
    public ReadOnlySpan<byte> Datagram(int index) => _data.AsSpan(index * SlotSize, (int)Math.Min(_headers[index].Received, SlotSize));

    /// <summary>Copies the source of datagram <paramref name="index"/> into <paramref name="address"/> (native layout, as the runtime keeps it).</summary>
    public void CopySource(int index, SocketAddress address)
    {
        var length = (int)Math.Min(_headers[index].NameLength, (uint)address.Buffer.Length);
        _names.AsSpan(index * NameSize, length).CopyTo(address.Buffer.Span);
        address.Size = length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public IntPtr Base;
        public nuint Length;
    }

    // struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; } on 64-bit Linux: 64 bytes.
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct MessageHeader
    {
        [FieldOffset(0)]
        public IntPtr Name;

        [FieldOffset(8)]
        public uint NameLength;

        [FieldOffset(16)]
        public IntPtr Vectors;

        [FieldOffset(24)]
        public nuint VectorCount;

        [FieldOffset(32)]
        public IntPtr Control;

        [FieldOffset(40)]
        public nuint ControlLength;

        [FieldOffset(48)]
        public int Flags;

        [FieldOffset(56)]
        public uint Received;
    }

    [DllImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    private static extern int RecvMmsg(int fd, [In, Out] MessageHeader[] headers, uint count, int flags, IntPtr timeout);
}
