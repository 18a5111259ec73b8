package dev.paperpod.launcher.sleep;

import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobKindContract;

/**
 * A job kind that exists only in the tests: it waits, says what it was told to, and fails its first attempts when
 * asked. Registered like any kind (this contract in {@code META-INF/services}, a {@code JobSpecParser} bean in the
 * api, a {@code JobRunner} bean in the worker) and nowhere else: that it runs through every path of the job engine
 * shows the seam, since no shared code knows of it.
 */
public final class SleepKind implements JobKindContract {

    public static final JobKind KIND = new JobKind("sleep");

    @Override
    public JobKind kind() {
        return KIND;
    }

    @Override
    public Class<SleepSpec> specType() {
        return SleepSpec.class;
    }

    @Override
    public Class<SleepResult> resultType() {
        return SleepResult.class;
    }
}
