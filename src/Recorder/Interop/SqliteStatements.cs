using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Capture.Recorder.Interop;

/// <summary>The few SQLite calls made for every chunk, imported directly from the e_sqlite3 library that
/// SQLitePCLRaw loads (the same file, so the same library instance). SQLitePCLRaw's own imports take a SafeHandle,
/// which costs an AddRef and a Release around every call, and a GC transition each; thirteen binds, a step and a
/// reset per chunk made that a fifth of the writer's time (perf). Here the statement is a plain pointer whose
/// owner (a SQLitePCL sqlite3_stmt kept alive by the caller) finalizes it, and the binds, which only copy a value
/// into the statement, skip the GC transition.</summary>
internal static unsafe partial class SqliteStatements
{
    private const string Lib = "e_sqlite3";

    /// <summary>SQLITE_STATIC: the bytes stay valid until the statement is stepped (the caller pins them that long).</summary>
    internal static readonly nint Static = 0;

    [LibraryImport(Lib, EntryPoint = "sqlite3_bind_int64")]
    [SuppressGCTransition]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int BindInt64(nint statement, int index, long value);

    [LibraryImport(Lib, EntryPoint = "sqlite3_bind_text")]
    [SuppressGCTransition]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int BindText(nint statement, int index, byte* utf8, int length, nint destructor);

    [LibraryImport(Lib, EntryPoint = "sqlite3_bind_blob")]
    [SuppressGCTransition]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int BindBlob(nint statement, int index, byte* data, int length, nint destructor);

    [LibraryImport(Lib, EntryPoint = "sqlite3_bind_zeroblob")]
    [SuppressGCTransition]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int BindZeroBlob(nint statement, int index, int length);

    [LibraryImport(Lib, EntryPoint = "sqlite3_bind_null")]
    [SuppressGCTransition]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int BindNull(nint statement, int index);

    /// <summary>May write to the WAL (a page cache spill), so it keeps the GC transition.</summary>
    [LibraryImport(Lib, EntryPoint = "sqlite3_step")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int Step(nint statement);

    [LibraryImport(Lib, EntryPoint = "sqlite3_reset")]
    [SuppressGCTransition]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int Reset(nint statement);
}
