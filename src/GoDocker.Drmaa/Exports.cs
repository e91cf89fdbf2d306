using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GoDocker.Drmaa;

/// <summary>
/// The C functions of DRMAA v1 (drmaa.h). Every one catches everything: a managed exception never crosses into the
/// caller; it comes back as the standard's code with its message in error_diagnosis (INTERNAL_ERROR for the unforeseen).
/// Pointers are nint, size_t is nuint and C's long is nint (LP64).
/// </summary>
internal static class Exports
{
    private const int DrmaaMajor = 1;
    private const int DrmaaMinor = 0;

    // ---- iterators -------------------------------------------------------------------------------------------

    [UnmanagedCallersOnly(EntryPoint = "drmaa_get_next_attr_name")]
    public static int GetNextAttrName(nint values, nint value, nuint length) => Next(values, value, length);

    [UnmanagedCallersOnly(EntryPoint = "drmaa_get_next_attr_value")]
    public static int GetNextAttrValue(nint values, nint value, nuint length) => Next(values, value, length);

    [UnmanagedCallersOnly(EntryPoint = "drmaa_get_next_job_id")]
    public static int GetNextJobId(nint values, nint value, nuint length) => Next(values, value, length);

    [UnmanagedCallersOnly(EntryPoint = "drmaa_get_num_attr_names")]
    public static int GetNumAttrNames(nint values, nint size) => Count(values, size);

    [UnmanagedCallersOnly(EntryPoint = "drmaa_get_num_attr_values")]
    public static int GetNumAttrValues(nint values, nint size) => Count(values, size);

    [UnmanagedCallersOnly(EntryPoint = "drmaa_get_num_job_ids")]
    public static int GetNumJobIds(nint values, nint size) => Count(values, size);

    [UnmanagedCallersOnly(EntryPoint = "drmaa_release_attr_names")]
    public static void ReleaseAttrNames(nint values) => Release(values);

    [UnmanagedCallersOnly(EntryPoint = "drmaa_release_attr_values")]
    public static void ReleaseAttrValues(nint values) => Release(values);

    [UnmanagedCallersOnly(EntryPoint = "drmaa_release_job_ids")]
    public static void ReleaseJobIds(nint values) => Release(values);

    // ---- session ---------------------------------------------------------------------------------------------

    [UnmanagedCallersOnly(EntryPoint = "drmaa_init")]
    public static int Init(nint contact, nint error, nuint errorLength) =>
        Guard(error, errorLength, () => Session.Init(Native.String(contact)));

    [UnmanagedCallersOnly(EntryPoint = "drmaa_exit")]
    public static int Exit(nint error, nuint errorLength) => Guard(error, errorLength, Session.Exit);

    // ---- job templates ---------------------------------------------------------------------------------------

    [UnmanagedCallersOnly(EntryPoint = "drmaa_allocate_job_template")]
    public static int AllocateJobTemplate(nint template, nint error, nuint errorLength) =>
        Guard(error, errorLength, () =>
        {
            _ = Session.Active;
            WritePointer(template, Handles.Add(new JobTemplate()));
        });

    [UnmanagedCallersOnly(EntryPoint = "drmaa_delete_job_template")]
    public static int DeleteJobTemplate(nint template, nint error, nuint errorLength) =>
        Guard(error, errorLength, () =>
        {
            _ = Session.Active;
            _ = Handles.Get<JobTemplate>(template, "the job template");
            Handles.Remove(template);
        });

    [UnmanagedCallersOnly(EntryPoint = "drmaa_set_attribute")]
    public static int SetAttribute(nint template, nint name, nint value, nint error, nuint errorLength) =>
        Guard(error, errorLength, () => Template(template).Set(Native.RequiredString(name, "the attribute name"), Native.String(value)));

    [UnmanagedCallersOnly(EntryPoint = "drmaa_get_attribute")]
    public static int GetAttribute(nint template, nint name, nint value, nuint valueLength, nint error, nuint errorLength) =>
        Guard(error, errorLength, () =>
        {
            var attribute = Native.RequiredString(name, "the attribute name");
            Native.Write(value, valueLength, Template(template).Get(attribute) ?? "");
        });

    [UnmanagedCallersOnly(EntryPoint = "drmaa_set_vector_attribute")]
    public static int SetVectorAttribute(nint template, nint name, nint values, nint error, nuint errorLength) =>
        Guard(error, errorLength, () => Template(template).SetVector(
            Native.RequiredString(name, "the attribute name"), values == 0 ? null : Native.StringArray(values)));

    [UnmanagedCallersOnly(EntryPoint = "drmaa_get_vector_attribute")]
    public static int GetVectorAttribute(nint template, nint name, nint values, nint error, nuint errorLength) =>
        Guard(error, errorLength, () =>
        {
            var attribute = Native.RequiredString(name, "the attribute name");
            // An attribute never set reads as an empty vector (python-drmaa's jt.args is then []).
            WritePointer(values, Handles.Add(new StringVector(Template(template).GetVector(attribute) ?? [])));
        });

