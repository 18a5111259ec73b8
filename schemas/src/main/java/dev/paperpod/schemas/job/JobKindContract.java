package dev.paperpod.schemas.job;

/**
 * What a job kind contributes to the contracts: its name and the records of its spec and result. Registered for
 * {@link java.util.ServiceLoader} in {@code META-INF/services/dev.paperpod.schemas.job.JobKindContract} of the module
 * that defines the kind, and found by {@link JobKinds}; {@code Wire} reads and writes the spec and result under the
 * kind's name (their {@code type}).
 */
public interface JobKindContract {

    JobKind kind();

    Class<? extends JobSpec> specType();

    Class<? extends JobResult> resultType();
}
