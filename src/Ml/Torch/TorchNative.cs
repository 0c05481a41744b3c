using System.Buffers.Binary;
using System.Text;

namespace LowLatency.Ml.Torch;

/// <summary>
/// Makes TorchSharp's native library loadable on Debian 12. TorchSharp 0.107's <c>libLibTorchSharp.so</c> asks for
/// <c>GLIBCXX_3.4.32</c> (for one symbol, <c>std::ios_base_library_init</c>, that no relocation uses: the library never
/// binds it), and Debian 12's libstdc++ stops at 3.4.30, so the loader refuses the file. When the system lacks that
/// version, the GLIBCXX_3.4.32 entry of the file's <c>.gnu.version_r</c> is marked weak (vna_flags = VER_FLG_WEAK): the
/// loader then accepts a missing version. Two bytes change, the file keeps its size, and it is done on the copy in the
/// build output (a rebuild that copies the original back is fixed again on the next run). Idempotent; call once before
/// the first TorchSharp call. <c>scripts/setup-torch.sh</c> does the same for every copy under <c>artifacts/</c>.
/// </summary>
public static class TorchNative
{
    private const string LibraryName = "libLibTorchSharp.so";
    private const string MissingVersion = "GLIBCXX_3.4.32";
    private static readonly object s_gate = new();
    private static bool s_done;

    /// <summary>
    /// Patches the library next to the application when it is needed. Returns null when TorchSharp can load (or the
    /// platform is not Linux), else one line saying what is wrong. Any thread; start-up only (reads files).
    /// </summary>
    public static string? EnsureLoadable()
    {
        lock (s_gate)
        {
            if (s_done || !OperatingSystem.IsLinux())
            {
                return null;
            }

            if (SystemHasVersion(MissingVersion))
            {
                s_done = true;
                return null;
            }

            foreach (string path in Candidates(AppContext.BaseDirectory))
            {
                string? error = PatchFile(path);
                if (error is not null)
                {
                    return error;
                }
            }

            s_done = true;
            return null;
        }
    }

    /// <summary>Marks the <see cref="MissingVersion"/> requirement of one ELF file weak. Returns null on success or when nothing is to do.</summary>
    public static string? PatchFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            return $"{path}: cannot read ({e.Message})";
        }
        catch (UnauthorizedAccessException e)
        {
            return $"{path}: cannot read ({e.Message})";
        }

        switch (TryFindVernaux(bytes, MissingVersion, out int flagsOffset))
        {
            case ElfFind.NotElf:
                return $"{path}: not a 64-bit little-endian ELF file";
            case ElfFind.NotRequired:
                return null;
        }

        const ushort weak = 0x2;
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(flagsOffset));
        if ((flags & weak) != 0)
        {
            return null;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(flagsOffset), (ushort)(flags | weak));
        string temporary = path + ".patch-" + Environment.ProcessId;
        try
        {
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, path, overwrite: true); // atomic: a concurrent loader sees the old or the new file
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            return $"{path}: cannot write the GLIBCXX fix ({e.Message}); run scripts/setup-torch.sh";
        }
    }

    internal enum ElfFind
    {
        NotElf,
        NotRequired,
        Found,
    }

    /// <summary>Finds the file offset of vna_flags of the version requirement named <paramref name="version"/>.</summary>
    internal static ElfFind TryFindVernaux(ReadOnlySpan<byte> elf, string version, out int flagsOffset)
    {
        flagsOffset = 0;
        if (elf.Length < 64 || elf[0] != 0x7F || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            return ElfFind.NotElf;
        }

        long shoff = BinaryPrimitives.ReadInt64LittleEndian(elf[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3C..]);
        if (shoff <= 0 || shentsize < 64 || shoff + ((long)shentsize * shnum) > elf.Length)
        {
            return ElfFind.NotElf;
        }

        const uint shtGnuVerneed = 0x6ffffffe;
        for (int s = 0; s < shnum; s++)
        {
            ReadOnlySpan<byte> header = elf.Slice((int)(shoff + ((long)s * shentsize)), shentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != shtGnuVerneed)
            {
                continue;
            }

            long offset = BinaryPrimitives.ReadInt64LittleEndian(header[0x18..]);
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[0x28..]);
            int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[0x2C..]); // sh_info: number of Verneed entries
            if (link >= shnum)
            {
                return ElfFind.NotElf;
            }

            ReadOnlySpan<byte> strtab = elf.Slice((int)(shoff + ((long)link * shentsize)), shentsize);
            long strOffset = BinaryPrimitives.ReadInt64LittleEndian(strtab[0x18..]);
            long need = offset;
            for (int n = 0; n < count && need + 16 <= elf.Length; n++)
            {
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(elf[(int)(need + 2)..]);
                long aux = need + BinaryPrimitives.ReadUInt32LittleEndian(elf[(int)(need + 8)..]);
                for (int a = 0; a < auxCount && aux + 16 <= elf.Length; a++)
                {
                    long name = strOffset + BinaryPrimitives.ReadUInt32LittleEndian(elf[(int)(aux + 8)..]);
                    if (name < elf.Length && CString(elf[(int)name..]) == version)
                    {
                        flagsOffset = (int)(aux + 4);
                        return ElfFind.Found;
                    }

                    uint nextAux = BinaryPrimitives.ReadUInt32LittleEndian(elf[(int)(aux + 12)..]);
                    if (nextAux == 0)
                    {
                        break;
                    }

                    aux += nextAux;
                }

                uint next = BinaryPrimitives.ReadUInt32LittleEndian(elf[(int)(need + 12)..]);
                if (next == 0)
                {
                    break;
                }

                need += next;
            }
        }

        return ElfFind.NotRequired;
    }

    private static string CString(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? bytes : bytes[..end]);
    }

    private static bool SystemHasVersion(string version)
    {
        byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
        foreach (string path in new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" })
        {
            if (File.Exists(path))
            {
                return File.ReadAllBytes(path).AsSpan().IndexOf(needle) >= 0;
            }
        }

        return true; // unknown layout: let TorchSharp report what it finds
    }

    private static IEnumerable<string> Candidates(string baseDirectory)
    {
        string[] places =
        [
            Path.Combine(baseDirectory, LibraryName),
            Path.Combine(baseDirectory, "runtimes", "linux-x64", "native", LibraryName),
            Path.Combine(baseDirectory, "runtimes", "linux-arm64", "native", LibraryName),
        ];
        foreach (string place in places)
        {
            if (File.Exists(place))
            {
                yield return place;
            }
        }
    }
}
