using System.Buffers;

namespace ContactCenter.Sip.Tests.Message;

/// <summary>Builds multi-segment sequences, as a pipe hands over data that arrived in several reads.</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] offsets)
    {
        var parts = new List<ReadOnlyMemory<byte>>();
        var start = 0;
        foreach (var offset in offsets.Where(o => o > 0 && o < bytes.Length).Order())
        {
            parts.Add(bytes.AsMemory(start, offset - start));
            start = offset;
        }

        parts.Add(bytes.AsMemory(start));
        return Build(parts);
    }

    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] bytes) =>
        Build([.. Enumerable.Range(0, bytes.Length).Select(i => bytes.AsMemory(i, 1))]);

    private static ReadOnlySequence<byte> Build(List<ReadOnlyMemory<byte>> parts)
    {
        var first = new Segment(parts[0], 0);
        var last = first;
        for (var i = 1; i < parts.Count; i++)
        {
            last = last.Append(parts[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
