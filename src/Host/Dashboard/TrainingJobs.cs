using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using LowLatency.Adapters.Ethereum;
using LowLatency.Ml.Cli;

namespace LowLatency.Host.Dashboard;

/// <summary>A training job's state for <c>GET /api/ml/train/{id}</c>.</summary>
public sealed record TrainingJobView(string JobId, string ModelType, string Status, DateTimeOffset QueuedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int? ExitCode, long ProgressLines, IReadOnlyList<string> Progress);

public sealed record TrainingJobsResponse(IReadOnlyList<TrainingJobView> Jobs);

/// <summary>
/// Training jobs started from the dashboard: one at a time, each on its own background thread, running the same code as
/// the <c>train</c> verb. Progress is the job's own output lines (the last <see cref="KeptLines"/>). Any thread.
/// </summary>
public sealed class TrainingJobs
{
    public const int KeptLines = 40;

    /// <summary>The model types <c>POST /api/ml/train</c> accepts.</summary>
    public static readonly IReadOnlyList<string> ModelTypes = ["predictive", "slippage", "rl", "all"];

    private readonly Func<string, TextWriter, CancellationToken, int> _train;
    private readonly ConcurrentDictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private int _running;

    /// <param name="train">Runs one job (model type, progress writer, stop token) and returns its exit code (0 = done).</param>
    public TrainingJobs(Func<string, TextWriter, CancellationToken, int> train)
    {
        ArgumentNullException.ThrowIfNull(train);
        _train = train;
    }

    /// <summary>The real trainer: <see cref="TrainCommand"/> over the shared data into <paramref name="modelsFolder"/>.</summary>
    public static Func<string, TextWriter, CancellationToken, int> Trainer(string dataRoot, string modelsFolder) => (type, progress, _) =>
        TrainCommand.Run(new TrainRequest
        {
            Predictive = type is "predictive" or "all",
            Slippage = type is "slippage" or "all",
            DataRoot = dataRoot,
            OutFolder = modelsFolder,
        }, progress, progress);

    /// <summary>Starts a job; null with a reason when one is already running.</summary>
    public TrainingJobView? TryStart(string modelType, out string? refusal)
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            refusal = "a training job is already running";
            return null;
        }

        var job = new Job(Guid.NewGuid().ToString("N")[..16], modelType);
        _jobs[job.Id] = job;
        var thread = new Thread(() => Execute(job)) { Name = "training-job", IsBackground = true };
        thread.Start();
        refusal = null;
        return job.View();
    }

    public TrainingJobView? Get(string id) => _jobs.TryGetValue(id, out Job? job) ? job.View() : null;

    public IReadOnlyList<TrainingJobView> All() => _jobs.Values.Select(j => j.View()).OrderBy(j => j.QueuedAt).ToList();

    /// <summary>Asks a running job to stop (the engine is shutting down).</summary>
    public void Stop() => _stop.Cancel();

    /// <summary>Raised on the job's thread when a job ends (the dashboard re-reads the models folder).</summary>
    public event Action<TrainingJobView>? Finished;

    private void Execute(Job job)
    {
        job.Start();
        int exit;
        try
        {
            exit = job.ModelType == "rl"
                ? Refuse(job, "rl: the PPO agents are not built yet; nothing to train")
                : _train(job.ModelType == "all" ? "all" : job.ModelType, job.Output, _stop.Token);
            if (job.ModelType == "all")
            {
                job.Output.WriteLine("rl: the PPO agents are not built yet; trained the scorer and the slippage predictor");
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failed job is a status, not a crashed engine.
            job.Output.WriteLine($"training failed ({e.GetType().Name}): {e.Message}");
            exit = 1;
        }

        job.Finish(exit);
        Volatile.Write(ref _running, 0);
        Finished?.Invoke(job.View());
    }

    private static int Refuse(Job job, string why)
    {
        job.Output.WriteLine(why);
        return 2;
    }

    private sealed class Job(string id, string modelType)
    {
        private readonly object _gate = new();
        private DateTimeOffset? _started;
        private DateTimeOffset? _finished;
        private int? _exit;

        public string Id { get; } = id;

        public string ModelType { get; } = modelType;

        public DateTimeOffset Queued { get; } = DateTimeOffset.UtcNow;

        public ProgressWriter Output { get; } = new();

        public void Start()
        {
            lock (_gate)
            {
                _started = DateTimeOffset.UtcNow;
            }
        }

        public void Finish(int exit)
        {
            lock (_gate)
            {
                _finished = DateTimeOffset.UtcNow;
                _exit = exit;
            }
        }

        public TrainingJobView View()
        {
            lock (_gate)
            {
                string status = _exit is { } e ? (e == 0 ? "succeeded" : "failed") : _started is null ? "queued" : "running";
                (long count, IReadOnlyList<string> lines) = Output.Lines();
                return new TrainingJobView(Id, ModelType, status, Queued, _started, _finished, _exit, count, lines);
            }
        }
    }

    /// <summary>Keeps the last lines written (thread-safe).</summary>
    internal sealed class ProgressWriter : TextWriter
    {
        private readonly Queue<string> _lines = new();
        private readonly StringBuilder _partial = new();
        private long _count;

        public override Encoding Encoding => Encoding.UTF8;

        public override IFormatProvider FormatProvider => CultureInfo.InvariantCulture;

        public override void Write(char value)
        {
            lock (_lines)
            {
                if (value == '\n')
                {
                    _lines.Enqueue(SecretRedaction.Redact(_partial.ToString().TrimEnd('\r')));
                    _partial.Clear();
                    _count++;
                    if (_lines.Count > KeptLines)
                    {
                        _lines.Dequeue();
                    }
                }
                else
                {
                    _partial.Append(value);
                }
            }
        }

        public (long Count, IReadOnlyList<string> Lines) Lines()
        {
            lock (_lines)
            {
                return (_count, [.. _lines]);
            }
        }
    }
}
