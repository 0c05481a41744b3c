using System.CommandLine;
using LowLatency.Ml.Cli;

namespace LowLatency.Host.Cli;

/// <summary><c>evaluate --model FILE --data FILES... [--json] [--plot DIR]</c>: see <see cref="EvaluateCommand"/>.</summary>
internal static class EvaluateVerb
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var model = new Option<string?>("--model") { Description = "scorer model file (its manifest beside it)" };
        var data = new Option<string[]>("--data") { Description = "candle files (market_history formats) or capture files", AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "one JSON object: rows, model and baseline metrics" };
        var plot = new Option<string?>("--plot") { Description = "write calibration, precision-coverage and cumulative P&L charts (PNG) here" };
        var command = new Command("evaluate", "judge the scorer against the rule-based baseline on held-out rows") { model, data, json, plot };
        command.SetAction(parse => EvaluateCommand.Run(parse.GetValue(model), parse.GetValue(data) ?? [], parse.GetValue(json), parse.GetValue(plot), stdout, stderr));
        return command;
    }
}
