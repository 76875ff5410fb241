using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ContactCenter.IntegrationTests.Reference;

/// <summary>
/// A contact center started as a user starts it (the reference deployment, <c>contactcenter serve</c>): a separate
/// process whose standard output and error are collected, waited on by text, and stopped with Ctrl+C (SIGINT).
/// </summary>
internal sealed class HostProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(Process process) => _process = process;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote so far, standard output and error interleaved.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Runs <paramref name="dll"/> with <c>dotnet</c> in <paramref name="workingDirectory"/>.</summary>
    public static HostProcess Start(string dll, string workingDirectory, IEnumerable<string> args)
    {
        Assert.True(File.Exists(dll), $"not built: {dll}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var host = new HostProcess(Process.Start(start)!);
        host._process.OutputDataReceived += (_, e) => host.Append(e.Data);
        host._process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits until the output holds <paramref name="text"/> (or one of its '|'-separated alternatives).</summary>
    public async Task WaitForAsync(string text, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var any = text.Split('|');
        while (!any.Any(t => Output.Contains(t, StringComparison.Ordinal)))
        {
            // Polling a child process's output: real time is what these tests are about.
            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"'{text}' did not appear within {timeout}; output:\n{Output}");
            }
        }
    }

    /// <summary>Sends Ctrl+C (SIGINT) and waits for the process to exit; returns its exit code.</summary>
    public async Task<int> InterruptAsync(TimeSpan timeout)
    {
        using (var interrupt = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
