namespace ContactCenter.IntegrationTests.Hosting;

/// <summary>Polls a condition of a running host (real sockets and real time) until it holds or the patience runs out.</summary>
internal static class Eventually
{
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(50);
        }
    }
}
