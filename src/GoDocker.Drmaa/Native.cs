using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;

namespace GoDocker.Drmaa;

/// <summary>C strings and opaque handles at the boundary.</summary>
internal static unsafe class Native
{
    /// <summary>The UTF-8 string at <paramref name="pointer"/>; null for NULL.</summary>
    public static string? String(nint pointer) => pointer == 0 ? null : Marshal.PtrToStringUTF8(pointer);

    public static string RequiredString(nint pointer, string what) =>
        String(pointer) ?? throw new DrmaaException(DrmaaError.InvalidArgument, $"{what} is NULL");

    /// <summary>A NULL-terminated array of C strings (drmaa_set_vector_attribute, drmaa_synchronize).</summary>
    public static List<string> StringArray(nint array)
    {
        var values = new List<string>();
        for (var p = (nint*)array; *p != 0; p++)
        {
            values.Add(Marshal.PtrToStringUTF8(*p)!);
        }
        return values;
    }

    /// <summary>
    /// Copies <paramref name="text"/> into a caller's buffer of <paramref name="length"/> bytes, truncated at a whole
    /// UTF-8 character and always NUL-terminated; nothing when the buffer is NULL or empty.
    /// </summary>
    public static void Write(nint buffer, nuint length, string text)
    {
        if (buffer == 0 || length == 0)
        {
            return;
        }
        var bytes = Encoding.UTF8.GetBytes(text);
        var count = (int)Math.Min((ulong)bytes.Length, length - 1);
        while (count > 0 && count < bytes.Length && (bytes[count] & 0xC0) == 0x80)
        {
            count--; // do not cut a character in half
        }
        var target = new Span<byte>((void*)buffer, count + 1);
        bytes.AsSpan(0, count).CopyTo(target);
        target[count] = 0;
    }

    public static void WriteInt(nint pointer, int value)
    {
        if (pointer == 0)
        {
            throw new DrmaaException(DrmaaError.InvalidArgument, "an output pointer is NULL");
        }
        *(int*)pointer = value;
    }

    /// <summary>drmaa_strerror's strings, made once and never freed: the caller keeps the pointer.</summary>
    private static readonly ConcurrentDictionary<int, nint> ErrorStrings = new();

    public static nint StaticString(int code) =>
        ErrorStrings.GetOrAdd(code, c => Marshal.StringToCoTaskMemUTF8(DrmaaErrors.Describe(c)));
}

/// <summary>
/// The opaque pointers handed out (job templates and string vectors): each a small block of real memory, so a C
/// caller holds a valid distinct address, mapped to its object here. A pointer never handed out, or already released,
/// is refused with INVALID_ARGUMENT instead of being followed.
/// </summary>
internal static class Handles
{
    private static readonly ConcurrentDictionary<nint, object> Objects = new();

    public static nint Add(object value)
    {
        var handle = Marshal.AllocHGlobal(16);
        Objects[handle] = value;
        return handle;
    }

    public static T Get<T>(nint handle, string what) where T : class =>
        handle != 0 && Objects.TryGetValue(handle, out var value) && value is T typed
            ? typed
            : throw new DrmaaException(DrmaaError.InvalidArgument, $"{what} is not one this library handed out (or it was released)");

    public static bool Remove(nint handle)
    {
        if (handle == 0 || !Objects.TryRemove(handle, out _))
        {
            return false;
        }
        Marshal.FreeHGlobal(handle);
        return true;
    }
}

/// <summary>drmaa_attr_names_t, drmaa_attr_values_t and drmaa_job_ids_t: strings read one by one.</summary>
internal sealed class StringVector(IReadOnlyList<string> items)
{
    private readonly Lock gate = new();
    private int next;

    public int Count => items.Count;

    /// <summary>The next string, or null at the end (NO_MORE_ELEMENTS).</summary>
    public string? Next()
    {
        lock (gate)
        {
            return next < items.Count ? items[next++] : null;
        }
    }
}
