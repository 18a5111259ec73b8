package dev.paperpod.api.jobs;

import dev.paperpod.store.JobRecord;

/** Tells the workers about a job they may hold. */
interface JobControl {

    /** Every worker hears that the job is canceled; the one running it kills its process. */
    void cancel(JobRecord job);
}
