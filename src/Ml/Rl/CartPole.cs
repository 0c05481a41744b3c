namespace LowLatency.Ml.Rl;

/// <summary>
/// gymnasium's CartPole-v1, the same arithmetic: float64 state, explicit Euler that moves the positions with the old
/// velocities, termination at |x| &gt; 2.4 or |θ| &gt; 12°, reward +1 for every step including the terminating one,
/// truncation after 500 steps, start state U(−0.05, 0.05)⁴. The observation is the state rounded to float32.
/// </summary>
public sealed class CartPole : IRlEnvironment
{
    public const double Gravity = 9.8;
    public const double MassCart = 1.0;
    public const double MassPole = 0.1;
    public const double TotalMass = MassCart + MassPole;
    public const double HalfLength = 0.5;
    public const double PoleMassLength = MassPole * HalfLength;
    public const double ForceMag = 10.0;
    public const double Tau = 0.02;
    public const double XThreshold = 2.4;
    public const int MaxSteps = 500;

    /// <summary>12° in radians, computed as gymnasium does (12 · 2π / 360).</summary>
    public static readonly double ThetaThreshold = 12 * 2 * Math.PI / 360;

    private double _x;
    private double _xDot;
    private double _theta;
    private double _thetaDot;
    private int _steps;

    public int ObservationSize => 4;

    public int ActionCount => 2;

    public int ActionDims => 1;

    public double ActionLow => 0;

    public double ActionHigh => 1;

    /// <summary>The float64 state (x, ẋ, θ, θ̇).</summary>
    public (double X, double XDot, double Theta, double ThetaDot) State => (_x, _xDot, _theta, _thetaDot);

    public int Steps => _steps;

    /// <summary>Sets the state directly (tests).</summary>
    public void SetState(double x, double xDot, double theta, double thetaDot, int steps = 0)
    {
        (_x, _xDot, _theta, _thetaDot, _steps) = (x, xDot, theta, thetaDot, steps);
    }

    public void Reset(Random random, Span<float> observation)
    {
        ArgumentNullException.ThrowIfNull(random);
        _x = Uniform(random);
        _xDot = Uniform(random);
        _theta = Uniform(random);
        _thetaDot = Uniform(random);
        _steps = 0;
        Observe(observation);
    }

    public EnvStep Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        double force = action[0] >= 0.5f ? ForceMag : -ForceMag;
        double cos = Math.Cos(_theta);
        double sin = Math.Sin(_theta);
        double temp = (force + (PoleMassLength * _thetaDot * _thetaDot * sin)) / TotalMass;
        double thetaAcc = ((Gravity * sin) - (cos * temp)) / (HalfLength * ((4.0 / 3.0) - (MassPole * cos * cos / TotalMass)));
        double xAcc = temp - (PoleMassLength * thetaAcc * cos / TotalMass);
        _x += Tau * _xDot;
        _xDot += Tau * xAcc;
        _theta += Tau * _thetaDot;
        _thetaDot += Tau * thetaAcc;
        _steps++;
        bool terminated = _x < -XThreshold || _x > XThreshold || _theta < -ThetaThreshold || _theta > ThetaThreshold;
        Observe(observation);
        return new EnvStep(1.0, terminated, !terminated && _steps >= MaxSteps);
    }

    private void Observe(Span<float> observation)
    {
        observation[0] = (float)_x;
        observation[1] = (float)_xDot;
        observation[2] = (float)_theta;
        observation[3] = (float)_thetaDot;
    }

    private static double Uniform(Random random) => -0.05 + (random.NextDouble() * 0.1);
}