    [UnmanagedCallersOnly(EntryPoint = "drmaa_get_attribute_names")]
    public static int GetAttributeNames(nint values, nint error, nuint errorLength) =>
        Guard(error, errorLength, () =>
        {
            _ = Session.Active;
            WritePointer(values, Handles.Add(new StringVector(JobTemplate.ScalarNames)));
        });

    [UnmanagedCallersOnly(EntryPoint = "drmaa_get_vector_attribute_names")]
    public static int GetVectorAttributeNames(nint values, nint error, nuint errorLength) =>
        Guard(error, errorLength, () =>
        {
            _ = Session.Active;
            WritePointer(values, Handles.Add(new StringVector(JobTemplate.VectorNames)));
        });

    // ---- jobs ------------------------------------------------------------------------------------------------

    [UnmanagedCallersOnly(EntryPoint = "drmaa_run_job")]
    public static int RunJob(nint jobId, nuint jobIdLength, nint template, nint error, nuint errorLength) =>
        Guard(error, errorLength, () =>
        {
            var session = Session.Active;
            Native.Write(jobId, jobIdLength, session.RunJob(Handles.Get<JobTemplate>(template, "the job template")));
        });

    [UnmanagedCallersOnly(EntryPoint = "drmaa_run_bulk_jobs")]
    public static int RunBulkJobs(nint jobIds, nint template, int start, int end, int step, nint error, nuint errorLength) =>
        Guard(error, errorLength, () =>
        {
            var session = Session.Active;
            var ids = session.RunBulkJobs(Handles.Get<JobTemplate>(template, "the job template"), start, end, step);
            WritePointer(jobIds, Handles.Add(new StringVector(ids)));
        });

    [UnmanagedCallersOnly(EntryPoint = "drmaa_control")]
    public static int Control(nint jobId, int action, nint error, nuint errorLength) =>
        Guard(error, errorLength, () => Session.Active.Control(Native.RequiredString(jobId, "the job id"), action));

    [UnmanagedCallersOnly(EntryPoint = "drmaa_job_ps")]
    public static int JobPs(nint jobId, nint state, nint error, nuint errorLength) =>
        Guard(error, errorLength, () => Native.WriteInt(state, Session.Active.JobPs(Native.RequiredString(jobId, "the job id"))));

    [UnmanagedCallersOnly(EntryPoint = "drmaa_synchronize")]
    public static int Synchronize(nint jobIds, nint timeout, int dispose, nint error, nuint errorLength) =>
        Guard(error, errorLength, () =>
        {
            var session = Session.Active;
            if (jobIds == 0)
            {
                throw new DrmaaException(DrmaaError.InvalidArgument, "the job id list is NULL");
            }
            session.Synchronize(Native.StringArray(jobIds), timeout, dispose != 0);
        });

    [UnmanagedCallersOnly(EntryPoint = "drmaa_wait")]
    public static int Wait(nint jobId, nint jobIdOut, nuint jobIdOutLength, nint stat, nint timeout, nint rusage, nint error, nuint errorLength) =>
        Guard(error, errorLength, () =>
        {
            var session = Session.Active;
            var (id, status, usage) = session.Wait(Native.RequiredString(jobId, "the job id"), timeout);
            Native.Write(jobIdOut, jobIdOutLength, id);
            if (stat != 0)
            {
                Native.WriteInt(stat, status);
            }
            if (rusage != 0)
            {
                WritePointer(rusage, Handles.Add(new StringVector(usage)));
            }
        });

    // ---- status macros (see JobStatus for the encoding) ------------------------------------------------------

    [UnmanagedCallersOnly(EntryPoint = "drmaa_wifexited")]
    public static int IfExited(nint exited, int stat, nint error, nuint errorLength) =>
        Guard(error, errorLength, () => Native.WriteInt(exited, JobStatus.IfExited(stat) ? 1 : 0));

    [UnmanagedCallersOnly(EntryPoint = "drmaa_wexitstatus")]
    public static int ExitStatus(nint exitStatus, int stat, nint error, nuint errorLength) =>
        Guard(error, errorLength, () => Native.WriteInt(exitStatus, JobStatus.ExitStatus(stat)));

    [UnmanagedCallersOnly(EntryPoint = "drmaa_wifsignaled")]
    public static int IfSignaled(nint signaled, int stat, nint error, nuint errorLength) =>
        Guard(error, errorLength, () => Native.WriteInt(signaled, JobStatus.IfSignaled(stat) ? 1 : 0));

    [UnmanagedCallersOnly(EntryPoint = "drmaa_wtermsig")]
    public static int TermSig(nint signal, nuint signalLength, int stat, nint error, nuint errorLength) =>
        Guard(error, errorLength, () => Native.Write(signal, signalLength, JobStatus.TermSignal(stat)));

    [UnmanagedCallersOnly(EntryPoint = "drmaa_wcoredump")]
    public static int CoreDump(nint coreDumped, int stat, nint error, nuint errorLength) =>
        Guard(error, errorLength, () => Native.WriteInt(coreDumped, 0));

