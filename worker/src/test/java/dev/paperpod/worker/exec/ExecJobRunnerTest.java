package dev.paperpod.worker.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Verdict;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExecJobRunnerTest {

    @ParameterizedTest(name = "{0} exit {1} -> {2}")
    @CsvSource({
        "OK, 0, SUCCEEDED",
        "OK, 3, SUCCEEDED",
        "TIMEOUT, , TIMED_OUT",
        "OUTPUT_LIMIT, , FAILED",
        "MEMORY_LIMIT, , FAILED",
        "PIDS_LIMIT, 0, FAILED",
        "KILLED, , FAILED",
        "ERROR, , FAILED"
    })
    void aProgramThatRanIsAResultAndOnlyHowItEndedDecidesTheStatus(Verdict verdict, Integer exit, JobStatus status) {
        ExecResult result = new ExecResult("", "", exit, verdict, false, 1);

        assertThat(ExecJobRunner.statusOf(result)).isEqualTo(status);
    }
}
