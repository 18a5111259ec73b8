package dev.paperpod.schemas.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class JobStateMachineTest {

    @ParameterizedTest
    @CsvSource({
        "QUEUED, RUNNING",
        "QUEUED, SUCCEEDED",
        "QUEUED, CANCELED",
        "QUEUED, FAILED",
        "QUEUED, RETRYING",
        "RUNNING, SUCCEEDED",
        "RUNNING, FAILED",
        "RUNNING, TIMED_OUT",
        "RUNNING, CANCELED",
        "RUNNING, RETRYING",
        "RETRYING, QUEUED",
        "RETRYING, CANCELED",
        "RETRYING, FAILED"
    })
    void allowedMovesReturnTheTarget(JobStatus from, JobStatus to) {
        assertThat(JobStateMachine.move(from, to)).isEqualTo(to);
    }

    @ParameterizedTest
    @CsvSource({
        "QUEUED, QUEUED",
        "RUNNING, RUNNING",
        "RUNNING, QUEUED",
        "RETRYING, RUNNING",
        "RETRYING, SUCCEEDED",
        "RETRYING, TIMED_OUT"
    })
    void illegalMovesThrowNamingBothEnds(JobStatus from, JobStatus to) {
        assertThatThrownBy(() -> JobStateMachine.move(from, to))
                .isInstanceOf(JobStateMachine.IllegalJobTransitionException.class)
                .hasMessageContaining(from + " to " + to);
    }

    @ParameterizedTest
    @EnumSource(
            value = JobStatus.class,
            names = {"SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELED"})
    void terminalStatusesNeverMove(JobStatus end) {
        assertThat(end.isTerminal()).isTrue();
        for (JobStatus to : JobStatus.values()) {
            assertThat(JobStateMachine.canMove(end, to)).as(end + " -> " + to).isFalse();
        }
    }

    @Test
    void everyLiveStatusCanStillEnd() {
        for (JobStatus live : EnumSet.of(JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.RETRYING)) {
            assertThat(live.isTerminal()).isFalse();
            assertThat(JobStateMachine.next(live)).contains(JobStatus.CANCELED, JobStatus.FAILED);
        }
    }
}
