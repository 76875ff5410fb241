using System.Runtime.InteropServices;

namespace ContactCenter.Sip.Media;

/// <summary>
/// The calling thread's scheduling on Linux: round-robin real-time scheduling (<c>sched_setscheduler(2)</c>) or a nice
/// value (<c>setpriority(2)</c>, which on Linux sets the calling thread's alone).
/// </summary>
internal static class LinuxThreadScheduling
{
    private const int SchedRoundRobin = 2;
    private const int PriorityProcess = 0;

    /// <summary>Gives the calling thread the nice value <paramref name="nice"/> (-20 to 19); the <c>errno</c> on failure, else 0.</summary>
    public static int TrySetNice(int nice)
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        try
        {
            // Who 0 with PRIO_PROCESS is the calling thread under Linux's threads (setpriority(2), BUGS).
            return SetPriority(PriorityProcess, 0, nice) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }
    }

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

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static extern int SetScheduler(int pid, int policy, ref SchedulingParameters parameters);
}
