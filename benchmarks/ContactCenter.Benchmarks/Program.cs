using BenchmarkDotNet.Running;

// Pick a suite from the command line, e.g.:
//   dotnet run -c Release --project benchmarks/ContactCenter.Benchmarks -- --filter '*Sip*'
// Every suite carries [MemoryDiagnoser]; see benchmarks/RESULTS.md for recorded figures.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
