using LowLatency.Ml.Rl;

namespace LowLatency.Ml.Tests.Rl;

/// <summary>CartPole-v1 and Pendulum-v1 step by step against gymnasium's formulas, written out here once more.</summary>
public sealed class EnvironmentTests
{
    private static (double X, double XDot, double Theta, double ThetaDot) GymCartPoleStep(double x, double xDot, double theta, double thetaDot, int action)
    {
        const double g = 9.8, mc = 1.0, mp = 0.1, l = 0.5, tau = 0.02;
        double force = action == 1 ? 10.0 : -10.0;
        double total = mc + mp;
        double pml = mp * l;
        double c = Math.Cos(theta), s = Math.Sin(theta);
        double temp = (force + pml * thetaDot * thetaDot * s) / total;
        double thetaAcc = (g * s - c * temp) / (l * (4.0 / 3.0 - mp * c * c / total));
        double xAcc = temp - pml * thetaAcc * c / total;
        // Explicit Euler: positions move with the old velocities.
        return (x + tau * xDot, xDot + tau * xAcc, theta + tau * thetaDot, thetaDot + tau * thetaAcc);
    }

    [Fact]
    public void CartPole_follows_the_formulas_step_by_step_in_float64()
    {
        var env = new CartPole();
        var random = new Random(3);
        var obs = new float[4];
        env.Reset(random, obs);
        (double x, double xd, double th, double thd) = env.State;
        int steps = 0;
        for (int k = 0; k < 60; k++)
        {
            int action = (k * 7 % 3) == 0 ? 1 : 0;
            (x, xd, th, thd) = GymCartPoleStep(x, xd, th, thd, action);
            EnvStep step = env.Step([action], obs);
            steps++;
            Assert.Equal((x, xd, th, thd), env.State); // bit for bit: the same float64 arithmetic
            Assert.Equal(new[] { (float)x, (float)xd, (float)th, (float)thd }, obs);
            Assert.Equal(1.0, step.Reward);
            bool terminated = x < -2.4 || x > 2.4 || th < -12 * 2 * Math.PI / 360 || th > 12 * 2 * Math.PI / 360;
            Assert.Equal(terminated, step.Terminated);
            if (step.Terminated)
            {
                return;
            }
        }

        Assert.Fail($"a pole pushed one way mostly should fall within 60 steps (ran {steps})");
    }

    [Fact]
    public void CartPole_moves_positions_with_the_old_velocities()
    {
        var env = new CartPole();
        env.SetState(0.1, 0.5, 0.01, -0.3);
        env.Step([1f], new float[4]);
        (double x, double xDot, double theta, double thetaDot) = env.State;
        Assert.Equal(0.1 + (0.02 * 0.5), x);
        Assert.Equal(0.01 + (0.02 * -0.3), theta);
        Assert.NotEqual(0.5, xDot);
        Assert.NotEqual(-0.3, thetaDot);
    }

    [Theory]
    [InlineData(2.39, 0.6, 0, 0, true)] // x crosses +2.4
    [InlineData(-2.39, -0.6, 0, 0, true)]
    [InlineData(0, 0, 0.2090, 0.5, true)] // θ crosses 12° = 0.20944 rad
    [InlineData(0, 0, 0.2090, 0.0, false)] // just inside: 0.2090 + 0 · τ
    [InlineData(2.3, 0.1, 0, 0, false)]
    public void CartPole_terminates_past_the_thresholds_and_still_pays_the_last_step(double x, double xDot, double theta, double thetaDot, bool terminates)
    {
        var env = new CartPole();
        env.SetState(x, xDot, theta, thetaDot);
        EnvStep step = env.Step([1f], new float[4]);
        Assert.Equal(terminates, step.Terminated);
        Assert.Equal(1.0, step.Reward);
        Assert.False(step.Truncated);
    }

    [Fact]
    public void CartPole_truncates_at_500_steps()
    {
        var env = new CartPole();
        env.SetState(0, 0, 0, 0, steps: 498);
        EnvStep a = env.Step([1f], new float[4]);
        Assert.False(a.Done);
        EnvStep b = env.Step([0f], new float[4]);
        Assert.True(b.Truncated);
        Assert.False(b.Terminated);
        Assert.Equal(500, env.Steps);
    }

    [Fact]
    public void CartPole_reset_draws_every_coordinate_from_plus_minus_005_and_a_seed_repeats_it()
    {
        var env = new CartPole();
        var obs = new float[4];
        var random = new Random(11);
        double min = double.MaxValue, max = double.MinValue;
        for (int k = 0; k < 2_000; k++)
        {
            env.Reset(random, obs);
            (double x, double xd, double th, double thd) = env.State;
            foreach (double v in new[] { x, xd, th, thd })
            {
                Assert.InRange(v, -0.05, 0.05);
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }

            Assert.Equal(0, env.Steps);
        }

        Assert.True(min < -0.049 && max > 0.049, $"{min} {max}");
        var a = new CartPole();
        var b = new CartPole();
        a.Reset(new Random(5), obs);
        b.Reset(new Random(5), obs);
        Assert.Equal(a.State, b.State);
    }

    [Fact]
    public void Pendulum_follows_the_formulas_and_never_terminates()
    {
        var env = new Pendulum();
        var obs = new float[3];
        env.Reset(new Random(2), obs);
        (double th, double thd) = env.State;
        Assert.InRange(th, -Math.PI, Math.PI);
        Assert.InRange(thd, -1, 1);
        for (int k = 0; k < 200; k++)
        {
            float action = (float)(3 * Math.Sin(k * 0.37)); // beyond ±2 at times: clipped
            double u = Math.Clamp(action, -2.0, 2.0);
            double wrapped = ((((th + Math.PI) % (2 * Math.PI)) + (2 * Math.PI)) % (2 * Math.PI)) - Math.PI;
            double cost = (wrapped * wrapped) + (0.1 * thd * thd) + (0.001 * u * u);
            double newThd = Math.Clamp(thd + (((3 * 10.0 / (2 * 1.0) * Math.Sin(th)) + (3.0 / (1.0 * 1.0 * 1.0) * u)) * 0.05), -8, 8);
            th += newThd * 0.05;
            thd = newThd;
            EnvStep step = env.Step([action], obs);
            Assert.Equal(-cost, step.Reward, 12);
            Assert.Equal(th, env.State.Theta, 12);
            Assert.Equal(thd, env.State.ThetaDot, 12);
            Assert.Equal(new[] { (float)Math.Cos(th), (float)Math.Sin(th), (float)thd }, obs);
            Assert.False(step.Terminated);
            Assert.Equal(k == 199, step.Truncated);
        }
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(Math.PI, -Math.PI)] // [−π, π): π wraps to −π as Python's modulo does
    [InlineData(-Math.PI, -Math.PI)]
    [InlineData(3 * Math.PI / 2, -Math.PI / 2)]
    [InlineData(-3 * Math.PI / 2, Math.PI / 2)]
    [InlineData(7.0, 7.0 - (2 * Math.PI))]
    public void Pendulum_wraps_angles_like_python(double angle, double expected)
    {
        Assert.Equal(expected, Pendulum.AngleNormalize(angle), 12);
    }

    [Fact]
    public void Pendulum_clips_speed_at_8()
    {
        var env = new Pendulum();
        env.SetState(Math.PI / 2, 7.9);
        env.Step([2f], new float[3]);
        Assert.Equal(8.0, env.State.ThetaDot);
    }
}
