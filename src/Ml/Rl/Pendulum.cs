namespace LowLatency.Ml.Rl;

/// <summary>
/// gymnasium's Pendulum-v1: g 10, m 1, l 1, dt 0.05, torque clipped to ±2, speed clipped to ±8, cost
/// θ̂² + 0.1 θ̇² + 0.001 u² with θ̂ the angle wrapped to [−π, π), reward −cost, never terminates, truncated after 200
/// steps, start θ ~ U(−π, π), θ̇ ~ U(−1, 1). Observation (cos θ, sin θ, θ̇).
/// </summary>
public sealed class Pendulum : IRlEnvironment
{
    public const double Gravity = 10.0;
    public const double Mass = 1.0;
    public const double Length = 1.0;
    public const double Dt = 0.05;
    public const double MaxTorque = 2.0;
    public const double MaxSpeed = 8.0;
    public const int MaxSteps = 200;

    private double _theta;
    private double _thetaDot;
    private int _steps;

    public int ObservationSize => 3;

    public int ActionCount => 0;

    public int ActionDims => 1;

    public double ActionLow => -MaxTorque;

    public double ActionHigh => MaxTorque;

    public (double Theta, double ThetaDot) State => (_theta, _thetaDot);

    public void SetState(double theta, double thetaDot, int steps = 0)
    {
        (_theta, _thetaDot, _steps) = (theta, thetaDot, steps);
    }

    public void Reset(Random random, Span<float> observation)
    {
        ArgumentNullException.ThrowIfNull(random);
        _theta = -Math.PI + (random.NextDouble() * 2 * Math.PI);
        _thetaDot = -1 + (random.NextDouble() * 2);
        _steps = 0;
        Observe(observation);
    }

    public EnvStep Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        double u = Math.Clamp((double)action[0], -MaxTorque, MaxTorque);
        double wrapped = AngleNormalize(_theta);
        double cost = (wrapped * wrapped) + (0.1 * _thetaDot * _thetaDot) + (0.001 * u * u);
        double newThetaDot = _thetaDot + ((((3 * Gravity) / (2 * Length) * Math.Sin(_theta)) + (3.0 / (Mass * Length * Length) * u)) * Dt);
        newThetaDot = Math.Clamp(newThetaDot, -MaxSpeed, MaxSpeed);
        _theta += newThetaDot * Dt;
        _thetaDot = newThetaDot;
        _steps++;
        Observe(observation);
        return new EnvStep(-cost, false, _steps >= MaxSteps);
    }

    /// <summary>((x + π) mod 2π) − π with Python's modulo (the result takes the divisor's sign).</summary>
    public static double AngleNormalize(double x)
    {
        double m = (x + Math.PI) % (2 * Math.PI);
        if (m < 0)
        {
            m += 2 * Math.PI;
        }

        return m - Math.PI;
    }

    private void Observe(Span<float> observation)
    {
        observation[0] = (float)Math.Cos(_theta);
        observation[1] = (float)Math.Sin(_theta);
        observation[2] = (float)_thetaDot;
    }
}
