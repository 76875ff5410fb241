using System.CommandLine;
using ContactCenter.Hosting.Web;

namespace ContactCenter.Cli.Commands;

/// <summary>
/// <c>contactcenter api-key hash [KEY]</c> prints the SHA-256 to put in <c>ContactCenter:Web:ApiKeys:N:Hash</c> (the key is
/// read from standard input when omitted, so it stays out of the shell history); <c>contactcenter api-key new</c> makes
/// a random key and prints it with its hash.
/// </summary>
internal static class ApiKeyCommand
{
    public static Command Create()
    {
        var apiKey = new Command("api-key", "Web API keys: 'api-key new' (a random key and its hash), 'api-key hash' (the hash of a key, for configuration).");

        var key = new Argument<string?>("KEY") { Description = "The key to hash; read from standard input when omitted.", Arity = ArgumentArity.ZeroOrOne };
        var hash = new Command("hash", "Prints the SHA-256 (lowercase hex) of a key, the value of ContactCenter:Web:ApiKeys:N:Hash.");
        hash.Arguments.Add(key);
        hash.SetAction(parse =>
        {
            var value = parse.GetValue(key) ?? Console.In.ReadLine()?.Trim();
            if (string.IsNullOrEmpty(value))
            {
                Console.Error.WriteLine("api-key hash: give the key as an argument or on standard input");
                return ExitCodes.Usage;
            }

            Console.Out.WriteLine(ApiKeyHasher.Hash(value));
            return ExitCodes.Success;
        });

        var create = new Command("new", "Makes a random key (32 bytes, base64url) and prints it and its hash; keep the key, configure the hash.");
        create.SetAction(_ =>
        {
            var value = ApiKeyHasher.NewKey();
            Console.Out.WriteLine($"key:  {value}");
            Console.Out.WriteLine($"hash: {ApiKeyHasher.Hash(value)}");
            return ExitCodes.Success;
        });

        apiKey.Subcommands.Add(create);
        apiKey.Subcommands.Add(hash);
        return apiKey;
    }
}
