using System.Runtime.InteropServices;
using System.Text;

namespace LowLatency.Ml.Training;

/// <summary>
/// The few LightGBM 4.7 C API calls training needs (lib_lightgbm from the LightGBM NuGet package): a dataset from a
/// row-major double matrix, a booster, one boosting round at a time, the model as text, and the library's own batch
/// prediction (the reference the tree walker is bound to). Training thread; allocates.
/// </summary>
public sealed partial class LightGbm : IDisposable
{
    private const string Library = "lib_lightgbm";
    private const int Float64 = 1;
    private const int Float32 = 0;
    private IntPtr _booster;
    private readonly List<IntPtr> _datasets = [];

    private LightGbm(IntPtr booster) => _booster = booster;

    /// <summary>
    /// A booster over <paramref name="features"/> (row-major [rows, columns]) and <paramref name="labels"/>, with LightGBM
    /// parameters such as <c>objective=regression num_threads=1 seed=7</c>.
    /// </summary>
    public static LightGbm Create(double[] features, int rows, int columns, float[] labels, string parameters)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        Check(LGBM_DatasetCreateFromMat(features, Float64, rows, columns, 1, parameters, IntPtr.Zero, out IntPtr dataset));
        Check(LGBM_DatasetSetField(dataset, "label", labels, labels.Length, Float32));
        Check(LGBM_BoosterCreate(dataset, parameters, out IntPtr booster));
        var gbm = new LightGbm(booster);
        gbm._datasets.Add(dataset);
        return gbm;
    }

    /// <summary>One boosting round; false when LightGBM says no further split helps.</summary>
    public bool UpdateOneIteration()
    {
        Check(LGBM_BoosterUpdateOneIter(_booster, out int finished));
        return finished == 0;
    }

    /// <summary>The model of the first <paramref name="iterations"/> rounds (0 = all) in LightGBM's text format.</summary>
    public string SaveModelToString(int iterations = 0)
    {
        Check(LGBM_BoosterSaveModelToString(_booster, 0, iterations, 0, 0, out long length, null));
        var buffer = new byte[length];
        Check(LGBM_BoosterSaveModelToString(_booster, 0, iterations, 0, length, out _, buffer));
        return Encoding.UTF8.GetString(buffer, 0, (int)Math.Max(0, length - 1));
    }

    /// <summary>LightGBM's own raw prediction of every row (the first <paramref name="iterations"/> rounds, 0 = all).</summary>
    public double[] Predict(double[] features, int rows, int columns, int iterations = 0)
    {
        ArgumentNullException.ThrowIfNull(features);
        var result = new double[rows];
        Check(LGBM_BoosterPredictForMat(_booster, features, Float64, rows, columns, 1, 1, 0, iterations, "num_threads=1", out long length, result));
        if (length != rows)
        {
            throw new InvalidOperationException($"LightGBM predicted {length} values for {rows} rows");
        }

        return result;
    }

    /// <summary>A booster from a model text (for checking a saved model against the library).</summary>
    public static LightGbm FromString(string model)
    {
        Check(LGBM_BoosterLoadModelFromString(model, out _, out IntPtr booster));
        return new LightGbm(booster);
    }

    public void Dispose()
    {
        if (_booster != IntPtr.Zero)
        {
            _ = LGBM_BoosterFree(_booster);
            _booster = IntPtr.Zero;
        }

        foreach (IntPtr d in _datasets)
        {
            _ = LGBM_DatasetFree(d);
        }

        _datasets.Clear();
    }

    private static void Check(int status)
    {
        if (status != 0)
        {
            throw new InvalidOperationException("LightGBM: " + Marshal.PtrToStringUTF8(LGBM_GetLastError()));
        }
    }

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_DatasetCreateFromMat(double[] data, int dataType, int rows, int columns, int rowMajor, string parameters, IntPtr reference, out IntPtr dataset);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_DatasetSetField(IntPtr dataset, string field, float[] data, int count, int type);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterCreate(IntPtr dataset, string parameters, out IntPtr booster);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterUpdateOneIter(IntPtr booster, out int finished);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterSaveModelToString(IntPtr booster, int start, int iterations, int importance, long bufferLength, out long length, byte[]? buffer);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterPredictForMat(IntPtr booster, double[] data, int dataType, int rows, int columns, int rowMajor, int predictType,
        int start, int iterations, string parameters, out long length, double[] result);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterLoadModelFromString(string model, out int iterations, out IntPtr booster);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterFree(IntPtr booster);

    [LibraryImport(Library)]
    private static partial int LGBM_DatasetFree(IntPtr dataset);

    [LibraryImport(Library)]
    private static partial IntPtr LGBM_GetLastError();
}
