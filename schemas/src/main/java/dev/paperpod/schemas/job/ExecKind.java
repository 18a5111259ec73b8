package dev.paperpod.schemas.job;

/** The exec kind's contract: run code in a sandbox ({@link ExecSpec}), and what it printed ({@link ExecResult}). */
public final class ExecKind implements JobKindContract {

    @Override
    public JobKind kind() {
        return JobKind.EXEC;
    }

    @Override
    public Class<ExecSpec> specType() {
        return ExecSpec.class;
    }

    @Override
    public Class<ExecResult> resultType() {
        return ExecResult.class;
    }
}
