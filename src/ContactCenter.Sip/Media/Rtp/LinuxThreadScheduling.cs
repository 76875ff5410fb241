using System.Runtime.InteropServices;

namespace ContactCenter.Sip.Media;

/// <summary>Puts the calling thread under Linux's round-robin real-time scheduling (<c>sched_setscheduler(2)</c>).</summary>
internal static class LinuxThreadScheduling
{
    private const int SchedRoundRobin = 2;

    /// <summary>Applies <paramref name="priority"/> (1-99) to the calling thread; the <c>errno</c> on failure, else 0.</summary>
    public static int TrySetRoundRobin(int priority)
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        var parameters = new SchedulingParameters { Priority = priority };
        try
        {
            // Process id 0 is the calling thread on Linux.
            return SetScheduler(0, SchedRoundRobin, ref parameters) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedulingParameters
    {
        public int Priority;
    }

    [DllImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static extern int SetScheduler(int pid, int policy, ref SchedulingParameters parameters);
}