    [UnmanagedCallersOnly(EntryPoint = "drmaa_wifaborted")]
    public static int IfAborted(nint aborted, int stat, nint error, nuint errorLength) =>
        Guard(error, errorLength, () => Native.WriteInt(aborted, JobStatus.IfAborted(stat) ? 1 : 0));

    // ---- information -----------------------------------------------------------------------------------------

    [UnmanagedCallersOnly(EntryPoint = "drmaa_strerror")]
    public static nint StrError(int code)
    {
        try
        {
            return Native.StaticString(code);
        }
        catch
        {
            return 0;
        }
    }

    /// <summary>The session's server; before drmaa_init, the one drmaa_init(NULL) would use.</summary>
    [UnmanagedCallersOnly(EntryPoint = "drmaa_get_contact")]
    public static int GetContact(nint contact, nuint contactLength, nint error, nuint errorLength) =>
        Guard(error, errorLength, () =>
        {
            var active = Session.ActiveContact;
            if (active is null)
            {
                try
                {
                    active = Cli.Api.ServerAddress.Display(Cli.Api.ServerAddress.Resolve(null, Environment.GetEnvironmentVariable(Cli.Api.ServerAddress.EnvironmentVariable)));
                }
                catch (Cli.UsageException e)
                {
                    throw new DrmaaException(DrmaaError.DefaultContactStringError, e.Message);
                }
            }
            Native.Write(contact, contactLength, active);
        });

    [UnmanagedCallersOnly(EntryPoint = "drmaa_version")]
    public static unsafe int Version(nint major, nint minor, nint error, nuint errorLength) =>
        Guard(error, errorLength, () =>
        {
            if (major == 0 || minor == 0)
            {
                throw new DrmaaException(DrmaaError.InvalidArgument, "major or minor is NULL");
            }
            *(uint*)major = DrmaaMajor;
            *(uint*)minor = DrmaaMinor;
        });

    [UnmanagedCallersOnly(EntryPoint = "drmaa_get_DRM_system")]
    public static int GetDrmSystem(nint system, nuint systemLength, nint error, nuint errorLength) =>
        Guard(error, errorLength, () => Native.Write(system, systemLength, "GoDocker"));

    [UnmanagedCallersOnly(EntryPoint = "drmaa_get_DRMAA_implementation")]
    public static int GetDrmaaImplementation(nint implementation, nuint implementationLength, nint error, nuint errorLength) =>
        Guard(error, errorLength, () => Native.Write(implementation, implementationLength, "GoDocker libdrmaa (DRMAA 1.0 C binding over the GoDocker REST API)"));

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static JobTemplate Template(nint template)
    {
        _ = Session.Active;
        return Handles.Get<JobTemplate>(template, "the job template");
    }

    private static unsafe void WritePointer(nint target, nint value)
    {
        if (target == 0)
        {
            Handles.Remove(value);
            throw new DrmaaException(DrmaaError.InvalidArgument, "an output pointer is NULL");
        }
        *(nint*)target = value;
    }

    private static int Next(nint values, nint value, nuint length)
    {
        try
        {
            var next = Handles.Get<StringVector>(values, "the vector").Next();
            if (next is null)
            {
                return (int)DrmaaError.NoMoreElements;
            }
            Native.Write(value, length, next);
            return 0;
        }
        catch (DrmaaException e)
        {
            return (int)e.Code;
        }
        catch
        {
            return (int)DrmaaError.InternalError;
        }
    }

    /// <summary>
    /// Writes the count as a C int. drmaa.h says size_t*, but python-drmaa (and Grid Engine's header) pass an int*;
    /// writing 8 bytes there would overwrite what follows it, and a count fits in an int.
    /// </summary>
    private static unsafe int Count(nint values, nint size)
    {
        try
        {
            Native.WriteInt(size, Handles.Get<StringVector>(values, "the vector").Count);
            return 0;
        }
        catch (DrmaaException e)
        {
            return (int)e.Code;
        }
        catch
        {
            return (int)DrmaaError.InternalError;
        }
    }

    private static void Release(nint values)
    {
        try
        {
            Handles.Remove(values);
        }
        catch
        {
            // Nothing to report through: release returns void.
        }
    }

    /// <summary>Runs one call: 0 and an empty diagnosis, or the failure's code and message.</summary>
    private static int Guard(nint error, nuint errorLength, Action body, [CallerMemberName] string call = "")
    {
        try
        {
            body();
            Native.Write(error, errorLength, "");
            return 0;
        }
        catch (DrmaaException e)
        {
            Native.Write(error, errorLength, e.Message);
            return (int)e.Code;
        }
        catch (Exception e)
        {
            try
            {
                Native.Write(error, errorLength, $"internal error in {call}: {e.GetType().Name}: {e.Message}");
            }
            catch
            {
                // The caller's buffer itself is unusable; the code still says what happened.
            }
            return (int)DrmaaError.InternalError;
        }
    }
}
