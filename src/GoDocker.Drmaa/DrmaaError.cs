namespace GoDocker.Drmaa;

/// <summary>The DRMAA v1 error codes (drmaa.h's DRMAA_ERRNO_*), in the standard's order: the numbers are the ABI.</summary>
internal enum DrmaaError
{
    Success = 0,
    InternalError,
    DrmCommunicationFailure,
    AuthFailure,
    InvalidArgument,
    NoActiveSession,
    NoMemory,
    InvalidContactString,
    DefaultContactStringError,
    NoDefaultContactStringSelected,
    DrmsInitFailed,
    AlreadyActiveSession,
    DrmsExitError,
    InvalidAttributeFormat,
    InvalidAttributeValue,
    ConflictingAttributeValues,
    TryLater,
    DeniedByDrm,
    InvalidJob,
    ResumeInconsistentState,
    SuspendInconsistentState,
    HoldInconsistentState,
    ReleaseInconsistentState,
    ExitTimeout,
    NoRusage,
    NoMoreElements,
}

/// <summary>A call's failure as the standard names it; the message goes into the caller's error_diagnosis buffer.</summary>
internal sealed class DrmaaException(DrmaaError code, string message) : Exception(message)
{
    public DrmaaError Code { get; } = code;
}

internal static class DrmaaErrors
{
    /// <summary>drmaa_strerror's text for each code, as the standard words them.</summary>
    public static string Describe(int code) => (DrmaaError)code switch
    {
        DrmaaError.Success => "Success.",
        DrmaaError.InternalError => "Unexpected or internal DRMAA error.",
        DrmaaError.DrmCommunicationFailure => "Could not contact DRM system for this request.",
        DrmaaError.AuthFailure => "The specified request was not processed successfully due to authorization failure.",
        DrmaaError.InvalidArgument => "The input value for an argument is invalid.",
        DrmaaError.NoActiveSession => "Exit routine failed because there is no active session.",
        DrmaaError.NoMemory => "Failed allocating memory.",
        DrmaaError.InvalidContactString => "Initialization failed due to invalid contact string.",
        DrmaaError.DefaultContactStringError => "DRMAA could not use the default contact string to connect to DRM system.",
        DrmaaError.NoDefaultContactStringSelected => "No default contact string was provided or selected.",
        DrmaaError.DrmsInitFailed => "Initialization failed due to failure to init DRM system.",
        DrmaaError.AlreadyActiveSession => "Initialization failed due to existing DRMAA session.",
        DrmaaError.DrmsExitError => "DRM system disengagement failed.",
        DrmaaError.InvalidAttributeFormat => "The format for the job attribute value is invalid.",
        DrmaaError.InvalidAttributeValue => "The value for the job attribute is invalid.",
        DrmaaError.ConflictingAttributeValues => "The value of this attribute is conflicting with a previously set attributes.",
        DrmaaError.TryLater => "Could not pass job now to DRM system. A retry may succeed however (saturation).",
        DrmaaError.DeniedByDrm => "The DRM system rejected the job. The job will never be accepted due to DRM configuration or job template settings.",
        DrmaaError.InvalidJob => "The job specified by the 'jobid' does not exist.",
        DrmaaError.ResumeInconsistentState => "The job has not been suspended. The RESUME request will not be processed.",
        DrmaaError.SuspendInconsistentState => "The job has not been running, and it cannot be suspended.",
        DrmaaError.HoldInconsistentState => "The job cannot be moved to a HOLD state.",
        DrmaaError.ReleaseInconsistentState => "The job is not in a HOLD state.",
        DrmaaError.ExitTimeout => "We have encountered a time-out condition for drmaa_synchronize or drmaa_wait.",
        DrmaaError.NoRusage => "This error code is returned by drmaa_wait() when a job has finished but no rusage and stat data could be provided.",
        DrmaaError.NoMoreElements => "There are no more elements in the opaque string vector.",
        _ => "Unknown DRMAA error code.",
    };
}
